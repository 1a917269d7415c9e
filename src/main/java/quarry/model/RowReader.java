package quarry.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import quarry.core.Vectors;

/**
 * Copies chunks of rows from {@link Vectors} into NDArrays through one reused direct buffer. Handing
 * DJL a heap array instead makes it allocate a fresh direct buffer per chunk, which only the garbage
 * collector frees: scoring a million rows would pile up gigabytes of native memory.
 */
final class RowReader {

    private final Vectors x;
    private final int dimension;
    private final float[] scratch;
    private final ByteBuffer direct;

    RowReader(Vectors x, int maxRows) {
        this.x = x;
        this.dimension = x.dimension();
        this.scratch = new float[Math.multiplyExact(maxRows, dimension)];
        this.direct = ByteBuffer.allocateDirect(Math.multiplyExact(scratch.length, Float.BYTES))
                .order(ByteOrder.nativeOrder());
    }

    /**
     * Rows {@code rows[from..to)} as a (to−from)×dimension array in {@code manager}. The array is
     * backed by this reader's buffer (DJL wraps a direct buffer without copying), so it is valid only
     * until the next {@code read}: callers finish a chunk before reading the next one.
     */
    NDArray read(NDManager manager, int[] rows, int from, int to) {
        int n = to - from;
        x.copyRows(Arrays.copyOfRange(rows, from, to), scratch);
        direct.clear();
        direct.asFloatBuffer().put(scratch, 0, n * dimension);
        direct.limit(n * dimension * Float.BYTES);
        return manager.create(direct, new Shape(n, dimension), DataType.FLOAT32);
    }

    /** Checks every row index before any native work starts, naming the first bad one. */
    static void checkRows(Vectors x, int[] rows) {
        if (rows == null) {
            throw new IllegalArgumentException("rows must not be null");
        }
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= x.size()) {
                throw new IllegalArgumentException("rows[" + i + "] = " + rows[i] + " is outside the " + x.size()
                        + " vectors");
            }
        }
    }
}
