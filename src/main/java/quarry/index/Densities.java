package quarry.index;

import quarry.core.Neighbor;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import quarry.core.Progress;

/**
 * Density upkeep of a {@link VectorIndex}: each row's k nearest neighbours ({@link DensityTable}),
 * brought up to date as rows are added, read from any thread, and saved beside the Lucene index.
 *
 * <p>Reads may run while a refresh computes: a refresh only takes the write lock to apply its
 * results. {@link VectorIndex} serializes refreshes and saves.
 */
final class Densities {

    /** A pending row's graph search first asks for this many times k neighbours (see searchFor). */
    static final int FOLD_SPAN_START = 2;
    /** ... and widens up to this many times k while it keeps finding older rows to update. */
    static final int FOLD_SPAN_MAX = 16;

    private static final System.Logger LOG = System.getLogger(Densities.class.getName());

    private final VectorIndex.Options options;
    private final GraphSearch search;
    /** Guards {@link #table}: many readers, one refresh applying its results. */
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final DensityTable table;
    private boolean dirty;

    private Densities(VectorIndex.Options options, GraphSearch search, DensityTable table) {
        this.options = options;
        this.search = search;
        this.table = table;
    }

    /**
     * Loads the density sidecar {@code file}. Densities are derived data: a missing, damaged or
     * inconsistent file is dropped with a warning and every row's density is recomputed by the
     * next refresh.
     */
    static Densities load(Path file, int dimension, VectorIndex.Options options, GraphSearch search,
                          PoolSearcher searcher) throws IOException {
        return new Densities(options, search, loadTable(file, dimension, options.densityK(), searcher));
    }

    private static DensityTable loadTable(Path file, int dimension, int k, PoolSearcher searcher)
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

    /** Writes the table to {@code file} when a refresh changed it since the last save. */
    void saveIfChanged(Path file, int dimension) throws IOException {
        lock.readLock().lock();
        try {
            if (dirty) {
                table.save(file, dimension);
                dirty = false;
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Reading

    /** Mean similarity of {@code row} to its {@code k} nearest; NaN when unknown. */
    float density(int row, int k) {
        lock.readLock().lock();
        try {
            return table.density(row, k);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** {@link #density} of each row, in order, read under one lock. */
    float[] densities(int[] rows, int k) {
        float[] out = new float[rows.length];
        lock.readLock().lock();
        try {
            for (int i = 0; i < rows.length; i++) {
                out[i] = table.density(rows[i], k);
            }
        } finally {
            lock.readLock().unlock();
        }
        return out;
    }

    /** The rows {@code row}'s density averages over, best first; empty when unknown. */
    int[] neighbours(int row) {
        lock.readLock().lock();
        try {
            int n = Math.max(0, table.count(row));
            int[] rows = new int[n];
            for (int i = 0; i < n; i++) {
                rows[i] = table.neighbour(row, i);
            }
            return rows;
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Refreshing

    /** One row's fresh neighbours, and the older rows it should be folded into. */
    private record Found(int row, int[] nearRows, float[] nearSims, int nearCount, int[] foldRows,
                         float[] foldSims, int foldCount) {
    }

    /**
     * See {@link VectorIndex#refreshDensities}: computes the neighbours of every row of
     * {@code searcher}'s view that lacks them (queries on {@code store}'s worker threads), then
     * applies them and folds each such row into the older rows' lists.
     *
     * @return how many rows got their neighbours computed
     */
    int refresh(HnswStore store, PoolSearcher searcher, Progress progress) throws IOException {
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
        lock.readLock().lock();
        try {
            for (int row = 0; row < limit; row++) {
                if (searcher.docOf(row) < 0) {
                    continue;
                }
                int n = table.count(row);
                if (n < 0 || n < wanted) {
                    pending[pendingCount++] = row;
                    threshold[row] = Float.NaN;
                } else {
                    threshold[row] = n < k ? Float.NEGATIVE_INFINITY : table.kth(row);
                }
            }
        } finally {
            lock.readLock().unlock();
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
        store.runAll(tasks);

        lock.writeLock().lock();
        try {
            table.ensureRows(limit);
            for (Found f : found) {
                table.set(f.row(), f.nearRows(), f.nearSims(), f.nearCount());
            }
            // After all lists are set, so that new rows also fold into each other's lists.
            for (Found f : found) {
                for (int i = 0; i < f.foldCount(); i++) {
                    table.fold(f.foldRows()[i], f.row(), f.foldSims()[i]);
                }
            }
            dirty = true;
        } finally {
            lock.writeLock().unlock();
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
            hits = search.searchAround(searcher, row, vector, span);
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
        GraphSearch.scan(searcher, vector, (other, sim) -> {
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
}
