package quarry.project;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import quarry.bundle.BundleManifest;
import quarry.bundle.ModelBundle;
import quarry.eval.AcceptThreshold;
import quarry.core.DomainException;
import quarry.core.Pick;
import quarry.core.Progress;
import quarry.core.Vectors;
import quarry.eval.CostAccounting;
import quarry.eval.PoolEstimate;
import quarry.encode.CachingEncoder;
import quarry.core.Neighbor;
import quarry.loop.ActiveLoop;
import quarry.loop.LoopSettings;
import quarry.loop.RoundReport;
import quarry.loop.StopRound;
import quarry.model.Head;
import quarry.model.RuntimeVersions;
import quarry.store.DuplicateException;
import quarry.store.Records.Annotation;
import quarry.store.Records.Doc;
import quarry.store.Records.MachineLabel;
import quarry.store.Records.Project;
import quarry.store.Store;

/**
 * One project at work, and the only object that holds its state in memory: the label book, the
 * pool (vectors and index), the queue and its leases, the loop with its background retrainer, and
 * the model versions. Labels are committed to the store before anything else sees them; rounds run
 * on the trainer thread and never block labeling; the loop grows in place as documents arrive.
 */
public final class ProjectSession implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectSession.class);
    private static final int EMBED_CHUNK = 1024;
    private static final int TOP = 5;
    private static final int NEIGHBOURS = 3;
    /**
     * How many queue batches one ranking holds. Annotators use the ranking up between retrains; a
     * deeper one keeps handing out the model's next best picks (still kept diverse) instead of
     * running dry while a round trains.
     */
    static final int RANK_DEPTH = 10;
    /** An annotation as stored, and whether this request stored it (false: a replayed request id). */
    public record Annotated(Annotation annotation, boolean stored) {
    }

    private final Project project;
    /** Replaced whole when the machine-label settings change; the loop's settings never do. */
    private volatile ProjectSettings settings;
    private final LoopSettings loopSettings;
    private final Store store;
    /**
     * The encoder and the pool it embedded. A fine-tune replaces both at once ({@link #adopt});
     * until the first model on the new ones is published, the previous pair still serves the
     * previous model, so a prediction never mixes one encoder's vectors with another's head.
     */
    private record Space(CachingEncoder encoder, Pool pool) {
    }

    private volatile Space space;
    private volatile Space previous;
    /** Pools replaced by a fine-tune, closed a while after (or when the project closes). */
    private final Set<Pool> retiring = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final int RETIRE_SECONDS = 60;
    private final ExecutorService trainer;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService embedder;
    private final LabelBook labels;
    /** Rows imported to the head of the queue (picked elsewhere: a Spark scoring job), in order. */
    private final List<Integer> imported = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final MachineBook machine;
    private final MachineLabeler machineLabeler;
    private final LeaseQueue queue;
    private final ModelVersions versions;
    private final Retrainer retrainer;
    /** Other servers on the same database (see {@link Peers}); idle over SQLite. */
    private final Peers peers;
    private final SuspectReview suspects;
    private final Overlaps overlaps;
    private final Agreement agreement;
    private final ArrivalReports arrivals;
    private volatile Views.Embedding embedding = new Views.Embedding("idle", 0, 0, null);
    private volatile String trainingError;
    private volatile Views.Stage stage = Views.Stage.IDLE;
    private volatile boolean forceVersion;
    private volatile boolean closed;
    /** For {@link #operations()}: counted here because this session is where labels and rounds happen. */
    private final java.util.concurrent.atomic.AtomicLong labelsStored = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong retrains = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong retrainNanos = new java.util.concurrent.atomic.AtomicLong();

    // Written by the trainer thread only; read by stopHistory().
    private volatile ActiveLoop loop;

    ProjectSession(Project project, Store store, CachingEncoder encoder, Path dir, Path indexDir, ExecutorService trainer,
            ExecutorService embedder, ScheduledExecutorService scheduler) {
        this.project = project;
        this.settings = ProjectSettings.fromJson(project.settings());
        this.loopSettings = settings.loopSettings();
        this.store = store;
        this.trainer = trainer;
        this.scheduler = scheduler;
        this.embedder = embedder;
        long since = Peers.since(store, project.id()); // [several servers] before the labels are read
        this.labels = new LabelBook(project.name(), project.labelNames(), project.multiLabel(),
                store.annotations().currentLabels(project.id()));
        List<MachineLabel> machineLabels = new ArrayList<>();
        store.machineLabels().forEach(project.id(), true, machineLabels::add);
        this.machine = new MachineBook(labels, machineLabels);
        this.overlaps = new Overlaps(project.id(), store.annotations(), settings);
        overlaps.reloadAll();
        this.agreement = new Agreement(project.id(), project.name(), settings, store, labels, overlaps);
        this.space = new Space(encoder, new Pool(encoder.dimension(), indexDir));
        LeaseQueue.Reserved reserved = new LeaseQueue.Reserved() {
            @Override
            public boolean held(int row) {
                return machine.held(row);
            }

            @Override
            public List<Integer> first() {
                // audit samples, then the imported picks nobody has labeled yet
                List<Integer> out = new ArrayList<>(machine.first());
                imported.stream().filter(r -> !labels.isLabeled(r) && !machine.held(r)).forEach(out::add);
                return out;
            }
        };
        this.queue = store.database().shared() // [several servers] leases in the database they share
                ? new LeaseQueue(labels, overlaps, reserved, settings.leaseSeconds(), settings.seed(),
                        a -> store.annotations().skippedRows(project.id(), a), store.leases(), project.id())
                : new LeaseQueue(labels, overlaps, reserved, settings.leaseSeconds(), settings.seed(),
                        a -> store.annotations().skippedRows(project.id(), a));
        this.versions = new ModelVersions(dir.resolve("models"), store, project.id(), project.name());
        this.machineLabeler = new MachineLabeler(project, store, labels, machine, this::poolOf, versions, queue);
        this.retrainer = new Retrainer(trainer, scheduler, settings.retrainEvery(), settings.retrainSeconds(),
                this::round);
        // [several servers] follows the others' labels, imports, rankings and models
        this.peers = new Peers(store, project, since, labels, queue, versions,
                h -> h.encoderId().equals(space.encoder().id()), retrainer::labelChanged, overlaps::refresh, () -> {
                    labelsImported();
                    embedPending();
                });
        peers.start(scheduler);
        this.arrivals = new ArrivalReports(project, store, settings.seed());
        this.suspects = new SuspectReview(project.id(), project.name(), store, labels, loopSettings.head(),
                () -> space.pool().view(), () -> space.encoder().id());
    }

    public Project project() {
        return project;
    }

    /** The encoder that embeds this project's documents now. */
    public CachingEncoder encoder() {
        return space.encoder();
    }

    /** The pool whose vectors a head reads: the one embedded by the encoder it was trained on. */
    private Pool poolOf(quarry.model.Head head) {
        return spaceOf(head).pool();
    }

    private Space spaceOf(quarry.model.Head head) {
        Space before = previous;
        return before != null && head.encoderId().equals(before.encoder().id()) ? before : space;
    }

    public ProjectSettings settings() {
        return settings;
    }

    public LabelBook labels() {
        return labels;
    }

    // ---- documents ----

    /** Embeds every document not embedded yet (in the background), then retrains. */
    public void embedPending() {
        // Visible at once, so a client polling after an import never sees the old "done".
        int total = store.documents().count(project.id());
        Pool pool = space.pool();
        if (total > pool.size()) {
            embedding = new Views.Embedding("queued", pool.size(), total, null);
        }
        embedder.submit(this::embedNow);
    }

    private void embedNow() {
        Space s = space; // a fine-tune that lands meanwhile asks for another pass on its own space
        Pool pool = s.pool();
        try {
            int total = store.documents().count(project.id());
            int done = pool.size();
            embedding = new Views.Embedding(done < total ? "running" : "done", done, total, null);
            while (done < total && !closed) {
                List<Doc> docs = store.documents().list(project.id(), done, EMBED_CHUNK);
                int base = done;
                float[][] vectors = s.encoder().encode(docs.stream().map(Doc::text).toList(),
                        (d, t) -> embedding = new Views.Embedding("running", (int) (base + d), total, null));
                pool.append(vectors);
                done += docs.size();
                embedding = new Views.Embedding(done < total ? "running" : "done", done, total, null);
            }
            retrainer.request();
        } catch (RuntimeException e) {
            if (closed) {
                return; // the workspace is closing: an interrupted encode is expected, not a failure
            }
            LOG.error("embedding failed in project {}", project.name(), e);
            embedding = new Views.Embedding("failed", pool.size(), embedding.total(), e.getMessage());
        }
    }

    /** Imported documents may carry labels: take them in from the store. */
    public void labelsImported() {
        overlaps.reloadAll();
        labels.committedAll(store.annotations().currentLabels(project.id()));
        retrainer.request();
    }

    public Views.Embedding embedding() {
        return embedding;
    }

    public int embeddedCount() {
        return space.pool().size();
    }

    public Doc document(String id) {
        return store.documents().find(project.id(), id).orElseThrow(() -> new DomainException.NotFound(
                "no document '" + id + "' in project '" + project.name() + "'"));
    }

    // ---- arrivals: drift reports and the upkeep queue ----

    /** Every arrival batch, oldest first, with its drift report once measured. */
    public List<Views.ArrivalBatch> arrivals() {
        return arrivals.list();
    }

    public Views.ArrivalBatch arrival(long id) {
        return arrivals.get(id);
    }

    /** The {@code n} unlabeled arrivals that best restore accuracy now, by the serving model. */
    public Views.Upkeep upkeep(int n) {
        Views.Upkeep out = versions.withModelVersion((head, version) -> {
            Pool pool = poolOf(head);
            Vectors view = pool.view();
            int[] labeled = Arrays.stream(labels.labeledRows()).filter(r -> r < view.size()).sorted().toArray();
            return arrivals.upkeep(view, head, version, pool.index(), labeled, labels::isLabeled, n);
        });
        if (out == null) {
            throw noModel();
        }
        return out;
    }

    // ---- fine-tuning ----

    /** People's labels as a fine-tune takes them: texts and their one label each, by pool row. */
    record Labeled(List<String> texts, List<String> labels) {
    }

    /** A snapshot of people's labels with their texts (machine labels and "none of these" left out). */
    Labeled peopleLabels() {
        List<String> texts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        labels.snapshot().forEach((row, chosen) -> {
            if (chosen.size() == 1) {
                texts.add(store.documents().find(project.id(), row).orElseThrow().text());
                names.add(chosen.get(0));
            }
        });
        return new Labeled(texts, names);
    }

    /**
     * Moves the project to a fine-tuned encoder whose pool is ready (every document embedded and
     * indexed): on the trainer thread, between rounds, the loop restarts on the new vectors with
     * the same labels, and a new model version is published. The previous encoder and pool serve
     * the previous model until then. Documents imported meanwhile are embedded afterwards.
     *
     * @return the model version published on the new encoder
     */
    java.util.concurrent.Future<Integer> adopt(CachingEncoder encoder, Pool pool) {
        return trainer.submit(() -> {
            previous = space;
            space = new Space(encoder, pool);
            if (loop != null) {
                loop.close();
                loop = null;
            }
            forceVersion = true;
            round();
            embedPending();
            if (trainingError != null) {
                throw new quarry.core.QuarryException("the first model on " + encoder.id() + " failed: " + trainingError);
            }
            return versions.current();
        });
    }

    /**
     * Once a model on the current encoder serves, the previous pool goes: its index closes a minute
     * later (a request may have taken it just before) and its folder is deleted.
     */
    private void retirePrevious() {
        Space before = previous;
        if (before == null) {
            return;
        }
        previous = null;
        retiring.add(before.pool());
        scheduler.schedule(() -> {
            if (retiring.remove(before.pool())) {
                before.pool().close();
                Workspace.deleteTree(before.pool().indexDir());
            }
        }, RETIRE_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
    }

    // ---- rounds (trainer thread) ----

    /** A retrain asked for by a person: it makes a new version even when the labels did not change. */
    public void retrainNow() {
        forceVersion = true;
        retrainer.request();
    }

    private void round() {
        Space s = space;
        Pool pool = s.pool();
        try {
            if (pool.size() == 0) {
                return;
            }
            coldStartBeforeIndex(pool);
            Vectors view = pool.catchUp((d, t) -> stage = new Views.Stage("indexing", d, t),
                    (d, t) -> stage = new Views.Stage("densities", d, t));
            if (!peers.mayTrain()) {
                peers.follow(); // [several servers] another server trains this project: serve its work
                return;
            }
            stage = new Views.Stage("training", 0, 0);
            long trainStart = System.nanoTime();
            if (loop == null) {
                loop = new ActiveLoop(view, labels.names(), labels.multiLabel(), pool.index(), loopSettings,
                        s.encoder().id());
            } else if (view.size() > loop.pool().size()) {
                loop.grow(view);
            }
            Map<Integer, List<String>> snapshot = labels.snapshot();
            int peopleLabels = snapshot.size();
            Set<Integer> machineRows = trainingMachineLabels(snapshot);
            Map<Integer, int[]> classes = new HashMap<>();
            snapshot.forEach((row, names) -> {
                if (row < view.size()) {
                    classes.put(row, labels.indexes(names));
                }
            });
            loop.relabel(classes, machineRows);
            // What is picked first, and handed out at once; the report below never holds the queue up.
            ActiveLoop.Ranked ranked = loop.rank(RANK_DEPTH * settings.queueSize());
            Head head = loop.head();
            queue.rank(ranking(ranked.picks(), peopleLabels, head, loop.pool()));
            peers.ranked(ranked.picks(), peopleLabels); // [several servers] for the others to serve
            // Cross-validation only when the retrainer says so: it must not hold the next ranking back.
            long start = System.nanoTime();
            boolean estimate = retrainer.estimateDue(ranked.labelsUsed());
            stage = new Views.Stage("assessing", 0, 0);
            RoundReport round = loop.assess(ranked, estimate);
            if (estimate) {
                retrainer.estimated(start, ranked.labelsUsed());
            }
            // A new version only when the labels changed: a re-rank over a grown pool is not a new model.
            // The mark is the serving version's labels hash, so a save that failed is tried again next round.
            String hash = LabelBook.hash(snapshot);
            if (head != null && loop.labeledCount() > 0 && (forceVersion || !hash.equals(versions.lastLabelsHash()))) {
                Views.Provenance provenance = provenance(head, classes.size(), hash, s.encoder());
                String coverage = coverage(classes.values());
                versions.publish(head, version -> report(version, round, estimate, provenance, coverage));
                forceVersion = false;
                retirePrevious();
            }
            retrainNanos.addAndGet(System.nanoTime() - trainStart);
            retrains.incrementAndGet();
            if (head != null) {
                stage = new Views.Stage("drift", 0, 0);
                arrivals.measure(view, head, versions.current(), pool.index(),
                        classes.keySet().stream().mapToInt(Integer::intValue).sorted().toArray());
            }
            trainingError = null;
        } catch (RuntimeException e) {
            LOG.error("retraining failed in project {}", project.name(), e);
            trainingError = e.getMessage();
        } finally {
            stage = Views.Stage.IDLE;
        }
    }

    /**
     * Adds the machine labels that stand to a snapshot of people's labels when the project trains on
     * them (never over a person's label), and returns their rows; none otherwise.
     */
    private Set<Integer> trainingMachineLabels(Map<Integer, List<String>> snapshot) {
        if (!settings.trainOnMachineLabels()) {
            return Set.of();
        }
        Set<Integer> added = new HashSet<>();
        machine.standing().forEach((row, names) -> {
            if (snapshot.putIfAbsent(row, names) == null) {
                added.add(row);
            }
        });
        return added;
    }

    /**
     * A fresh pool's first ranking, before the vector index is built (tens of seconds on a big
     * import): the cold start needs only the vectors, so annotators get representative documents
     * instead of a random order while the index catches up.
     */
    private void coldStartBeforeIndex(Pool pool) {
        if (loop != null || labels.count() > 0 || !queue.ranking().picks().isEmpty()) {
            return;
        }
        stage = new Views.Stage("cold start", 0, 0);
        List<Pick> picks = ActiveLoop.coldStart(pool.view(), loopSettings);
        queue.rank(ranking(picks, 0, null, null));
    }

    private Views.Provenance provenance(Head head, int labelCount, String hash, CachingEncoder encoder) {
        int parent = head.training().warmStarted() ? versions.current() : 0;
        return new Views.Provenance(parent, labelCount, hash, encoder.id(), encoder.fingerprint(), settings.seed(),
                settings, RuntimeVersions.current(), java.time.Instant.now().toString());
    }

    private LeaseQueue.Ranking ranking(List<Pick> picks, int labelsUsed, Head head, Vectors view) {
        Map<Integer, Pick> byRow = new HashMap<>();
        for (Pick p : picks) {
            byRow.put(p.row(), p);
        }
        Map<Integer, Views.TextPrediction> predictions = new HashMap<>();
        if (head != null && !picks.isEmpty()) {
            int[] rows = picks.stream().mapToInt(Pick::row).toArray();
            float[][] probs = head.probabilities(view, rows);
            for (int i = 0; i < rows.length; i++) {
                predictions.put(rows[i], prediction(head, null, probs[i]));
            }
        }
        return new LeaseQueue.Ranking(picks, byRow, predictions, labelsUsed);
    }

    /**
     * How much of the schema the labels cover, in words, when they do not cover it all: the model
     * cannot predict a label it never saw, and every estimate is over the labels seen only.
     */
    private String coverage(java.util.Collection<int[]> labeled) {
        long seen = labeled.stream().flatMapToInt(java.util.Arrays::stream).distinct().count();
        int all = labels.names().size();
        if (seen >= all) {
            return null;
        }
        return (all - seen) + " of " + all + " labels have no example yet: the model cannot predict them, and the"
                + " accuracy estimate and the safe-to-accept threshold cover only the " + seen + " labels seen.";
    }

    private Views.Report report(int version, RoundReport round, boolean estimated, Views.Provenance provenance,
            String coverage) {
        Views.Report last = versions.lastReport();
        if (!estimated && last != null && last.estimateVersion() != null) {
            // Skipped to keep up with the annotators: the last estimates stand, and say whose they are.
            String note = "Cross-validated figures of version " + last.estimateVersion() + ": while labels keep"
                    + " coming, cross-validation runs only every few rounds, so that it never holds the queue up. The"
                    + " pool estimate is this version's, through that version's calibration.";
            PoolEstimate onPool = round.poolEstimate() != null ? round.poolEstimate() : last.poolEstimate();
            return new Views.Report(version, round.labelsUsed(), round.strategy(), round.trainSeconds(),
                    round.selectSeconds(), last.estimatedAccuracy(), note, onPool, last.estimateVersion(),
                    last.weakestClasses(), last.safeToAccept(), round.stop(), coverage, provenance);
        }
        List<Views.ClassF1> weakest = round.weakestClasses().stream()
                .map(c -> new Views.ClassF1(labels.name(c.cls()), c.precision(), c.recall(), c.f1(), c.support()))
                .toList();
        boolean any = !Double.isNaN(round.estimatedAccuracy());
        String note = !any ? "Not estimated yet (too few labels, or multi-label)."
                : loopSettings.cvFolds() + "-fold cross-validation on the labels alone. Active learning labels the"
                        + " hard documents, so this runs well below the accuracy on the pool; the pool estimate"
                        + " weighs documents as the pool has them.";
        return new Views.Report(version, round.labelsUsed(), round.strategy(), round.trainSeconds(),
                round.selectSeconds(), any ? round.estimatedAccuracy() : null, note, round.poolEstimate(),
                any ? version : null, weakest, round.safeToAccept(), round.stop(), coverage, provenance);
    }

    public Views.ModelStatus modelStatus() {
        int rankedAt = queue.ranking().labelsAtRanking();
        return new Views.ModelStatus(versions.current(), retrainer.busy(), labels.count(), retrainer.pending(),
                retrainer.retrainEvery(), trainingError, stage, rankedAt < 0 ? null : labels.count() - rankedAt);
    }

    /** [several servers] Whether this server trains the project; the others serve its rankings and models. */
    public boolean trainsHere() {
        return peers.training();
    }

    public Views.Report lastReport() {
        return versions.lastReport();
    }

    /** What the stopping criteria have seen so far, round by round (empty before the first round). */
    public List<StopRound> stopHistory() {
        ActiveLoop l = loop;
        return l == null ? List.of() : l.stopHistory();
    }

    /** Every saved version, oldest first, with its report and provenance. */
    public List<Views.Version> versions() {
        return store.models().list(project.id()).stream().map(m -> new Views.Version(m.version(), m.labelsUsed(), m.created(),
                Json.readStored(m.report(), Views.Report.class))).toList();
    }

    public int labelCount() {
        return labels.count();
    }

    /** Counters and sizes an operator watches, each cheap to read (no database query). */
    public Views.Operations operations() {
        int embedded = space.pool().size();
        int ranked = (int) queue.ranking().picks().stream().filter(p -> !labels.isLabeled(p.row())).count();
        int labeledRows = labels.count();
        return new Views.Operations(labelsStored.get(), versions.current(), Math.max(0, embedded - labeledRows),
                ranked, embedding, retrains.get(), retrainNanos.get() / 1e9);
    }

    /**
     * The learning curve: every version with an estimate of its own, oldest first (a version that
     * carried an earlier one's estimates forward adds no point).
     */
    public List<Views.CurvePoint> learningCurve() {
        List<Views.CurvePoint> curve = new ArrayList<>();
        for (Views.Version v : versions()) {
            Views.Report r = v.report();
            boolean own = r.estimateVersion() == null ? r.estimatedAccuracy() != null : r.estimateVersion() == v.version();
            if (r.estimatedAccuracy() != null && own) {
                curve.add(new Views.CurvePoint(v.version(), v.labelsUsed(), r.estimatedAccuracy(), r.poolEstimate()));
            }
        }
        return curve;
    }

    // ---- cost ----

    /**
     * What labeling this project cost and saved ({@link CostAccounting#live}): people's annotations
     * with their measured time on item, the cost settings, and the project's own curve of estimated
     * accuracy: on the unlabeled pool when the latest version has that estimate (the one to decide
     * by), else cross-validated on the labels.
     */
    public CostAccounting.Report cost() {
        int[] counts = new int[2];
        List<Double> seconds = new ArrayList<>();
        store.annotations().forEach(project.id(), a -> {
            if (!Annotation.IMPORT.equals(a.kind())) { // imported labels were paid for elsewhere
                counts[0]++;
                counts[1] += a.skipped() ? 0 : 1;
                if (a.secondsOnItem() != null) {
                    seconds.add(a.secondsOnItem());
                }
            }
        });
        List<Views.CurvePoint> points = learningCurve();
        boolean onPool = !points.isEmpty() && points.get(points.size() - 1).pool() != null;
        // One point per label count, the latest: a retrain without new labels re-estimates the same point.
        Map<Integer, Double> byLabels = new java.util.TreeMap<>();
        for (Views.CurvePoint p : points) {
            if (!onPool || p.pool() != null) {
                byLabels.put(p.labels(), onPool ? p.pool().accuracy() : p.estimatedAccuracy());
            }
        }
        quarry.eval.LearningCurve curve = byLabels.isEmpty() ? null : new quarry.eval.LearningCurve(byLabels.entrySet()
                .stream().map(e -> new quarry.eval.LearningCurve.Point(e.getKey(), e.getValue())).toList());
        return CostAccounting.live(settings.cost(), new CostAccounting.Effort(counts[0], counts[1], seconds), curve,
                onPool ? "estimated accuracy on the unlabeled pool" : "cross-validated accuracy on the labels");
    }

    /**
     * Replaces the cost settings as a whole, stored before they apply. Several servers on one
     * database each keep their own copy until they restart, as with the machine-label settings.
     */
    public CostAccounting.Settings updateCostSettings(CostAccounting.Settings next) {
        synchronized (machineLabeler) { // the one lock under which settings are replaced
            ProjectSettings changed = settings.withCost(next);
            store.projects().updateSettings(project.id(), Json.write(changed));
            settings = changed;
            return changed.cost();
        }
    }

    // ---- queue ----

    /** Up to {@code n} documents for the annotator, leased to them; their unexpired leases come first. */
    public List<Views.QueueItem> next(String annotator, int n) {
        long now = System.currentTimeMillis();
        List<Integer> rows = queue.next(annotator, n, space.pool().size(), now);
        String expiry = queue.expiryAt(now);
        return rows.stream().map(row -> item(row, expiry)).toList();
    }

    /** Gives a leased document back to the queue. */
    public void release(String annotator, String documentId) {
        Doc d = document(documentId);
        if (!queue.release(annotator, d.row())) {
            throw new DomainException.Conflict("document '" + d.id() + "' is not leased to you");
        }
    }

    /** A pool row as the queue shows it to an annotator (leaseExpires: null when not leased). */
    public Views.QueueItem item(int row, String leaseExpires) {
        Doc doc = store.documents().find(project.id(), row).orElseThrow();
        LeaseQueue.Ranking ranking = queue.ranking();
        Pool pool = space.pool();
        Pick pick = ranking.byRow().get(row);
        if (machine.awaitingAudit(row)) {
            // Blind: neither the machine's label nor the model's guesses, which would lead the person to it.
            return new Views.QueueItem(doc.id(), row, doc.text(), MachineBook.AUDIT_REASON, List.of(), List.of(),
                    row < pool.size() ? neighbours(pool.row(row), row) : List.of(), leaseExpires, versions.current());
        }
        Views.PickReason why = pick == null
                ? new Views.PickReason("fallback", Double.NaN, Double.NaN, Double.NaN,
                        "no ranked document left before the next retrain: a random document of the pool")
                : new Views.PickReason(pick.strategy(), pick.score(), pick.uncertainty(), pick.density(), pick.note());
        Views.TextPrediction prediction = null;
        List<Views.Neighbour> neighbours = List.of();
        if (row < pool.size()) {
            float[] x = pool.row(row);
            prediction = ranking.predictions().get(row);
            if (prediction == null) {
                prediction = versions.withModel(h -> {
                    Pool own = poolOf(h);
                    return row < own.size() ? predictRows(h, Vectors.of(new float[][] {own.row(row)}),
                            List.of(doc.id())).get(0) : null;
                });
            }
            neighbours = neighbours(x, row);
        }
        return new Views.QueueItem(doc.id(), row, doc.text(), why,
                prediction == null ? List.of() : prediction.top(), prediction == null ? List.of() : prediction.labels(),
                neighbours, leaseExpires, versions.current());
    }

    /** The nearest labeled documents, from the vector index (labeled rows are far fewer than the pool). */
    private List<Views.Neighbour> neighbours(float[] query, int self) {
        int[] labeled = java.util.Arrays.stream(labels.labeledRows()).filter(r -> r != self).toArray();
        List<Views.Neighbour> out = new ArrayList<>();
        for (Neighbor n : space.pool().nearestAmong(query, labeled, NEIGHBOURS)) {
            String id = store.documents().find(project.id(), n.row()).map(Doc::id).orElse("?");
            out.add(new Views.Neighbour(id, labels.labels(n.row()), n.similarity()));
        }
        return out;
    }

    // ---- annotations ----

    /**
     * Stores labels for a document (or a skip, when {@code chosen} is null) for an annotator. A
     * repeated request id returns the annotation stored the first time and stores nothing.
     */
    public Annotated annotate(String annotator, String documentId, List<String> chosen, String requestId) {
        return annotate(annotator, documentId, chosen, requestId, null);
    }

    /**
     * As {@link #annotate(String, String, List, String)}, with the seconds the annotator spent on
     * the item as their client measured them (null: not measured), kept with the annotation.
     */
    public Annotated annotate(String annotator, String documentId, List<String> chosen, String requestId,
            Double secondsOnItem) {
        if (secondsOnItem != null && !(secondsOnItem >= 0 && secondsOnItem <= CostAccounting.MAX_SECONDS_ON_ITEM)) {
            throw new DomainException.InvalidInput("bad_request", "field 'secondsOnItem': a number of seconds from 0"
                    + " to " + (int) CostAccounting.MAX_SECONDS_ON_ITEM + ", got " + secondsOnItem,
                    Map.of("field", "secondsOnItem"));
        }
        if (requestId != null && (requestId.isBlank() || requestId.length() > 200)) {
            throw new DomainException.InvalidInput("requestId must be 1-200 characters when given");
        }
        Optional<Annotation> replay = store.annotations().findByRequest(project.id(), annotator, requestId);
        if (replay.isPresent()) {
            return new Annotated(sameRequest(replay.get(), documentId, chosen), false);
        }
        Doc doc = document(documentId);
        List<String> clean = chosen == null ? null : labels.check(chosen);
        queue.checkNotLeasedToOther(annotator, doc.row(), doc.id(), System.currentTimeMillis());
        Annotation stored;
        try {
            stored = store.annotations().add(project.id(), doc.row(), doc.id(), clean, annotator, requestId, null,
                    secondsOnItem);
        } catch (DuplicateException e) {
            // The same request id raced in on another connection: the first one won.
            return new Annotated(store.annotations().findByRequest(project.id(), annotator, requestId).orElseThrow(), false);
        }
        // Into the label book before the lease goes: in between, the row would be neither leased nor
        // labeled, and the queue could hand it to another annotator (bench live caught one such).
        overlaps.refresh(doc.row());
        if (clean == null) {
            queue.skipped(annotator, doc.row());
        } else {
            labels.committed(doc.row(), Optional.of(clean));
            labelsStored.incrementAndGet();
            retrainer.labelChanged();
        }
        queue.release(annotator, doc.row());
        return new Annotated(stored, true);
    }

    /** A replayed request id must carry the same request; anything else is a client bug worth a 409. */
    private static Annotation sameRequest(Annotation stored, String documentId, List<String> chosen) {
        boolean same = stored.documentId().equals(documentId) && (chosen == null ? stored.skipped()
                : !stored.skipped() && stored.labels().equals(List.copyOf(new LinkedHashSet<>(chosen))));
        if (!same) {
            throw new DomainException.Conflict("request_id_reused", "requestId '" + stored.requestId() + "' was used"
                    + " before for a different annotation (document '" + stored.documentId() + "')",
                    Map.of("requestId", stored.requestId(), "document", stored.documentId()));
        }
        return stored;
    }

    /** An undone annotation and its document, leased back to the annotator at the head of their queue. */
    public record Undone(Annotation undone, Views.QueueItem document) {
    }

    /** Undoes the annotator's latest annotation and leases its document back to them. */
    public Undone undo(String annotator) {
        Annotation a = store.annotations().undoLatest(project.id(), annotator).orElseThrow(() -> new DomainException.Conflict(
                "nothing to undo: you have no annotation in this project"));
        overlaps.refresh(a.row());
        labels.committed(a.row(), store.annotations().currentLabels(project.id(), a.row()));
        if (a.skipped()) {
            queue.unskipped(annotator, a.row());
        } else {
            retrainer.labelChanged();
        }
        queue.leaseFirst(annotator, a.row(), System.currentTimeMillis());
        return new Undone(a, item(a.row(), queue.expiry(annotator, a.row())));
    }

    // ---- suspect labels ----

    /** The suspect-label queue (see {@link SuspectReview}). */
    public Views.Suspects suspects(int limit, boolean flaggedOnly) {
        return suspects.queue(limit, flaggedOnly);
    }

    /**
     * A reviewer's decision on a label: kept as it is, or changed to {@code label}. Either way it is
     * an annotation by the reviewer with the reason, so the label log keeps who decided what and why.
     */
    public Annotation review(String reviewer, String documentId, String decision, String label, String reason) {
        Doc doc = document(documentId);
        List<String> current = labels.labels(doc.row());
        if (current.isEmpty()) {
            throw new DomainException.Conflict("not_labeled", "document '" + doc.id() + "' has no label to review",
                    Map.of("document", doc.id()));
        }
        String why = SuspectReview.checkReason(reason == null && "keep".equals(decision) ? "kept after review"
                : reason);
        List<String> chosen = switch (decision == null ? "" : decision) {
            case "keep" -> current;
            case "change" -> {
                if (label == null) {
                    throw new DomainException.InvalidInput("bad_request", "field 'label': the new label is required"
                            + " to change one", Map.of("field", "label"));
                }
                yield labels.check(List.of(label));
            }
            default -> throw new DomainException.InvalidInput("bad_request", "field 'decision': keep or change, got '"
                    + decision + "'", Map.of("field", "decision"));
        };
        Annotation stored = store.annotations().add(project.id(), doc.row(), doc.id(), chosen, reviewer, null, why);
        decided(doc.row(), chosen, current);
        return stored;
    }

    /** A reviewer's decision went into the log: it is the row's label now, and the row is leased no more. */
    private void decided(int row, List<String> chosen, List<String> before) {
        labelsStored.incrementAndGet();
        overlaps.refresh(row);
        labels.committed(row, Optional.of(chosen));
        queue.decided(row);
        if (!chosen.equals(before)) {
            retrainer.labelChanged();
        }
    }

    // ---- overlap and agreement ----

    /** Agreement among annotators (see {@link Agreement}); every annotator's figures when {@code everyone}. */
    public Views.Agreement agreement(String caller, boolean everyone) {
        return agreement.report(caller, everyone);
    }

    /** Documents whose annotators disagree and that no reviewer settled, oldest first. */
    public Views.Disagreements disagreements(int limit) {
        return agreement.queue(limit);
    }

    /**
     * A reviewer settles a disagreement with {@code chosen} and a reason: an annotation by the
     * reviewer, kept in the label log, which becomes the document's label. Everything is checked
     * before anything is stored.
     */
    public Annotation settle(String reviewer, String documentId, List<String> chosen, String reason) {
        Doc doc = document(documentId);
        List<String> clean = labels.check(chosen);
        String why = SuspectReview.checkReason(reason);
        List<String> before = labels.labels(doc.row());
        Annotation stored = agreement.settle(reviewer, doc, clean, why);
        decided(doc.row(), clean, before);
        return stored;
    }

    // ---- machine labels ----

    /**
     * Accepts the serving model's predictions that clear the latest safe-to-accept threshold as one
     * batch of machine labels (see {@link MachineLabeler#accept}).
     */
    public Views.MachineBatch acceptMachineLabels(String acceptedBy) {
        Views.MachineBatch batch = machineLabeler.accept(settings, acceptedBy);
        machineLabelsChanged();
        return batch;
    }

    /** Revokes the machine labels of one batch, or all of them ({@code batch} null); people's labels stay. */
    public Views.Revoked revokeMachineLabels(Long batch, String revokedBy) {
        Views.Revoked revoked = machineLabeler.revoke(batch, revokedBy);
        if (revoked.revoked() > 0) {
            machineLabelsChanged();
        }
        return revoked;
    }

    public Views.MachineLabels machineLabels() {
        return machineLabeler.status(settings);
    }

    /** The machine label that stands on a row (none when a person has labeled it). */
    public Optional<Views.MachineLabel> machineLabel(int row) {
        return machine.standing(row);
    }

    /** Changes the machine-label settings given (not null), stored before they apply. */
    public Views.MachineSettings updateMachineSettings(Boolean train, Double auditShare, Integer auditMin,
            Integer auditMax) {
        synchronized (machineLabeler) {
            ProjectSettings before = settings;
            settings = machineLabeler.updateSettings(before, train, auditShare, auditMin, auditMax);
            if (settings.trainOnMachineLabels() != before.trainOnMachineLabels() && machine.standingCount() > 0) {
                retrainer.request();
            }
            return MachineLabeler.view(settings);
        }
    }

    /** A head that trains on machine labels must see them change. */
    private void machineLabelsChanged() {
        if (settings.trainOnMachineLabels()) {
            retrainer.request();
        }
    }

    /**
     * Puts documents, by id, at the head of the queue, after any audit samples and before the
     * model's ranking, in the order given: candidates picked outside the server. Ids that are not
     * documents of the project fail the whole call, naming them, unless {@code skipUnknown}.
     * Held in memory: a restart forgets the picks not labeled yet.
     */
    public Views.QueueImport importToQueue(List<String> ids, boolean skipUnknown) {
        List<Integer> rows = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        int labeled = 0;
        Set<Integer> seen = new HashSet<>();
        for (String id : ids) {
            Optional<Doc> doc = store.documents().find(project.id(), id);
            if (doc.isEmpty()) {
                unknown.add(id);
            } else if (labels.isLabeled(doc.get().row())) {
                labeled++;
            } else if (seen.add(doc.get().row())) {
                rows.add(doc.get().row());
            }
        }
        List<String> shown = unknown.subList(0, Math.min(20, unknown.size()));
        if (!unknown.isEmpty() && !skipUnknown) {
            throw new DomainException.InvalidInput("unknown_documents", unknown.size() + " of " + ids.size()
                    + " ids are not documents of project '" + project.name() + "' (import them first, or pass"
                    + " skipUnknown): " + String.join(", ", shown) + (unknown.size() > shown.size() ? ", ..." : ""),
                    Map.of("unknown", shown, "unknownCount", unknown.size()));
        }
        synchronized (imported) {
            // a pick imported again moves to its new place; labeled ones are done with
            imported.removeIf(r -> labels.isLabeled(r) || seen.contains(r));
            imported.addAll(rows);
        }
        return new Views.QueueImport(rows.size(), labeled, unknown.size(), shown, imported.size());
    }

    // ---- predictions ----

    /** Predictions for texts that are not in the pool. */
    public List<Views.TextPrediction> predict(List<String> ids, List<String> texts) {
        if (!versions.hasModel()) {
            throw noModel();
        }
        // Texts to predict are one-off: they go through the model, not into the pool's cache; by the
        // encoder the serving head was trained on.
        List<Views.TextPrediction> out = versions.withModel(head -> predictRows(head,
                Vectors.of(spaceOf(head).encoder().encodeUncached(texts, Progress.NONE)), ids));
        if (out == null) {
            throw noModel();
        }
        return out;
    }

    /**
     * Writes the serving model as a bundle into {@code target} (a new folder): its head, the encoder
     * it was trained on, and the version's provenance and safe-to-accept threshold.
     */
    public BundleManifest exportModel(Path target) {
        BundleManifest m = versions.withModelVersion((head, version) -> {
            Views.Report report = store.models().find(project.id(), version)
                    .map(v -> Json.readStored(v.report(), Views.Report.class)).orElse(null);
            Views.Provenance provenance = report == null ? null : report.provenance();
            AcceptThreshold t = report == null ? null : report.safeToAccept();
            BundleManifest.SafeToAccept safe = t == null || !t.found() ? null : new BundleManifest.SafeToAccept(
                    t.threshold(), t.targetPrecision(), t.precision(), t.precisionLow(), t.support(),
                    report.estimateVersion());
            CachingEncoder encoder = spaceOf(head).encoder();
            return ModelBundle.write(target, head, encoder.spec(), new ModelBundle.Origin(project.name(), version,
                    report == null ? head.training().examples() : report.labelsUsed(), encoder.fingerprint(), safe,
                    provenance == null ? null : Json.MAPPER.valueToTree(provenance)));
        });
        if (m == null) {
            throw noModel();
        }
        return m;
    }

    public DomainException.Conflict noModel() {
        return new DomainException.Conflict("project '" + project.name() + "' has no model yet: label a few"
                + " documents first");
    }

    /** Predictions for pool rows [from, to), for export; null when there is no model. */
    public List<Views.TextPrediction> predictPool(int from, int to, List<String> ids) {
        return versions.withModel(head -> {
            Pool own = poolOf(head);
            return to <= own.size() ? predictRows(head, own.slice(from, to), ids) : null;
        });
    }

    private List<Views.TextPrediction> predictRows(Head head, Vectors v, List<String> ids) {
        int[] rows = IntStream.range(0, v.size()).toArray();
        float[][] p = head.probabilities(v, rows);
        List<Views.TextPrediction> out = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            out.add(prediction(head, ids.get(i), p[i]));
        }
        return out;
    }

    private Views.TextPrediction prediction(Head head, String id, float[] p) {
        List<String> decided = Arrays.stream(head.decide(p)).mapToObj(labels::name).toList();
        List<Views.Prediction> top = new ArrayList<>();
        for (int c : Head.topClasses(p, TOP)) {
            top.add(new Views.Prediction(labels.name(c), p[c]));
        }
        return new Views.TextPrediction(id, decided, top);
    }

    @Override
    public void close() {
        closed = true;
        // The trainer thread may be mid-round: closing waits for it (rounds are synchronized).
        try {
            retrainer.close(() -> {
                if (loop != null) {
                    loop.close();
                }
                space.pool().close();
                Space before = previous;
                if (before != null) {
                    before.pool().close();
                }
                retiring.forEach(Pool::close);
            });
        } catch (Exception e) {
            LOG.warn("closing project {}: {}", project.name(), e.getMessage());
        }
        peers.close(); // [several servers] after the last round: another server may train from here on
        versions.close();
        suspects.close();
    }
}
