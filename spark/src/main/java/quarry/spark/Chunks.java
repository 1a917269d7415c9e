package quarry.spark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * A partition's rows taken {@code size} at a time and turned into results chunk by chunk, so a
 * partition of any size runs in bounded memory and the encoder still sorts enough texts by length.
 */
final class Chunks<I, O> implements Iterator<O> {

    private final Iterator<I> in;
    private final int size;
    private final Function<List<I>, List<O>> work;
    private Iterator<O> current = Collections.emptyIterator();

    Chunks(Iterator<I> in, int size, Function<List<I>, List<O>> work) {
        this.in = in;
        this.size = size;
        this.work = work;
    }

    @Override
    public boolean hasNext() {
        while (!current.hasNext() && in.hasNext()) {
            List<I> chunk = new ArrayList<>(size);
            while (chunk.size() < size && in.hasNext()) {
                chunk.add(in.next());
            }
            current = work.apply(chunk).iterator();
        }
        return current.hasNext();
    }

    @Override
    public O next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return current.next();
    }
}
