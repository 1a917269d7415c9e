package quarry.store.jdbc;

import java.util.List;
import quarry.store.Models;
import quarry.store.Records.ModelVersion;

/** Model versions. */
public final class JdbcModels implements Models {

    private final Jdbc jdbc;

    public JdbcModels(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void add(long projectId, int version, int labelsUsed, String report) {
        jdbc.update("store model version", "INSERT INTO models (project_id, version, labels_used, created, report)"
                + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (project_id, version) DO UPDATE SET labels_used ="
                + " excluded.labels_used, created = excluded.created, report = excluded.report", projectId, version,
                labelsUsed, Jdbc.now(), report);
    }

    @Override
    public List<ModelVersion> list(long projectId) {
        return jdbc.list("list models", "SELECT version, labels_used, created, report FROM models WHERE project_id = ?"
                + " ORDER BY version", r -> new ModelVersion(r.getInt(1), r.getInt(2), r.getString(3), r.getString(4)),
                projectId);
    }
}
