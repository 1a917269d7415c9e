package quarry.core;

/**
 * A read-only matrix of float vectors, one row per document (usually L2-normalised embeddings).
 * Pools can hold a million rows, so callers read them in chunks rather than as one array.
 */
public interface Vectors {

    int size();

    int dimension();

    /** Row {@code i}; implementations may return a shared array that callers must not change. */
    float[] row(int i);

    /** Copies rows {@code [from, to)} into {@code dst} (row-major), which holds at least (to-from)×dim. */
    default void copyRows(int from, int to, float[] dst) {
        int dim = dimension();
        for (int i = from; i < to; i++) {
            System.arraycopy(row(i), 0, dst, (i - from) * dim, dim);
        }
    }

    /** Copies the given rows, in order, into {@code dst} (row-major). */
    default void copyRows(int[] rows, float[] dst) {
        int dim = dimension();
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(row(rows[i]), 0, dst, i * dim, dim);
        }
    }

    /**
     * The given rows, in order, as arrays of their own. Loops that visit the same rows many times
     * take them once: a row of a memory-mapped pool is a copy on every {@link #row} call.
     */
    default float[][] rows(int[] rows) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = row(rows[i]);
        }
        return out;
    }

    static Vectors of(float[][] rows) {
        return new ArrayVectors(rows);
    }
}
