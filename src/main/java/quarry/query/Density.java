package quarry.query;

import java.util.Arrays;

/** Embedding density of candidates, from the pool's vector index when there is one. */
final class Density {

    private Density() {
    }

    /** Mean similarity to the k nearest pool neighbours per row; NaN for every row without an index. */
    static float[] of(QueryContext ctx, int[] rows) {
        if (ctx.index() == null) {
            float[] unknown = new float[rows.length];
            Arrays.fill(unknown, Float.NaN);
            return unknown;
        }
        return ctx.index().densities(rows);
    }
}
