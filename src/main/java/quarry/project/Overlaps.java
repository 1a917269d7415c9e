package quarry.project;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import quarry.store.Annotations;
import quarry.store.Leases;
import quarry.store.Records.Annotation;

/**
 * Which documents of a project go to several annotators, and where each of them stands. A share
 * of the pool ({@code overlapShare}) is chosen by a seeded hash of the row, so every server on a
 * database picks the same rows without telling the others. Such a row stays open to annotators who
 * have not annotated it (labeled or skipped) until {@code overlapAnnotators} distinct annotators
 * have labeled it, or a reviewer decided it, or it came labeled with an import. One annotator
 * holds it at a time: they label it one after another, each lease as for any other row.
 *
 * <p>This is the server's memory of it, read from the log at start and re-read for a row whenever
 * its annotations change (here, or on another server: see {@link Peers}); the database's claim
 * applies the same rule to the log itself ({@link Leases#claim}), so a server a moment behind cannot
 * hand a row out once too often.
 */
final class Overlaps {

    /** An overlap row with annotations: annotators whose own labels stand on it, and whether it is closed. */
    private record State(Set<String> labelers, boolean closed) {
    }

    private final long projectId;
    private final Annotations log;
    private final double share;
    private final int annotators;
    private final long seed;
    private final Map<Integer, State> rows = new ConcurrentHashMap<>();

    Overlaps(long projectId, Annotations log, ProjectSettings settings) {
        this.projectId = projectId;
        this.log = log;
        this.share = settings.overlapShare();
        this.annotators = settings.overlapAnnotators();
        this.seed = settings.seed();
    }

    /** Whether any row of the project is an overlap row. */
    boolean enabled() {
        return share > 0;
    }

    int annotators() {
        return annotators;
    }

    /** Whether {@code row} goes to several annotators. */
    boolean covers(int row) {
        return share > 0 && chosen(seed, row, share);
    }

    /**
     * Whether a row is among the {@code share} of rows chosen under {@code seed}: a SplitMix64 hash of
     * the two, read as a number in [0, 1). Rows are positions in the pool, the same on every server.
     */
    static boolean chosen(long seed, int row, double share) {
        long z = seed + 0x9E3779B97F4A7C15L * (row + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53 < share;
    }

    /** Whether an overlap row may go to {@code annotator}: open, and not labeled by them. */
    boolean openTo(String annotator, int row) {
        State s = rows.get(row);
        return s == null || !s.closed() && s.labelers().size() < annotators && !s.labelers().contains(annotator);
    }

    /** Whether no one else will be handed the overlap row: enough annotators labeled it, or it was decided. */
    boolean done(int row) {
        State s = rows.get(row);
        return s != null && (s.closed() || s.labelers().size() >= annotators);
    }

    /** Whether {@code annotator}'s own label stands on the row. */
    boolean labeledBy(String annotator, int row) {
        State s = rows.get(row);
        return s != null && s.labelers().contains(annotator);
    }

    /** Overlap rows some annotators labeled that still wait for more, in row order: served before new rows. */
    List<Integer> waiting() {
        List<Integer> out = new ArrayList<>();
        rows.forEach((row, s) -> {
            if (!s.closed() && !s.labelers().isEmpty() && s.labelers().size() < annotators) {
                out.add(row);
            }
        });
        out.sort(null);
        return out;
    }

    /** What a claim of these rows must tell the database about them. */
    Leases.Overlap of(Collection<Integer> claimed) {
        if (share == 0) {
            return Leases.Overlap.NONE;
        }
        Set<Integer> covered = new HashSet<>();
        claimed.stream().filter(this::covers).forEach(covered::add);
        return new Leases.Overlap(covered, annotators);
    }

    /**
     * Reads the overlap rows among {@code changed} again from the log. One refresh at a time: each
     * reads after the last one's write, so a slow reader never overwrites a newer reading.
     */
    synchronized void refresh(Collection<Integer> changed) {
        List<Integer> covered = changed.stream().filter(this::covers).distinct().toList();
        if (covered.isEmpty()) {
            return;
        }
        Map<Integer, List<Annotation>> byRow = new HashMap<>();
        covered.forEach(row -> byRow.put(row, new ArrayList<>()));
        log.ofRows(projectId, covered).forEach(a -> byRow.get(a.row()).add(a));
        byRow.forEach(this::put);
    }

    void refresh(int row) {
        refresh(List.of(row));
    }

    /** Reads every overlap row from the log (at start, and after an import). */
    synchronized void reloadAll() {
        if (share == 0) {
            return;
        }
        Map<Integer, List<Annotation>> byRow = new HashMap<>();
        log.forEach(projectId, a -> {
            if (covers(a.row())) {
                byRow.computeIfAbsent(a.row(), r -> new ArrayList<>()).add(a);
            }
        });
        rows.clear();
        byRow.forEach(this::put);
    }

    private void put(int row, List<Annotation> annotations) {
        Set<String> labelers = new HashSet<>();
        boolean closed = false;
        for (Annotation a : annotations) {
            if (a.standsAsOwnLabel()) {
                labelers.add(a.annotator());
            } else if (!a.undone() && !a.skipped()) {
                closed = true; // imported, or a reviewer's decision
            }
        }
        if (labelers.isEmpty() && !closed) {
            rows.remove(row);
        } else {
            rows.put(row, new State(Set.copyOf(labelers), closed));
        }
    }
}
