package quarry.store.sqlite;

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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import quarry.store.Database;
import quarry.store.DuplicateException;
import quarry.store.StoreException;

/**
 * The JDBC plumbing the SQLite repositories share. Writes go through one connection and are
 * serialised on this object's monitor: {@link #transaction} and {@link #update} hold it, and a
 * repository that must read and then write as one step synchronises on this object too. Reads take
 * one of a few connections of their own, which WAL lets read while the writer commits. SQL errors
 * come out as {@link StoreException}, or {@link DuplicateException} for a broken unique key.
 */
public final class Jdbc implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };

    /** Readers at once. */
    private static final int READERS = 4;

    private final Database database;
    private final Connection writer;
    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);
    private final List<Connection> allReaders = new ArrayList<>();

    public Jdbc(Database database) {
        this.database = database;
        try {
            this.writer = database.connect();
            for (int i = 0; i < READERS; i++) {
                Connection c = database.connect();
                allReaders.add(c);
                readers.add(c);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot connect to the database", e);
        }
    }

    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet r) throws SQLException;
    }

    @FunctionalInterface
    interface Work<T> {
        T run(Connection writer) throws SQLException;
    }

    /** Runs {@code work} on the writing connection in one transaction, committed before it returns. */
    synchronized <T> T transaction(String what, Work<T> work) {
        try {
            writer.setAutoCommit(false);
            try {
                T result = work.run(writer);
                writer.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                // After a full disk SQLite may have rolled back already; the first error is the one to report.
                try {
                    writer.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            } finally {
                writer.setAutoCommit(true);
            }
        } catch (SQLException e) {
            if (isConstraint(e)) {
                throw new DuplicateException(what + ": " + e.getMessage());
            }
            throw new StoreException(what, e);
        }
    }

    /** One statement on the writing connection, committed on its own; returns the rows changed. */
    synchronized int update(String what, String sql, Object... args) {
        try (PreparedStatement p = writer.prepareStatement(sql)) {
            bind(p, args);
            return p.executeUpdate();
        } catch (SQLException e) {
            if (isConstraint(e)) {
                throw new DuplicateException(what + ": already exists");
            }
            throw new StoreException(what, e);
        }
    }

    /** Every row a query returns, read on a reading connection. */
    <T> List<T> list(String what, String sql, RowMapper<T> mapper, Object... args) {
        Connection c;
        try {
            c = readers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(what, new SQLException("interrupted"));
        }
        try (PreparedStatement p = c.prepareStatement(sql)) {
            bind(p, args);
            List<T> out = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(mapper.map(r));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(what, e);
        } finally {
            readers.add(c);
        }
    }

    /** The first row a query returns, if any. */
    <T> Optional<T> one(String what, String sql, RowMapper<T> mapper, Object... args) {
        List<T> found = list(what, sql, mapper, args);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** A connection of its own, for a long read that must not hold a shared one; the caller closes it. */
    Connection connect() throws SQLException {
        return database.connect();
    }

    /** The first column of the first row as a number, 0 for no row; for counts inside a transaction. */
    static int count(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            bind(p, args);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getInt(1) : 0;
            }
        }
    }

    static void bind(PreparedStatement p, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            p.setObject(i + 1, args[i]);
        }
    }

    static boolean isConstraint(SQLException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("UNIQUE constraint") || m.contains("PRIMARY KEY constraint");
    }

    static String now() {
        return Instant.now().toString();
    }

    /** A label list as it is stored: a JSON array of strings. */
    static String json(List<String> labels) {
        try {
            return JSON.writeValueAsString(labels);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> parse(String json) {
        try {
            return JSON.readValue(json, STRINGS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt label list in the database: " + json, e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            for (Connection c : allReaders) {
                c.close();
            }
            writer.close();
        } catch (SQLException e) {
            throw new StoreException("close the database", e);
        }
    }
}
