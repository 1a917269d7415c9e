package quarry.store.sqlite;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import quarry.store.Database;
import quarry.store.StoreException;
import quarry.store.jdbc.Jdbc;

/**
 * Connections to a SQLite file. SQLite takes one writer at a time, so writes go through one
 * connection and are serialised on this object's monitor: a repository that must read and then
 * write as one step synchronises on this object too. Reads take one of a few connections of their
 * own, which WAL lets read while the writer commits.
 */
public final class SqliteJdbc extends Jdbc {

    /** Readers at once. */
    private static final int READERS = 4;

    private final Connection writer;
    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);
    private final List<Connection> allReaders = new ArrayList<>();

    public SqliteJdbc(Database database) {
        super(database);
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

    @Override
    protected synchronized <T> T withWriter(Work<T> work) throws SQLException {
        return work.run(writer);
    }

    @Override
    protected <T> T withReader(Work<T> work) throws SQLException {
        Connection c;
        try {
            c = readers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted");
        }
        try {
            return work.run(c);
        } finally {
            readers.add(c);
        }
    }

    /** Nothing to take: every write already holds the one writer connection. */
    @Override
    public void lockProject(Connection c, long projectId) {
    }

    /** One process owns a SQLite workspace: its locks are always free. */
    @Override
    public java.util.Optional<quarry.store.Store.Held> tryLock(int namespace, long key) {
        return java.util.Optional.of(new quarry.store.Store.Held() {
            @Override
            public boolean held() {
                return true;
            }

            @Override
            public void close() {
            }
        });
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
