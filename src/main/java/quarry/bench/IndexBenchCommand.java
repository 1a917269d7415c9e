package quarry.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import quarry.core.ArrayVectors;
import quarry.index.VectorIndex;

@Command(name = "index", mixinStandardHelpOptions = true,
        description = "Vector index on synthetic clustered 384-d vectors, or on real embeddings (--vectors): build, "
                + "density refresh, a later batch with density folding, query latency and recall@10 against brute "
                + "force.")
final class IndexBenchCommand implements Callable<Integer> {

    @Option(names = "--size", defaultValue = "100000",
            description = "vectors (default: ${DEFAULT-VALUE}); with --vectors, the first this many rows")
    int size;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Option(names = "--vectors", paramLabel = "FILE",
            description = "real embeddings instead: a vectors.f32 file as `./quarry embed --out DIR` writes it")
    Path vectors;

    @Option(names = "--dimension", defaultValue = "384", description = "the vectors' dimension (default: ${DEFAULT-VALUE})")
    int dimension;

    @Option(names = "--beam-width", description = "HNSW beam width while inserting (default: the index's)")
    Integer beamWidth;

    @Option(names = "--max-conn", description = "HNSW links per node (default: the index's)")
    Integer maxConn;

    @Option(names = "--threads", description = "indexing and density threads (default: the cores)")
    Integer threads;

    @Override
    public Integer call() throws IOException {
        VectorIndex.Options options = VectorIndex.Options.defaults();
        if (threads != null) {
            options = options.withThreads(threads);
        }
        if (beamWidth != null || maxConn != null) {
            options = options.withGraph(maxConn == null ? options.maxConn() : maxConn,
                    beamWidth == null ? options.beamWidth() : beamWidth);
        }
        if (vectors == null) {
            System.out.println(IndexBench.run(size, dimension, seed, options));
            return 0;
        }
        float[][] rows = read(vectors, dimension, size);
        System.out.println(IndexBench.run(new ArrayVectors(rows), String.format(Locale.ROOT,
                "%,d real %d-d embeddings from %s", rows.length, dimension, vectors), seed, options));
        return 0;
    }

    /** Up to {@code limit} rows of a float32 little-endian row-major file. */
    static float[][] read(Path file, int dimension, int limit) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long bytes = channel.size();
            long rowBytes = (long) dimension * Float.BYTES;
            if (bytes % rowBytes != 0) {
                throw new IllegalArgumentException(file + ": " + bytes + " bytes is not a whole number of "
                        + dimension + "-d float32 rows");
            }
            int n = (int) Math.min(limit, bytes / rowBytes);
            float[][] rows = new float[n][dimension];
            ByteBuffer row = ByteBuffer.allocate((int) rowBytes).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                row.clear();
                while (row.hasRemaining()) {
                    if (channel.read(row) < 0) {
                        throw new IOException(file + ": ends inside row " + i);
                    }
                }
                row.flip();
                row.asFloatBuffer().get(rows[i]);
            }
            return rows;
        }
    }
}
