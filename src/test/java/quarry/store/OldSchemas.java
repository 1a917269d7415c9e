package quarry.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/** Databases as an older Quarry left them, made with its own scripts, to check that upgrades keep data. */
public final class OldSchemas {

    private static final List<String> SCRIPTS = List.of("V1__init.sql", "V2__job_owner.sql", "V3__machine_labels.sql");

    private OldSchemas() {
    }

    /** Runs the {@code db} scripts ("sqlite" or "postgres") up to {@code version} and records them as run. */
    public static void create(Statement s, String db, int version) throws SQLException, IOException {
        for (String script : SCRIPTS.subList(0, version)) {
            String text;
            try (InputStream in = Database.class.getResourceAsStream(db + "/" + script)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            for (String sql : text.split("\n;\n")) {
                String statement = sql.lines().filter(l -> !l.startsWith("--")).reduce("", (x, y) -> x + "\n" + y);
                if (!statement.isBlank()) {
                    s.execute(statement);
                }
            }
        }
        s.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied TEXT NOT NULL)");
        for (int v = 1; v <= version; v++) {
            s.execute("INSERT INTO schema_version VALUES (" + v + ", 'then')");
        }
    }

    /** A project with two labels, two documents and one person's label on the first: what an upgrade must keep. */
    public static void addLabeledProject(Statement s) throws SQLException {
        s.execute("INSERT INTO projects (name, multi_label, encoder, settings, created) VALUES ('old', 0, 'e', '{}', 't')");
        s.execute("INSERT INTO labels (project_id, idx, name) VALUES (1, 0, 'a'), (1, 1, 'b')");
        s.execute("INSERT INTO documents (project_id, row_no, ext_id, text) VALUES (1, 0, 'd0', 'x'), (1, 1, 'd1', 'y')");
        s.execute("INSERT INTO annotations (project_id, row_no, labels, skipped, annotator, created) VALUES"
                + " (1, 0, '[\"a\"]', 0, 'ann', 't')");
    }

    /** The project of {@link #addLabeledProject} came through the upgrade to the latest version and takes machine labels. */
    public static void assertUpgradedKeepingLabels(Database db) {
        assertEquals(Database.latestVersion(), db.schemaVersion());
        try (Store s = new Store(db)) {
            assertEquals(Map.of(0, List.of("a")), s.annotations().currentLabels(1), "people's labels are kept");
            assertTrue(s.machineLabels().batches(1).isEmpty());
            Records.MachineBatch b = s.machineLabels().accept(1, new Records.MachineBatchSpec(1, 1, 0.9, "admin", 7L),
                    List.of(new Records.MachineProposal(1, List.of("b"), 0.97, 1)));
            assertEquals(1, b.size());
            assertEquals(Map.of(0, List.of("a")), s.annotations().currentLabels(1), "a machine label is no annotation");
            assertEquals(2, s.projects().create("new", false, "e", List.of(), "{}").id(),
                    "ids go on after the rows that were there");
        }
    }
}
