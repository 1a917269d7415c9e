package quarry.project;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import quarry.core.Document;
import quarry.core.DomainException;
import quarry.core.Home;
import quarry.core.QuarryException;
import quarry.data.DocumentImporter;
import quarry.data.ImportException;
import quarry.data.ImportFormat;
import quarry.data.ImportOptions;
import quarry.encode.CachingEncoder;
import quarry.encode.EncoderOptions;
import quarry.encode.Encoders;
import quarry.store.Arrivals;
import quarry.store.Database;
import quarry.store.Documents;
import quarry.store.Records;
import quarry.store.Records.Label;
import quarry.store.Records.Project;
import quarry.store.Store;

/**
 * A workspace folder: the database, each project's models and index, and the threads that embed,
 * train and run jobs. One trainer thread serves every project (libtorch allows one gradient
 * recorder at a time), so a retrain never competes with another for the two cores.
 */
public final class Workspace implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Workspace.class);
    public static final int MAX_LABELS = 1000;
    public static final String DEMO = "demo";
    /** Joins a document's labels in one CSV cell (exports, imports). */
    public static final String LABEL_SEPARATOR = "|";

    private final Path dir;
    private final Store store;
    private final Access access;
    private final Map<String, CachingEncoder> encoders = new ConcurrentHashMap<>();
    private final Map<String, ProjectSession> projects = new ConcurrentHashMap<>();
    private final ExecutorService trainer = Executors.newSingleThreadExecutor(named("quarry-trainer"));
    private final ExecutorService embedder = Executors.newSingleThreadExecutor(named("quarry-embedder"));
    private final java.util.concurrent.ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(named("quarry-scheduler"));
    private final PredictionJobs jobs;
    private final FineTuneJobs fineTunes;
    private final JobWatch jobWatch;
    private String firstAdminToken;
    private volatile boolean closed;
    /** Held while this workspace is open: one server per folder (see {@link #lockFolder}). */
    private final java.nio.channels.FileChannel folderLock;

    private Workspace(Path dir, String database) {
        this.dir = checkWritable(dir.toAbsolutePath());
        this.folderLock = lockFolder(this.dir);
        Store opened;
        try {
            opened = new Store(Database.open(database, this.dir));
        } catch (RuntimeException e) {
            closeQuietly(folderLock);
            throw e;
        }
        this.store = opened;
        this.access = new Access(store);
        this.jobs = new PredictionJobs(this, this.dir.resolve("jobs"));
        this.fineTunes = new FineTuneJobs(this);
        this.jobWatch = new JobWatch(store.jobs(), () -> {
            List<String> held = new ArrayList<>(jobs.held());
            held.addAll(fineTunes.held());
            return held;
        }, TimeUnit.SECONDS.toNanos(JobWatch.SILENT_SECONDS));
    }

    /**
     * Opens (or creates) a workspace. On first start it creates an admin token, and with
     * {@code demo} a demo project.
     */
    public static Workspace open(Path dir, boolean demo) {
        return open(dir, demo, null);
    }

    /**
     * Opens a workspace whose database is the PostgreSQL database at {@code database}, or the
     * workspace's own SQLite file when it is null. The folder keeps the models and indexes either way.
     */
    public static Workspace open(Path dir, boolean demo, String database) {
        Workspace w = new Workspace(dir, database);
        try {
            w.removeLeftovers();
            if (!w.access.hasTokens()) {
                try {
                    w.firstAdminToken = w.access.create("admin", Access.Role.ADMIN);
                } catch (quarry.store.DuplicateException e) {
                    // Another server on the database, starting at the same moment, made it first.
                }
            }
            for (Project p : w.store.projects().list()) {
                w.start(p);
            }
            w.jobs.recover();
            if (demo && w.store.projects().list().isEmpty()) {
                w.createDemo();
            }
            if (w.store.database().shared()) {
                w.scheduler.scheduleWithFixedDelay(w::followOthers, FOLLOW_SECONDS, FOLLOW_SECONDS, TimeUnit.SECONDS);
                w.scheduler.scheduleWithFixedDelay(w::watchJobs, 0, JobWatch.BEAT_SECONDS, TimeUnit.SECONDS);
            }
            return w;
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
    }

    /**
     * Refuses to start over a workspace that cannot be written: every label would fail. Said at
     * start-up, in words, rather than as an error on the first label.
     */
    private static Path checkWritable(Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-check-", ".tmp");
            Files.delete(probe);
            return dir;
        } catch (IOException e) {
            throw new QuarryException("the workspace " + dir + " cannot be written (" + e.getMessage() + "): labels"
                    + " could not be saved; free space or fix its permissions, or choose another with --data-dir", e);
        }
    }

    private static final int FOLLOW_SECONDS = 2;

    /**
     * Keeps up with the other servers on a shared database: projects they created or deleted, and
     * tokens they made or deleted. Each project follows its own labels and models ({@link Peers}).
     */
    /** See {@link JobWatch}: on a shared database, beat for this server's jobs and fail the dead servers'. */
    private void watchJobs() {
        try {
            for (String id : jobWatch.tick(System.nanoTime())) {
                LOG.warn("job {} failed: the server that ran it stopped beating for {} s", id, JobWatch.SILENT_SECONDS);
            }
        } catch (RuntimeException e) {
            // The next tick tries again; a scheduled task that throws would never run again.
            LOG.warn("cannot watch jobs: {}", e.getMessage());
        }
    }

    private void followOthers() {
        try {
            access.reload();
            List<Project> stored = store.projects().list();
            java.util.Set<String> names = new java.util.HashSet<>();
            for (Project p : stored) {
                names.add(p.name());
                synchronized (this) {
                    if (!projects.containsKey(p.name()) && !changing.contains(p.name())) {
                        LOG.info("project {} was created on another server: serving it here too", p.name());
                        start(p);
                    }
                }
            }
            for (String name : List.copyOf(projects.keySet())) {
                ProjectSession gone = projects.get(name);
                if (!names.contains(name) && gone != null && !changing.contains(name)) {
                    LOG.info("project {} was deleted on another server", name);
                    projects.remove(name);
                    fineTunes.stop(gone);
                    gone.close();
                    deleteTree(projectDir(gone.project()));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("cannot follow the other servers' projects: {}", e.getMessage());
        }
    }

    /** Names of projects being created or deleted here, which {@link #followOthers} leaves alone. */
    private final java.util.Set<String> changing = ConcurrentHashMap.newKeySet();

    /**
     * Refuses a folder that another server has open: two servers writing one project's index and
     * models would spoil both. Several servers on one database each need a folder of their own.
     */
    static java.nio.channels.FileChannel lockFolder(Path dir) {
        Path file = dir.resolve("workspace.lock");
        java.nio.channels.FileChannel channel = null;
        try {
            channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE);
            java.nio.channels.FileLock held;
            try {
                held = channel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                held = null; // open in this process already
            }
            if (held == null) {
                throw new QuarryException("the workspace " + dir + " is in use by another Quarry server; stop it, or"
                        + " give this one a folder of its own with --data-dir (several servers on one database each"
                        + " need their own)");
            }
            return channel;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new QuarryException("cannot lock the workspace " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    static void closeQuietly(java.nio.channels.FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // it was only a lock
            }
        }
    }

    /** Uploads cut short by a crash: nothing reads them any more (an import is all-or-nothing). */
    private void removeLeftovers() {
        Path uploads = dir.resolve("uploads");
        if (Files.isDirectory(uploads)) {
            try (Stream<Path> left = Files.list(uploads)) {
                left.forEach(Workspace::deleteTree);
            } catch (IOException e) {
                LOG.warn("cannot clean up {}: {}", uploads, e.getMessage());
            }
        }
    }

    /** The admin token created on this start, or null when the workspace already had tokens. */
    public String firstAdminToken() {
        return firstAdminToken;
    }

    public Path dir() {
        return dir;
    }

    public Store store() {
        return store;
    }

    public Access access() {
        return access;
    }

    public PredictionJobs jobs() {
        return jobs;
    }

    public FineTuneJobs fineTunes() {
        return fineTunes;
    }

    /** Creates a token (for the CLI and tests). */
    /** Creates a token (for the CLI, benchmarks and tests), a member of the projects named. */
    public String createToken(String name, String role, String... projects) {
        for (String p : projects) {
            project(p);
        }
        String token = access.create(name, Access.Role.valueOf(role.toUpperCase()));
        for (String p : projects) {
            addMember(p, name);
        }
        return token;
    }

    public List<ProjectSession> projects() {
        List<ProjectSession> out = new ArrayList<>(projects.values());
        out.sort(Comparator.comparingLong(p -> p.project().id()));
        return out;
    }

    /**
     * A project as {@code caller} may see it: admins see every project, others only those they are
     * members of; to anyone else it does not exist (the same 404, so names are not given away).
     */
    public ProjectSession project(String name, Access.Caller caller) {
        ProjectSession p = project(name);
        if (caller != null && caller.role() != Access.Role.ADMIN
                && !store.tokens().isMember(p.project().id(), caller.name())) {
            throw new DomainException.NotFound("no project '" + name + "'");
        }
        return p;
    }

    /** The projects {@code caller} may see (see {@link #project(String, Access.Caller)}). */
    public List<ProjectSession> projects(Access.Caller caller) {
        return projects().stream().filter(p -> caller.role() == Access.Role.ADMIN
                || store.tokens().isMember(p.project().id(), caller.name())).toList();
    }

    /** Makes a token a member of a project (admins manage membership). */
    public List<String> addMember(String project, String token) {
        ProjectSession p = project(project);
        if (store.tokens().list().stream().noneMatch(t -> t.name().equals(token))) {
            throw new DomainException.NotFound("no token named '" + token + "'");
        }
        store.tokens().addMember(p.project().id(), token);
        return store.tokens().members(p.project().id());
    }

    public List<String> removeMember(String project, String token) {
        ProjectSession p = project(project);
        if (!store.tokens().removeMember(p.project().id(), token)) {
            throw new DomainException.NotFound("'" + token + "' is not a member of project '" + project + "'");
        }
        return store.tokens().members(p.project().id());
    }

    public List<String> members(String project) {
        return store.tokens().members(project(project).project().id());
    }

    public ProjectSession project(String name) {
        ProjectSession p = projects.get(name);
        if (p == null) {
            throw new DomainException.NotFound("no project '" + name + "'");
        }
        return p;
    }

    private static final java.util.regex.Pattern PROJECT_NAME = java.util.regex.Pattern.compile(
            "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    /** Whether {@code name} is one a project may have: what creating one checks, and what metrics label by. */
    public static boolean isProjectName(String name) {
        return name != null && PROJECT_NAME.matcher(name).matches();
    }

    /** Whether the workspace is open: false once {@link #close} has begun. */
    public boolean isOpen() {
        return !closed;
    }

    /** Creates a project with its label schema. */
    public ProjectSession createProject(String name, boolean multiLabel, String encoder, List<Label> labels,
            ProjectSettings settings) {
        if (!isProjectName(name)) {
            throw new DomainException.InvalidInput("project name must be 1-64 letters, digits, _ . - (starting with a letter or"
                    + " digit), got '" + name + "'");
        }
        if (labels == null || labels.size() < 2 || labels.size() > MAX_LABELS) {
            throw new DomainException.InvalidInput("a label schema needs 2 to " + MAX_LABELS + " labels, got "
                    + (labels == null ? 0 : labels.size()));
        }
        TreeSet<String> seen = new TreeSet<>();
        for (Label l : labels) {
            if (l.name() == null || l.name().isBlank() || l.name().length() > 200) {
                throw new DomainException.InvalidInput("label " + (l.index() + 1) + " has an empty or over-long name");
            }
            if (l.name().chars().anyMatch(Character::isISOControl)) {
                throw new DomainException.InvalidInput("label " + (l.index() + 1) + " holds a control character");
            }
            // '|' joins a document's labels in CSV exports: a label holding it would not round-trip.
            if (l.name().contains(LABEL_SEPARATOR)) {
                throw new DomainException.InvalidInput("label '" + l.name() + "' holds '" + LABEL_SEPARATOR
                        + "', which separates labels in CSV files");
            }
            if (!seen.add(l.name())) {
                throw new DomainException.InvalidInput("label '" + l.name() + "' appears twice in the schema");
            }
        }
        String encoderName = encoder == null ? Encoders.DEFAULT : encoder;
        Encoders.find(Encoders.modelsDir(), encoderName); // names the installed encoders when unknown
        ProjectSettings complete = ProjectSettings.forNewProject(settings, multiLabel);
        if (projects.containsKey(name)) {
            throw new DomainException.Conflict("a project named '" + name + "' exists already");
        }
        changing.add(name);
        try {
            Project p = store.projects().create(name, multiLabel, encoderName, labels, Json.write(complete));
            try {
                synchronized (this) {
                    return start(p);
                }
            } catch (RuntimeException e) {
                store.projects().delete(p.id()); // a project that cannot run is not kept half-made
                throw e;
            }
        } finally {
            changing.remove(name);
        }
    }

    private ProjectSession start(Project p) {
        ProjectSession runtime = new ProjectSession(p, store, encoder(p.encoder()), projectDir(p),
                indexDir(p, p.encoder()), trainer, embedder, scheduler);
        projects.put(p.name(), runtime);
        runtime.embedPending();
        return runtime;
    }

    /** Encoders fine-tuned for this workspace's projects: {@code encoders/<name>/}. */
    Path tunedEncoders() {
        return dir.resolve("encoders");
    }

    private boolean isTuned(String encoder) {
        return Files.isDirectory(tunedEncoders().resolve(encoder));
    }

    /** An encoder by name, opened once per workspace: one fine-tuned here, or one installed in the models folder. */
    CachingEncoder encoder(String name) {
        return encoders.computeIfAbsent(name, n -> CachingEncoder.open(Encoders.find(isTuned(n) ? tunedEncoders()
                : Encoders.modelsDir(), n), EncoderOptions.DEFAULTS, Home.cacheDir()));
    }

    /** Closes and forgets an encoder no project uses (a fine-tune that did not land). */
    void forgetEncoder(String name) {
        CachingEncoder e = encoders.remove(name);
        if (e != null) {
            e.close();
        }
    }

    /**
     * A project's vector index folder: {@code index} for an installed encoder, one per fine-tuned
     * encoder beside it, so a fine-tune builds its index while the old one serves.
     */
    Path indexDir(Project p, String encoder) {
        return projectDir(p).resolve(isTuned(encoder) ? "index-" + encoder : "index");
    }

    private Path projectDir(Project p) {
        return dir.resolve("projects").resolve(Long.toString(p.id()));
    }

    public void deleteProject(String name) {
        ProjectSession p = project(name);
        changing.add(name);
        try {
            fineTunes.stop(p);
            projects.remove(name);
            p.close();
            store.projects().delete(p.project().id());
            deleteTree(projectDir(p.project()));
        } finally {
            changing.remove(name);
        }
    }

    /**
     * Imports a JSONL or CSV file into a project: checked in full first, then stored in one
     * transaction (all rows or none), then embedded in the background.
     *
     * @return documents added
     */
    public int importDocuments(ProjectSession p, Path file) throws ImportException, IOException {
        return importDocuments(p, file, ImportFormat.AUTO);
    }

    /**
     * Imports a file of the given format (AUTO: by extension) as {@link #importDocuments(ProjectSession, Path)}
     * does. The interchange formats (Label Studio, Argilla, Prodigy) keep who gave each label and when.
     */
    public int importDocuments(ProjectSession p, Path file, ImportFormat format) throws ImportException, IOException {
        // A single-label project takes exactly one label per labeled row: an empty or longer list is
        // a problem of its file and line, found before anything is stored.
        ImportOptions options = ImportOptions.defaults().withLabelSchema(p.project().labelNames())
                .withSingleLabel(!p.project().multiLabel()).withFormat(format);
        int added;
        try {
            // stream() checks the whole file (every problem, by line and field) before the sink sees a
            // row; the rows then go into one transaction, the store never holding more than a batch.
            // After the first documents every import is an arrival batch, measured for drift once embedded.
            Documents.AttributedSource source = sink -> DocumentImporter.streamAttributed(file, options, sink);
            added = store.documents().count(p.project().id()) == 0
                    ? store.documents().addAttributed(p.project().id(), source, "import")
                    : store.arrivals().addAttributed(p.project().id(), source, "import", Arrivals.Source.IMPORT)
                            .documents();
        } catch (Store.SourceException e) {
            if (e.getCause() instanceof ImportException ie) {
                throw ie;
            }
            throw e;
        }
        p.labelsImported();
        p.embedPending();
        return added;
    }

    /** What a label from another tool did: labeled a document of the pool, or added it labeled. */
    public enum Outside { ANNOTATED, ADDED, IGNORED }

    /**
     * A label given in another tool (Label Studio's webhook): the document's annotation when it is
     * in the pool, else the document is added with it, so the model learns from it either way. A
     * skip ({@code labels} null) of a document the pool lacks changes nothing.
     */
    public Outside labelFromOutside(ProjectSession p, String annotator, String id, String text, List<String> labels,
            String requestId) {
        if (store.documents().find(p.project().id(), id).isPresent()) {
            p.annotate(annotator, id, labels, requestId);
            return Outside.ANNOTATED;
        }
        if (labels == null) {
            return Outside.IGNORED;
        }
        if (text == null || text.isBlank()) {
            throw new DomainException.InvalidInput("bad_request", "document '" + id + "' is not in project '"
                    + p.project().name() + "' and the task carries no text to add it with", Map.of("field", "data.text"));
        }
        List<String> clean = p.labels().check(labels);
        try {
            store.documents().add(p.project().id(), sink -> sink.accept(new Document(id, text, clean, true)), annotator);
        } catch (quarry.store.DuplicateException e) {
            // The same task's label raced in on another request, which added the document first.
            p.annotate(annotator, id, labels, requestId);
            return Outside.ANNOTATED;
        }
        p.labelsImported();
        p.embedPending();
        return Outside.ADDED;
    }

    /**
     * Stores a streamed NDJSON file as one arrival batch, all or nothing, checked line by line as
     * an import is; then embeds it (its drift report follows the next retrain).
     */
    public Views.Arrived importArrivals(ProjectSession p, Path file) throws ImportException, IOException {
        ImportOptions options = ImportOptions.defaults().withFormat(quarry.data.ImportFormat.JSONL)
                .withLabelSchema(p.project().labelNames()).withSingleLabel(!p.project().multiLabel());
        Records.Arrival batch;
        try {
            batch = store.arrivals().add(p.project().id(), sink -> DocumentImporter.stream(file, options, sink),
                    "import", Arrivals.Source.STREAM);
        } catch (Store.SourceException e) {
            if (e.getCause() instanceof ImportException ie) {
                throw ie;
            }
            throw e;
        }
        p.labelsImported();
        p.embedPending();
        return new Views.Arrived(batch.id(), batch.documents(), store.documents().count(p.project().id()),
                p.embedding());
    }

    private void createDemo() {
        Path file = Encoders.modelsDir().resolveSibling("data").resolve("demo.jsonl");
        try {
            List<Document> docs = DocumentImporter.read(file, ImportOptions.defaults()).documents();
            List<String> names = new ArrayList<>(new TreeSet<>(docs.stream().map(d -> d.labels().get(0)).toList()));
            List<Label> labels = new ArrayList<>();
            for (String n : names) {
                labels.add(new Label(labels.size(), n, null));
            }
            ProjectSession p = createProject(DEMO, false, Encoders.DEFAULT, labels, ProjectSettings.DEFAULTS);
            // One seed label per class; everything else waits for an annotator.
            TreeSet<String> seeded = new TreeSet<>();
            List<Document> pool = new ArrayList<>();
            for (Document d : docs) {
                boolean seed = seeded.add(d.labels().get(0));
                pool.add(seed ? d : Document.unlabeled(d.id(), d.text()));
            }
            store.documents().add(p.project().id(), pool::forEach, "seed");
            p.labelsImported();
            p.embedPending();
            LOG.info("created the demo project: {} documents, {} labels, {} seed labels", pool.size(), names.size(),
                    seeded.size());
        } catch (ImportException | IOException e) {
            LOG.warn("no demo project: cannot read {}: {}", file, e.getMessage());
        }
    }

    static void deleteTree(Path root) {
        try {
            quarry.core.Trees.delete(root);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", root, e.getMessage());
        }
    }

    private static java.util.concurrent.ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        closed = true;
        jobs.close();
        fineTunes.close();
        for (ProjectSession p : projects.values()) {
            p.close();
        }
        projects.clear();
        scheduler.shutdownNow();
        trainer.shutdown();
        embedder.shutdownNow();
        try {
            trainer.awaitTermination(30, TimeUnit.SECONDS);
            embedder.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (CachingEncoder e : encoders.values()) {
            e.close();
        }
        try {
            store.close();
        } finally {
            closeQuietly(folderLock); // last: the folder is free once nothing here writes to it
        }
    }
}
