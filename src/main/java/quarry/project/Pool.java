package quarry.project;

import java.nio.file.Path;
import java.util.stream.IntStream;
import quarry.core.Progress;
import quarry.core.Vectors;
import quarry.index.VectorIndex;

/**
 * A project's pool: each document's vector by pool row, and the vector index kept in step with
 * them. Vectors are appended as the embedder finishes them; the index catches up on the trainer
 * thread, so a retrain always sees a fixed view whose every row is indexed and has a density.
 */
public final class Pool implements AutoCloseable {

    /** What one {@link #index} call did. */
    public record Indexed(int rows, double indexSeconds, double densitySeconds) {
    }

    private final GrowingVectors vectors;
    private final Path indexDir;
    /** Written under this pool's lock by {@link #catchUp}; read without it (the index takes concurrent reads). */
    private volatile VectorIndex index;

    /** A pool whose index lives in {@code indexDir}, and its vectors in a mapped scratch file beside it. */
    public Pool(int dimension, Path indexDir) {
        this.vectors = new GrowingVectors(dimension, vectorFile(indexDir));
        this.indexDir = indexDir;
    }

    /** The scratch file of a pool's vectors: a copy the session rebuilds from the embedding cache. */
    static Path vectorFile(Path indexDir) {
        return indexDir.resolveSibling(indexDir.getFileName() + ".vectors");
    }

    /**
     * The one way vectors join an index, for the server, the simulator and the benchmarks alike:
     * add the rows it lacks, commit, update densities (the new rows', and their neighbours'), commit.
     */
    public static Indexed index(VectorIndex index, Vectors all, Progress adding, Progress densities) {
        return index(index, all, IntStream.range(0, all.size()).toArray(), adding, densities);
    }

    /** As {@link #index(VectorIndex, Vectors, Progress, Progress)} for the given rows of {@code all} only. */
    public static Indexed index(VectorIndex index, Vectors all, int[] rows, Progress adding, Progress densities) {
        int[] missing = index.missing(rows);
        if (missing.length == 0) {
            return new Indexed(0, 0, 0);
        }
        long start = System.nanoTime();
        index.add(missing, all, adding);
        index.commit();
        double indexSeconds = (System.nanoTime() - start) / 1e9;
        start = System.nanoTime();
        index.refreshDensities(densities);
        index.commit();
        return new Indexed(missing.length, indexSeconds, (System.nanoTime() - start) / 1e9);
    }

    /** Adds the vectors of the next rows (embedder thread). */
    public void append(float[][] rows) {
        vectors.append(rows);
    }

    /** Rows embedded so far. */
    public int size() {
        return vectors.size();
    }

    public int dimension() {
        return vectors.dimension();
    }

    public float[] row(int row) {
        return vectors.row(row);
    }

    /** Every row embedded so far, fixed; indexed or not. */
    public Vectors view() {
        return vectors.view(vectors.size());
    }

    /** Rows {@code [from, to)}, renumbered from 0. */
    public Vectors slice(int from, int to) {
        return vectors.slice(from, to);
    }

    /**
     * Brings the index up to every embedded row and returns a fixed view of them (trainer thread).
     */
    public synchronized Vectors catchUp(Progress adding, Progress densities) {
        int size = vectors.size();
        Vectors view = vectors.view(size);
        if (index == null) {
            index = VectorIndex.open(indexDir, vectors.dimension());
        }
        if (index.size() < size) {
            index(index, view, adding, densities);
        }
        return view;
    }

    /** Where the vector index lives. */
    public Path indexDir() {
        return indexDir;
    }

    /** The vector index, or null before the first {@link #catchUp}. */
    public VectorIndex index() {
        return index;
    }

    /** The {@code k} rows among {@code rows} most similar to {@code query}; none before the first catch-up. */
    public java.util.List<quarry.core.Neighbor> nearestAmong(float[] query, int[] rows, int k) {
        // Not under the pool's lock: a request must not wait for the trainer thread to index an import.
        VectorIndex current = index;
        return current == null || rows.length == 0 ? java.util.List.of() : current.nearestAmong(query, rows, k);
    }

    @Override
    public synchronized void close() {
        try {
            if (index != null) {
                index.close();
                index = null;
            }
        } finally {
            vectors.close();
        }
    }
}
