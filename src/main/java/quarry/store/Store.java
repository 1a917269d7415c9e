package quarry.store;

import quarry.store.jdbc.Jdbc;
import quarry.store.jdbc.JdbcArrivals;
import quarry.store.jdbc.JdbcDocuments;
import quarry.store.jdbc.JdbcJobs;
import quarry.store.jdbc.JdbcLeases;
import quarry.store.jdbc.JdbcMachineLabels;
import quarry.store.jdbc.JdbcModels;
import quarry.store.jdbc.JdbcProjects;
import quarry.store.jdbc.JdbcRankings;
import quarry.store.jdbc.JdbcTokens;
import quarry.store.postgres.PostgresAnnotations;
import quarry.store.postgres.PostgresJdbc;
import quarry.store.sqlite.SqliteAnnotations;
import quarry.store.sqlite.SqliteJdbc;

/**
 * Everything Quarry keeps, one repository per aggregate: tokens, projects and their label schemas,
 * documents, the annotation log, machine labels (kept apart from that log), model versions and
 * background jobs. Every method that changes data commits before it returns, so what it
 * acknowledged survives a crash. Callers see only the interfaces, never which database is underneath.
 */
public final class Store implements AutoCloseable {

    private final Database database;
    private final Projects projects;
    private final Documents documents;
    private final Annotations annotations;
    private final MachineLabels machineLabels;
    private final Models models;
    private final Jobs jobs;
    private final Tokens tokens;
    private final Leases leases;
    private final Rankings rankings;
    private final Arrivals arrivals;
    private final Jdbc jdbc;
    /** What the repositories share and close with the store: connections, say. */
    private final AutoCloseable resources;

    /**
     * The store over a SQLite or PostgreSQL database. The repositories run the same SQL on both;
     * the annotation log writes the way its database is fastest and safe under concurrency.
     */
    public Store(Database database) {
        this(database, switch (database.kind()) {
            case SQLITE -> new SqliteJdbc(database);
            case POSTGRESQL -> new PostgresJdbc(database);
        });
    }

    private Store(Database database, Jdbc jdbc) {
        this.database = database;
        this.projects = new JdbcProjects(jdbc);
        this.documents = new JdbcDocuments(jdbc);
        this.annotations = annotations(jdbc);
        this.machineLabels = new JdbcMachineLabels(jdbc);
        this.models = new JdbcModels(jdbc);
        this.jobs = new JdbcJobs(jdbc);
        this.tokens = new JdbcTokens(jdbc);
        this.leases = new JdbcLeases(jdbc);
        this.rankings = new JdbcRankings(jdbc);
        this.arrivals = new JdbcArrivals(jdbc);
        this.jdbc = jdbc;
        this.resources = jdbc;
    }

    private static Annotations annotations(Jdbc jdbc) {
        return jdbc instanceof SqliteJdbc sqlite ? new SqliteAnnotations(sqlite)
                : new PostgresAnnotations((PostgresJdbc) jdbc);
    }

    public Database database() {
        return database;
    }

    public Projects projects() {
        return projects;
    }

    public Documents documents() {
        return documents;
    }

    public Annotations annotations() {
        return annotations;
    }

    public MachineLabels machineLabels() {
        return machineLabels;
    }

    public Models models() {
        return models;
    }

    public Jobs jobs() {
        return jobs;
    }

    public Tokens tokens() {
        return tokens;
    }

    /** Leases in the database, for servers that share it ({@link Database#shared()}); one server alone may keep its own. */
    public Leases leases() {
        return leases;
    }

    public Rankings rankings() {
        return rankings;
    }

    /**
     * The schema version the database holds, read through the store's own connections (nothing is
     * created or written): a readiness probe. Throws {@link StoreException} when the database
     * cannot be read.
     */
    public int schemaVersion() {
        return jdbc.one("read the schema version", "SELECT MAX(version) FROM schema_version", r -> r.getInt(1))
                .orElse(0);
    }

    public Arrivals arrivals() {
        return arrivals;
    }

    /** A lock held until closed, or lost with the connection that holds it (a server that dies lets go). */
    public interface Held extends AutoCloseable {
        /** Whether the lock is still held: false once its connection is gone. */
        boolean held();

        @Override
        void close();
    }

    /**
     * The lock that makes one server the trainer of a project, if no other server holds it. On
     * PostgreSQL an advisory lock on a connection of its own; a SQLite workspace has one server,
     * which always gets it.
     */
    public java.util.Optional<Held> tryTrainerLock(long projectId) {
        return jdbc.tryLock(TRAINER_LOCKS, projectId);
    }

    /** The first key of every trainer lock (the second is the project id): "QT". */
    private static final int TRAINER_LOCKS = 0x5154;

    /** The document source failed; the cause says why (an import problem, say). Nothing was stored. */
    public static final class SourceException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public SourceException(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }

    @Override
    public void close() {
        try {
            resources.close();
        } catch (StoreException e) {
            throw e;
        } catch (Exception e) {
            throw new StoreException("close the database", e);
        }
    }
}
