package quarry.store.jdbc;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import quarry.store.Leases;

/**
 * Leases in a table, one row per (project, row), claimed by single statements: an
 * {@code INSERT … ON CONFLICT DO UPDATE … WHERE} takes a row only where it is free, so two servers
 * claiming one row at once leave it to exactly one of them (the database locks the row for the
 * second until the first commits, then re-checks the condition). A labeled row keeps its row,
 * marked, so a server whose memory of the labels is a second behind still cannot lease it; the
 * claim also looks in the annotation log itself, for labels that came by import or undo.
 */
public final class JdbcLeases implements Leases {

    private static final String COLUMNS = "SELECT row_no, annotator, expires, ord FROM leases";

    private final Jdbc jdbc;

    public JdbcLeases(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<Lease> live(long projectId, long now) {
        return jdbc.list("read leases", COLUMNS + " WHERE project_id = ? AND labeled = 0 AND expires > ?",
                JdbcLeases::lease, projectId, now);
    }

    /** Distinct annotators whose own labels on the outer query's row {@code v.column1} stand in the log. */
    private static String ownLabelers(String row) {
        return "(SELECT COUNT(DISTINCT o.annotator) FROM annotations o WHERE o.project_id = ? AND o.row_no = " + row
                + " AND o.undone = 0 AND o.skipped = 0 AND o.kind = 'label')";
    }

    @Override
    public List<Integer> claim(long projectId, String annotator, List<Integer> rows, long now, long expiresAt,
            long order, Overlap overlap) {
        if (rows.isEmpty()) {
            return List.of();
        }
        if (new HashSet<>(rows).size() != rows.size()) {
            throw new IllegalArgumentException("rows to lease repeat a row: " + rows);
        }
        List<Object> args = new ArrayList<>();
        args.add(projectId);
        args.add(annotator);
        args.add(expiresAt);
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            values.append(i == 0 ? "(?, ?, ?)" : ", (?, ?, ?)");
            args.add(rows.get(i));
            args.add(order + i);
            args.add(overlap.rows().contains(rows.get(i)) ? 1 : 0);
        }
        args.add(projectId);
        args.add(annotator);
        args.add(projectId);
        args.add(overlap.annotators());
        args.add(now);
        args.add(now);
        // VALUES columns are column1, column2, … on both databases; column3 says an overlap row. Any
        // label blocks an ordinary row; an overlap row only the caller's own annotation, a label that
        // is not an annotator's own (imported, or a reviewer's decision), or enough annotators' labels.
        List<Integer> won = jdbc.write("lease documents", "INSERT INTO leases (project_id, row_no, annotator, expires,"
                + " ord, labeled) SELECT ?, v.column1, ?, ?, v.column2, 0 FROM (VALUES " + values + ") AS v"
                + " WHERE NOT EXISTS (SELECT 1 FROM annotations a WHERE a.project_id = ? AND a.row_no = v.column1"
                + " AND a.undone = 0 AND (a.annotator = ? OR (a.skipped = 0 AND (v.column3 = 0 OR a.kind <> 'label'))))"
                + " AND (v.column3 = 0 OR " + ownLabelers("v.column1") + " < ?)"
                + " ON CONFLICT (project_id, row_no) DO UPDATE SET annotator = excluded.annotator, expires ="
                + " excluded.expires, ord = CASE WHEN leases.annotator = excluded.annotator AND leases.expires > ?"
                + " THEN leases.ord ELSE excluded.ord END"
                + " WHERE leases.labeled = 0 AND (leases.expires <= ? OR leases.annotator = excluded.annotator)"
                + " RETURNING row_no", r -> r.getInt(1), args.toArray());
        Set<Integer> leased = new HashSet<>(won);
        return rows.stream().filter(leased::contains).toList();
    }

    /**
     * The lease row stays (expired) rather than going: a claim that read the log before this label
     * committed still meets the row here, and its conflict check reads the mark set after it.
     */
    @Override
    public void overlapLabeled(long projectId, int row, int annotators) {
        jdbc.update("mark a document labeled", "UPDATE leases SET expires = 0, labeled = CASE WHEN "
                + ownLabelers("leases.row_no") + " >= ? OR EXISTS (SELECT 1 FROM annotations a WHERE a.project_id = ?"
                + " AND a.row_no = leases.row_no AND a.undone = 0 AND a.skipped = 0 AND a.kind <> 'label') THEN 1"
                + " ELSE 0 END WHERE project_id = ? AND row_no = ?", projectId, annotators, projectId, projectId, row);
    }

    @Override
    public Optional<Lease> take(long projectId, String annotator, int row, long now, long expiresAt, long order) {
        List<Integer> taken = jdbc.write("lease a document", "INSERT INTO leases (project_id, row_no, annotator,"
                + " expires, ord, labeled) VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (project_id, row_no) DO UPDATE SET"
                + " annotator = excluded.annotator, expires = excluded.expires, labeled = 0, ord = CASE WHEN"
                + " leases.annotator = excluded.annotator AND leases.labeled = 0 THEN leases.ord ELSE excluded.ord END"
                + " WHERE leases.labeled = 1 OR leases.expires <= ? OR leases.annotator = excluded.annotator"
                + " RETURNING row_no", r -> r.getInt(1), projectId, row, annotator, expiresAt, order, now);
        if (!taken.isEmpty()) {
            return Optional.empty();
        }
        // Held by another: say by whom and until when (it may have just run out; the caller retries then).
        return Optional.of(find(projectId, row).orElse(new Lease(row, "?", now, 0)));
    }

    @Override
    public void labeled(long projectId, int row) {
        jdbc.update("mark a document labeled", "UPDATE leases SET labeled = 1 WHERE project_id = ? AND row_no = ?",
                projectId, row);
    }

    @Override
    public boolean release(long projectId, String annotator, int row) {
        return jdbc.update("release a lease", "DELETE FROM leases WHERE project_id = ? AND row_no = ? AND annotator = ?"
                + " AND labeled = 0", projectId, row, annotator) > 0;
    }

    @Override
    public void leaseFirst(long projectId, String annotator, int row, long expiresAt, long order) {
        jdbc.update("lease a document back", "INSERT INTO leases (project_id, row_no, annotator, expires, ord, labeled)"
                + " VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (project_id, row_no) DO UPDATE SET annotator ="
                + " excluded.annotator, expires = excluded.expires, ord = excluded.ord, labeled = 0", projectId, row,
                annotator, expiresAt, order);
    }

    @Override
    public Optional<Lease> find(long projectId, int row) {
        return jdbc.one("read a lease", COLUMNS + " WHERE project_id = ? AND row_no = ? AND labeled = 0",
                JdbcLeases::lease, projectId, row);
    }

    private static Lease lease(java.sql.ResultSet r) throws java.sql.SQLException {
        return new Lease(r.getInt(1), r.getString(2), r.getLong(3), r.getLong(4));
    }
}
