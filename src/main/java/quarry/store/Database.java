package quarry.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens connections to the workspace database and migrates its schema. SQLite (WAL mode, a full
 * fsync on every commit) is the embedded default. Another database needs its own {@code open} here
 * and its own implementations of the repository interfaces, which must pass {@code StoreContract}.
 */
public final class Database {

    /** Schema scripts in order; the version of a database is how many of them it has run. */
    private static final List<String> MIGRATIONS = List.of("V1__init.sql", "V2__job_owner.sql",
            "V3__machine_labels.sql");

    private final String url;

    private Database(String url) {
        this.url = url;
    }

    /** The SQLite database {@code quarry.db} in {@code dir}, created and migrated as needed. */
    public static Database sqlite(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException("cannot create the workspace folder " + dir, e);
        }
        Database db = new Database("jdbc:sqlite:" + dir.resolve("quarry.db").toAbsolutePath());
        try (Connection c = db.connect()) {
            try (Statement s = c.createStatement()) {
                // WAL lets readers go on while a label is written; set once, it persists in the file.
                s.execute("PRAGMA journal_mode=WAL");
            }
            migrate(c);
        } catch (SQLException e) {
            throw new StoreException("cannot open the database in " + dir, e);
        }
        return db;
    }

    /** A new connection with the settings every connection needs. */
    public Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(url);
        try (Statement s = c.createStatement()) {
            // FULL: an acknowledged label survives a crash or power loss, not only a killed process.
            s.execute("PRAGMA synchronous=FULL");
            s.execute("PRAGMA foreign_keys=ON");
            s.execute("PRAGMA busy_timeout=10000");
        }
        return c;
    }

    public static int latestVersion() {
        return MIGRATIONS.size();
    }

    /** The schema version of the database: how many migrations have run. */
    public int schemaVersion() {
        try (Connection c = connect()) {
            return version(c);
        } catch (SQLException e) {
            throw new StoreException("cannot read the schema version", e);
        }
    }

    private static int version(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied TEXT NOT NULL)");
            try (ResultSet r = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
                return r.next() ? r.getInt(1) : 0;
            }
        }
    }

    /** Runs the migrations the database lacks, each in its own transaction. */
    private static void migrate(Connection c) throws SQLException {
        int current = version(c);
        if (current > MIGRATIONS.size()) {
            throw new SQLException("the database has schema version " + current + " but this Quarry knows only up to "
                    + MIGRATIONS.size() + "; use a newer Quarry");
        }
        for (int v = current + 1; v <= MIGRATIONS.size(); v++) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (String sql : statements(MIGRATIONS.get(v - 1))) {
                    s.execute(sql);
                }
                try (PreparedStatement p = c.prepareStatement("INSERT INTO schema_version VALUES (?, ?)")) {
                    p.setInt(1, v);
                    p.setString(2, Instant.now().toString());
                    p.executeUpdate();
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw new SQLException("migration " + MIGRATIONS.get(v - 1) + " failed: " + e.getMessage(), e);
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private static List<String> statements(String resource) throws SQLException {
        try (InputStream in = Database.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new SQLException("schema script " + resource + " is missing from the build");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : text.split("\n")) {
                if (line.strip().equals(";")) {
                    out.add(current.toString());
                    current.setLength(0);
                } else if (!line.strip().startsWith("--")) {
                    current.append(line).append('\n');
                }
            }
            if (!current.toString().isBlank()) {
                out.add(current.toString());
            }
            return out;
        } catch (IOException e) {
            throw new SQLException("cannot read schema script " + resource, e);
        }
    }
}
