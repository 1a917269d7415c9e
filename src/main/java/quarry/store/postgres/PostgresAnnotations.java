package quarry.store.postgres;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Optional;
import quarry.store.DuplicateException;
import quarry.store.Records.Annotation;
import quarry.store.jdbc.Jdbc;
import quarry.store.jdbc.JdbcAnnotations;

/**
 * The annotation log in PostgreSQL. Each annotation is one INSERT, committed on its own, on a
 * pooled connection: the server runs them at once and flushes concurrent commits together, so no
 * grouping is needed here. A reused request id breaks the table's unique key, which holds across
 * every process on the database. Every insert and undo takes the next change number (the column's
 * default, or {@code nextval}), by which the other servers follow the log.
 */
public final class PostgresAnnotations extends JdbcAnnotations {

    public PostgresAnnotations(PostgresJdbc jdbc) {
        super(jdbc);
    }

    @Override
    public Annotation add(long projectId, int row, String documentId, List<String> labels, String annotator,
            String requestId, String reason, Double secondsOnItem) {
        List<String> copy = labels == null ? null : List.copyOf(labels);
        String created = Jdbc.now();
        long id;
        try {
            id = jdbc.insert("store annotation", INSERT, insertArgs(projectId, row, copy, annotator, requestId,
                    created, reason, secondsOnItem));
        } catch (DuplicateException e) {
            throw duplicate(requestId);
        }
        return new Annotation(id, row, documentId, copy, copy == null, annotator, requestId, created, false, reason,
                Annotation.kindOf(reason), secondsOnItem);
    }

    /**
     * Marks the latest live annotation undone in one statement. Its row lock, taken with SKIP
     * LOCKED, makes two undos at once (from two threads or two servers) take two different
     * annotations, as two undos in a row would.
     */
    @Override
    public Optional<Annotation> undoLatest(long projectId, String annotator) {
        return jdbc.transaction("undo annotation", c -> {
            long id;
            try (PreparedStatement p = c.prepareStatement("UPDATE annotations SET undone = 1, changed ="
                    + " nextval('annotation_changes') WHERE id = (SELECT id"
                    + " FROM annotations WHERE project_id = ? AND annotator = ? AND undone = 0 ORDER BY id DESC LIMIT 1"
                    + " FOR UPDATE SKIP LOCKED) RETURNING id")) {
                Jdbc.bind(p, projectId, annotator);
                try (ResultSet r = p.executeQuery()) {
                    if (!r.next()) {
                        return Optional.<Annotation>empty();
                    }
                    id = r.getLong(1);
                }
            }
            try (PreparedStatement p = c.prepareStatement(SELECT + " WHERE a.id = ?")) {
                Jdbc.bind(p, id);
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    return Optional.of(annotation(r));
                }
            }
        });
    }
}
