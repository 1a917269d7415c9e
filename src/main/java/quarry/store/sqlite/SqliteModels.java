package quarry.store.sqlite;

import java.util.List;
import quarry.store.Models;
import quarry.store.Records.ModelVersion;

/** Model versions in SQLite. */
public final class SqliteModels implements Models {

    private final Jdbc jdbc;

    public SqliteModels(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void add(long projectId, int version, int labelsUsed, String report) {
        jdbc.update("store model version", "INSERT OR REPLACE INTO models (project_id, version, labels_used, created,"
                + " report) VALUES (?, ?, ?, ?, ?)", projectId, version, labelsUsed, Jdbc.now(), report);
    }

    @Override
    public List<ModelVersion> list(long projectId) {
        return jdbc.list("list models", "SELECT version, labels_used, created, report FROM models WHERE project_id = ?"
                + " ORDER BY version", r -> new ModelVersion(r.getInt(1), r.getInt(2), r.getString(3), r.getString(4)),
                projectId);
    }
}
