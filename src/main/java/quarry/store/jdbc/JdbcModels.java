package quarry.store.jdbc;

import java.sql.PreparedStatement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import quarry.store.Models;
import quarry.store.Records.ModelVersion;

/** Model versions, and the files of those that servers share. */
public final class JdbcModels implements Models {

    private final Jdbc jdbc;

    public JdbcModels(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void add(long projectId, int version, int labelsUsed, String report, Map<String, byte[]> files) {
        jdbc.transaction("store model version", c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO models (project_id, version, labels_used,"
                    + " created, report) VALUES (?, ?, ?, ?, ?) ON CONFLICT (project_id, version) DO UPDATE SET"
                    + " labels_used = excluded.labels_used, created = excluded.created, report = excluded.report")) {
                Jdbc.bind(p, projectId, version, labelsUsed, Jdbc.now(), report);
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("DELETE FROM model_files WHERE project_id = ? AND version = ?")) {
                Jdbc.bind(p, projectId, version);
                p.executeUpdate();
            }
            if (!files.isEmpty()) {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO model_files (project_id, version, name, bytes)"
                        + " VALUES (?, ?, ?, ?)")) {
                    for (Map.Entry<String, byte[]> f : files.entrySet()) {
                        Jdbc.bind(p, projectId, version, f.getKey());
                        p.setBytes(4, f.getValue());
                        p.addBatch();
                    }
                    p.executeBatch();
                }
            }
            return null;
        });
    }

    @Override
    public List<ModelVersion> list(long projectId) {
        return jdbc.list("list models", "SELECT version, labels_used, created, report FROM models WHERE project_id = ?"
                + " ORDER BY version", JdbcModels::version, projectId);
    }

    @Override
    public int latest(long projectId) {
        return jdbc.one("read the latest model", "SELECT COALESCE(MAX(version), 0) FROM models WHERE project_id = ?",
                r -> r.getInt(1), projectId).orElse(0);
    }

    @Override
    public Optional<ModelVersion> find(long projectId, int version) {
        return jdbc.one("read a model", "SELECT version, labels_used, created, report FROM models WHERE project_id = ?"
                + " AND version = ?", JdbcModels::version, projectId, version);
    }

    @Override
    public Map<String, byte[]> files(long projectId, int version) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        jdbc.list("read model files", "SELECT name, bytes FROM model_files WHERE project_id = ? AND version = ?"
                + " ORDER BY name", r -> out.put(r.getString(1), r.getBytes(2)), projectId, version);
        return out;
    }

    private static ModelVersion version(java.sql.ResultSet r) throws java.sql.SQLException {
        return new ModelVersion(r.getInt(1), r.getInt(2), r.getString(3), r.getString(4));
    }
}
