package quarry.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import quarry.store.Database;
import quarry.store.Store;
import quarry.store.StoreException;
import quarry.store.jdbc.Jdbc;

/**
 * Connections to a PostgreSQL database: a small pool, any of whose connections may write. Writers
 * run at once; what must not interleave is kept apart by the database's own locks and unique keys,
 * so it holds across several Quarry processes on one database too. A connection that lost the
 * server is dropped, and the next use opens a new one, so a restarted server needs no restart here.
 */
public final class PostgresJdbc extends Jdbc {

    /** Connections at once: enough for the labeling threads, well under the server's default of 100. */
    static final int POOL = 10;

    /** How long a caller waits for a free connection before it fails. */
    private static final long WAIT_SECONDS = 30;

    /** An idle connection older than this is checked before it is lent: the server may have dropped it. */
    private static final long CHECK_AFTER_MILLIS = 30_000;

    private record Idle(Connection connection, long since) {
    }

    private final Semaphore permits = new Semaphore(POOL, true);
    private final ConcurrentLinkedDeque<Idle> idle = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    public PostgresJdbc(Database database) {
        super(database);
    }

    @Override
    protected <T> T withWriter(Work<T> work) throws SQLException {
        return withConnection(work);
    }

    @Override
    protected <T> T withReader(Work<T> work) throws SQLException {
        return withConnection(work);
    }

    private <T> T withConnection(Work<T> work) throws SQLException {
        try {
            if (!permits.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new SQLException("no database connection came free in " + WAIT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted");
        }
        Connection c = null;
        // Kept unless the connection itself failed: a broken key or bad input leaves it as good as it was.
        boolean keep = true;
        try {
            if (closed) {
                throw new SQLException("the store is closed");
            }
            c = borrow();
            return work.run(c);
        } catch (SQLException e) {
            keep = !lost(e);
            throw e;
        } finally {
            if (c != null) {
                giveBack(c, keep);
            }
            permits.release();
        }
    }

    /** An idle connection that still works, or a new one. */
    private Connection borrow() throws SQLException {
        for (Idle i = idle.pollFirst(); i != null; i = idle.pollFirst()) {
            if (System.currentTimeMillis() - i.since() < CHECK_AFTER_MILLIS || i.connection().isValid(5)) {
                return i.connection();
            }
            closeQuietly(i.connection());
        }
        return database().connect();
    }

    private void giveBack(Connection c, boolean keep) {
        boolean usable = keep && !closed;
        try {
            usable = usable && !c.isClosed() && c.getAutoCommit();
        } catch (SQLException e) {
            usable = false;
        }
        if (usable) {
            idle.addFirst(new Idle(c, System.currentTimeMillis()));
        } else {
            closeQuietly(c);
        }
    }

    /** Whether the connection itself failed (class 08: connection exception; 57P: the server shut down). */
    private static boolean lost(SQLException e) {
        String state = String.valueOf(e.getSQLState());
        return state.startsWith("08") || state.startsWith("57P");
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // it is being dropped because it failed already
        }
    }

    /** Locks the project's row until the transaction ends; another process's import waits its turn. */
    @Override
    public void lockProject(Connection c, long projectId) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT id FROM projects WHERE id = ? FOR UPDATE")) {
            p.setLong(1, projectId);
            p.executeQuery().close();
        }
    }

    /**
     * A session advisory lock on a connection of its own, outside the pool: it is held as long as
     * that connection lives, and PostgreSQL lets go of it when the process that took it dies.
     */
    @Override
    public Optional<Store.Held> tryLock(int namespace, long key) {
        Connection c = null;
        try {
            c = database().connect();
            try (PreparedStatement p = c.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
                p.setInt(1, namespace);
                p.setInt(2, Math.toIntExact(key));
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    if (!r.getBoolean(1)) {
                        c.close();
                        return Optional.empty();
                    }
                }
            }
            Connection held = c;
            return Optional.of(new Store.Held() {
                @Override
                public boolean held() {
                    try {
                        return held.isValid(5);
                    } catch (SQLException e) {
                        return false;
                    }
                }

                @Override
                public void close() {
                    closeQuietly(held); // ending the session ends the lock
                }
            });
        } catch (SQLException e) {
            if (c != null) {
                closeQuietly(c);
            }
            throw new StoreException("take a lock in the database", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Idle i = idle.pollFirst(); i != null; i = idle.pollFirst()) {
            closeQuietly(i.connection());
        }
    }
}
