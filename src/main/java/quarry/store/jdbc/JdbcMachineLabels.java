package quarry.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import quarry.store.MachineLabels;
import quarry.store.Records.MachineBatch;
import quarry.store.Records.MachineBatchSpec;
import quarry.store.Records.MachineLabel;
import quarry.store.Records.MachineProposal;

/** Machine labels: {@code machine_batches} and {@code machine_labels}, never {@code annotations}. */
public final class JdbcMachineLabels implements MachineLabels {

    private static final String BATCH = "SELECT b.id, b.model_version, b.estimate_version, b.threshold,"
            + " b.accepted_by, b.audit_seed, b.created, COUNT(m.id), COUNT(CASE WHEN m.audit_rank > 0 THEN 1 END),"
            + " COUNT(m.revoked) FROM machine_batches b LEFT JOIN machine_labels m ON m.batch_id = b.id";

    private static final String LABEL = "SELECT m.id, m.batch_id, m.row_no, d.ext_id, m.labels, m.confidence,"
            + " m.audit_rank, b.model_version, b.accepted_by, b.created, m.revoked FROM machine_labels m JOIN machine_batches b ON b.id = m.batch_id"
            + " JOIN documents d ON d.project_id = m.project_id AND d.row_no = m.row_no";

    private final Jdbc jdbc;

    public JdbcMachineLabels(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public MachineBatch accept(long projectId, MachineBatchSpec spec, List<MachineProposal> labels) {
        long id = jdbc.transaction("accept machine labels", c -> {
            long batch = Jdbc.insert(c, "INSERT INTO machine_batches (project_id, model_version, estimate_version,"
                    + " threshold, accepted_by, audit_seed, created) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id", projectId,
                    spec.modelVersion(), spec.estimateVersion(), spec.threshold(), spec.acceptedBy(), spec.auditSeed(),
                    Jdbc.now());
            try (PreparedStatement p = c.prepareStatement("INSERT INTO machine_labels (batch_id, project_id, row_no,"
                    + " labels, confidence, audit_rank) VALUES (?, ?, ?, ?, ?, ?)")) {
                for (MachineProposal m : labels) {
                    Jdbc.bind(p, batch, projectId, m.row(), Jdbc.json(m.labels()), m.confidence(), m.auditRank());
                    p.addBatch();
                }
                p.executeBatch();
            }
            return batch;
        });
        return batch(projectId, id).orElseThrow();
    }

    @Override
    public List<MachineBatch> batches(long projectId) {
        return jdbc.list("list machine-label batches", BATCH + " WHERE b.project_id = ? GROUP BY b.id ORDER BY b.id",
                JdbcMachineLabels::batch, projectId);
    }

    @Override
    public Optional<MachineBatch> batch(long projectId, long batchId) {
        return jdbc.one("find machine-label batch", BATCH + " WHERE b.project_id = ? AND b.id = ? GROUP BY b.id",
                JdbcMachineLabels::batch, projectId, batchId);
    }

    @Override
    public int revoke(long projectId, Long batchId, String by) {
        String sql = "UPDATE machine_labels SET revoked = ?, revoked_by = ? WHERE project_id = ? AND revoked IS NULL"
                + (batchId == null ? "" : " AND batch_id = ?");
        Object[] args = batchId == null ? new Object[] {Jdbc.now(), by, projectId}
                : new Object[] {Jdbc.now(), by, projectId, batchId};
        return jdbc.update("revoke machine labels", sql, args);
    }

    @Override
    public void forEach(long projectId, boolean withRevoked, Consumer<MachineLabel> sink) {
        String sql = LABEL + " WHERE m.project_id = ?" + (withRevoked ? "" : " AND m.revoked IS NULL")
                + " ORDER BY m.id";
        jdbc.stream("read machine labels", sql, r -> new MachineLabel(r.getLong(1), r.getLong(2), r.getInt(3),
                r.getString(4), Jdbc.parse(r.getString(5)), r.getDouble(6), r.getInt(7), r.getInt(8), r.getString(9),
                r.getString(10), r.getString(11)), sink, projectId);
    }

    private static MachineBatch batch(ResultSet r) throws SQLException {
        int estimate = r.getInt(3);
        Integer estimateVersion = r.wasNull() ? null : estimate;
        return new MachineBatch(r.getLong(1), r.getInt(2), estimateVersion, r.getDouble(4), r.getString(5),
                r.getLong(6), r.getString(7), r.getInt(8), r.getInt(9), r.getInt(10));
    }
}
