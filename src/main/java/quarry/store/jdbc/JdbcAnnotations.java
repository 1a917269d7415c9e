package quarry.store.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import quarry.store.Annotations;
import quarry.store.DuplicateException;
import quarry.store.Records.Annotation;
import quarry.store.Records.Change;

/**
 * The annotation log's reads, the same SQL on every database. How an annotation is written and
 * undone safely under concurrency is each database's own (SQLite group-commits on its one
 * writer; PostgreSQL lets the writers run at once), so subclasses supply {@link #add} and
 * {@link #undoLatest}.
 */
public abstract class JdbcAnnotations implements Annotations {

    /** The columns {@link #annotation} reads, with the document's id. */
    protected static final String SELECT = "SELECT a.id, a.row_no, d.ext_id, a.labels, a.skipped,"
            + " a.annotator, a.request_id, a.created, a.undone, a.reason, a.kind, a.seconds FROM annotations a JOIN documents d"
            + " ON d.project_id = a.project_id AND d.row_no = a.row_no";

    /** Stores a new annotation and returns its id; {@code RETURNING id} works on both databases. */
    protected static final String INSERT = "INSERT INTO annotations (project_id, row_no, labels, skipped, annotator,"
            + " request_id, created, reason, kind, seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";

    protected final Jdbc jdbc;

    protected JdbcAnnotations(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** The values {@link #INSERT} takes, in order; a null label list is a skip. */
    protected static Object[] insertArgs(long projectId, int row, List<String> labels, String annotator,
            String requestId, String created, String reason, Double secondsOnItem) {
        return new Object[] {projectId, row, labels == null ? null : Jdbc.json(labels), labels == null ? 1 : 0,
            annotator, requestId, created, reason, Annotation.kindOf(reason), secondsOnItem};
    }

    /** What a request id the annotator used before in the project gets: the one way an annotation is a duplicate. */
    protected static DuplicateException duplicate(String requestId) {
        return new DuplicateException("annotation with request id '" + requestId + "' exists already");
    }

    @Override
    public Optional<Annotation> findByRequest(long projectId, String annotator, String requestId) {
        if (requestId == null) {
            return Optional.empty();
        }
        return jdbc.one("find annotation", SELECT + " WHERE a.project_id = ? AND a.annotator = ?"
                + " AND a.request_id = ?", JdbcAnnotations::annotation, projectId, annotator, requestId);
    }

    @Override
    public Map<Integer, List<String>> currentLabels(long projectId) {
        Map<Integer, List<String>> out = new LinkedHashMap<>();
        jdbc.list("read labels", "SELECT row_no, labels FROM annotations WHERE project_id = ? AND undone = 0"
                + " AND skipped = 0 ORDER BY id", r -> {
                    int row = r.getInt(1);
                    out.remove(row);
                    out.put(row, Jdbc.parse(r.getString(2)));
                    return null;
                }, projectId);
        return out;
    }

    @Override
    public Optional<List<String>> currentLabels(long projectId, int row) {
        return jdbc.one("read labels", "SELECT labels FROM annotations WHERE project_id = ? AND row_no = ?"
                + " AND undone = 0 AND skipped = 0 ORDER BY id DESC LIMIT 1", r -> Jdbc.parse(r.getString(1)),
                projectId, row);
    }

    @Override
    public Map<Integer, List<String>> currentLabels(long projectId, Collection<Integer> rows) {
        Map<Integer, List<String>> out = new LinkedHashMap<>();
        if (rows.isEmpty()) {
            return out;
        }
        List<Object> args = new ArrayList<>();
        args.add(projectId);
        args.addAll(rows);
        jdbc.list("read labels", "SELECT row_no, labels FROM annotations WHERE project_id = ? AND row_no IN ("
                + placeholders(rows.size()) + ") AND undone = 0 AND skipped = 0 ORDER BY id", r -> {
                    out.put(r.getInt(1), Jdbc.parse(r.getString(2)));
                    return null;
                }, args.toArray());
        return out;
    }

    @Override
    public List<Change> changes(long projectId, long after, Collection<Long> also) {
        List<Object> args = new ArrayList<>();
        args.add(projectId);
        args.add(after);
        args.addAll(also);
        return jdbc.list("read changes", "SELECT changed, row_no, annotator, skipped, undone FROM annotations"
                + " WHERE project_id = ? AND (changed > ?" + (also.isEmpty() ? "" : " OR changed IN ("
                + placeholders(also.size()) + ")") + ") ORDER BY changed LIMIT " + CHANGES_AT_ONCE,
                r -> new Change(r.getLong(1), r.getInt(2), r.getString(3), r.getInt(4) == 1, r.getInt(5) == 1),
                args.toArray());
    }

    /** Changes read at once; a server that is further behind reads on in its next call. */
    private static final int CHANGES_AT_ONCE = 2000;

    @Override
    public long lastChange(long projectId) {
        return jdbc.one("read changes", "SELECT COALESCE(MAX(changed), 0) FROM annotations WHERE project_id = ?",
                r -> r.getLong(1), projectId).orElse(0L);
    }

    /** {@code ?, ?, …}: n of them. */
    public static String placeholders(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }

    @Override
    public Set<Integer> skippedRows(long projectId, String annotator) {
        return new HashSet<>(jdbc.list("read skips", "SELECT row_no FROM annotations WHERE project_id = ?"
                + " AND annotator = ? AND skipped = 1 AND undone = 0", r -> r.getInt(1), projectId, annotator));
    }

    @Override
    public List<Annotation> ofRows(long projectId, Collection<Integer> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        List<Object> args = new ArrayList<>();
        args.add(projectId);
        args.addAll(rows);
        return jdbc.list("read annotations", SELECT + " WHERE a.project_id = ? AND a.row_no IN ("
                + placeholders(rows.size()) + ") ORDER BY a.id", JdbcAnnotations::annotation, args.toArray());
    }

    @Override
    public List<Annotation> list(long projectId, long afterId, int limit) {
        return jdbc.list("list annotations", SELECT + " WHERE a.project_id = ? AND a.id > ? ORDER BY a.id LIMIT ?",
                JdbcAnnotations::annotation, projectId, afterId, limit);
    }

    /** Reads on a connection of its own, so a long export never holds up labeling or other reads. */
    @Override
    public void forEach(long projectId, Consumer<Annotation> sink) {
        jdbc.stream("export annotations", SELECT + " WHERE a.project_id = ? ORDER BY a.id", JdbcAnnotations::annotation,
                sink, projectId);
    }

    protected static Annotation annotation(ResultSet r) throws SQLException {
        String labels = r.getString(4);
        Double seconds = r.getDouble(12);
        seconds = r.wasNull() ? null : seconds; // asked at once: wasNull answers for the last column read
        return new Annotation(r.getLong(1), r.getInt(2), r.getString(3), labels == null ? null : Jdbc.parse(labels),
                r.getInt(5) == 1, r.getString(6), r.getString(7), r.getString(8), r.getInt(9) == 1, r.getString(10),
                r.getString(11), seconds);
    }
}
