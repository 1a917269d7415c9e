package quarry.store.sqlite;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import quarry.store.Records.Annotation;
import quarry.store.jdbc.Jdbc;
import quarry.store.jdbc.JdbcAnnotations;

/**
 * The annotation log in SQLite. Annotations are group-committed: those that arrive while another
 * commit is under way are written together by whichever caller takes the write lock next, in one
 * transaction with one fsync, each behind its own savepoint so that one failure fails only its own
 * caller. This is what keeps many concurrent annotators fast while every label is durable.
 */
public final class SqliteAnnotations extends JdbcAnnotations {

    private record PendingAnnotation(long projectId, int row, String documentId, List<String> labels,
            String annotator, String requestId, String reason, Double seconds, CompletableFuture<Annotation> done) {
    }

    private final ConcurrentLinkedQueue<PendingAnnotation> pending = new ConcurrentLinkedQueue<>();

    public SqliteAnnotations(SqliteJdbc jdbc) {
        super(jdbc);
    }

    @Override
    public Annotation add(long projectId, int row, String documentId, List<String> labels, String annotator,
            String requestId, String reason, Double secondsOnItem) {
        PendingAnnotation mine = new PendingAnnotation(projectId, row, documentId, labels == null ? null
                : List.copyOf(labels), annotator, requestId, reason, secondsOnItem, new CompletableFuture<>());
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
                try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                    for (PendingAnnotation p : batch) {
                        Savepoint save = c.setSavepoint();
                        try {
                            Jdbc.bind(ps, insertArgs(p.projectId(), p.row(), p.labels(), p.annotator(), p.requestId(),
                                    created, p.reason(), p.seconds()));
                            long id;
                            try (ResultSet keys = ps.executeQuery()) {
                                keys.next();
                                id = keys.getLong(1);
                            }
                            c.releaseSavepoint(save);
                            stored.add(new Annotation(id, p.row(), p.documentId(), p.labels(), p.labels() == null,
                                    p.annotator(), p.requestId(), created, false, p.reason(),
                                    Annotation.kindOf(p.reason()), p.seconds()));
                        } catch (SQLException e) {
                            if (!Jdbc.isConstraint(e)) {
                                throw e; // the disk or the database, not this annotation: the whole group fails
                            }
                            c.rollback(save);
                            stored.add(null);
                            p.done().completeExceptionally(duplicate(p.requestId()));
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
    public Optional<Annotation> undoLatest(long projectId, String annotator) {
        // Under the write lock, so two undos at once never pick the same annotation.
        synchronized (jdbc) {
            Optional<Annotation> latest = jdbc.one("find latest annotation", SELECT + " WHERE a.project_id = ?"
                    + " AND a.annotator = ? AND a.undone = 0 ORDER BY a.id DESC LIMIT 1", JdbcAnnotations::annotation,
                    projectId, annotator);
            latest.ifPresent(a -> jdbc.update("undo annotation", "UPDATE annotations SET undone = 1 WHERE id = ?",
                    a.id()));
            return latest.map(a -> new Annotation(a.id(), a.row(), a.documentId(), a.labels(), a.skipped(),
                    a.annotator(), a.requestId(), a.created(), true, a.reason(), a.kind(), a.secondsOnItem()));
        }
    }
}
