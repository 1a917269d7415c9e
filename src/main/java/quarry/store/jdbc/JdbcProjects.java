package quarry.store.jdbc;

import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import quarry.store.Projects;
import quarry.store.Records.Label;
import quarry.store.Records.Project;

/** Projects and their label schemas; deleting a project cascades to all it owns. */
public final class JdbcProjects implements Projects {

    private final Jdbc jdbc;

    public JdbcProjects(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Project create(String name, boolean multiLabel, String encoder, List<Label> labels, String settings) {
        return jdbc.transaction("create project " + name, c -> {
            String created = Jdbc.now();
            long id = Jdbc.insert(c, "INSERT INTO projects (name, multi_label, encoder, settings, created)"
                    + " VALUES (?, ?, ?, ?, ?) RETURNING id", name, multiLabel ? 1 : 0, encoder, settings, created);
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO labels (project_id, idx, name, description) VALUES (?, ?, ?, ?)")) {
                for (Label l : labels) {
                    Jdbc.bind(p, id, l.index(), l.name(), l.description());
                    p.addBatch();
                }
                p.executeBatch();
            }
            return new Project(id, name, multiLabel, encoder, labels, settings, created);
        });
    }

    @Override
    public List<Project> list() {
        List<Project> bare = jdbc.list("list projects",
                "SELECT id, name, multi_label, encoder, settings, created FROM projects ORDER BY id",
                r -> new Project(r.getLong(1), r.getString(2), r.getInt(3) == 1, r.getString(4), List.of(),
                        r.getString(5), r.getString(6)));
        List<Project> out = new ArrayList<>();
        for (Project p : bare) {
            out.add(new Project(p.id(), p.name(), p.multiLabel(), p.encoder(), labels(p.id()), p.settings(),
                    p.created()));
        }
        return out;
    }

    @Override
    public Optional<Project> find(String name) {
        return list().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    @Override
    public void updateSettings(long projectId, String settings) {
        jdbc.update("update project settings", "UPDATE projects SET settings = ? WHERE id = ?", settings, projectId);
    }

    @Override
    public void updateEncoder(long projectId, String encoder) {
        jdbc.update("update project encoder", "UPDATE projects SET encoder = ? WHERE id = ?", encoder, projectId);
    }

    @Override
    public boolean delete(long projectId) {
        return jdbc.update("delete project " + projectId, "DELETE FROM projects WHERE id = ?", projectId) > 0;
    }

    private List<Label> labels(long projectId) {
        return jdbc.list("list labels", "SELECT idx, name, description FROM labels WHERE project_id = ? ORDER BY idx",
                r -> new Label(r.getInt(1), r.getString(2), r.getString(3)), projectId);
    }
}
