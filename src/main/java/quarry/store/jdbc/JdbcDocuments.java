package quarry.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import quarry.core.Document;
import quarry.store.Documents;
import quarry.store.DuplicateException;
import quarry.store.Records.Doc;
import quarry.store.Store;

/** Document pools. */
public final class JdbcDocuments implements Documents {

    /** Rows sent to the database at once during an import, so memory stays flat for any file size. */
    private static final int BATCH = 1000;

    private final Jdbc jdbc;

    public JdbcDocuments(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public int addAttributed(long projectId, AttributedSource documents, String annotator) {
        return jdbc.transaction("import documents", c -> insert(c, jdbc, projectId, documents, annotator)[1]);
    }

    /**
     * Appends documents inside the caller's transaction (which locks nothing else first); each label
     * is kept with the annotator and time its document names, else {@code annotator} and now.
     *
     * @return the first new row and the number added
     */
    static int[] insert(java.sql.Connection c, Jdbc jdbc, long projectId, AttributedSource documents,
                        String annotator) throws SQLException {
        jdbc.lockProject(c, projectId);
        int row = Jdbc.count(c, "SELECT COUNT(*) FROM documents WHERE project_id = ?", projectId);
        int[] added = {0};
        int[] next = {row};
        try (PreparedStatement p = c.prepareStatement(
                "INSERT INTO documents (project_id, row_no, ext_id, text) VALUES (?, ?, ?, ?)");
                PreparedStatement exists = c.prepareStatement(
                        "SELECT 1 FROM documents WHERE project_id = ? AND ext_id = ?");
                PreparedStatement label = c.prepareStatement("INSERT INTO annotations (project_id,"
                        + " row_no, labels, skipped, annotator, created, kind) VALUES (?, ?, ?, 0, ?, ?, 'import')")) {
            String created = Jdbc.now();
            documents.each(a -> {
                Document d = a.document();
                try {
                    Jdbc.bind(exists, projectId, d.id());
                    try (ResultSet r = exists.executeQuery()) {
                        if (r.next()) {
                            throw new DuplicateException("document id '" + d.id() + "' is already in the project");
                        }
                    }
                    if (d.isLabeled()) {
                        Jdbc.bind(label, projectId, next[0], Jdbc.json(d.labels()),
                                a.annotator() != null ? a.annotator() : annotator,
                                a.created() != null ? a.created() : created);
                        label.addBatch();
                    }
                    Jdbc.bind(p, projectId, next[0]++, d.id(), d.text());
                    p.addBatch();
                    if (++added[0] % BATCH == 0) {
                        p.executeBatch();
                        label.executeBatch();
                    }
                } catch (SQLException e) {
                    throw new Sql(e);
                }
            });
            p.executeBatch();
            label.executeBatch();
        } catch (Sql e) {
            throw e.getCause(); // out of the source's callback, to be reported like any other SQL failure
        } catch (SQLException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new Store.SourceException(e);
        }
        return new int[] {row, added[0]};
    }

    /** An SQL failure carried through the document source's callback, which cannot throw it. */
    private static final class Sql extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Sql(SQLException cause) {
            super(cause);
        }

        @Override
        public synchronized SQLException getCause() {
            return (SQLException) super.getCause();
        }
    }

    @Override
    public int count(long projectId) {
        return jdbc.one("count documents", "SELECT COUNT(*) FROM documents WHERE project_id = ?", r -> r.getInt(1),
                projectId).orElse(0);
    }

    @Override
    public List<Doc> list(long projectId, int from, int limit) {
        return jdbc.list("read documents", "SELECT row_no, ext_id, text FROM documents WHERE project_id = ?"
                + " AND row_no >= ? ORDER BY row_no LIMIT ?", JdbcDocuments::doc, projectId, from, limit);
    }

    @Override
    public Optional<Doc> find(long projectId, String id) {
        return jdbc.one("find document", "SELECT row_no, ext_id, text FROM documents WHERE project_id = ?"
                + " AND ext_id = ?", JdbcDocuments::doc, projectId, id);
    }

    @Override
    public Optional<Doc> find(long projectId, int row) {
        return jdbc.one("find document", "SELECT row_no, ext_id, text FROM documents WHERE project_id = ?"
                + " AND row_no = ?", JdbcDocuments::doc, projectId, row);
    }

    private static Doc doc(ResultSet r) throws SQLException {
        return new Doc(r.getInt(1), r.getString(2), r.getString(3));
    }
}
