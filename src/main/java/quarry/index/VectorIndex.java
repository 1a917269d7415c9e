package quarry.index;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
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
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.VectorUtil;

import quarry.core.Progress;
import quarry.core.QuarryException;
import quarry.core.Vectors;

/**
 * An on-disk Lucene HNSW index over the pool's L2-normalised embeddings, one document per pool
 * row, with each row's embedding density kept beside it. Active learning uses it for density
 * (uncertain examples in dense regions teach more than outliers) and for diversity (suppressing
 * near-duplicates of a pick), without ever forming a pool × pool matrix.
 *
 * <p>Layout of {@code dir}: {@code hnsw/} holds the Lucene index (per document: the row number as
 * a stored field and a doc value, and the vector under {@link VectorSimilarityFunction#DOT_PRODUCT},
 * which on unit vectors is cosine similarity); {@code density.bin} holds each row's k nearest
 * neighbours and their similarities (see {@link #refreshDensities}).
 *
 * <p>Searching: pools of at most {@link Options#exactBelow()} rows are scanned exactly; larger ones
 * use each segment's HNSW graph with at least {@link Options#minCandidates()} candidates. A search
 * around a pool row checks that it found the row itself and repairs the search if not (see
 * {@code searchAround}). Similarities are cosines, in [-1, 1].
 *
 * <p>Rows are only ever added (the pool grows; nothing is deleted). Adding a row that is already
 * present is an error and the whole call adds nothing, so a caller bug that re-adds a pool cannot
 * silently double-count rows in densities.
 *
 * <p>Thread safety: searches ({@link #nearest}, {@link #neighbours}, {@link #withinSimilarity}) and
 * density reads may run from any number of threads, also while {@link #add} or
 * {@link #refreshDensities} runs; those that change the index ({@code add}, {@code refreshDensities},
 * {@code commit}, {@code close}) are serialized.
 */
public final class VectorIndex implements AutoCloseable {

    static final String VECTOR_FIELD = "vector";
    static final String ROW_FIELD = "row";
    static final String INDEX_FOLDER = "hnsw";
    static final String DENSITY_FILE = "density.bin";

    /** How far a unit vector's norm may stray: float rounding of a normalised vector is ~1e-7. */
    static final float NORM_TOLERANCE = 1e-3f;

    /** A pending row's graph search first asks for this many times k neighbours (see searchFor). */
    static final int FOLD_SPAN_START = 2;
    /** ... and widens up to this many times k while it keeps finding older rows to update. */
    static final int FOLD_SPAN_MAX = 16;

    /** Candidates for the retry of a row search that missed the row itself (see searchAround). */
    static final int RETRY_CANDIDATES = 400;

    /** See {@link Options#minCandidates()}. */
    static final int DEFAULT_MIN_CANDIDATES = 40;

    /** Rows read, validated and handed to an indexing thread at a time. */
    private static final int ADD_BLOCK = 256;

    private static final System.Logger LOG = System.getLogger(VectorIndex.class.getName());

    private final Path dir;
    private final int dimension;
    private final Options options;
    private final Directory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final ExecutorService workers;
    private final ExecutorService mergeWorkers;
    /** Guards {@link #densities}: many readers, one refresh applying its results. */
    private final ReadWriteLock densityLock = new ReentrantReadWriteLock();
    private final DensityTable densities;
    /** Serializes the calls that change the index. */
    private final Object writeMonitor = new Object();
    private boolean densitiesDirty;
    /** Row searches that missed the row itself and were retried; and those answered by a scan. */
    private final AtomicLong graphRetries = new AtomicLong();
    private final AtomicLong scanFallbacks = new AtomicLong();
    private volatile boolean closed;

    /**
     * Settings of an index. {@code densityK} is fixed for an index's lifetime in the sense that the
     * density file keeps that many neighbours per row; per-call densities may use any k up to it.
     *
     * @param densityK      neighbours per row that density averages over (default 10)
     * @param maxConn       HNSW links per node (Lucene's default 16)
     * @param beamWidth     HNSW candidates considered while inserting (Lucene's default 100)
     * @param threads       threads for indexing, density queries and HNSW merges (default: cores)
     * @param ramBufferMB   indexing buffer; large, so a batch becomes one segment per thread rather
     *                      than many small graphs that later merges rebuild (default: a quarter of
     *                      the heap, at most 1024 MB)
     * @param exactBelow    pools of at most this many rows are searched exactly, by a scan: as fast
     *                      as the graph there, and gives exact neighbours and densities (default 1024)
     * @param minCandidates a graph search collects at least this many candidates and keeps the best
     *                      k; more is slower and finds the true neighbours more often (default 40:
     *                      on 100k clustered 384-d vectors recall@10 rises from 0.85 with 10 to 0.98,
     *                      for about twice the latency, ~1 ms a query on 2 busy cores)
     */
    public record Options(int densityK, int maxConn, int beamWidth, int threads, double ramBufferMB,
                          int exactBelow, int minCandidates) {

        public Options {
            if (densityK < 1) {
                throw new IllegalArgumentException("densityK must be at least 1, got " + densityK);
            }
            if (maxConn < 1 || maxConn > Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN) {
                throw new IllegalArgumentException("maxConn must be in [1, "
                        + Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN + "], got " + maxConn);
            }
            if (beamWidth < 1 || beamWidth > Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH) {
                throw new IllegalArgumentException("beamWidth must be in [1, "
                        + Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH + "], got " + beamWidth);
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            }
            if (!(ramBufferMB >= 1 && ramBufferMB <= 2047)) {
                throw new IllegalArgumentException("ramBufferMB must be in [1, 2047], got " + ramBufferMB);
            }
            if (exactBelow < 0) {
                throw new IllegalArgumentException("exactBelow must be at least 0, got " + exactBelow);
            }
            if (minCandidates < 0) {
                throw new IllegalArgumentException("minCandidates must be at least 0, got " + minCandidates);
            }
        }

        public static Options defaults() {
            long heapMB = Runtime.getRuntime().maxMemory() / (1024 * 1024);
            double ram = Math.max(16, Math.min(1024, heapMB / 4));
            return new Options(10, Lucene99HnswVectorsFormat.DEFAULT_MAX_CONN,
                    Lucene99HnswVectorsFormat.DEFAULT_BEAM_WIDTH,
                    Runtime.getRuntime().availableProcessors(), ram, 1024, DEFAULT_MIN_CANDIDATES);
        }

        public Options withDensityK(int k) {
            return new Options(k, maxConn, beamWidth, threads, ramBufferMB, exactBelow, minCandidates);
        }

        public Options withGraph(int newMaxConn, int newBeamWidth) {
            return new Options(densityK, newMaxConn, newBeamWidth, threads, ramBufferMB, exactBelow,
                    minCandidates);
        }

        public Options withThreads(int n) {
            return new Options(densityK, maxConn, beamWidth, n, ramBufferMB, exactBelow, minCandidates);
        }

        public Options withRamBufferMB(double mb) {
            return new Options(densityK, maxConn, beamWidth, threads, mb, exactBelow, minCandidates);
        }

        public Options withExactBelow(int rows) {
            return new Options(densityK, maxConn, beamWidth, threads, ramBufferMB, rows, minCandidates);
        }

        public Options withMinCandidates(int n) {
            return new Options(densityK, maxConn, beamWidth, threads, ramBufferMB, exactBelow, n);
        }
    }

    private VectorIndex(Path dir, int dimension, Options options, Directory directory, IndexWriter writer,
                        SearcherManager searchers, ExecutorService workers, ExecutorService mergeWorkers,
                        DensityTable densities) {
        this.dir = dir;
        this.dimension = dimension;
        this.options = options;
        this.directory = directory;
        this.writer = writer;
        this.searchers = searchers;
        this.workers = workers;
        this.mergeWorkers = mergeWorkers;
        this.densities = densities;
    }

    /** Creates or reopens the index in {@code dir} with default {@link Options}. */
    public static VectorIndex open(Path dir, int dimension) {
        return open(dir, dimension, Options.defaults());
    }

    /**
     * Creates the index in {@code dir} or reopens the one there.
     *
     * @throws IllegalArgumentException when {@code dimension} is outside [1, 1024] (Lucene 9's limit)
     * @throws QuarryException          when the index cannot be opened, is open elsewhere, or holds
     *                                  vectors of another dimension
     */
    public static VectorIndex open(Path dir, int dimension, Options options) {
        if (dir == null) {
            throw new IllegalArgumentException("dir must not be null");
        }
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
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
            PoolSearcher searcher = (PoolSearcher) searchers.acquire();
            DensityTable densities;
            try {
                checkDimension(dir, searcher, dimension);
                densities = loadDensities(dir.resolve(DENSITY_FILE), dimension, options.densityK(), searcher);
            } finally {
                searchers.release(searcher);
            }
            return new VectorIndex(dir, dimension, options, directory, writer, searchers, workers,
                    mergeWorkers, densities);
        } catch (IOException | RuntimeException e) {
            closeQuietly(searchers, e);
            closeQuietly(writer, e);
            closeQuietly(directory, e);
            workers.shutdownNow();
            if (mergeWorkers != null) {
                mergeWorkers.shutdownNow();
            }
            if (e instanceof LockObtainFailedException) {
                throw new QuarryException("vector index " + dir + " is already open elsewhere", e);
            }
            if (e instanceof IOException) {
                throw new QuarryException("cannot open vector index " + dir + ": " + e.getMessage(), e);
            }
            throw (RuntimeException) e;
        }
    }

    private static IndexWriterConfig writerConfig(Options options, ExecutorService mergeWorkers) {
        // Merge workers only speed up merges: a flushed segment's graph is built as documents
        // arrive, by the thread that adds them, which is why add() indexes from several threads.
        int mergeThreads = mergeWorkers == null ? 1 : options.threads();
        KnnVectorsFormat format = new Lucene99HnswVectorsFormat(options.maxConn(), options.beamWidth(),
                mergeThreads, mergeWorkers);
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

    /**
     * Loads the density sidecar. Densities are derived data: a missing, damaged or inconsistent
     * file is dropped with a warning and every row's density is recomputed by the next refresh.
     */
    private static DensityTable loadDensities(Path file, int dimension, int k, PoolSearcher searcher)
            throws IOException {
        DensityTable table;
        try {
            table = DensityTable.load(file, dimension, k);
        } catch (NoSuchFileException e) {
            return new DensityTable(k);
        } catch (DensityTable.CorruptException e) {
            LOG.log(Level.WARNING, "dropping density table, densities will be recomputed: " + e.getMessage());
            return new DensityTable(k);
        }
        // The index is committed before the table, so the table never knows a row the index lacks,
        // unless files were mixed up by hand; then none of its fold-ins can be trusted.
        for (int row = 0; row < table.rowLimit(); row++) {
            int n = table.count(row);
            if (n < 0) {
                continue;
            }
            boolean consistent = searcher.docOf(row) >= 0;
            for (int i = 0; consistent && i < n; i++) {
                consistent = searcher.docOf(table.neighbour(row, i)) >= 0;
            }
            if (!consistent) {
                LOG.log(Level.WARNING, file + " lists row " + row
                        + " or its neighbours, which the index does not hold; densities will be recomputed");
                return new DensityTable(k);
            }
        }
        return table;
    }

    // ---------------------------------------------------------------------------------------------
    // Adding rows

    /**
     * Adds pool rows {@code rows} with vectors {@code vectors.row(r)}, indexing from several
     * threads. All rows are validated first (in range, not already present, not repeated, finite,
     * unit length), so a bad row adds nothing. The rows are searchable when this returns; their
     * densities come with the next {@link #refreshDensities}; they are durable after {@link #commit}.
     *
     * @throws IllegalArgumentException naming the first bad row
     */
    public void add(int[] rows, Vectors vectors, Progress progress) {
        if (rows == null || vectors == null) {
            throw new IllegalArgumentException("rows and vectors must not be null");
        }
        Progress report = progress == null ? Progress.NONE : progress;
        synchronized (writeMonitor) {
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
                index(rows, vectors, report);
            } finally {
                // Even after a failure, refresh so that searches and contains() see exactly what
                // the writer holds (the documents added before the failure).
                refreshSearcher();
            }
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

    private void checkUnit(String what, float[] vector) {
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

    /** Makes the index durable: Lucene's commit first, then the density file (see the class note). */
    public void commit() {
        synchronized (writeMonitor) {
            ensureOpen();
            commitLocked();
        }
    }

    private void commitLocked() {
        try {
            writer.commit();
            // The table is written after the index so it never lists a row the committed index
            // lacks; if the process dies in between, rows missing from the table are recomputed,
            // and folding is idempotent, so redoing their fold-ins is harmless.
            boolean dirty;
            densityLock.readLock().lock();
            try {
                dirty = densitiesDirty;
                if (dirty) {
                    densities.save(dir.resolve(DENSITY_FILE), dimension);
                    densitiesDirty = false;
                }
            } finally {
                densityLock.readLock().unlock();
            }
        } catch (IOException e) {
            throw new QuarryException("cannot commit vector index " + dir + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Reading

    public int dimension() {
        return dimension;
    }

    public Options options() {
        return options;
    }

    /** Rows in the index (committed or not). */
    public int size() {
        PoolSearcher searcher = acquire();
        try {
            return searcher.numDocs();
        } finally {
            release(searcher);
        }
    }

    public boolean contains(int row) {
        PoolSearcher searcher = acquire();
        try {
            return searcher.docOf(row) >= 0;
        } finally {
            release(searcher);
        }
    }

    /**
     * The {@code k} pool rows most similar to {@code query} (a unit vector), best first. Exact for
     * pools up to {@link Options#exactBelow()} rows, approximate (HNSW) above.
     */
    public List<Neighbor> nearest(float[] query, int k) {
        if (query == null) {
            throw new IllegalArgumentException("query must not be null");
        }
        checkK(k);
        checkUnit("query", query);
        PoolSearcher searcher = acquire();
        try {
            return search(searcher, query, k);
        } catch (IOException e) {
            throw searchFailed(e);
        } finally {
            release(searcher);
        }
    }

    /**
     * The {@code k} of the given pool rows most similar to {@code query}, best first: an exact
     * comparison against those rows' indexed vectors (meant for a few thousand rows, such as the
     * labeled ones, not the pool). Rows the index does not hold yet are left out.
     */
    public List<Neighbor> nearestAmong(float[] query, int[] rows, int k) {
        checkK(k);
        checkUnit("query", query);
        PoolSearcher searcher = acquire();
        try {
            TopNeighbors top = new TopNeighbors(k);
            for (int row : rows) {
                int doc = searcher.docOf(row);
                if (doc >= 0) {
                    top.offer(row, VectorUtil.dotProduct(query, searcher.vector(doc)));
                }
            }
            return top.best();
        } catch (IOException e) {
            throw searchFailed(e);
        } finally {
            release(searcher);
        }
    }

    /** As {@link #nearest(float[], int)} with another {@link Options#minCandidates()}; for benchmarks. */
    List<Neighbor> nearest(float[] query, int k, int minCandidates) {
        checkK(k);
        checkUnit("query", query);
        PoolSearcher searcher = acquire();
        try {
            return search(searcher, query, k, minCandidates);
        } catch (IOException e) {
            throw searchFailed(e);
        } finally {
            release(searcher);
        }
    }

    /** The {@code k} pool rows most similar to pool row {@code row}, best first, without the row itself. */
    public List<Neighbor> neighbours(int row, int k) {
        checkK(k);
        PoolSearcher searcher = acquire();
        try {
            return neighbours(searcher, row, k);
        } catch (IOException e) {
            throw searchFailed(e);
        } finally {
            release(searcher);
        }
    }

    /**
     * Pool rows whose similarity to {@code row} is at least {@code tau}, best first, looking among
     * its {@code maxK} nearest only (so approximate, and capped); the row itself is not included.
     * Query strategies use it to suppress near-duplicates of a row they have just picked.
     */
    public List<Integer> withinSimilarity(int row, float tau, int maxK) {
        if (!(tau >= -1 && tau <= 1)) {
            throw new IllegalArgumentException("tau must be in [-1, 1], got " + tau);
        }
        List<Integer> rows = new ArrayList<>();
        for (Neighbor neighbor : neighbours(row, maxK)) {
            if (neighbor.similarity() < tau) {
                break;
            }
            rows.add(neighbor.row());
        }
        return rows;
    }

    /** Neighbours per row that densities average over by default. */
    public int densityK() {
        return options.densityK();
    }

    /**
     * Mean cosine similarity of {@code row} to its {@link #densityK()} nearest pool neighbours;
     * NaN when the row's density was not computed yet (see {@link #refreshDensities}) or the pool
     * has no other row. While the pool has fewer than k other rows it averages over those.
     */
    public float density(int row) {
        return density(row, options.densityK());
    }

    /** As {@link #density(int)}, averaging over the {@code k} (≤ {@link #densityK()}) nearest. */
    public float density(int row, int k) {
        checkRow(row);
        checkDensityK(k);
        densityLock.readLock().lock();
        try {
            return densities.density(row, k);
        } finally {
            densityLock.readLock().unlock();
        }
    }

    /** {@link #density(int)} of each row, in order. */
    public float[] densities(int[] rows) {
        return densities(rows, options.densityK());
    }

    /** {@link #density(int, int)} of each row, in order. */
    public float[] densities(int[] rows, int k) {
        if (rows == null) {
            throw new IllegalArgumentException("rows must not be null");
        }
        checkDensityK(k);
        for (int row : rows) {
            checkRow(row);
        }
        float[] out = new float[rows.length];
        densityLock.readLock().lock();
        try {
            for (int i = 0; i < rows.length; i++) {
                out[i] = densities.density(rows[i], k);
            }
        } finally {
            densityLock.readLock().unlock();
        }
        return out;
    }

    /** Row searches retried with more candidates, and those answered by a scan; for benchmarks. */
    long[] searchRepairs() {
        return new long[] {graphRetries.get(), scanFallbacks.get()};
    }

    /** Lucene segments in the current view (each is searched separately); for benchmarks. */
    int segments() {
        PoolSearcher searcher = acquire();
        try {
            return searcher.getIndexReader().leaves().size();
        } finally {
            release(searcher);
        }
    }

    /** The rows {@code row}'s density averages over, best first; empty when unknown. For tests and tools. */
    int[] densityNeighbours(int row) {
        densityLock.readLock().lock();
        try {
            int n = Math.max(0, densities.count(row));
            int[] rows = new int[n];
            for (int i = 0; i < n; i++) {
                rows[i] = densities.neighbour(row, i);
            }
            return rows;
        } finally {
            densityLock.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Densities

    /**
     * Brings densities up to date after {@link #add}: each row without one (and each row whose list
     * is short because the pool was smaller than k) gets its k nearest neighbours from the index,
     * in parallel; then each such new row is folded into the lists of the rows it is now among the
     * k nearest of, so older rows' densities stay right as the pool grows without recomputing them.
     *
     * <p>Which older rows does a new row reach? Those it finds among its own nearest: 2k of them,
     * doubled (up to 16k) while the farther half still holds rows it would enter. Exact for pools
     * searched exactly (every pair is compared); otherwise an older row for which the new row is
     * among its k nearest, but which is not among the new row's 16k nearest, misses the update and
     * keeps a slightly low density. Densities are made durable by {@link #commit}.
     *
     * @return how many rows got their neighbours computed
     */
    public int refreshDensities(Progress progress) {
        Progress report = progress == null ? Progress.NONE : progress;
        synchronized (writeMonitor) {
            ensureOpen();
            PoolSearcher searcher = acquire();
            try {
                return refresh(searcher, report);
            } catch (IOException e) {
                throw new QuarryException("cannot compute densities in vector index " + dir + ": "
                        + e.getMessage(), e);
            } finally {
                release(searcher);
            }
        }
    }

    /** One row's fresh neighbours, and the older rows it should be folded into. */
    private record Found(int row, int[] nearRows, float[] nearSims, int nearCount, int[] foldRows,
                         float[] foldSims, int foldCount) {
    }

    private int refresh(PoolSearcher searcher, Progress progress) throws IOException {
        int k = options.densityK();
        int size = searcher.numDocs();
        int wanted = Math.min(k, size - 1);
        int limit = searcher.rowLimit();
        // A snapshot of what a newcomer must beat to enter each row's list: NaN for rows computed
        // in this refresh (always offered), -inf for lists with room. Only this thread changes the
        // table, and only after all queries finish, so the queries can read the snapshot freely.
        float[] threshold = new float[limit];
        int[] pending = new int[Math.max(size, 0)];
        int pendingCount = 0;
        densityLock.readLock().lock();
        try {
            for (int row = 0; row < limit; row++) {
                if (searcher.docOf(row) < 0) {
                    continue;
                }
                int n = densities.count(row);
                if (n < 0 || n < wanted) {
                    pending[pendingCount++] = row;
                    threshold[row] = Float.NaN;
                } else {
                    threshold[row] = n < k ? Float.NEGATIVE_INFINITY : densities.kth(row);
                }
            }
        } finally {
            densityLock.readLock().unlock();
        }
        if (pendingCount == 0) {
            return 0;
        }
        int[] todo = Arrays.copyOf(pending, pendingCount);
        Found[] found = new Found[pendingCount];
        boolean exact = size <= options.exactBelow();
        AtomicInteger next = new AtomicInteger();
        AtomicLong done = new AtomicLong();
        // Small chunks taken from a shared counter balance threads whose queries differ in cost.
        int chunk = Math.max(1, Math.min(256, pendingCount / (options.threads() * 16)));
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < options.threads(); t++) {
            tasks.add(() -> {
                for (int from = next.getAndAdd(chunk); from < todo.length; from = next.getAndAdd(chunk)) {
                    int to = Math.min(todo.length, from + chunk);
                    for (int i = from; i < to; i++) {
                        found[i] = exact ? scanFor(searcher, todo[i], threshold)
                                : searchFor(searcher, todo[i], threshold, size);
                    }
                    progress.update(done.addAndGet(to - from), todo.length);
                }
                return null;
            });
        }
        runAll(tasks);

        densityLock.writeLock().lock();
        try {
            densities.ensureRows(limit);
            for (Found f : found) {
                densities.set(f.row(), f.nearRows(), f.nearSims(), f.nearCount());
            }
            // After all lists are set, so that new rows also fold into each other's lists.
            for (Found f : found) {
                for (int i = 0; i < f.foldCount(); i++) {
                    densities.fold(f.foldRows()[i], f.row(), f.foldSims()[i]);
                }
            }
            densitiesDirty = true;
        } finally {
            densityLock.writeLock().unlock();
        }
        return pendingCount;
    }

    private static boolean offered(float[] threshold, int other, float sim) {
        float t = threshold[other];
        return Float.isNaN(t) || sim > t;
    }

    /**
     * Graph search for a pending row. Its own k nearest come from the first hits; the older rows
     * it must be folded into are its reverse neighbours, which in high dimensions can rank well
     * past k in its own list. So the search starts at {@link #FOLD_SPAN_START}·k hits and doubles,
     * up to {@link #FOLD_SPAN_MAX}·k, while the farther half of the hits still holds an older row
     * whose list the new row would enter: that is the signal that more lie beyond.
     */
    private Found searchFor(PoolSearcher searcher, int row, float[] threshold, int size) throws IOException {
        int k = options.densityK();
        float[] vector = searcher.vector(searcher.docOf(row));
        int maxSpan = Math.min(FOLD_SPAN_MAX * k, size - 1);
        int span = Math.min(FOLD_SPAN_START * k, size - 1);
        List<Neighbor> hits;
        while (true) {
            hits = searchAround(searcher, row, vector, span);
            if (span >= maxSpan) {
                break;
            }
            boolean farEnters = false;
            for (int i = hits.size() / 2; i < hits.size() && !farEnters; i++) {
                Neighbor hit = hits.get(i);
                float t = threshold[hit.row()];
                farEnters = !Float.isNaN(t) && hit.similarity() > t;
            }
            if (!farEnters) {
                break;
            }
            span = Math.min(maxSpan, span * 2);
        }
        int nearCount = Math.min(k, hits.size());
        int[] nearRows = new int[nearCount];
        float[] nearSims = new float[nearCount];
        for (int i = 0; i < nearCount; i++) {
            nearRows[i] = hits.get(i).row();
            nearSims[i] = hits.get(i).similarity();
        }
        int[] foldRows = new int[hits.size()];
        float[] foldSims = new float[hits.size()];
        int foldCount = 0;
        for (Neighbor hit : hits) {
            if (offered(threshold, hit.row(), hit.similarity())) {
                foldRows[foldCount] = hit.row();
                foldSims[foldCount++] = hit.similarity();
            }
        }
        return new Found(row, nearRows, nearSims, nearCount, foldRows, foldSims, foldCount);
    }

    /** Exact pass for a pending row in a small pool: compares it with every row, so nothing is missed. */
    private Found scanFor(PoolSearcher searcher, int row, float[] threshold) throws IOException {
        int k = options.densityK();
        float[] vector = searcher.vector(searcher.docOf(row));
        TopNeighbors top = new TopNeighbors(k);
        int[][] foldRows = {new int[16]};
        float[][] foldSims = {new float[16]};
        int[] foldCount = {0};
        scan(searcher, vector, (other, sim) -> {
            if (other == row) {
                return;
            }
            top.offer(other, sim);
            if (offered(threshold, other, sim)) {
                if (foldCount[0] == foldRows[0].length) {
                    foldRows[0] = Arrays.copyOf(foldRows[0], foldCount[0] * 2);
                    foldSims[0] = Arrays.copyOf(foldSims[0], foldCount[0] * 2);
                }
                foldRows[0][foldCount[0]] = other;
                foldSims[0][foldCount[0]++] = sim;
            }
        });
        List<Neighbor> near = top.best();
        int[] nearRows = new int[near.size()];
        float[] nearSims = new float[near.size()];
        for (int i = 0; i < near.size(); i++) {
            nearRows[i] = near.get(i).row();
            nearSims[i] = near.get(i).similarity();
        }
        return new Found(row, nearRows, nearSims, near.size(), foldRows[0], foldSims[0], foldCount[0]);
    }

    // ---------------------------------------------------------------------------------------------
    // Search internals

    private List<Neighbor> neighbours(PoolSearcher searcher, int row, int k) throws IOException {
        checkRow(row);
        int doc = searcher.docOf(row);
        if (doc < 0) {
            throw new IllegalArgumentException("row " + row + " is not in the index");
        }
        return searchAround(searcher, row, searcher.vector(doc), k);
    }

    /**
     * The {@code n} rows nearest pool row {@code row} (whose vector is {@code vector}), without it.
     *
     * <p>A search for a row that is in the index has a built-in check: it must find the row
     * itself. On strongly clustered data, HNSW's greedy search can fail to enter a cluster it is
     * poorly linked to and return rows from elsewhere, which would make a dense row look like an
     * outlier. So a search that misses the row is retried with many more candidates, and as a
     * last resort answered by an exact scan (O(pool) for that one row).
     */
    private List<Neighbor> searchAround(PoolSearcher searcher, int row, float[] vector, int n) throws IOException {
        List<Neighbor> hits = search(searcher, vector, n + 1);
        if (!foundItself(hits, row) && searcher.numDocs() > options.exactBelow()) {
            graphRetries.incrementAndGet();
            hits = search(searcher, vector, n + 1, Math.max(RETRY_CANDIDATES, 4 * (n + 1)));
            if (!foundItself(hits, row)) {
                scanFallbacks.incrementAndGet();
                TopNeighbors top = new TopNeighbors(n + 1);
                scan(searcher, vector, top::offer);
                hits = top.best();
            }
        }
        return withoutRow(hits, row, n);
    }

    /** Whether a search for {@code row}'s own vector found it (or an identical vector, a duplicate). */
    private static boolean foundItself(List<Neighbor> hits, int row) {
        if (!hits.isEmpty() && hits.get(0).similarity() >= 1 - 1e-5f) {
            return true;
        }
        for (Neighbor hit : hits) {
            if (hit.row() == row) {
                return true;
            }
        }
        return false;
    }

    /** {@code hits} without {@code row}, at most {@code k} of them. */
    private static List<Neighbor> withoutRow(List<Neighbor> hits, int row, int k) {
        List<Neighbor> out = new ArrayList<>(Math.min(k, hits.size()));
        for (Neighbor hit : hits) {
            if (hit.row() != row && out.size() < k) {
                out.add(hit);
            }
        }
        return out;
    }

    /** The {@code n} rows nearest {@code query}, best first: a scan for small pools, else the graph. */
    private List<Neighbor> search(PoolSearcher searcher, float[] query, int n) throws IOException {
        return search(searcher, query, n, options.minCandidates());
    }

    private List<Neighbor> search(PoolSearcher searcher, float[] query, int n, int minCandidates)
            throws IOException {
        if (searcher.numDocs() <= options.exactBelow()) {
            TopNeighbors top = new TopNeighbors(n);
            scan(searcher, query, top::offer);
            return top.best();
        }
        int candidates = Math.max(n, minCandidates);
        // Each segment's graph is searched on its own, with the full candidate budget, and the
        // hits merged. KnnFloatVectorQuery instead shares a global bar between segments, so a
        // later segment stops exploring below the earlier segments' k-th score; on clustered data
        // that bar cuts the low-similarity paths between clusters and the search misses the
        // target's cluster (measured: 7x more row searches that missed the row itself).
        TopNeighbors best = new TopNeighbors(n);
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            TopDocs local = leaf.reader().searchNearestVectors(VECTOR_FIELD, query, candidates,
                    leaf.reader().getLiveDocs(), Integer.MAX_VALUE);
            for (ScoreDoc hit : local.scoreDocs) {
                // Lucene scores DOT_PRODUCT as (1 + dot) / 2 to keep scores non-negative.
                best.offer(searcher.rowOf(leaf.docBase + hit.doc), 2 * hit.score - 1);
            }
        }
        return best.best();
    }

    private interface RowConsumer {
        void accept(int row, float similarity);
    }

    /** Calls {@code consumer} with every row's similarity to {@code query}. */
    private static void scan(PoolSearcher searcher, float[] query, RowConsumer consumer) throws IOException {
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            FloatVectorValues values = leaf.reader().getFloatVectorValues(VECTOR_FIELD);
            if (values == null) {
                continue;
            }
            Bits live = leaf.reader().getLiveDocs();
            for (int doc = values.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = values.nextDoc()) {
                if (live == null || live.get(doc)) {
                    consumer.accept(searcher.rowOf(leaf.docBase + doc),
                            VectorUtil.dotProduct(query, values.vectorValue()));
                }
            }
        }
    }

    /** Keeps the {@code n} best rows offered; ties go to the lower row so scans are deterministic. */
    private static final class TopNeighbors {
        private final int n;
        private final PriorityQueue<Neighbor> heap;

        TopNeighbors(int n) {
            this.n = n;
            // Worst on top, so it is the one replaced.
            this.heap = new PriorityQueue<>(Math.min(n, 1024) + 1, (a, b) -> a.similarity() != b.similarity()
                    ? Float.compare(a.similarity(), b.similarity())
                    : Integer.compare(b.row(), a.row()));
        }

        void offer(int row, float similarity) {
            if (heap.size() < n) {
                heap.add(new Neighbor(row, similarity));
            } else {
                Neighbor worst = heap.peek();
                if (similarity > worst.similarity() || similarity == worst.similarity() && row < worst.row()) {
                    heap.poll();
                    heap.add(new Neighbor(row, similarity));
                }
            }
        }

        List<Neighbor> best() {
            Neighbor[] out = new Neighbor[heap.size()];
            for (int i = out.length - 1; i >= 0; i--) {
                out[i] = heap.poll();
            }
            return List.of(out);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Plumbing

    private void runAll(List<Callable<Void>> tasks) throws IOException {
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

    private void refreshSearcher() {
        try {
            searchers.maybeRefreshBlocking();
        } catch (IOException e) {
            throw new QuarryException("cannot refresh vector index " + dir + ": " + e.getMessage(), e);
        }
    }

    private PoolSearcher acquire() {
        ensureOpen();
        try {
            return (PoolSearcher) searchers.acquire();
        } catch (IOException e) {
            throw searchFailed(e);
        }
    }

    private void release(PoolSearcher searcher) {
        try {
            searchers.release(searcher);
        } catch (IOException e) {
            throw searchFailed(e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("vector index " + dir + " is closed");
        }
    }

    private static void checkK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
    }

    private void checkDensityK(int k) {
        if (k < 1 || k > options.densityK()) {
            throw new IllegalArgumentException("density k must be in [1, " + options.densityK() + "], got " + k);
        }
    }

    private static void checkRow(int row) {
        if (row < 0) {
            throw new IllegalArgumentException("row must not be negative, got " + row);
        }
    }

    /** Commits (index and densities) and releases files and threads. Closing twice is harmless. */
    @Override
    public void close() {
        synchronized (writeMonitor) {
            if (closed) {
                return;
            }
            Exception failure = null;
            try {
                commitLocked();
            } catch (RuntimeException e) {
                failure = e;
            }
            closed = true;
            failure = closeQuietly(searchers, failure);
            failure = closeQuietly(writer, failure);
            failure = closeQuietly(directory, failure);
            workers.shutdownNow();
            if (mergeWorkers != null) {
                mergeWorkers.shutdownNow();
            }
            if (failure != null) {
                throw failure instanceof RuntimeException runtime ? runtime
                        : new QuarryException("cannot close vector index " + dir + ": " + failure.getMessage(), failure);
            }
        }
    }

    private static Exception closeQuietly(AutoCloseable closeable, Exception failure) {
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

    @Override
    public String toString() {
        return "VectorIndex[" + dir + ", dimension " + dimension + "]";
    }
}
