package quarry.project;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import quarry.core.Pick;
import quarry.model.Head;
import quarry.store.Records.Change;
import quarry.store.Records.Project;
import quarry.store.Store;

/**
 * Keeps one project in step with the other servers on its database, when several share it
 * (PostgreSQL). Every second it reads the annotation log's changes since it last looked and
 * brings the label book and the skip memory up to date from the store, and it notices documents
 * another server imported. One server trains the project: whichever holds its trainer lock,
 * taken by the first round that wants it and kept while that server runs. It stores each
 * ranking it makes; the others serve that ranking and load each model version it publishes
 * (from the database: see {@link ModelVersions}). When the trainer dies, its lock goes with its
 * connection, and the next round elsewhere takes over. Over a database one server owns (SQLite)
 * this does nothing and that server always trains.
 */
final class Peers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Peers.class);
    private static final long POLL_MILLIS = 1000;
    /**
     * Changes are read again for this long after they were first seen: a change numbered below one
     * already seen may commit a little later (numbers are taken before commit), and is caught then.
     */
    private static final long WINDOW_NANOS = 5_000_000_000L;

    private final Store store;
    private final Project project;
    private final boolean shared;
    private final LabelBook labels;
    private final LeaseQueue queue;
    private final ModelVersions versions;
    private final Predicate<Head> fits;
    private final Runnable labelChanged;
    private final java.util.function.Consumer<Set<Integer>> rowsChanged;
    private final Runnable documentsAdded;

    /** Changes numbered up to here are done with; above it, those in {@link #applied} are. */
    private long floor;
    private final Set<Long> applied = new HashSet<>();
    /** Change numbers applied, with when they were first seen, oldest first. */
    private final ArrayDeque<long[]> seen = new ArrayDeque<>();
    /** The project's documents when last counted: another server's import shows as a change. */
    private int documents;
    private long rankingSeq;
    private Store.Held trainerLock;
    /** When this server last tried to take the trainer lock (nanoTime; 0: never). */
    private long lastTry;
    private static final long RETRY_NANOS = 2_000_000_000L;
    private ScheduledFuture<?> polling;
    private boolean warnedMismatch;

    /**
     * @param since          the log's last change number, read before the label book was loaded
     * @param fits           whether a model version another server published can serve here (its encoder)
     * @param labelChanged   called once per label another server added, changed or undid
     * @param rowsChanged    called with the rows whose annotations changed (before the label book hears of them)
     * @param documentsAdded called when the project's documents have changed in number since the last look
     */
    Peers(Store store, Project project, long since, LabelBook labels, LeaseQueue queue, ModelVersions versions,
            Predicate<Head> fits, Runnable labelChanged, java.util.function.Consumer<Set<Integer>> rowsChanged,
            Runnable documentsAdded) {
        this.store = store;
        this.project = project;
        this.shared = store.database().shared();
        this.floor = since;
        this.labels = labels;
        this.queue = queue;
        this.versions = versions;
        this.fits = fits;
        this.labelChanged = labelChanged;
        this.rowsChanged = rowsChanged;
        this.documentsAdded = documentsAdded;
        this.documents = shared ? store.documents().count(project.id()) : 0;
    }

    /** The log's last change number, to read before loading the labels that {@link #poll} then keeps current. */
    static long since(Store store, long projectId) {
        return store.database().shared() ? store.annotations().lastChange(projectId) : 0;
    }

    /** Starts following the others, every second on {@code scheduler}. */
    void start(ScheduledExecutorService scheduler) {
        if (shared) {
            polling = scheduler.scheduleWithFixedDelay(this::pollQuietly, POLL_MILLIS, POLL_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
    }

    private void pollQuietly() {
        try {
            poll();
        } catch (RuntimeException e) {
            // The database may be down for a while; the next poll tries again.
            LOG.warn("project {}: cannot follow the other servers: {}", project.name(), e.getMessage());
        }
    }

    /** Brings labels, skips, documents, and (unless this server trains) the ranking and model up to date. */
    synchronized void poll() {
        if (!shared) {
            return;
        }
        followLabels();
        int count = store.documents().count(project.id());
        if (count != documents) {
            documents = count;
            documentsAdded.run();
        }
        if (trainerLock == null) {
            follow();
        }
    }

    private void followLabels() {
        long now = System.nanoTime();
        while (!seen.isEmpty() && now - seen.peekFirst()[1] > WINDOW_NANOS) {
            long done = seen.pollFirst()[0];
            floor = Math.max(floor, done);
            applied.remove(done);
        }
        Set<Integer> rows = new HashSet<>();
        for (Change c : store.annotations().changes(project.id(), floor, List.of())) {
            if (!applied.add(c.seq())) {
                continue;
            }
            seen.addLast(new long[] {c.seq(), now});
            rows.add(c.row());
            if (c.skipped()) {
                if (c.undone()) {
                    queue.unskipped(c.annotator(), c.row());
                } else {
                    queue.skipped(c.annotator(), c.row());
                }
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        rowsChanged.accept(rows);
        // The store's word on each row, whatever this server believed: its own labels come round
        // here too, and re-reading them is what settles a race between its writes and this read.
        Map<Integer, List<String>> current = store.annotations().currentLabels(project.id(), rows);
        for (int row : rows) {
            List<String> stored = current.get(row);
            boolean same = stored == null ? !labels.isLabeled(row) : labels.isLabeled(row)
                    && labels.labels(row).equals(stored);
            if (!same) {
                labels.committed(row, Optional.ofNullable(stored));
                labelChanged.run();
            }
        }
    }

    /** Serves the trainer's latest ranking and model version, where they are newer than this server's. */
    synchronized void follow() {
        if (!shared) {
            return;
        }
        long seq = store.rankings().seq(project.id());
        if (seq != rankingSeq) {
            store.rankings().get(project.id()).ifPresent(r -> {
                rankingSeq = r.seq();
                queue.rank(ranking(Json.readStored(r.picks(), StoredPick[].class), r.labelsAt()));
            });
        }
        boolean loaded = versions.follow(head -> {
            boolean ok = fits.test(head);
            if (!ok && !warnedMismatch) {
                warnedMismatch = true;
                LOG.warn("project {}: the trainer's model is on encoder {}, which this server does not run (a"
                        + " fine-tune on another server?): this server keeps serving its own", project.name(),
                        head.encoderId());
            }
            return ok;
        });
        if (loaded) {
            warnedMismatch = false;
        }
    }

    /**
     * Whether this server trains the project: it holds the trainer lock, or takes it now because no
     * server does. A server that has just taken it first catches up on the others' labels and model.
     */
    synchronized boolean mayTrain() {
        if (!shared) {
            return true;
        }
        if (trainerLock != null) {
            if (trainerLock.held()) {
                return true;
            }
            LOG.warn("project {}: lost the trainer lock (the database connection broke); trying to take it again",
                    project.name());
            trainerLock.close();
            trainerLock = null;
        }
        // A try opens a connection: while another server trains, try now and then, not every round.
        long now = System.nanoTime();
        if (now - lastTry < RETRY_NANOS && lastTry != 0) {
            return false;
        }
        lastTry = now;
        Optional<Store.Held> taken = store.tryTrainerLock(project.id());
        if (taken.isEmpty()) {
            return false;
        }
        trainerLock = taken.get();
        LOG.info("project {}: this server trains it now", project.name());
        followLabels();
        versions.follow(fits);
        return true;
    }

    /** Whether this server holds the trainer lock now (without taking it). */
    synchronized boolean training() {
        return !shared || trainerLock != null;
    }

    /** Stores the trainer's new ranking for the other servers (trainer thread). */
    void ranked(List<Pick> picks, int labelsAt) {
        if (shared) {
            store.rankings().put(project.id(), labelsAt, Json.write(picks.stream().map(StoredPick::of).toList()));
        }
    }

    /** A pick as stored: NaN scores go as null, as JSON has no NaN. */
    record StoredPick(int row, String strategy, Double score, Double uncertainty, Double density, String note) {
        static StoredPick of(Pick p) {
            return new StoredPick(p.row(), p.strategy(), finite(p.score()), finite(p.uncertainty()),
                    finite(p.density()), p.note());
        }

        Pick pick() {
            return new Pick(row, strategy, nan(score), nan(uncertainty), nan(density), note);
        }

        private static Double finite(double v) {
            return Double.isFinite(v) ? v : null;
        }

        private static double nan(Double v) {
            return v == null ? Double.NaN : v;
        }
    }

    /** A followed ranking: the trainer's picks; predictions come from the served model as items are shown. */
    private static LeaseQueue.Ranking ranking(StoredPick[] stored, int labelsAt) {
        List<Pick> picks = new ArrayList<>();
        Map<Integer, Pick> byRow = new HashMap<>();
        for (StoredPick s : stored) {
            Pick p = s.pick();
            picks.add(p);
            byRow.put(p.row(), p);
        }
        return new LeaseQueue.Ranking(List.copyOf(picks), byRow, Map.of(), labelsAt);
    }

    @Override
    public synchronized void close() {
        if (polling != null) {
            polling.cancel(false);
        }
        if (trainerLock != null) {
            trainerLock.close();
            trainerLock = null;
        }
    }
}
