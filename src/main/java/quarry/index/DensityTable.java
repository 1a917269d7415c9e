package quarry.index;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Per pool row, its {@code k} nearest pool neighbours (row and cosine similarity, best first):
 * what density is computed from. Keeping the neighbours, not just a mean, is what lets the table be
 * updated as the pool grows: a new row only has to be folded into the lists it beats, and the
 * neighbour ids make folding idempotent (a row already in a list is not counted twice), so a
 * refresh that is repeated after a crash does no harm.
 *
 * <p>Flat arrays indexed by row (pool rows are dense small integers) keep 100k rows × k=10 at about
 * 8 MB with no per-row objects. Not thread-safe: {@link VectorIndex} guards it.
 */
final class DensityTable {

    /** "QDNS": identifies the sidecar file. */
    private static final int MAGIC = 0x51444E53;
    private static final int VERSION = 1;

    private final int k;
    /** Neighbours known per row; -1 where the row's neighbours were never computed. */
    private int[] counts = new int[0];
    private int[] neighbours = new int[0];
    private float[] similarities = new float[0];
    private int known;

    DensityTable(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("density k must be at least 1, got " + k);
        }
        this.k = k;
    }

    int k() {
        return k;
    }

    /** Rows whose neighbours have been computed. */
    int known() {
        return known;
    }

    void ensureRows(int rows) {
        if (rows <= counts.length) {
            return;
        }
        int capacity = Math.max(rows, counts.length + (counts.length >> 1));
        int old = counts.length;
        counts = Arrays.copyOf(counts, capacity);
        Arrays.fill(counts, old, capacity, -1);
        neighbours = Arrays.copyOf(neighbours, Math.multiplyExact(capacity, k));
        similarities = Arrays.copyOf(similarities, capacity * k);
    }

    /** One more than the largest row the table has room for. */
    int rowLimit() {
        return counts.length;
    }

    /** How many neighbours {@code row} has; -1 when never computed. */
    int count(int row) {
        return row < counts.length ? counts[row] : -1;
    }

    /** The similarity a newcomer must beat to enter a full list: that of the k-th neighbour. */
    float kth(int row) {
        return similarities[row * k + k - 1];
    }

    int neighbour(int row, int i) {
        return neighbours[row * k + i];
    }

    float similarity(int row, int i) {
        return similarities[row * k + i];
    }

    /** Replaces {@code row}'s list with the first {@code n} (at most k) given, best first. */
    void set(int row, int[] rows, float[] sims, int n) {
        if (n > k) {
            throw new IllegalArgumentException("row " + row + ": " + n + " neighbours given, k is " + k);
        }
        ensureRows(row + 1);
        if (counts[row] < 0) {
            known++;
        }
        System.arraycopy(rows, 0, neighbours, row * k, n);
        System.arraycopy(sims, 0, similarities, row * k, n);
        counts[row] = n;
    }

    /**
     * Offers {@code other} at similarity {@code sim} as a neighbour of {@code row}: it enters when
     * the list has room or it is closer than the current k-th, which then drops out. A neighbour
     * already listed is left alone. Returns whether the list changed.
     */
    boolean fold(int row, int other, float sim) {
        int n = count(row);
        if (n < 0 || other == row) {
            return false;
        }
        int base = row * k;
        for (int i = 0; i < n; i++) {
            if (neighbours[base + i] == other) {
                return false;
            }
        }
        int at;
        if (n < k) {
            at = n;
            counts[row] = n + 1;
        } else if (sim > similarities[base + k - 1]) {
            at = k - 1;
        } else {
            return false;
        }
        // Insertion step: shift weaker neighbours down so the list stays best first.
        while (at > 0 && similarities[base + at - 1] < sim) {
            similarities[base + at] = similarities[base + at - 1];
            neighbours[base + at] = neighbours[base + at - 1];
            at--;
        }
        similarities[base + at] = sim;
        neighbours[base + at] = other;
        return true;
    }

    /** Mean similarity to the first {@code kk} (≤ k) neighbours; NaN when unknown or none. */
    float density(int row, int kk) {
        int n = Math.min(count(row), kk);
        if (n <= 0) {
            return Float.NaN;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += similarities[row * k + i];
        }
        return (float) (sum / n);
    }

    /**
     * Writes the table to {@code file} atomically: a temporary file is written, synced and moved
     * over the old one, so a crash leaves either the old table or the new one, never a torn one.
     */
    void save(Path file, int dimension) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        CRC32 crc = new CRC32();
        try (OutputStream raw = Files.newOutputStream(tmp);
             DataOutputStream out = new DataOutputStream(
                     new BufferedOutputStream(new CheckedOutputStream(raw, crc), 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(dimension);
            out.writeInt(k);
            out.writeInt(known);
            for (int row = 0; row < counts.length; row++) {
                int n = counts[row];
                if (n < 0) {
                    continue;
                }
                out.writeInt(row);
                out.writeInt(n);
                for (int i = 0; i < n; i++) {
                    out.writeInt(neighbours[row * k + i]);
                    out.writeFloat(similarities[row * k + i]);
                }
            }
            out.flush();
            // The checksum covers everything before it; it is written past the checked stream.
            new DataOutputStream(raw).writeLong(crc.getValue());
        }
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads a table saved by {@link #save}. Lists longer than {@code k} (saved with a larger k)
     * are cut to the best {@code k}, which are exactly the k nearest.
     *
     * @throws CorruptException when the file is damaged, or was written for another dimension or
     *                          a smaller k (its lists are then too short to serve)
     */
    static DensityTable load(Path file, int dimension, int k) throws IOException {
        CRC32 crc = new CRC32();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc))) {
            if (in.readInt() != MAGIC) {
                throw new CorruptException(file + " is not a density table");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new CorruptException(file + " has version " + version + ", expected " + VERSION);
            }
            int savedDimension = in.readInt();
            if (savedDimension != dimension) {
                throw new CorruptException(file + " was written for dimension " + savedDimension
                        + ", the index has " + dimension);
            }
            int savedK = in.readInt();
            if (savedK < k) {
                throw new CorruptException(file + " holds " + savedK + " neighbours per row, " + k
                        + " are needed");
            }
            int rows = in.readInt();
            DensityTable table = new DensityTable(k);
            int[] ids = new int[savedK];
            float[] sims = new float[savedK];
            for (int r = 0; r < rows; r++) {
                int row = in.readInt();
                int n = in.readInt();
                if (row < 0 || n < 0 || n > savedK || table.count(row) >= 0) {
                    throw new CorruptException(file + ": bad record " + r + " (row " + row + ", " + n
                            + " neighbours)");
                }
                for (int i = 0; i < n; i++) {
                    ids[i] = in.readInt();
                    sims[i] = in.readFloat();
                }
                table.set(row, ids, sims, Math.min(n, k));
            }
            long expected = crc.getValue();
            long stored = new DataInputStream(raw).readLong();
            if (stored != expected) {
                throw new CorruptException(file + ": checksum mismatch");
            }
            if (raw.read() != -1) {
                throw new CorruptException(file + ": unexpected bytes after the checksum");
            }
            return table;
        } catch (EOFException e) {
            throw new CorruptException(file + " is truncated");
        }
    }

    /** The sidecar file cannot be used; densities are derived data, so callers recompute them. */
    static final class CorruptException extends IOException {
        private static final long serialVersionUID = 1L;

        CorruptException(String message) {
            super(message);
        }
    }
}
