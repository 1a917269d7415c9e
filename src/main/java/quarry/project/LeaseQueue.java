package quarry.project;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import quarry.core.DomainException;
import quarry.core.Pick;

/**
 * The ranked queue of one project and the annotators' leases on it. A retrain swaps in a new
 * ranking whole; annotators take leases from it, best first, and no row is leased to two
 * annotators at once. Skips are per annotator: a skipped row never comes back to them.
 */
final class LeaseQueue {

    /** {@code order}: when it was handed out, so an annotator gets their leased items back in rank order. */
    private record Lease(String annotator, long expiresAtMillis, long order) {
    }

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
    private final Reserved reserved;
    private final long leaseMillis;
    private final Function<String, Set<Integer>> storedSkips;
    private final Map<String, Set<Integer>> skips = new ConcurrentHashMap<>();
    private final Map<Integer, Lease> leases = new HashMap<>();
    private volatile Ranking ranking = Ranking.EMPTY;
    private long leaseOrder;
    private final long seed;
    /** A seeded random order of the pool, for when the ranking runs out: never file order, which is often sorted by label. */
    private int[] fallbackOrder = new int[0];
    private int fallbackCursor;

    LeaseQueue(LabelBook labels, Reserved reserved, int leaseSeconds, long seed,
            Function<String, Set<Integer>> storedSkips) {
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

    /** Up to {@code n} rows for the annotator, leased to them; their unexpired leases come first. */
    synchronized List<Integer> next(String annotator, int n, int poolSize, long now) {
        Set<Integer> skipped = skipsOf(annotator);
        List<Integer> chosen = new ArrayList<>();
        leases.values().removeIf(l -> l.expiresAtMillis() <= now);
        leases.keySet().removeIf(labels::isLabeled);
        leases.entrySet().stream().filter(e -> e.getValue().annotator().equals(annotator))
                .sorted(Comparator.comparingLong(e -> e.getValue().order())).forEach(e -> chosen.add(e.getKey()));
        for (int row : reserved.first()) {
            if (chosen.size() >= n) {
                break;
            }
            if (available(row, poolSize, skipped) && !chosen.contains(row)) {
                chosen.add(row);
            }
        }
        for (Pick p : ranking.picks()) {
            if (chosen.size() >= n) {
                break;
            }
            if (available(p.row(), poolSize, skipped) && !reserved.held(p.row()) && !chosen.contains(p.row())) {
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
            if (available(row, poolSize, skipped) && !reserved.held(row) && !chosen.contains(row)) {
                chosen.add(row);
            }
        }
        // More of the caller's leases than asked for stay reserved for them; they come back next time.
        if (chosen.size() > n) {
            chosen.subList(n, chosen.size()).clear();
        }
        for (int row : chosen) {
            Lease old = leases.get(row);
            leases.put(row, new Lease(annotator, now + leaseMillis, old != null ? old.order() : leaseOrder++));
        }
        return chosen;
    }

    private boolean available(int row, int size, Set<Integer> skipped) {
        return row < size && !labels.isLabeled(row) && !leases.containsKey(row) && !skipped.contains(row);
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
     * Runs {@code work} while no lease can be taken or given back, with a test for whether a row is
     * leased now: what {@code work} decides about unleased rows still holds when it returns.
     */
    synchronized <T> T withLeasesHeld(long now, Function<java.util.function.IntPredicate, T> work) {
        return work.apply(row -> {
            Lease l = leases.get(row);
            return l != null && l.expiresAtMillis() > now;
        });
    }

    /** Refuses a label on a row another annotator holds an unexpired lease on. */
    synchronized void checkNotLeasedToOther(String annotator, int row, String documentId, long now) {
        Lease l = leases.get(row);
        if (l != null && !l.annotator().equals(annotator) && l.expiresAtMillis() > now) {
            throw new DomainException.Conflict("document '" + documentId + "' is leased to another annotator until "
                    + Instant.ofEpochMilli(l.expiresAtMillis()));
        }
    }

    /** Gives a leased row back; false when the annotator holds no lease on it. */
    synchronized boolean release(String annotator, int row) {
        Lease l = leases.get(row);
        if (l != null && l.annotator().equals(annotator)) {
            leases.remove(row);
            return true;
        }
        return false;
    }

    /** Leases a row back to an annotator at the head of their queue (after an undo). */
    synchronized void leaseFirst(String annotator, int row, long now) {
        leases.put(row, new Lease(annotator, now + leaseMillis, -(++leaseOrder)));
    }

    /** When the annotator's lease on {@code row} expires, or null when they hold none. */
    synchronized String expiry(String annotator, int row) {
        Lease l = leases.get(row);
        return l == null || !l.annotator().equals(annotator) ? null : Instant.ofEpochMilli(l.expiresAtMillis()).toString();
    }

    String expiryAt(long now) {
        return Instant.ofEpochMilli(now + leaseMillis).toString();
    }
}
