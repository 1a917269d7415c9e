package quarry.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import quarry.core.QuarryException;

/**
 * A consistent copy of a workspace's SQLite database while a server writes to it, and the checks
 * a copy must pass before it becomes a workspace again.
 */
public final class SqliteBackup {

    /** The database file in a workspace folder. */
    public static final String FILE = "quarry.db";

    private SqliteBackup() {
    }

    /**
     * Copies the database {@code db} into the new file {@code out} with {@code VACUUM INTO}: one
     * read transaction, so the copy holds exactly the labels committed when it began, and the
     * server goes on writing meanwhile (WAL lets one writer and readers work at once).
     */
    public static void snapshot(Path db, Path out) {
        if (!Files.isRegularFile(db)) {
            throw new QuarryException("no SQLite database at " + db);
        }
        try (Connection c = connect(db); PreparedStatement p = c.prepareStatement("VACUUM INTO ?")) {
            p.setString(1, out.toAbsolutePath().toString());
            p.execute();
        } catch (SQLException e) {
            throw new StoreException("cannot copy the database " + db + " to " + out, e);
        }
    }

    /**
     * Checks that {@code db} is a whole Quarry database this version can open: SQLite's integrity
     * check passes and its schema version is known. Returns the schema version.
     */
    public static int check(Path db) {
        try (Connection c = connect(db); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("PRAGMA integrity_check")) {
                String first = r.next() ? r.getString(1) : "no answer";
                if (!"ok".equals(first)) {
                    throw new QuarryException("the database in the backup is damaged: " + first);
                }
            }
            int version;
            try (ResultSet r = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
                version = r.next() ? r.getInt(1) : 0;
            }
            if (version < 1 || version > Database.latestVersion()) {
                throw new QuarryException("the database in the backup has schema version " + version + "; this"
                        + " Quarry knows versions 1 to " + Database.latestVersion());
            }
            return version;
        } catch (SQLException e) {
            throw new QuarryException("the database in the backup cannot be read: " + e.getMessage(), e);
        }
    }

    private static Connection connect(Path db) throws SQLException {
        Properties p = new Properties();
        p.setProperty("busy_timeout", "10000");
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath(), p);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout=10000");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }
}
