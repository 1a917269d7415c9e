package quarry.bench;

import java.util.ArrayList;
import java.util.List;

/** Slices of real data sets for benchmarks. */
final class Slices {

    private Slices() {
    }

    /**
     * Up to {@code n} items taken at even steps through {@code all}: a data set file is often sorted
     * by label, and a prefix would hold a few labels only.
     */
    static <T> List<T> evenly(List<T> all, int n) {
        List<T> out = new ArrayList<>();
        for (int i = 0; out.size() < Math.min(n, all.size()); i += Math.max(1, all.size() / n)) {
            out.add(all.get(i));
        }
        return out;
    }
}
