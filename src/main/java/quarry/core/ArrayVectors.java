package quarry.core;

/** {@link Vectors} over rows held in memory. The rows are not copied: callers must not change them. */
public final class ArrayVectors implements Vectors {

    private final float[][] rows;
    private final int dimension;

    public ArrayVectors(float[][] rows) {
        this.rows = rows;
        this.dimension = rows.length == 0 ? 0 : rows[0].length;
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != dimension) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, row 0 has "
                        + dimension);
            }
        }
    }

    @Override
    public int size() {
        return rows.length;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public float[] row(int i) {
        return rows[i];
    }
}
