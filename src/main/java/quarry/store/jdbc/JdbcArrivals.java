package quarry.store.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import quarry.store.Arrivals;
import quarry.store.Documents;
import quarry.store.Records.Arrival;

/** {@code arrival_batches}, written in the same transaction as the documents they hold. */
public final class JdbcArrivals implements Arrivals {

    private static final String SELECT = "SELECT id, created, first_row, documents, source, report FROM arrival_batches";

    private final Jdbc jdbc;

    public JdbcArrivals(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Arrival addAttributed(long projectId, Documents.AttributedSource documents, String annotator,
                                 Source source) {
        long id = jdbc.transaction("import arriving documents", c -> {
            int[] added = JdbcDocuments.insert(c, jdbc, projectId, documents, annotator);
            if (added[1] == 0) {
                return -1L;
            }
            return Jdbc.insert(c, "INSERT INTO arrival_batches (project_id, created, first_row, documents, source)"
                    + " VALUES (?, ?, ?, ?, ?) RETURNING id", projectId, Jdbc.now(), added[0], added[1],
                    source.name().toLowerCase(Locale.ROOT));
        });
        if (id < 0) {
            throw new IllegalArgumentException("an arrival batch needs at least one document");
        }
        return find(projectId, id).orElseThrow();
    }

    @Override
    public List<Arrival> list(long projectId) {
        return jdbc.list("list arrival batches", SELECT + " WHERE project_id = ? ORDER BY id", JdbcArrivals::arrival,
                projectId);
    }

    @Override
    public Optional<Arrival> find(long projectId, long id) {
        return jdbc.one("find arrival batch", SELECT + " WHERE project_id = ? AND id = ?", JdbcArrivals::arrival,
                projectId, id);
    }

    @Override
    public void report(long projectId, long id, String json) {
        jdbc.update("store a drift report", "UPDATE arrival_batches SET report = ? WHERE project_id = ? AND id = ?",
                json, projectId, id);
    }

    private static Arrival arrival(ResultSet r) throws SQLException {
        return new Arrival(r.getLong(1), r.getString(2), r.getInt(3), r.getInt(4), r.getString(5), r.getString(6));
    }
}
