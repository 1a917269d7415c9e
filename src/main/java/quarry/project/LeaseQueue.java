package quarry.project;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.IntPredicate;
import quarry.core.DomainException;
import quarry.core.Pick;
import quarry.store.Leases;
import quarry.store.Leases.Lease;

/**
 * The ranked queue of one project and the annotators' leases on it. A retrain swaps in a new
 * ranking whole; annotators take leases from it, best first, and no row is leased to two
 * annotators at once. Skips are per annotator: a skipped row never comes back to them.
 *
 * <p>The leases themselves are a {@link Leases}: this process's memory when it alone serves the
 * project (SQLite), the database's table when several servers share it (PostgreSQL). Either way
 * this class picks the rows to offer from what it knows, and the lease table has the last word:
 * a row another server leased or labeled a moment ago is not claimed, and the next best row is.
 *
 * <p>Overlap rows ({@link Overlaps}) stay leasable after a label, to annotators who have not
 * annotated them, until enough have labeled them; those already labeled by someone and waiting
 * for more are served before anything but audit samples, so that their labels come in together.
 */
final class LeaseQueue {

    /** One ranking: the picks best first, and the model's predictions for them. */
    record Ranking(List<Pick> picks, Map<Integer, Pick> byRow, Map<Integer, Views.TextPrediction> predictions,
            int labelsAtRanking) {
        static final Ranking EMPTY = new Ranking(List.of(), Map.of(), Map.of(), -1);
    }

    /**
     * Rows kept out of the normal queue, and rows served before any other: machine-labelled documents
     * are not offered to annotators, except their audit samples, which go first.
     */
    interface Reserved {
        boolean held(int row);

        /** Rows to serve before the ranking, in order. */
        List<Integer> first();
    }

    private final LabelBook labels;
    private final Overlaps overlaps;
    private final Reserved reserved;
    private final long leaseMillis;
    private final Function<String, Set<Integer>> storedSkips;
    private final Map<String, Set<Integer>> skips = new ConcurrentHashMap<>();
    private final Leases leases;
    private final boolean inMemory;
    private final long projectId;
    private volatile Ranking ranking = Ranking.EMPTY;
    /**
     * Taking and giving back leases share it; {@link #withLeasesHeld} holds it alone, so that what
     * it decides about unleased rows holds until it returns.
     */
    private final java.util.concurrent.locks.ReentrantReadWriteLock gate =
            new java.util.concurrent.locks.ReentrantReadWriteLock();
    /** The last lease order handed out: time-based, so that orders from several servers compare too. */
    private long leaseOrder;
    private final long seed;
    /** A seeded random order of the pool, for when the ranking runs out: never file order, which is often sorted by label. */
    private int[] fallbackOrder = new int[0];
    private int fallbackCursor;

    /** A queue whose leases live in this process. */
    LeaseQueue(LabelBook labels, Overlaps overlaps, Reserved reserved, int leaseSeconds, long seed,
            Function<String, Set<Integer>> storedSkips) {
        this(labels, overlaps, reserved, leaseSeconds, seed, storedSkips, new MemoryLeases(), 0);
    }

    /** A queue whose leases are {@code leases}' rows of project {@code projectId}. */
    LeaseQueue(LabelBook labels, Overlaps overlaps, Reserved reserved, int leaseSeconds, long seed,
            Function<String, Set<Integer>> storedSkips, Leases leases, long projectId) {
        this.overlaps = overlaps;
        this.leases = leases;
        this.inMemory = leases instanceof MemoryLeases;
        this.projectId = projectId;
        this.labels = labels;
        this.reserved = reserved;
        this.seed = seed;
        this.leaseMillis = leaseSeconds * 1000L;
        this.storedSkips = storedSkips;
    }

    void rank(Ranking next) {
        ranking = next;
    }

    Ranking ranking() {
        return ranking;
    }

    /** How often {@link #next} looks again after losing rows to another server's annotators. */
    private static final int CLAIM_TRIES = 8;

    /** Up to {@code n} rows for the annotator, leased to them; their unexpired leases come first. */
    List<Integer> next(String annotator, int n, int poolSize, long now) {
        gate.readLock().lock();
        try {
            if (inMemory) {
                // Leases in memory cost nothing to read and claim: one step, as one server's queue always did.
                synchronized (this) {
                    return nextHeld(annotator, n, poolSize, now);
                }
            }
            return nextHeld(annotator, n, poolSize, now);
        } finally {
            gate.readLock().unlock();
        }
    }

    private List<Integer> nextHeld(String annotator, int n, int poolSize, long now) {
        Set<Integer> skipped = skipsOf(annotator);
        Map<Integer, Lease> live = new HashMap<>();
        for (Lease l : leases.live(projectId, now)) {
            live.put(l.row(), l);
        }
        List<Integer> chosen = new ArrayList<>();
        live.values().stream().filter(l -> l.annotator().equals(annotator) && leasable(annotator, l.row()))
                .sorted(Comparator.comparingLong(Lease::order)).forEach(l -> chosen.add(l.row()));
        // Rows another server leased or labeled between our read of the leases and our claim.
        Set<Integer> lost = new HashSet<>();
        IntPredicate available = row -> row < poolSize && leasable(annotator, row) && !live.containsKey(row)
                && !skipped.contains(row) && !lost.contains(row) && !chosen.contains(row);
        for (int attempt = 1; ; attempt++) {
            long order;
            synchronized (this) { // the fallback cursor and the lease orders are this queue's own
                choose(chosen, n, poolSize, available);
                // More of the caller's leases than asked for stay reserved for them; they come back next time.
                if (chosen.size() > n) {
                    chosen.subList(n, chosen.size()).clear();
                }
                order = orders(chosen.size());
            }
            // In the database, a round trip must not hold up the other annotators: two of them picking
            // one row at once is settled by the claim, and the loser takes another.
            List<Integer> leased = leases.claim(projectId, annotator, chosen, now, now + leaseMillis, order,
                    overlaps.of(chosen));
            if (leased.size() == chosen.size() || attempt == CLAIM_TRIES) {
                return leased;
            }
            Set<Integer> won = new HashSet<>(leased);
            chosen.stream().filter(row -> !won.contains(row)).forEach(lost::add);
            chosen.retainAll(won);
        }
    }

    /** Whether a row may go to the annotator, labels aside: unlabeled, or an overlap row still open to them. */
    private boolean leasable(String annotator, int row) {
        return overlaps.covers(row) ? overlaps.openTo(annotator, row) : !labels.isLabeled(row);
    }

    /**
     * Adds rows to {@code chosen} until it holds {@code n}: audit samples, overlap rows waiting for
     * more annotators, then the ranking, then a random order.
     */
    private void choose(List<Integer> chosen, int n, int poolSize, IntPredicate available) {
        for (int row : reserved.first()) {
            if (chosen.size() >= n) {
                break;
            }
            if (available.test(row)) {
                chosen.add(row);
            }
        }
        for (int row : overlaps.enabled() ? overlaps.waiting() : List.<Integer>of()) {
            if (chosen.size() >= n) {
                break;
            }
            if (available.test(row) && !reserved.held(row)) {
                chosen.add(row);
            }
        }
        for (Pick p : ranking.picks()) {
            if (chosen.size() >= n) {
                break;
            }
            if (available.test(p.row()) && !reserved.held(p.row())) {
                chosen.add(p.row());
            }
        }
        // The ranked list ran out before the next retrain (or there is none yet): hand out other rows
        // in a seeded random order, which samples the pool as it is, whatever order the file had.
        if (fallbackOrder.length != poolSize) {
            fallbackOrder = quarry.core.Sampling.sample(poolSize, poolSize, seed ^ 0x9E3779B97F4A7C15L);
            fallbackCursor = 0;
        }
        for (int scanned = 0; chosen.size() < n && scanned < poolSize; scanned++) {
            int row = fallbackOrder[fallbackCursor++ % poolSize];
            if (available.test(row) && !reserved.held(row)) {
                chosen.add(row);
            }
        }
    }

    /** The first of {@code count} fresh lease orders: after every one handed out here, and after the clock. */
    private synchronized long orders(int count) {
        long first = Math.max(leaseOrder + 1, System.currentTimeMillis() * 1024);
        leaseOrder = first + Math.max(0, count - 1);
        return first;
    }

    /** The rows an annotator skipped, read from the store once, then kept up to date here. */
    private Set<Integer> skipsOf(String annotator) {
        return skips.computeIfAbsent(annotator, a -> {
            Set<Integer> set = ConcurrentHashMap.newKeySet();
            set.addAll(storedSkips.apply(a));
            return set;
        });
    }

    void skipped(String annotator, int row) {
        skipsOf(annotator).add(row);
    }

    void unskipped(String annotator, int row) {
        skipsOf(annotator).remove(row);
    }

    /**
     * Runs {@code work} while no lease can be taken or given back here, with a test for whether a
     * row is leased now: what {@code work} decides about unleased rows still holds when it returns
     * (for this server's annotators; another server's may lease a row meanwhile).
     */
    <T> T withLeasesHeld(long now, Function<java.util.function.IntPredicate, T> work) {
        gate.writeLock().lock();
        try {
            Set<Integer> leased = new HashSet<>();
            leases.live(projectId, now).forEach(l -> leased.add(l.row()));
            return work.apply(leased::contains);
        } finally {
            gate.writeLock().unlock();
        }
    }

    /**
     * Takes a row for the annotator to label it, or refuses (409) when another annotator holds an
     * unexpired lease on it: a lease on the row is theirs from here until {@link #release}.
     */
    void checkNotLeasedToOther(String annotator, int row, String documentId, long now) {
        gate.readLock().lock();
        try {
            leases.take(projectId, annotator, row, now, now + leaseMillis, orders(1)).ifPresent(l -> {
                throw new DomainException.Conflict("document '" + documentId + "' is leased to another annotator"
                        + " until " + Instant.ofEpochMilli(l.expiresAtMillis()));
            });
        } finally {
            gate.readLock().unlock();
        }
    }

    /**
     * Gives a leased row back; false when the annotator holds no lease on it. A row that is labeled
     * now (the annotator's label just went in) is marked so, and no one leases it again; an overlap
     * row only once it is done, and until then goes to the next annotator.
     */
    boolean release(String annotator, int row) {
        gate.readLock().lock();
        try {
            if (overlaps.covers(row)) {
                if (overlaps.labeledBy(annotator, row) || overlaps.done(row)) {
                    leases.overlapLabeled(projectId, row, overlaps.annotators());
                    return true;
                }
                return leases.release(projectId, annotator, row);
            }
            if (labels.isLabeled(row)) {
                leases.labeled(projectId, row);
                return true;
            }
            return leases.release(projectId, annotator, row);
        } finally {
            gate.readLock().unlock();
        }
    }

    /** A reviewer decided the row: no one leases it again. */
    void decided(int row) {
        gate.readLock().lock();
        try {
            leases.labeled(projectId, row);
        } finally {
            gate.readLock().unlock();
        }
    }

    /** Leases a row back to an annotator at the head of their queue (after an undo). */
    void leaseFirst(String annotator, int row, long now) {
        gate.readLock().lock();
        try {
            leases.leaseFirst(projectId, annotator, row, now + leaseMillis, -orders(1));
        } finally {
            gate.readLock().unlock();
        }
    }

    /** When the annotator's lease on {@code row} expires, or null when they hold none. */
    String expiry(String annotator, int row) {
        return leases.find(projectId, row).filter(l -> l.annotator().equals(annotator))
                .map(l -> Instant.ofEpochMilli(l.expiresAtMillis()).toString()).orElse(null);
    }

    String expiryAt(long now) {
        return Instant.ofEpochMilli(now + leaseMillis).toString();
    }
}
