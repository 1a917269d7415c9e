package quarry.project;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import quarry.core.Vectors;

/**
 * A project's pool embeddings, appended as documents are embedded in the background. Readers take
 * a {@link #view} of a fixed size, so a loop never sees the pool change under it.
 *
 * <p>The rows live in a memory-mapped scratch file, not on the heap: a million 384-d rows are
 * 1.5 GB, which the page cache holds and the OS may page out, while the heap stays small. The
 * file is a copy made from the embedding cache (the durable one) each time a session starts, so
 * it is truncated on open and deleted on close.
 */
final class GrowingVectors implements AutoCloseable {

    /** Rows are mapped in segments of at most this many bytes (one mapping is limited to 2 GB). */
    private static final long SEGMENT_BYTES = 1L << 28;

    private final int dimension;
    private final int rowsPerSegment;
    private final Path file;
    private final FileChannel channel;
    private final List<FloatBuffer> segments = new ArrayList<>();
    private int size;

    /** A pool of {@code dimension}-d rows kept in {@code file}, which is created or emptied. */
    GrowingVectors(int dimension, Path file) {
        this(dimension, file, SEGMENT_BYTES);
    }

    /** As {@link #GrowingVectors(int, Path)}, mapping {@code segmentBytes} at a time (tests cross segments). */
    GrowingVectors(int dimension, Path file, long segmentBytes) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be at least 1, got " + dimension);
        }
        this.dimension = dimension;
        this.rowsPerSegment = (int) Math.max(1, segmentBytes / (4L * dimension));
        this.file = file;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the pool's vector file " + file + ": " + e.getMessage(), e);
        }
    }

    synchronized void append(float[][] vectors) {
        for (float[] v : vectors) {
            if (v.length != dimension) {
                throw new IllegalArgumentException("vector of " + v.length + " floats in a pool of dimension " + dimension);
            }
        }
        for (float[] v : vectors) {
            int segment = size / rowsPerSegment;
            if (segment == segments.size()) {
                segments.add(map(segment));
            }
            segments.get(segment).put((size % rowsPerSegment) * dimension, v);
            size++;
        }
    }

    private FloatBuffer map(int segment) {
        long bytes = 4L * dimension * rowsPerSegment;
        try {
            return channel.map(FileChannel.MapMode.READ_WRITE, segment * bytes, bytes).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot grow the pool's vector file " + file + " (disk full?): "
                    + e.getMessage(), e);
        }
    }

    synchronized int size() {
        return size;
    }

    int dimension() {
        return dimension;
    }

    /** The first {@code size} rows, fixed. */
    synchronized Vectors view(int size) {
        return slice(0, size);
    }

    /** Rows {@code [from, to)}, renumbered from 0. */
    synchronized Vectors slice(int from, int to) {
        if (from < 0 || from > to || to > size) {
            throw new IllegalArgumentException("rows [" + from + ", " + to + ") of a pool of " + size);
        }
        return new Mapped(List.copyOf(segments), from, to - from);
    }

    synchronized float[] row(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("row " + i + " of a pool of " + size);
        }
        float[] out = new float[dimension];
        segments.get(i / rowsPerSegment).get((i % rowsPerSegment) * dimension, out, 0, dimension);
        return out;
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
            // Mappings outlive the channel until they are collected; on Linux the file can go now.
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the pool's vector file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Rows {@code [offset, offset + size)} of the segments. Absolute reads only: safe from many threads. */
    private final class Mapped implements Vectors {
        private final List<FloatBuffer> segments;
        private final int offset;
        private final int size;

        Mapped(List<FloatBuffer> segments, int offset, int size) {
            this.segments = segments;
            this.offset = offset;
            this.size = size;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public int dimension() {
            return dimension;
        }

        @Override
        public float[] row(int i) {
            float[] out = new float[dimension];
            read(i, out, 0);
            return out;
        }

        @Override
        public void copyRows(int from, int to, float[] dst) {
            for (int i = from; i < to; i++) {
                read(i, dst, (i - from) * dimension);
            }
        }

        @Override
        public void copyRows(int[] rows, float[] dst) {
            for (int i = 0; i < rows.length; i++) {
                read(rows[i], dst, i * dimension);
            }
        }

        private void read(int i, float[] dst, int at) {
            if (i < 0 || i >= size) {
                throw new IndexOutOfBoundsException("row " + i + " of " + size);
            }
            int r = offset + i;
            segments.get(r / rowsPerSegment).get((r % rowsPerSegment) * dimension, dst, at, dimension);
        }
    }
}
