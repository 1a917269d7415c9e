package quarry.store.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import quarry.core.DomainException;
import quarry.store.Database;
import quarry.store.DuplicateException;
import quarry.store.StoreException;

/**
 * The JDBC plumbing the repositories share, whatever the database. How connections are held is
 * the database's own: SQLite serialises every write on one connection ({@code SqliteJdbc}),
 * PostgreSQL lets writes run at once on a pool of connections and relies on its own locks
 * ({@code PostgresJdbc}). Both schemas are written so that the same SQL runs on both. SQL errors
 * come out as {@link StoreException}, or {@link DuplicateException} for a broken unique key.
 */
public abstract class Jdbc implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };

    /** Rows fetched at a time by a streaming read, so an export's memory stays flat. */
    private static final int FETCH = 500;

    /** SQLSTATE of a broken unique or primary key, the same on every SQL database that sets it. */
    private static final String UNIQUE_VIOLATION = "23505";

    /** SQLSTATE character_not_in_repertoire: PostgreSQL's answer to a NUL in text. */
    private static final String UNSTORABLE_TEXT = "22021";

    private final Database database;

    protected Jdbc(Database database) {
        this.database = database;
    }

    protected Database database() {
        return database;
    }

    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet r) throws SQLException;
    }

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} on a connection that may write; the database's rules on writers apply. */
    protected abstract <T> T withWriter(Work<T> work) throws SQLException;

    /** Runs {@code work} on a connection for reading. */
    protected abstract <T> T withReader(Work<T> work) throws SQLException;

    /**
     * Takes the lock that keeps others from appending rows to a project until this transaction
     * ends: imports number rows from the count they read.
     */
    public abstract void lockProject(Connection c, long projectId) throws SQLException;

    /**
     * A lock on (namespace, key) that several processes on the database respect, held until
     * closed or until this process dies; empty when another holds it.
     */
    public abstract java.util.Optional<quarry.store.Store.Held> tryLock(int namespace, long key);

    /** Closes the connections; what is in use is closed as it comes back. */
    @Override
    public abstract void close();

    /** Runs {@code work} in one transaction, committed before it returns, or rolled back whole. */
    public <T> T transaction(String what, Work<T> work) {
        try {
            return withWriter(c -> {
                c.setAutoCommit(false);
                T result;
                try {
                    result = work.run(c);
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    // After a full disk SQLite may have rolled back already, and a lost PostgreSQL
                    // connection fails every call: the first error is the one to report.
                    try {
                        c.rollback();
                    } catch (SQLException rollback) {
                        e.addSuppressed(rollback);
                    }
                    try {
                        c.setAutoCommit(true);
                    } catch (SQLException reset) {
                        e.addSuppressed(reset);
                    }
                    throw e;
                }
                c.setAutoCommit(true);
                return result;
            });
        } catch (SQLException e) {
            throw failed(what, e, ": " + e.getMessage());
        }
    }

    /** One statement, committed on its own; returns the rows changed. */
    public int update(String what, String sql, Object... args) {
        try {
            return withWriter(c -> {
                try (PreparedStatement p = c.prepareStatement(sql)) {
                    bind(p, args);
                    return p.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw failed(what, e, ": already exists");
        }
    }

    /**
     * Inserts one row, committed on its own, and returns the id the database gave it; {@code sql}
     * ends in {@code RETURNING id}. One round trip: no transaction is opened around it.
     */
    public long insert(String what, String sql, Object... args) {
        try {
            return withWriter(c -> insert(c, sql, args));
        } catch (SQLException e) {
            throw failed(what, e, ": already exists");
        }
    }

    /**
     * Every row a statement that writes returns ({@code INSERT … RETURNING}, say), committed on its
     * own on a connection that may write.
     */
    public <T> List<T> write(String what, String sql, RowMapper<T> mapper, Object... args) {
        try {
            return withWriter(c -> rows(c, sql, mapper, args));
        } catch (SQLException e) {
            throw failed(what, e, ": already exists");
        }
    }

    /** Every row a query returns. */
    public <T> List<T> list(String what, String sql, RowMapper<T> mapper, Object... args) {
        try {
            return withReader(c -> rows(c, sql, mapper, args));
        } catch (SQLException e) {
            throw failed(what, e, "");
        }
    }

    private static <T> List<T> rows(Connection c, String sql, RowMapper<T> mapper, Object[] args)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            bind(p, args);
            List<T> out = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(mapper.map(r));
                }
            }
            return out;
        }
    }

    /** The first row a query returns, if any. */
    public <T> Optional<T> one(String what, String sql, RowMapper<T> mapper, Object... args) {
        List<T> found = list(what, sql, mapper, args);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /**
     * Hands every row of a query to {@code sink} as it is read, on a connection of its own, so a
     * long export neither holds a shared connection nor loads everything at once. It reads one
     * snapshot (in a read transaction: PostgreSQL streams rows only inside one).
     */
    public <T> void stream(String what, String sql, RowMapper<T> mapper, Consumer<T> sink, Object... args) {
        try (Connection c = database.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement(sql)) {
                p.setFetchSize(FETCH);
                bind(p, args);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        sink.accept(mapper.map(r));
                    }
                }
            } finally {
                c.rollback(); // it only read
            }
        } catch (SQLException e) {
            throw failed(what, e, "");
        }
    }

    /**
     * The error to throw for a failed statement: a duplicate for a broken unique key, bad input for
     * text the database cannot hold (PostgreSQL refuses U+0000 even in a value looked up), else a
     * store failure.
     */
    private static RuntimeException failed(String what, SQLException e, String duplicateDetail) {
        if (isConstraint(e)) {
            return new DuplicateException(what + duplicateDetail);
        }
        if (UNSTORABLE_TEXT.equals(e.getSQLState())) {
            return new DomainException.InvalidInput(what + ": the text holds a character the database cannot store"
                    + " (U+0000, NUL)");
        }
        return new StoreException(what, e);
    }

    /** Inserts one row and returns the id the database gave it; {@code sql} ends in {@code RETURNING id}. */
    public static long insert(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            bind(p, args);
            try (ResultSet keys = p.executeQuery()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /** The first column of the first row as a number, 0 for no row; for counts inside a transaction. */
    public static int count(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            bind(p, args);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getInt(1) : 0;
            }
        }
    }

    public static void bind(PreparedStatement p, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            p.setObject(i + 1, args[i]);
        }
    }

    /**
     * Whether a failure is a broken unique key: SQLite says so in its message, PostgreSQL in its
     * SQLSTATE, on the exception itself or (for a batch) on the next one in its chain.
     */
    public static boolean isConstraint(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            String m = String.valueOf(x.getMessage());
            if (UNIQUE_VIOLATION.equals(x.getSQLState()) || m.contains("UNIQUE constraint")
                    || m.contains("PRIMARY KEY constraint")) {
                return true;
            }
        }
        return false;
    }

    public static String now() {
        return Instant.now().toString();
    }

    /** A label list as it is stored: a JSON array of strings. */
    public static String json(List<String> labels) {
        try {
            return JSON.writeValueAsString(labels);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<String> parse(String json) {
        try {
            return JSON.readValue(json, STRINGS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt label list in the database: " + json, e);
        }
    }
}
