package quarry.project;

import java.util.ArrayList;
import java.util.List;
import quarry.core.Vectors;

/**
 * A project's pool embeddings, appended as documents are embedded in the background. Readers take
 * a {@link #view} of a fixed size, so a loop never sees the pool change under it.
 */
final class GrowingVectors {

    private final int dimension;
    private final List<float[]> rows = new ArrayList<>();

    GrowingVectors(int dimension) {
        this.dimension = dimension;
    }

    synchronized void append(float[][] vectors) {
        for (float[] v : vectors) {
            if (v.length != dimension) {
                throw new IllegalArgumentException("vector of " + v.length + " floats in a pool of dimension " + dimension);
            }
            rows.add(v);
        }
    }

    synchronized int size() {
        return rows.size();
    }

    int dimension() {
        return dimension;
    }

    /** The first {@code size} rows, fixed. */
    synchronized Vectors view(int size) {
        if (size > rows.size()) {
            throw new IllegalArgumentException("view of " + size + " rows over " + rows.size());
        }
        float[][] snapshot = rows.subList(0, size).toArray(float[][]::new);
        return Vectors.of(snapshot);
    }

    /** Rows {@code [from, to)}, renumbered from 0. */
    synchronized Vectors slice(int from, int to) {
        return Vectors.of(rows.subList(from, to).toArray(float[][]::new));
    }

    synchronized float[] row(int i) {
        return rows.get(i);
    }
}
