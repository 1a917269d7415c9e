package quarry.store.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import quarry.store.Annotations;
import quarry.store.DuplicateException;
import quarry.store.Records.Annotation;
import quarry.store.StoreException;

/**
 * The annotation log in SQLite. Annotations are group-committed: those that arrive while another
 * commit is under way are written together by whichever caller takes the write lock next, in one
 * transaction with one fsync, each behind its own savepoint so that one failure fails only its own
 * caller. This is what keeps many concurrent annotators fast while every label is durable.
 */
public final class SqliteAnnotations implements Annotations {

    private static final String SELECT = "SELECT a.id, a.row_no, d.ext_id, a.labels, a.skipped,"
            + " a.annotator, a.request_id, a.created, a.undone FROM annotations a JOIN documents d"
            + " ON d.project_id = a.project_id AND d.row_no = a.row_no";

    private final Jdbc jdbc;

    private record PendingAnnotation(long projectId, int row, String documentId, List<String> labels,
            String annotator, String requestId, CompletableFuture<Annotation> done) {
    }

    private final ConcurrentLinkedQueue<PendingAnnotation> pending = new ConcurrentLinkedQueue<>();

    public SqliteAnnotations(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Annotation add(long projectId, int row, String documentId, List<String> labels, String annotator,
            String requestId) {
        PendingAnnotation mine = new PendingAnnotation(projectId, row, documentId, labels == null ? null
                : List.copyOf(labels), annotator, requestId, new CompletableFuture<>());
        pending.add(mine);
        // The write lock; whoever holds it before this one is done commits everything pending.
        synchronized (jdbc) {
            if (!mine.done().isDone()) {
                commitPending();
            }
        }
        try {
            return mine.done().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Writes every pending annotation in one transaction; called with the write lock held. */
    private void commitPending() {
        List<PendingAnnotation> batch = new ArrayList<>();
        for (PendingAnnotation p = pending.poll(); p != null; p = pending.poll()) {
            batch.add(p);
        }
        List<Annotation> stored = new ArrayList<>();
        try {
            jdbc.transaction("store annotations", c -> {
                String created = Jdbc.now();
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO annotations (project_id, row_no,"
                        + " labels, skipped, annotator, request_id, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        Statement.RETURN_GENERATED_KEYS)) {
                    for (PendingAnnotation p : batch) {
                        Savepoint save = c.setSavepoint();
                        try {
                            Jdbc.bind(ps, p.projectId(), p.row(), p.labels() == null ? null : Jdbc.json(p.labels()),
                                    p.labels() == null ? 1 : 0, p.annotator(), p.requestId(), created);
                            ps.executeUpdate();
                            long id;
                            try (ResultSet keys = ps.getGeneratedKeys()) {
                                keys.next();
                                id = keys.getLong(1);
                            }
                            c.releaseSavepoint(save);
                            stored.add(new Annotation(id, p.row(), p.documentId(), p.labels(), p.labels() == null,
                                    p.annotator(), p.requestId(), created, false));
                        } catch (SQLException e) {
                            if (!Jdbc.isConstraint(e)) {
                                throw e; // the disk or the database, not this annotation: the whole group fails
                            }
                            c.rollback(save);
                            stored.add(null);
                            p.done().completeExceptionally(new DuplicateException("annotation with request id '"
                                    + p.requestId() + "' exists already"));
                        }
                    }
                }
                return null;
            });
        } catch (RuntimeException e) {
            batch.forEach(p -> p.done().completeExceptionally(e));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            if (stored.get(i) != null) {
                batch.get(i).done().complete(stored.get(i));
            }
        }
    }

    @Override
    public Optional<Annotation> findByRequest(long projectId, String annotator, String requestId) {
        if (requestId == null) {
            return Optional.empty();
        }
        return jdbc.one("find annotation", SELECT + " WHERE a.project_id = ? AND a.annotator = ?"
                + " AND a.request_id = ?", SqliteAnnotations::annotation, projectId, annotator, requestId);
    }

    @Override
    public Optional<Annotation> undoLatest(long projectId, String annotator) {
        // Under the write lock, so two undos at once never pick the same annotation.
        synchronized (jdbc) {
            Optional<Annotation> latest = jdbc.one("find latest annotation", SELECT + " WHERE a.project_id = ?"
                    + " AND a.annotator = ? AND a.undone = 0 ORDER BY a.id DESC LIMIT 1", SqliteAnnotations::annotation,
                    projectId, annotator);
            latest.ifPresent(a -> jdbc.update("undo annotation", "UPDATE annotations SET undone = 1 WHERE id = ?",
                    a.id()));
            return latest.map(a -> new Annotation(a.id(), a.row(), a.documentId(), a.labels(), a.skipped(),
                    a.annotator(), a.requestId(), a.created(), true));
        }
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
    public Set<Integer> skippedRows(long projectId, String annotator) {
        return new HashSet<>(jdbc.list("read skips", "SELECT row_no FROM annotations WHERE project_id = ?"
                + " AND annotator = ? AND skipped = 1 AND undone = 0", r -> r.getInt(1), projectId, annotator));
    }

    @Override
    public List<Annotation> list(long projectId, long afterId, int limit) {
        return jdbc.list("list annotations", SELECT + " WHERE a.project_id = ? AND a.id > ? ORDER BY a.id LIMIT ?",
                SqliteAnnotations::annotation, projectId, afterId, limit);
    }

    /** Reads on a connection of its own, so a long export never holds up labeling or other reads. */
    @Override
    public void forEach(long projectId, Consumer<Annotation> sink) {
        try (Connection c = jdbc.connect();
                PreparedStatement p = c.prepareStatement(SELECT + " WHERE a.project_id = ? ORDER BY a.id")) {
            Jdbc.bind(p, projectId);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    sink.accept(annotation(r));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("export annotations", e);
        }
    }

    private static Annotation annotation(ResultSet r) throws SQLException {
        String labels = r.getString(4);
        return new Annotation(r.getLong(1), r.getInt(2), r.getString(3), labels == null ? null : Jdbc.parse(labels),
                r.getInt(5) == 1, r.getString(6), r.getString(7), r.getString(8), r.getInt(9) == 1);
    }
}
