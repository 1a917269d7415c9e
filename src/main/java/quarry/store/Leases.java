package quarry.store;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which annotator holds which pool row of a project, and until when: the record of leases that
 * several servers on one database share. A row is leased to at most one annotator at a time, and
 * a row marked labeled is never leased again by {@link #claim}, whatever a server's memory of the
 * labels says. An overlap row goes to several annotators one after another: it is marked labeled
 * only once enough of them have labeled it ({@link #overlapLabeled}). Times are epoch milliseconds from the servers' clocks, which must agree to well
 * under a lease (NTP does). Safe to call from many threads and processes at once.
 */
public interface Leases {

    /** A live lease: {@code order} says when it was handed out, so an annotator gets theirs back in order. */
    record Lease(int row, String annotator, long expiresAtMillis, long order) {
    }

    /**
     * The rows of a claim that go to several annotators, and to how many distinct ones. Which rows
     * they are is the project's seeded choice, the same on every server.
     */
    record Overlap(Set<Integer> rows, int annotators) {
        public static final Overlap NONE = new Overlap(Set.of(), 1);

        public Overlap {
            rows = Set.copyOf(rows);
        }
    }

    /** The project's unexpired leases at {@code now} (labeled marks left out). */
    List<Lease> live(long projectId, long now);

    /**
     * Leases each row to {@code annotator} until {@code expiresAt} where it is free: no lease, an
     * expired one, or the annotator's own (renewed, keeping its order). Never a row marked labeled,
     * a row with a label in the annotation log, or a row this annotator skipped. New leases take the
     * orders {@code order}, {@code order + 1}, … in the order given. Returns the rows leased.
     */
    default List<Integer> claim(long projectId, String annotator, List<Integer> rows, long now, long expiresAt,
            long order) {
        return claim(projectId, annotator, rows, now, expiresAt, order, Overlap.NONE);
    }

    /**
     * As {@link #claim(long, String, List, long, long, long)}, except for the rows of {@code overlap}:
     * one of them is leased even with labels in the log, as long as fewer than
     * {@code overlap.annotators()} distinct annotators have labeled it with their own labels, none of
     * its labels was imported or a reviewer's decision, and {@code annotator} has no annotation on it
     * (label or skip): no annotator gets the same document twice.
     */
    List<Integer> claim(long projectId, String annotator, List<Integer> rows, long now, long expiresAt, long order,
            Overlap overlap);

    /**
     * Takes a row for {@code annotator} to label (or relabel) it: leased to them, unless another
     * annotator holds an unexpired lease on it. Empty when taken; else the other's lease.
     */
    Optional<Lease> take(long projectId, String annotator, int row, long now, long expiresAt, long order);

    /** Marks a row labeled: its lease ends and no claim takes it again until {@link #leaseFirst}. */
    void labeled(long projectId, int row);

    /**
     * An annotator's label on an overlap row went in: the row's lease ends, and the row is marked
     * labeled as by {@link #labeled} once the log says it is done (own labels of {@code annotators}
     * distinct annotators, or an imported label or a reviewer's decision); until then others may
     * claim it. The log is read in the same statement, after the label was committed.
     */
    void overlapLabeled(long projectId, int row, int annotators);

    /** Gives back the annotator's lease on an unlabeled row; false when they hold none. */
    boolean release(long projectId, String annotator, int row);

    /** Leases a row to the annotator whoever held it (an undo gives the document back to its annotator). */
    void leaseFirst(long projectId, String annotator, int row, long expiresAt, long order);

    /** The lease on a row, expired or not; empty when there is none or the row is marked labeled. */
    Optional<Lease> find(long projectId, int row);
}
