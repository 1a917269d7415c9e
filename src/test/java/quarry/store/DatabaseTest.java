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
        String v1 = new String(Database.class.getResourceAsStream("V1__init.sql").readAllBytes(),
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
        assertEquals(2, db.schemaVersion());
        try (Store s = new Store(db)) {
            assertEquals("old", s.projects().list().get(0).name());
            assertEquals(null, s.jobs().find("j1").orElseThrow().owner(), "old jobs have no owner");
            s.jobs().add("j2", 1, "predict", 5, "alice");
            assertEquals("alice", s.jobs().find("j2").orElseThrow().owner());
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
