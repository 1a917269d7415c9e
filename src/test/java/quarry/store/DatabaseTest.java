package quarry.store;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening and migrating the SQLite database; what the store does with it is in {@link StoreContract}. */
@Tag("integration")
class DatabaseTest {

    @TempDir
    Path dir;

    @Test
    void schemaIsMigratedOnceAndUsesWal() throws Exception {
        Database db = Database.sqlite(dir);
        assertEquals(Database.latestVersion(), db.schemaVersion());
        Database again = Database.sqlite(dir);
        assertEquals(Database.latestVersion(), again.schemaVersion());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("quarry.db"));
                Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("PRAGMA journal_mode")) {
                r.next();
                assertEquals("wal", r.getString(1));
            }
            try (ResultSet r = s.executeQuery("SELECT COUNT(*) FROM schema_version")) {
                r.next();
                assertEquals(Database.latestVersion(), r.getInt(1), "each migration runs once");
            }
        }
    }

    @Test
    void aVersionOneDatabaseIsUpgradedKeepingItsData() throws Exception {
        String v1 = new String(Database.class.getResourceAsStream("sqlite/V1__init.sql").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("quarry.db"));
                Statement s = c.createStatement()) {
            for (String sql : v1.split("\n;\n")) {
                if (!sql.isBlank()) {
                    s.execute(sql.lines().filter(l -> !l.startsWith("--")).reduce("", (x, y) -> x + "\n" + y));
                }
            }
            s.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied TEXT NOT NULL)");
            s.execute("INSERT INTO schema_version VALUES (1, 'then')");
            s.execute("INSERT INTO projects (name, multi_label, encoder, settings, created) VALUES ('old', 0, 'e', '{}', 't')");
            s.execute("INSERT INTO jobs (id, project_id, kind, state, total, done, created) VALUES ('j1', 1, 'predict',"
                    + " 'done', 3, 3, 't')");
        }
        Database db = Database.sqlite(dir);
        assertEquals(Database.latestVersion(), db.schemaVersion());
        try (Store s = new Store(db)) {
            assertEquals("old", s.projects().list().get(0).name());
            assertEquals(null, s.jobs().find("j1").orElseThrow().owner(), "old jobs have no owner");
            s.jobs().add("j2", 1, "predict", 5, "alice");
            assertEquals("alice", s.jobs().find("j2").orElseThrow().owner());
        }
    }

    @Test
    void aVersionTwoDatabaseGainsMachineLabelsAndKeepsItsLabels() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("quarry.db"));
                Statement s = c.createStatement()) {
            for (String script : List.of("sqlite/V1__init.sql", "sqlite/V2__job_owner.sql")) {
                String text = new String(Database.class.getResourceAsStream(script).readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8);
                for (String sql : text.split("\n;\n")) {
                    String statement = sql.lines().filter(l -> !l.startsWith("--")).reduce("", (x, y) -> x + "\n" + y);
                    if (!statement.isBlank()) {
                        s.execute(statement);
                    }
                }
            }
            s.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied TEXT NOT NULL)");
            s.execute("INSERT INTO schema_version VALUES (1, 'then'), (2, 'then')");
            s.execute("INSERT INTO projects (name, multi_label, encoder, settings, created) VALUES ('old', 0, 'e', '{}', 't')");
            s.execute("INSERT INTO labels (project_id, idx, name) VALUES (1, 0, 'a'), (1, 1, 'b')");
            s.execute("INSERT INTO documents (project_id, row_no, ext_id, text) VALUES (1, 0, 'd0', 'x'), (1, 1, 'd1', 'y')");
            s.execute("INSERT INTO annotations (project_id, row_no, labels, skipped, annotator, created) VALUES"
                    + " (1, 0, '[\"a\"]', 0, 'ann', 't')");
        }
        Database db = Database.sqlite(dir);
        assertEquals(3, db.schemaVersion());
        try (Store s = new Store(db)) {
            assertEquals(Map.of(0, List.of("a")), s.annotations().currentLabels(1), "people's labels are kept");
            assertTrue(s.machineLabels().batches(1).isEmpty());
            Records.MachineBatch b = s.machineLabels().accept(1, new Records.MachineBatchSpec(1, 1, 0.9, "admin", 7L),
                    List.of(new Records.MachineProposal(1, List.of("b"), 0.97, 1)));
            assertEquals(1, b.size());
            assertEquals(Map.of(0, List.of("a")), s.annotations().currentLabels(1), "a machine label is no annotation");
        }
    }

    @Test
    void aNewerSchemaIsRefusedByName() throws Exception {
        Database.sqlite(dir);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("quarry.db"));
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO schema_version VALUES (99, 'later')");
        }
        StoreException e = assertThrows(StoreException.class, () -> Database.sqlite(dir));
        assertTrue(e.getMessage().contains("schema version 99"), e.getMessage());
    }
}
