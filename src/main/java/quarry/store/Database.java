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
import java.util.Properties;
import quarry.core.QuarryException;
import quarry.store.postgres.PostgresUrl;

/**
 * Opens connections to the workspace's database and migrates its schema. SQLite (WAL mode, a full
 * fsync on every commit) is the embedded default; PostgreSQL is for a team that runs one. Each
 * database has its own migration scripts ({@code sqlite/} and {@code postgres/} beside this
 * class), numbered alike: version N is the same schema on both. A new database needs its own
 * {@code open} here, scripts, and a {@code Jdbc} of its own; its store must pass {@code StoreContract}.
 */
public final class Database {

    /** The databases Quarry runs on. */
    public enum Kind {
        SQLITE("sqlite"), POSTGRESQL("postgres");

        private final String scripts;

        Kind(String scripts) {
            this.scripts = scripts;
        }
    }

    /** Schema scripts in order; the version of a database is how many of them it has run. */
    private static final List<String> MIGRATIONS = List.of("V1__init.sql", "V2__job_owner.sql",
            "V3__machine_labels.sql", "V4__annotation_reason.sql", "V5__members.sql",
            "V6__several_servers.sql", "V7__annotation_kind.sql", "V8__annotation_seconds.sql",
            "V9__arrival_batches.sql", "V10__job_heartbeat.sql");

    /** The advisory lock that keeps two servers starting on one PostgreSQL database from migrating at once. */
    private static final long MIGRATION_LOCK = 0x51_75_61_72_72_79_4DL;

    private final Kind kind;
    private final String url;
    private final Properties login;
    private final String shown;

    private Database(Kind kind, String url, Properties login, String shown) {
        this.kind = kind;
        this.url = url;
        this.login = login;
        this.shown = shown;
    }

    /** The SQLite database in {@code dir} when {@code url} is null, else the PostgreSQL database at {@code url}. */
    public static Database open(String url, Path dir) {
        return url == null ? sqlite(dir) : postgres(url);
    }

    /** The SQLite database {@code quarry.db} in {@code dir}, created and migrated as needed. */
    public static Database sqlite(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException("cannot create the workspace folder " + dir, e);
        }
        Path file = dir.resolve("quarry.db").toAbsolutePath();
        Database db = new Database(Kind.SQLITE, "jdbc:sqlite:" + file, new Properties(), file.toString());
        try (Connection c = db.connect()) {
            try (Statement s = c.createStatement()) {
                // WAL lets readers go on while a label is written; set once, it persists in the file.
                s.execute("PRAGMA journal_mode=WAL");
            }
            db.migrate(c);
        } catch (SQLException e) {
            throw new StoreException("cannot open the database in " + dir, e);
        }
        return db;
    }

    /**
     * The PostgreSQL database at {@code url}, migrated as needed; the database itself must exist.
     * A malformed URL, an unreachable server, a refused login or a missing database fails with a
     * message that names the problem and where, never the password.
     */
    public static Database postgres(String url) {
        PostgresUrl where = PostgresUrl.parse(url);
        Properties login = new Properties();
        if (where.user() != null) {
            login.setProperty("user", where.user());
        }
        if (where.password() != null) {
            login.setProperty("password", where.password());
        }
        login.setProperty("ApplicationName", "quarry");
        Database db = new Database(Kind.POSTGRESQL, where.jdbcUrl(), login, where.shown());
        try (Connection c = db.connect()) {
            db.checkEncoding(c);
            db.migrate(c);
        } catch (SQLException e) {
            throw new QuarryException(db.redact(db.problem(e)), e);
        }
        return db;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * Whether several servers may use this database at once: PostgreSQL, whose leases, label log
     * and trainer lock they share. A SQLite workspace belongs to one server process.
     */
    public boolean shared() {
        return kind == Kind.POSTGRESQL;
    }

    /** Where the database is, without credentials: a file, or {@code postgresql://user@host:port/dbname}. */
    @Override
    public String toString() {
        return shown;
    }

    /** A new connection with the settings every connection needs. */
    public Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(url, login);
        if (kind == Kind.SQLITE) {
            try (Statement s = c.createStatement()) {
                // FULL: an acknowledged label survives a crash or power loss, not only a killed process.
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA foreign_keys=ON");
                s.execute("PRAGMA busy_timeout=10000");
            }
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

    /**
     * Runs the migrations the database lacks, each in its own transaction. On PostgreSQL each
     * transaction first takes an advisory lock and reads the version again, so servers starting
     * at once on one database run each migration once.
     */
    private void migrate(Connection c) throws SQLException {
        while (true) {
            c.setAutoCommit(false);
            String script = null;
            try (Statement s = c.createStatement()) {
                if (kind == Kind.POSTGRESQL) {
                    s.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
                }
                int current = version(c);
                if (current > MIGRATIONS.size()) {
                    throw new SQLException("the database has schema version " + current + " but this Quarry knows"
                            + " only up to " + MIGRATIONS.size() + "; use a newer Quarry");
                }
                if (current == MIGRATIONS.size()) {
                    c.commit();
                    return;
                }
                script = MIGRATIONS.get(current);
                for (String sql : statements(kind.scripts + "/" + script)) {
                    s.execute(sql);
                }
                try (PreparedStatement p = c.prepareStatement("INSERT INTO schema_version VALUES (?, ?)")) {
                    p.setInt(1, current + 1);
                    p.setString(2, Instant.now().toString());
                    p.executeUpdate();
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw script == null ? e : new SQLException("migration " + script + " failed: " + e.getMessage(),
                        e.getSQLState(), e);
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** Refuses a PostgreSQL database that cannot hold every text: labels and documents come in any language. */
    private void checkEncoding(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SHOW server_encoding")) {
            r.next();
            String encoding = r.getString(1);
            if (!encoding.equals("UTF8")) {
                throw new QuarryException("the PostgreSQL database " + shown + " has the encoding " + encoding
                        + "; Quarry needs UTF8: create the database with createdb -E UTF8 -T template0");
            }
        }
    }

    /** What went wrong opening a PostgreSQL database, in words, by the SQLSTATE the driver gave. */
    private String problem(SQLException e) {
        String state = String.valueOf(e.getSQLState());
        String reason = e.getMessage();
        // The driver's words for an unknown host lack the host; its cause has it.
        if (e.getCause() != null && e.getCause().getMessage() != null && !reason.contains(e.getCause().getMessage())) {
            reason += " (" + e.getCause() + ")";
        }
        if (state.startsWith("08")) {
            return "cannot reach the PostgreSQL server of " + shown + ": " + reason;
        }
        if (state.startsWith("28")) {
            return "PostgreSQL refused the login to " + shown + ": " + reason;
        }
        if (state.equals("3D000")) {
            return "the PostgreSQL database " + shown + " does not exist (" + reason + "); create it first, with"
                    + " createdb or CREATE DATABASE";
        }
        return "cannot open the PostgreSQL database " + shown + ": " + reason;
    }

    /** {@code message} with the password, should it appear, blanked out. */
    private String redact(String message) {
        String password = login.getProperty("password");
        return password == null || password.isEmpty() ? message : message.replace(password, "***");
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
