package quarry.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import quarry.core.Document;
import quarry.store.Records.Annotation;
import quarry.store.Records.Doc;
import quarry.store.Records.Job;
import quarry.store.Records.Label;
import quarry.store.Records.ModelVersion;
import quarry.store.Records.Project;
import quarry.store.Records.Token;

/**
 * Everything Quarry keeps: tokens, projects and their label schemas, documents, the annotation log,
 * model versions and background jobs. Writes go through one connection and are serialised; every
 * method that changes data commits before it returns, so what it acknowledged survives a crash.
 * Plain JDBC and standard SQL, so callers never see which database is underneath.
 */
public final class Store implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };

    /** Readers at once; WAL lets them read while the writer commits. */
    private static final int READERS = 4;

    private final Database database;
    /** The one writing connection; every write holds this object's lock. */
    private final Connection connection;
    private final java.util.concurrent.BlockingQueue<Connection> readers =
            new java.util.concurrent.ArrayBlockingQueue<>(READERS);
    private final List<Connection> allReaders = new ArrayList<>();

    public Store(Database database) {
        this.database = database;
        try {
            this.connection = database.connect();
            for (int i = 0; i < READERS; i++) {
                Connection c = database.connect();
                allReaders.add(c);
                readers.add(c);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot connect to the database", e);
        }
    }

    public Database database() {
        return database;
    }

    // ---- tokens ----

    public synchronized void insertToken(String name, String role, String hash) {
        update("insert token " + name, "INSERT INTO tokens (name, role, hash, created) VALUES (?, ?, ?, ?)",
                name, role, hash, now());
    }

    public Optional<Token> tokenByHash(String hash) {
        return one("find token", "SELECT name, role, created FROM tokens WHERE hash = ?",
                r -> new Token(r.getString(1), r.getString(2), r.getString(3)), hash);
    }

    public List<Token> tokens() {
        return list("list tokens", "SELECT name, role, created FROM tokens ORDER BY created, name",
                r -> new Token(r.getString(1), r.getString(2), r.getString(3)));
    }

    /** Every token by its hash, for a check that compares against all of them. */
    public Map<String, Token> tokenHashes() {
        Map<String, Token> out = new LinkedHashMap<>();
        list("list tokens", "SELECT hash, name, role, created FROM tokens", r -> out.put(r.getString(1),
                new Token(r.getString(2), r.getString(3), r.getString(4))));
        return out;
    }

    public synchronized boolean deleteToken(String name) {
        return update("delete token " + name, "DELETE FROM tokens WHERE name = ?", name) > 0;
    }

    // ---- projects ----

    /** Creates a project and its label schema in one transaction. */
    public synchronized Project createProject(String name, boolean multiLabel, String encoder, List<Label> labels,
            String settings) {
        return transaction("create project " + name, () -> {
            String created = now();
            long id;
            try (PreparedStatement p = connection.prepareStatement(
                    "INSERT INTO projects (name, multi_label, encoder, settings, created) VALUES (?, ?, ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                bind(p, name, multiLabel ? 1 : 0, encoder, settings, created);
                p.executeUpdate();
                try (ResultSet keys = p.getGeneratedKeys()) {
                    keys.next();
                    id = keys.getLong(1);
                }
            }
            try (PreparedStatement p = connection.prepareStatement(
                    "INSERT INTO labels (project_id, idx, name, description) VALUES (?, ?, ?, ?)")) {
                for (Label l : labels) {
                    bind(p, id, l.index(), l.name(), l.description());
                    p.addBatch();
                }
                p.executeBatch();
            }
            return new Project(id, name, multiLabel, encoder, labels, settings, created);
        });
    }

    public List<Project> projects() {
        List<Project> bare = list("list projects",
                "SELECT id, name, multi_label, encoder, settings, created FROM projects ORDER BY id",
                r -> new Project(r.getLong(1), r.getString(2), r.getInt(3) == 1, r.getString(4), List.of(),
                        r.getString(5), r.getString(6)));
        List<Project> out = new ArrayList<>();
        for (Project p : bare) {
            out.add(new Project(p.id(), p.name(), p.multiLabel(), p.encoder(), labels(p.id()), p.settings(),
                    p.created()));
        }
        return out;
    }

    public Optional<Project> project(String name) {
        return projects().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public synchronized void updateSettings(long projectId, String settings) {
        update("update project settings", "UPDATE projects SET settings = ? WHERE id = ?", settings, projectId);
    }

    /** Deletes a project with its documents, annotations, models and jobs. */
    public synchronized boolean deleteProject(long projectId) {
        return update("delete project " + projectId, "DELETE FROM projects WHERE id = ?", projectId) > 0;
    }

    private List<Label> labels(long projectId) {
        return list("list labels", "SELECT idx, name, description FROM labels WHERE project_id = ? ORDER BY idx",
                r -> new Label(r.getInt(1), r.getString(2), r.getString(3)), projectId);
    }

    // ---- documents ----

    /**
     * Appends documents to a project's pool in one transaction: all of them, or none when one
     * fails (a duplicate id, say). Documents that come with labels get them as annotations by
     * {@code annotator}, in the same transaction.
     *
     * @return the number added
     */
    public synchronized int addDocuments(long projectId, DocumentSource documents, String annotator) {
        return transaction("import documents", () -> {
            int row = count("SELECT COUNT(*) FROM documents WHERE project_id = ?", projectId);
            int[] added = {0};
            int[] next = {row};
            try (PreparedStatement p = connection.prepareStatement(
                    "INSERT INTO documents (project_id, row_no, ext_id, text) VALUES (?, ?, ?, ?)");
                    PreparedStatement exists = connection.prepareStatement(
                            "SELECT 1 FROM documents WHERE project_id = ? AND ext_id = ?");
                    PreparedStatement label = connection.prepareStatement("INSERT INTO annotations (project_id,"
                            + " row_no, labels, skipped, annotator, created) VALUES (?, ?, ?, 0, ?, ?)")) {
                String created = now();
                documents.each(d -> {
                    try {
                        bind(exists, projectId, d.id());
                        try (ResultSet r = exists.executeQuery()) {
                            if (r.next()) {
                                throw new DuplicateException("document id '" + d.id() + "' is already in the project");
                            }
                        }
                        if (d.isLabeled()) {
                            bind(label, projectId, next[0], json(d.labels()), annotator, created);
                            label.addBatch();
                        }
                        bind(p, projectId, next[0]++, d.id(), d.text());
                        p.addBatch();
                        if (++added[0] % 1000 == 0) {
                            p.executeBatch();
                            label.executeBatch();
                        }
                    } catch (SQLException e) {
                        throw new StoreException("import documents", e);
                    }
                });
                p.executeBatch();
                label.executeBatch();
            } catch (SQLException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new SourceException(e);
            }
            return added[0];
        });
    }

    /** Documents to import, pushed one by one; may fail with the reason the source is unusable. */
    @FunctionalInterface
    public interface DocumentSource {
        void each(Consumer<Document> sink) throws Exception;
    }

    /** The document source failed; the cause says why (an import problem, say). Nothing was stored. */
    public static final class SourceException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SourceException(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }

    public int documentCount(long projectId) {
        return one("count documents", "SELECT COUNT(*) FROM documents WHERE project_id = ?", r -> r.getInt(1),
                projectId).orElse(0);
    }

    /** Documents with {@code from <= row < from + limit}, in row order. */
    public List<Doc> documents(long projectId, int from, int limit) {
        return list("read documents", "SELECT row_no, ext_id, text FROM documents WHERE project_id = ? AND row_no >= ?"
                + " ORDER BY row_no LIMIT ?", r -> new Doc(r.getInt(1), r.getString(2), r.getString(3)), projectId,
                from, limit);
    }

    public Optional<Doc> document(long projectId, String id) {
        return one("find document", "SELECT row_no, ext_id, text FROM documents WHERE project_id = ? AND ext_id = ?",
                r -> new Doc(r.getInt(1), r.getString(2), r.getString(3)), projectId, id);
    }

    public Optional<Doc> document(long projectId, int row) {
        return one("find document", "SELECT row_no, ext_id, text FROM documents WHERE project_id = ? AND row_no = ?",
                r -> new Doc(r.getInt(1), r.getString(2), r.getString(3)), projectId, row);
    }

    // ---- annotations ----

    /** The stored annotation with this request id, if the client sent it before. */
    public Optional<Annotation> annotationByRequest(long projectId, String annotator, String requestId) {
        if (requestId == null) {
            return Optional.empty();
        }
        return one("find annotation", ANNOTATION_SELECT + " WHERE a.project_id = ? AND a.annotator = ?"
                + " AND a.request_id = ?", Store::annotation, projectId, annotator, requestId);
    }

    private record PendingAnnotation(long projectId, int row, String documentId, List<String> labels,
            String annotator, String requestId, java.util.concurrent.CompletableFuture<Annotation> done) {
    }

    private final java.util.concurrent.ConcurrentLinkedQueue<PendingAnnotation> pending =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * Appends an annotation (labels, or a skip when {@code labels} is null) and commits it before
     * returning. Group commit: annotations that arrive while another commit is under way are written
     * together by whichever caller takes the lock next, in one transaction with one fsync, each
     * behind its own savepoint so that one failure fails only its own caller.
     */
    public Annotation addAnnotation(long projectId, int row, String documentId, List<String> labels,
            String annotator, String requestId) {
        PendingAnnotation mine = new PendingAnnotation(projectId, row, documentId, labels == null ? null
                : List.copyOf(labels), annotator, requestId, new java.util.concurrent.CompletableFuture<>());
        pending.add(mine);
        synchronized (this) {
            if (!mine.done().isDone()) {
                commitPending();
            }
        }
        try {
            return mine.done().join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private void commitPending() {
        List<PendingAnnotation> batch = new ArrayList<>();
        for (PendingAnnotation p = pending.poll(); p != null; p = pending.poll()) {
            batch.add(p);
        }
        List<Annotation> stored = new ArrayList<>();
        try {
            transaction("store annotations", () -> {
                String created = now();
                try (PreparedStatement ps = connection.prepareStatement("INSERT INTO annotations (project_id, row_no,"
                        + " labels, skipped, annotator, request_id, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        Statement.RETURN_GENERATED_KEYS)) {
                    for (PendingAnnotation p : batch) {
                        java.sql.Savepoint save = connection.setSavepoint();
                        try {
                            bind(ps, p.projectId(), p.row(), p.labels() == null ? null : json(p.labels()),
                                    p.labels() == null ? 1 : 0, p.annotator(), p.requestId(), created);
                            ps.executeUpdate();
                            long id;
                            try (ResultSet keys = ps.getGeneratedKeys()) {
                                keys.next();
                                id = keys.getLong(1);
                            }
                            connection.releaseSavepoint(save);
                            stored.add(new Annotation(id, p.row(), p.documentId(), p.labels(), p.labels() == null,
                                    p.annotator(), p.requestId(), created, false));
                        } catch (SQLException e) {
                            connection.rollback(save);
                            stored.add(null);
                            p.done().completeExceptionally(isConstraint(e)
                                    ? new DuplicateException("annotation with request id '" + p.requestId()
                                            + "' exists already")
                                    : new StoreException("store annotation", e));
                        }
                    }
                }
                return null;
            });
        } catch (RuntimeException e) {
            batch.forEach(p -> p.done().completeExceptionally(e));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            if (stored.get(i) != null) {
                batch.get(i).done().complete(stored.get(i));
            }
        }
    }

    /** Marks the annotator's latest annotation in the project as undone, and returns it. */
    public synchronized Optional<Annotation> undoLatest(long projectId, String annotator) {
        Optional<Annotation> latest = one("find latest annotation", ANNOTATION_SELECT + " WHERE a.project_id = ?"
                + " AND a.annotator = ? AND a.undone = 0 ORDER BY a.id DESC LIMIT 1", Store::annotation, projectId,
                annotator);
        latest.ifPresent(a -> update("undo annotation", "UPDATE annotations SET undone = 1 WHERE id = ?", a.id()));
        return latest.map(a -> new Annotation(a.id(), a.row(), a.documentId(), a.labels(), a.skipped(), a.annotator(),
                a.requestId(), a.created(), true));
    }

    /** Each labeled row's current labels: its latest annotation that is neither a skip nor undone. */
    public Map<Integer, List<String>> currentLabels(long projectId) {
        Map<Integer, List<String>> out = new LinkedHashMap<>();
        list("read labels", "SELECT row_no, labels FROM annotations WHERE project_id = ? AND undone = 0 AND skipped = 0"
                + " ORDER BY id", r -> {
                    int row = r.getInt(1);
                    out.remove(row);
                    out.put(row, parse(r.getString(2)));
                    return null;
                }, projectId);
        return out;
    }

    /** One row's current labels, or empty when it has none. */
    public Optional<List<String>> currentLabels(long projectId, int row) {
        return one("read labels", "SELECT labels FROM annotations WHERE project_id = ? AND row_no = ? AND undone = 0"
                + " AND skipped = 0 ORDER BY id DESC LIMIT 1", r -> parse(r.getString(1)), projectId, row);
    }

    /** Rows the annotator skipped (and did not undo). */
    public Set<Integer> skippedRows(long projectId, String annotator) {
        return new HashSet<>(list("read skips", "SELECT row_no FROM annotations WHERE project_id = ? AND annotator = ?"
                + " AND skipped = 1 AND undone = 0", r -> r.getInt(1), projectId, annotator));
    }

    public List<Annotation> annotations(long projectId, long afterId, int limit) {
        return list("list annotations", ANNOTATION_SELECT + " WHERE a.project_id = ? AND a.id > ? ORDER BY a.id LIMIT ?",
                Store::annotation, projectId, afterId, limit);
    }

    /**
     * Streams every annotation of a project in order on a connection of its own, so a long export
     * never holds up labeling.
     */
    public void forEachAnnotation(long projectId, Consumer<Annotation> sink) {
        try (Connection c = database.connect();
                PreparedStatement p = c.prepareStatement(ANNOTATION_SELECT + " WHERE a.project_id = ? ORDER BY a.id")) {
            bind(p, projectId);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    sink.accept(annotation(r));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("export annotations", e);
        }
    }

    private static final String ANNOTATION_SELECT = "SELECT a.id, a.row_no, d.ext_id, a.labels, a.skipped,"
            + " a.annotator, a.request_id, a.created, a.undone FROM annotations a JOIN documents d"
            + " ON d.project_id = a.project_id AND d.row_no = a.row_no";

    private static Annotation annotation(ResultSet r) throws SQLException {
        String labels = r.getString(4);
        return new Annotation(r.getLong(1), r.getInt(2), r.getString(3), labels == null ? null : parse(labels),
                r.getInt(5) == 1, r.getString(6), r.getString(7), r.getString(8), r.getInt(9) == 1);
    }

    // ---- models ----

    public synchronized void addModel(long projectId, int version, int labelsUsed, String report) {
        update("store model version", "INSERT OR REPLACE INTO models (project_id, version, labels_used, created, report)"
                + " VALUES (?, ?, ?, ?, ?)", projectId, version, labelsUsed, now(), report);
    }

    public List<ModelVersion> models(long projectId) {
        return list("list models", "SELECT version, labels_used, created, report FROM models WHERE project_id = ?"
                + " ORDER BY version", r -> new ModelVersion(r.getInt(1), r.getInt(2), r.getString(3), r.getString(4)),
                projectId);
    }

    // ---- jobs ----

    public synchronized Job addJob(String id, long projectId, String kind, long total, String owner) {
        update("create job", "INSERT INTO jobs (id, project_id, kind, state, total, done, created, owner) VALUES"
                + " (?, ?, ?, 'queued', ?, 0, ?, ?)", id, projectId, kind, total, now(), owner);
        return job(id).orElseThrow();
    }

    public synchronized void updateJob(String id, String state, long done, String error) {
        boolean finished = !state.equals("queued") && !state.equals("running");
        update("update job", "UPDATE jobs SET state = ?, done = ?, error = ?, finished = ? WHERE id = ?", state, done,
                error, finished ? now() : null, id);
    }

    public Optional<Job> job(String id) {
        return one("find job", "SELECT id, project_id, kind, state, total, done, created, finished, error, owner"
                + " FROM jobs WHERE id = ?", Store::job, id);
    }

    public List<Job> jobs(long projectId) {
        return list("list jobs", "SELECT id, project_id, kind, state, total, done, created, finished, error, owner"
                + " FROM jobs WHERE project_id = ? ORDER BY created", Store::job, projectId);
    }

    private static Job job(ResultSet r) throws SQLException {
        return new Job(r.getString(1), r.getLong(2), r.getString(3), r.getString(4), r.getLong(5), r.getLong(6),
                r.getString(7), r.getString(8), r.getString(9), r.getString(10));
    }

    /** Appends result lines of a job, numbered from {@code firstSeq}, with its progress, in one commit. */
    public synchronized void addJobResults(String jobId, long firstSeq, List<String> lines) {
        transaction("store job results", () -> {
            try (PreparedStatement p = connection.prepareStatement(
                    "INSERT INTO job_results (job_id, seq, line) VALUES (?, ?, ?)")) {
                long seq = firstSeq;
                for (String line : lines) {
                    bind(p, jobId, seq++, line);
                    p.addBatch();
                }
                p.executeBatch();
            }
            try (PreparedStatement p = connection.prepareStatement("UPDATE jobs SET done = ? WHERE id = ?")) {
                bind(p, firstSeq + lines.size(), jobId);
                p.executeUpdate();
            }
            return null;
        });
    }

    public List<String> jobResults(String jobId, long offset, int limit) {
        return list("read job results", "SELECT line FROM job_results WHERE job_id = ? AND seq >= ? ORDER BY seq LIMIT ?",
                r -> r.getString(1), jobId, offset, limit);
    }

    // ---- plumbing ----

    @FunctionalInterface
    private interface RowMapper<T> {
        T map(ResultSet r) throws SQLException;
    }

    @FunctionalInterface
    private interface Work<T> {
        T run() throws SQLException;
    }

    private <T> T transaction(String what, Work<T> work) {
        try {
            connection.setAutoCommit(false);
            try {
                T result = work.run();
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            if (isConstraint(e)) {
                throw new DuplicateException(what + ": " + e.getMessage());
            }
            throw new StoreException(what, e);
        }
    }

    private int update(String what, String sql, Object... args) {
        try (PreparedStatement p = connection.prepareStatement(sql)) {
            bind(p, args);
            return p.executeUpdate();
        } catch (SQLException e) {
            if (isConstraint(e)) {
                throw new DuplicateException(what + ": already exists");
            }
            throw new StoreException(what, e);
        }
    }

    private <T> List<T> list(String what, String sql, RowMapper<T> mapper, Object... args) {
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

    private <T> Optional<T> one(String what, String sql, RowMapper<T> mapper, Object... args) {
        List<T> found = list(what, sql, mapper, args);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    private int count(String sql, Object... args) throws SQLException {
        try (PreparedStatement p = connection.prepareStatement(sql)) {
            bind(p, args);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getInt(1) : 0;
            }
        }
    }

    private static void bind(PreparedStatement p, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            p.setObject(i + 1, args[i]);
        }
    }

    private static boolean isConstraint(SQLException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("UNIQUE constraint") || m.contains("PRIMARY KEY constraint");
    }

    private static String now() {
        return Instant.now().toString();
    }

    static String json(List<String> labels) {
        try {
            return JSON.writeValueAsString(labels);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> parse(String json) {
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
            connection.close();
        } catch (SQLException e) {
            throw new StoreException("close the database", e);
        }
    }
}
