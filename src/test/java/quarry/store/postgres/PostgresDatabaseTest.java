package quarry.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.Document;
import quarry.core.DomainException;
import quarry.core.QuarryException;
import quarry.store.Database;
import quarry.store.OldSchemas;
import quarry.store.Store;

/** Opening and migrating a PostgreSQL database, and what a user is told when that fails. */
@Tag("integration")
class PostgresDatabaseTest {

    @TempDir
    Path dir;

    /** A plain JDBC connection to the test database, around Quarry. */
    private static Connection direct(String url) throws Exception {
        return DriverManager.getConnection(PostgresUrl.parse(url).jdbcUrl(), "postgres", "");
    }

    private static int count(String url, String sql) throws Exception {
        try (Connection c = direct(url); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getInt(1);
        }
    }

    @Test
    void serversStartingAtOnceMigrateOnce() throws Exception {
        String url = PostgresServer.databaseFor(dir);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Database>> opened = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            opened.add(pool.submit(() -> Database.postgres(url)));
        }
        for (Future<Database> f : opened) {
            Database db = f.get();
            assertEquals(Database.Kind.POSTGRESQL, db.kind());
            assertEquals(Database.latestVersion(), db.schemaVersion());
        }
        pool.shutdown();
        assertEquals(Database.latestVersion(), count(url, "SELECT COUNT(*) FROM schema_version"),
                "each migration ran once");
        Database.postgres(url);
        assertEquals(Database.latestVersion(), count(url, "SELECT COUNT(*) FROM schema_version"));
    }

    @Test
    void aVersionTwoDatabaseIsUpgradedKeepingItsLabels() throws Exception {
        String url = PostgresServer.databaseFor(dir);
        try (Connection c = direct(url); Statement s = c.createStatement()) {
            OldSchemas.create(s, "postgres", 2);
            OldSchemas.addLabeledProject(s);
        }
        OldSchemas.assertUpgradedKeepingLabels(Database.postgres(url));
    }

    @Test
    void aNewerSchemaIsRefusedByName() throws Exception {
        String url = PostgresServer.databaseFor(dir);
        Database.postgres(url);
        try (Connection c = direct(url); Statement s = c.createStatement()) {
            s.execute("INSERT INTO schema_version VALUES (99, 'later')");
        }
        QuarryException e = assertThrows(QuarryException.class, () -> Database.postgres(url));
        assertTrue(e.getMessage().contains("schema version 99"), e.getMessage());
    }

    @Test
    void anUnreachableServerIsNamedWithoutThePassword() throws Exception {
        int closed;
        try (ServerSocket free = new ServerSocket(0)) {
            closed = free.getLocalPort();
        }
        QuarryException e = assertThrows(QuarryException.class,
                () -> Database.postgres("postgresql://bob:hunter2@127.0.0.1:" + closed + "/quarry"));
        assertTrue(e.getMessage().startsWith("cannot reach the PostgreSQL server of postgresql://bob@127.0.0.1:"
                + closed + "/quarry: "), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void aMissingDatabaseOrRoleIsNamedWithoutThePassword() {
        int port = PostgresServer.port();
        QuarryException missing = assertThrows(QuarryException.class,
                () -> Database.postgres("postgresql://postgres:hunter2@127.0.0.1:" + port + "/no_such_db"));
        assertTrue(missing.getMessage().contains("postgresql://postgres@127.0.0.1:" + port + "/no_such_db does not"
                + " exist") && missing.getMessage().contains("create it first"), missing.getMessage());
        QuarryException role = assertThrows(QuarryException.class,
                () -> Database.postgres("jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=nobody&password=hunter2"));
        assertTrue(role.getMessage().startsWith("PostgreSQL refused the login to postgresql://nobody@"),
                role.getMessage());
        for (QuarryException e : List.of(missing, role)) {
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        }
    }

    @Test
    void aDatabaseThatCannotHoldEveryTextIsRefused() throws Exception {
        String url = PostgresServer.databaseFor(dir);
        String ascii = url.substring(0, url.lastIndexOf('/') + 1) + "ascii_only";
        try (Connection c = direct(url); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE ascii_only ENCODING 'SQL_ASCII' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'");
        }
        QuarryException e = assertThrows(QuarryException.class, () -> Database.postgres(ascii));
        assertTrue(e.getMessage().contains("has the encoding SQL_ASCII; Quarry needs UTF8"), e.getMessage());
        assertEquals(0, count(ascii, "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'"), "nothing created");
    }

    @Test
    void aNulInTextIsBadInputNotAStoreFailure() {
        try (Store s = new Store(Database.postgres(PostgresServer.databaseFor(dir)))) {
            long p = s.projects().create("p", false, "e", List.of(), "{}").id();
            // PostgreSQL refuses U+0000 in any text value, even one only looked up.
            DomainException.InvalidInput find = assertThrows(DomainException.InvalidInput.class,
                    () -> s.documents().find(p, "a\0b"));
            assertTrue(find.getMessage().contains("U+0000"), find.getMessage());
            assertThrows(DomainException.InvalidInput.class, () -> s.documents().add(p,
                    List.of(Document.unlabeled("ok", "fine"), Document.unlabeled("n", "a\0b"))::forEach, "import"));
            assertEquals(0, s.documents().count(p), "nothing of the import is kept");
        }
    }

    @Test
    void theJdbcFormOpensTheSameDatabase() {
        String url = PostgresServer.databaseFor(dir);
        try (Store s = new Store(Database.postgres(url))) {
            s.tokens().add("alice", "admin", "ab".repeat(32));
        }
        String jdbc = "jdbc:" + url.replace("postgres@", "") + "?user=postgres&password=unused";
        Database db = Database.postgres(jdbc);
        assertFalse(db.toString().contains("unused"), db.toString());
        try (Store s = new Store(db)) {
            assertEquals("alice", s.tokens().findByHash("ab".repeat(32)).orElseThrow().name());
        }
    }
}
