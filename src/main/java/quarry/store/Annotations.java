package quarry.store;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import quarry.store.Records.Annotation;

/** The annotation log: labels and skips, in order. Undone annotations stay in the log, marked. */
public interface Annotations {

    /**
     * Appends an annotation (labels, or a skip when {@code labels} is null) and commits it before
     * returning. A request id the annotator used before in the project throws
     * {@link DuplicateException}. Safe to call from many threads at once.
     */
    default Annotation add(long projectId, int row, String documentId, List<String> labels, String annotator,
            String requestId) {
        return add(projectId, row, documentId, labels, annotator, requestId, null);
    }

    /**
     * As {@link #add(long, int, String, List, String, String)}, with the reason given (or null). An
     * annotation with a reason is a reviewer's decision ({@link Annotation#REVIEW}); without, an
     * annotator's own label ({@link Annotation#LABEL}).
     */
    default Annotation add(long projectId, int row, String documentId, List<String> labels, String annotator,
            String requestId, String reason) {
        return add(projectId, row, documentId, labels, annotator, requestId, reason, null);
    }

    /**
     * As {@link #add(long, int, String, List, String, String, String)}, with the seconds the annotator
     * spent on the item, as their client measured them (null when it did not).
     */
    Annotation add(long projectId, int row, String documentId, List<String> labels, String annotator,
            String requestId, String reason, Double secondsOnItem);

    /** The stored annotation with this request id, if the client sent it before; empty for a null id. */
    Optional<Annotation> findByRequest(long projectId, String annotator, String requestId);

    /** Marks the annotator's latest annotation in the project as undone, and returns it. */
    Optional<Annotation> undoLatest(long projectId, String annotator);

    /** Each labeled row's current labels: its latest annotation that is neither a skip nor undone. */
    Map<Integer, List<String>> currentLabels(long projectId);

    /** One row's current labels, or empty when it has none. */
    Optional<List<String>> currentLabels(long projectId, int row);

    /** Rows the annotator skipped (and did not undo). */
    Set<Integer> skippedRows(long projectId, String annotator);

    /** Current labels of the given rows (rows with none are left out). */
    Map<Integer, List<String>> currentLabels(long projectId, Collection<Integer> rows);

    /**
     * Changes to the log numbered above {@code after}, or numbered as one of {@code also}, in
     * order. Numbers are given where several servers share the database (PostgreSQL); a SQLite
     * log, one server's own, has none, and this is empty.
     */
    List<Records.Change> changes(long projectId, long after, Collection<Long> also);

    /** The highest change number in the project's log, 0 when there is none. */
    long lastChange(long projectId);

    /** Every annotation of the given rows (undone ones too), in order. */
    List<Annotation> ofRows(long projectId, Collection<Integer> rows);

    /** Up to {@code limit} annotations with an id above {@code afterId}, in order. */
    List<Annotation> list(long projectId, long afterId, int limit);

    /** Streams every annotation of a project in order, without holding up labeling. */
    void forEach(long projectId, Consumer<Annotation> sink);
}
