package quarry.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;

import quarry.core.Progress;
import quarry.core.QuarryException;
import quarry.core.Vectors;

/**
 * The Lucene side of a {@link VectorIndex}: the writer that adds pool rows, the searcher manager
 * that hands out point-in-time {@link PoolSearcher}s, and the worker threads both use. One
 * document per pool row: the row number as a stored field and a doc value, and the vector under
 * {@link VectorSimilarityFunction#DOT_PRODUCT}, which on unit vectors is cosine similarity.
 *
 * <p>Not a public type: {@link VectorIndex} serializes the calls that change it ({@link #add},
 * {@link #commit}, {@link #close}); acquiring searchers is safe from any thread.
 */
final class HnswStore {

    static final String VECTOR_FIELD = "vector";
    static final String ROW_FIELD = "row";
    static final String INDEX_FOLDER = "hnsw";

    /** How far a unit vector's norm may stray: float rounding of a normalised vector is ~1e-7. */
    static final float NORM_TOLERANCE = 1e-3f;

    /** Rows read, validated and handed to an indexing thread at a time. */
    private static final int ADD_BLOCK = 256;

    private final Path dir;
    private final int dimension;
    private final VectorIndex.Options options;
    private final Directory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final ExecutorService workers;
    private final ExecutorService mergeWorkers;
    private volatile boolean closed;

    private HnswStore(Path dir, int dimension, VectorIndex.Options options, Directory directory, IndexWriter writer,
                      SearcherManager searchers, ExecutorService workers, ExecutorService mergeWorkers) {
        this.dir = dir;
        this.dimension = dimension;
        this.options = options;
        this.directory = directory;
        this.writer = writer;
        this.searchers = searchers;
        this.workers = workers;
        this.mergeWorkers = mergeWorkers;
    }

    /**
     * Creates the Lucene index in {@code dir/hnsw} or reopens the one there.
     *
     * @throws IllegalArgumentException when {@code dimension} is outside [1, 1024] (Lucene 9's limit)
     * @throws QuarryException          when the index cannot be opened, is open elsewhere, or holds
     *                                  vectors of another dimension
     */
    static HnswStore open(Path dir, int dimension, VectorIndex.Options options) {
        VectorMath.init();
        int maxDimension = KnnVectorsFormat.DEFAULT_MAX_DIMENSIONS;
        if (dimension < 1 || dimension > maxDimension) {
            throw new IllegalArgumentException("dimension must be in [1, " + maxDimension + "], got " + dimension);
        }
        ExecutorService workers = Executors.newFixedThreadPool(options.threads(), daemonThreads("quarry-index"));
        // Merge workers get their own pool: a merge waits for its workers, and indexing threads can
        // be stalled waiting for merges, so sharing one pool could deadlock.
        ExecutorService mergeWorkers = options.threads() > 1
                ? Executors.newFixedThreadPool(options.threads(), daemonThreads("quarry-index-merge"))
                : null;
        Directory directory = null;
        IndexWriter writer = null;
        SearcherManager searchers = null;
        try {
            Files.createDirectories(dir);
            directory = FSDirectory.open(dir.resolve(INDEX_FOLDER));
            writer = new IndexWriter(directory, writerConfig(options, mergeWorkers));
            searchers = new SearcherManager(writer, true, false, new SearcherFactory() {
                @Override
                public IndexSearcher newSearcher(IndexReader reader, IndexReader previous) throws IOException {
                    return new PoolSearcher(reader);
                }
            });
            HnswStore store = new HnswStore(dir, dimension, options, directory, writer, searchers, workers,
                    mergeWorkers);
            PoolSearcher searcher = store.acquire();
            try {
                checkDimension(dir, searcher, dimension);
            } finally {
                store.release(searcher);
            }
            return store;
        } catch (IOException | RuntimeException e) {
            closeQuietly(searchers, e);
            closeQuietly(writer, e);
            closeQuietly(directory, e);
            workers.shutdownNow();
            if (mergeWorkers != null) {
                mergeWorkers.shutdownNow();
            }
            throw openFailed(dir, e);
        }
    }

    /** What a failure to open {@code dir} is reported as. */
    static RuntimeException openFailed(Path dir, Exception e) {
        if (e instanceof LockObtainFailedException) {
            return new QuarryException("vector index " + dir + " is already open elsewhere", e);
        }
        if (e instanceof IOException) {
            return new QuarryException("cannot open vector index " + dir + ": " + e.getMessage(), e);
        }
        return (RuntimeException) e;
    }

    private static IndexWriterConfig writerConfig(VectorIndex.Options options, ExecutorService mergeWorkers) {
        // Merge workers only speed up merges: a flushed segment's graph is built as documents
        // arrive, by the thread that adds them, which is why add() indexes from several threads.
        int mergeThreads = mergeWorkers == null ? 1 : options.threads();
        KnnVectorsFormat format = new QuarryHnswFormat(options.maxConn(), options.beamWidth(), mergeThreads,
                mergeWorkers);
        // Overriding the per-field format keeps the codec's name (Lucene912), and the format's
        // own name is written per field, so a reader with the stock codec can read the index.
        Codec codec = new Lucene912Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return format;
            }
        };
        TieredMergePolicy mergePolicy = new TieredMergePolicy();
        // Vector files are large and read off-heap; copying them into compound files costs a
        // full rewrite and buys nothing.
        mergePolicy.setNoCFSRatio(0.0);
        return new IndexWriterConfig()
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                .setCodec(codec)
                .setRAMBufferSizeMB(options.ramBufferMB())
                .setUseCompoundFile(false)
                .setMergePolicy(mergePolicy)
                .setCommitOnClose(false);
    }

    private static void checkDimension(Path dir, IndexSearcher searcher, int dimension) {
        FieldInfo info = FieldInfos.getMergedFieldInfos(searcher.getIndexReader()).fieldInfo(VECTOR_FIELD);
        if (info != null && info.getVectorDimension() != dimension) {
            throw new QuarryException("vector index " + dir + " holds " + info.getVectorDimension()
                    + "-dimensional vectors, not " + dimension + " (use another folder per encoder)");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Adding rows

    /** See {@link VectorIndex#add}; the caller serializes calls. */
    void add(int[] rows, Vectors vectors, Progress progress) {
        ensureOpen();
        if (vectors.dimension() != dimension && vectors.size() > 0) {
            throw new IllegalArgumentException("vectors have " + vectors.dimension()
                    + " dimensions, the index holds " + dimension);
        }
        PoolSearcher current = acquire();
        try {
            validate(rows, vectors, current);
        } finally {
            release(current);
        }
        try {
            index(rows, vectors, progress);
        } finally {
            // Even after a failure, refresh so that searches and contains() see exactly what
            // the writer holds (the documents added before the failure).
            refreshSearcher();
        }
    }

    private void validate(int[] rows, Vectors vectors, PoolSearcher current) {
        BitSet seen = new BitSet();
        for (int row : rows) {
            if (row < 0 || row >= vectors.size()) {
                throw new IllegalArgumentException("row " + row + " is outside the vectors [0, "
                        + vectors.size() + ")");
            }
            if (seen.get(row)) {
                throw new IllegalArgumentException("row " + row + " appears twice in rows");
            }
            seen.set(row);
            if (current.docOf(row) >= 0) {
                throw new IllegalArgumentException("row " + row + " is already in the index");
            }
            checkUnit("row " + row, vectors.row(row));
        }
    }

    /** Rejects a vector of the wrong dimension, with a non-finite value, or not of unit length. */
    void checkUnit(String what, float[] vector) {
        if (vector.length != dimension) {
            throw new IllegalArgumentException(what + " has " + vector.length + " dimensions, the index holds "
                    + dimension);
        }
        double sum = 0;
        for (int i = 0; i < vector.length; i++) {
            float v = vector[i];
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException(what + " holds " + v + " at position " + i);
            }
            sum += (double) v * v;
        }
        double norm = Math.sqrt(sum);
        if (Math.abs(norm - 1) > NORM_TOLERANCE) {
            throw new IllegalArgumentException(what + " has L2 norm " + String.format(Locale.ROOT, "%.4f", norm)
                    + ", expected 1: the index needs L2-normalised vectors (dot product = cosine)");
        }
    }

    /**
     * The calling thread reads rows in blocks (a {@link Vectors} implementation need not be
     * thread-safe); worker threads add them. Lucene gives each concurrently indexing thread its own
     * in-memory segment, whose HNSW graph grows as documents arrive, so graph building runs on as
     * many cores as there are threads (at the price of one segment per thread).
     */
    private void index(int[] rows, Vectors vectors, Progress progress) {
        int total = rows.length;
        // Bounds memory: only a few blocks are read ahead of the indexing threads.
        Semaphore inFlight = new Semaphore(options.threads() * 2);
        AtomicLong done = new AtomicLong();
        AtomicBoolean failed = new AtomicBoolean();
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int from = 0; from < total; from += ADD_BLOCK) {
                int to = Math.min(total, from + ADD_BLOCK);
                int[] blockRows = Arrays.copyOfRange(rows, from, to);
                float[][] blockVectors = new float[blockRows.length][];
                for (int i = 0; i < blockRows.length; i++) {
                    blockVectors[i] = vectors.row(blockRows[i]).clone();
                }
                inFlight.acquire();
                if (failed.get()) {
                    // Stop feeding rows; the failure itself is rethrown from its future below.
                    inFlight.release();
                    break;
                }
                futures.add(workers.submit(() -> {
                    try {
                        for (int i = 0; i < blockRows.length; i++) {
                            writer.addDocument(document(blockRows[i], blockVectors[i]));
                        }
                        progress.update(done.addAndGet(blockRows.length), total);
                        return null;
                    } catch (IOException | RuntimeException | Error e) {
                        failed.set(true);
                        throw e;
                    } finally {
                        inFlight.release();
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // No interrupting: an interrupt inside Lucene's file I/O closes its channels.
            futures.forEach(f -> f.cancel(false));
            throw new QuarryException("interrupted while adding to vector index " + dir, e);
        } catch (ExecutionException e) {
            throw rethrow("adding to", e.getCause());
        }
    }

    private static Document document(int row, float[] vector) {
        Document doc = new Document();
        // Stored for inspection and recovery; the doc value is what searches map hits back with.
        doc.add(new StoredField(ROW_FIELD, row));
        doc.add(new NumericDocValuesField(ROW_FIELD, row));
        doc.add(new KnnFloatVectorField(VECTOR_FIELD, vector, VectorSimilarityFunction.DOT_PRODUCT));
        return doc;
    }

    /** Lucene's commit: what was added survives a crash. */
    void commit() throws IOException {
        writer.commit();
    }

    // ---------------------------------------------------------------------------------------------
    // Searchers and workers

    /** A call that reads one point-in-time view of the index. */
    interface Read<T> {
        T apply(PoolSearcher searcher) throws IOException;
    }

    /** Runs {@code call} on the current view; an I/O failure becomes a {@link QuarryException}. */
    <T> T read(Read<T> call) {
        PoolSearcher searcher = acquire();
        try {
            return call.apply(searcher);
        } catch (IOException e) {
            throw searchFailed(e);
        } finally {
            release(searcher);
        }
    }

    PoolSearcher acquire() {
        ensureOpen();
        try {
            return (PoolSearcher) searchers.acquire();
        } catch (IOException e) {
            throw searchFailed(e);
        }
    }

    void release(PoolSearcher searcher) {
        try {
            searchers.release(searcher);
        } catch (IOException e) {
            throw searchFailed(e);
        }
    }

    private void refreshSearcher() {
        try {
            searchers.maybeRefreshBlocking();
        } catch (IOException e) {
            throw new QuarryException("cannot refresh vector index " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code tasks} on the worker threads and waits for all of them. */
    void runAll(List<Callable<Void>> tasks) throws IOException {
        try {
            for (Future<Void> future : workers.invokeAll(tasks)) {
                future.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuarryException("interrupted while computing densities in vector index " + dir, e);
        } catch (ExecutionException e) {
            throw rethrow("searching", e.getCause());
        }
    }

    private RuntimeException rethrow(String doing, Throwable cause) {
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new QuarryException("failed " + doing + " vector index " + dir + ": " + cause.getMessage(), cause);
    }

    private QuarryException searchFailed(IOException e) {
        return new QuarryException("cannot search vector index " + dir + ": " + e.getMessage(), e);
    }

    // ---------------------------------------------------------------------------------------------
    // Closing

    boolean closed() {
        return closed;
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("vector index " + dir + " is closed");
        }
    }

    /**
     * Releases files and threads (nothing is committed here). Returns {@code failure} with any
     * failure to close added, so the caller reports the first one.
     */
    Exception close(Exception failure) {
        closed = true;
        failure = closeQuietly(searchers, failure);
        failure = closeQuietly(writer, failure);
        failure = closeQuietly(directory, failure);
        workers.shutdownNow();
        if (mergeWorkers != null) {
            mergeWorkers.shutdownNow();
        }
        return failure;
    }

    static Exception closeQuietly(AutoCloseable closeable, Exception failure) {
        if (closeable == null) {
            return failure;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            if (failure == null) {
                return e;
            }
            failure.addSuppressed(e);
        }
        return failure;
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            // Daemon threads: a caller that forgets close() must not keep the JVM alive.
            thread.setDaemon(true);
            return thread;
        };
    }
}
