package quarry.store;

import quarry.store.jdbc.Jdbc;
import quarry.store.jdbc.JdbcDocuments;
import quarry.store.jdbc.JdbcJobs;
import quarry.store.jdbc.JdbcMachineLabels;
import quarry.store.jdbc.JdbcModels;
import quarry.store.jdbc.JdbcProjects;
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
        this(database, new JdbcProjects(jdbc), new JdbcDocuments(jdbc), annotations(jdbc), new JdbcMachineLabels(jdbc),
                new JdbcModels(jdbc), new JdbcJobs(jdbc), new JdbcTokens(jdbc), jdbc);
    }

    private static Annotations annotations(Jdbc jdbc) {
        return jdbc instanceof SqliteJdbc sqlite ? new SqliteAnnotations(sqlite)
                : new PostgresAnnotations((PostgresJdbc) jdbc);
    }

    /** A store over other implementations of the repositories; closing it closes {@code resources}. */
    public Store(Database database, Projects projects, Documents documents, Annotations annotations,
            MachineLabels machineLabels, Models models, Jobs jobs, Tokens tokens, AutoCloseable resources) {
        this.database = database;
        this.projects = projects;
        this.documents = documents;
        this.annotations = annotations;
        this.machineLabels = machineLabels;
        this.models = models;
        this.jobs = jobs;
        this.tokens = tokens;
        this.resources = resources;
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
