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
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("quarry.db"));
                Statement s = c.createStatement()) {
            OldSchemas.create(s, "sqlite", 1);
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
            OldSchemas.create(s, "sqlite", 2);
            OldSchemas.addLabeledProject(s);
        }
        OldSchemas.assertUpgradedKeepingLabels(Database.sqlite(dir));
    }

    @Test
    void everyDatabaseHasEveryMigration() throws Exception {
        // The scripts' folder in the build, found through a script every build has.
        Path scripts = Path.of(Database.class.getResource("sqlite/V1__init.sql").toURI()).getParent().getParent();
        Map<String, java.util.Set<String>> names = new java.util.HashMap<>();
        for (String db : List.of("sqlite", "postgres")) {
            try (var files = java.nio.file.Files.list(scripts.resolve(db))) {
                names.put(db, files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".sql"))
                        .collect(java.util.stream.Collectors.toSet()));
            }
        }
        assertEquals(names.get("sqlite"), names.get("postgres"), "version N is the same schema on both databases");
        assertEquals(Database.latestVersion(), names.get("sqlite").size(), "every script is in the migration list");
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
