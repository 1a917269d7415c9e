package quarry.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import quarry.core.Pick;
import quarry.core.Progress;
import quarry.core.Vectors;
import quarry.encode.CachingEncoder;
import quarry.index.VectorIndex;
import quarry.loop.ActiveLoop;
import quarry.loop.LoopSettings;
import quarry.loop.RoundReport;
import quarry.model.Head;
import quarry.store.Records.Annotation;
import quarry.store.Records.Doc;
import quarry.store.Records.Project;
import quarry.store.Store;

/**
 * One project at work: its pool's embeddings, the loop, the serving model, the ranked queue and
 * the annotators' leases. Labels are committed to the store before anything else sees them;
 * retraining runs on the shared trainer thread and never blocks labeling; the queue and the
 * serving model are swapped in whole when a retrain finishes.
 */
final class ProjectRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectRuntime.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EMBED_CHUNK = 1024;
    private static final int TOP = 5;
    private static final int NEIGHBOURS = 3;
    /** Seconds after a label before the last few labels are trained on, if no retrain took them. */
    private static final int IDLE_FLUSH_SECONDS = 5;

    /** {@code order}: when it was handed out, so an annotator gets their leased items back in rank order. */
    private record Lease(String annotator, long expiresAtMillis, long order) {
    }

    private long leaseOrder;

    private final Project project;
    private final ProjectSettings settings;
    private final LoopSettings loopSettings;
    private final Store store;
    private final CachingEncoder encoder;
    private final Path dir;
    private final ExecutorService trainer;
    private final ExecutorService embedder;
    private final java.util.concurrent.ScheduledExecutorService scheduler;
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final Map<String, Integer> labelIndex = new HashMap<>();
    private final GrowingVectors pool;

    /** Current labels by pool row, as committed to the store. */
    private final Map<Integer, List<String>> labels = new ConcurrentHashMap<>();
    private final AtomicInteger changesSinceTraining = new AtomicInteger();
    private final AtomicBoolean retrainQueued = new AtomicBoolean();
    private volatile boolean training;
    private volatile String trainingError;

    private volatile Shared<Head> serving;
    private volatile int modelVersion;
    private volatile Views.Report lastReport;
    private volatile List<Pick> ranked = List.of();
    private volatile Map<Integer, Pick> rankedByRow = Map.of();

    private final Map<String, Set<Integer>> skips = new ConcurrentHashMap<>();
    /** The ranked rows' top predictions, computed on the trainer thread with the ranking. */
    private volatile Map<Integer, Views.TextPrediction> rankedPredictions = Map.of();

    private final Object queueLock = new Object();
    private final Map<Integer, Lease> leases = new HashMap<>();
    private int fallbackCursor;

    private volatile Views.Embedding embedding = new Views.Embedding("idle", 0, 0, null);

    // Touched by the trainer thread only.
    private ActiveLoop loop;
    private int loopSize;
    private final Map<Integer, List<String>> loopLabels = new HashMap<>();
    private VectorIndex index;
    private Map<Integer, List<String>> labelsAtLastVersion = Map.of();
    private volatile boolean forceVersion;
    private int indexed;
    private volatile boolean closed;

    ProjectRuntime(Project project, Store store, CachingEncoder encoder, Path dir, ExecutorService trainer,
            ExecutorService embedder, java.util.concurrent.ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
        this.project = project;
        this.settings = Api.readSettings(project.settings());
        this.loopSettings = settings.loopSettings();
        this.store = store;
        this.encoder = encoder;
        this.dir = dir;
        this.trainer = trainer;
        this.embedder = embedder;
        this.pool = new GrowingVectors(encoder.dimension());
        for (String name : project.labelNames()) {
            labelIndex.put(name, labelIndex.size());
        }
        labels.putAll(store.annotations().currentLabels(project.id()));
        loadLatestModel();
    }

    Project project() {
        return project;
    }

    ProjectSettings settings() {
        return settings;
    }

    /** Embeds every document not embedded yet (in the background), then retrains. */
    void embedPending() {
        // Visible at once, so a client polling after an import never sees the old "done".
        int total = store.documents().count(project.id());
        if (total > pool.size()) {
            embedding = new Views.Embedding("queued", pool.size(), total, null);
        }
        embedder.submit(this::embedNow);
    }

    private void embedNow() {
        try {
            int total = store.documents().count(project.id());
            int done = pool.size();
            embedding = new Views.Embedding(done < total ? "running" : "done", done, total, null);
            while (done < total && !closed) {
                List<Doc> docs = store.documents().list(project.id(), done, EMBED_CHUNK);
                int base = done;
                float[][] vectors = encoder.encode(docs.stream().map(Doc::text).toList(),
                        (d, t) -> embedding = new Views.Embedding("running", (int) (base + d), total, null));
                pool.append(vectors);
                done += docs.size();
                embedding = new Views.Embedding(done < total ? "running" : "done", done, total, null);
            }
            requestRetrain();
        } catch (RuntimeException e) {
            LOG.error("embedding failed in project {}", project.name(), e);
            embedding = new Views.Embedding("failed", pool.size(), embedding.total(), e.getMessage());
        }
    }

    /** Imported documents may carry labels: take them in from the store. */
    void labelsImported() {
        labels.putAll(store.annotations().currentLabels(project.id()));
        requestRetrain();
    }

    Views.Embedding embedding() {
        return embedding;
    }

    // ---- training ----

    /** A retrain asked for by a person: it makes a new version even when the labels did not change. */
    void retrainNow() {
        forceVersion = true;
        requestRetrain();
    }

    /** Queues a retrain unless one is queued already; labeling never waits for it. */
    void requestRetrain() {
        if (!closed && retrainQueued.compareAndSet(false, true)) {
            trainer.submit(this::retrain);
        }
    }

    private void retrain() {
        retrainQueued.set(false);
        if (closed) {
            return;
        }
        training = true;
        try {
            int size = pool.size();
            if (size == 0) {
                return;
            }
            changesSinceTraining.set(0);
            if (loop == null || loopSize != size) {
                growLoop(size);
            }
            syncLabels(size);
            RoundReport round = loop.round();
            Head head = loop.head();
            // A new version only when the labels changed: a re-rank over a grown pool is not a new model.
            boolean forced = forceVersion;
            forceVersion = false;
            if (head != null && loop.labeledCount() > 0 && (forced || !loopLabels.equals(labelsAtLastVersion))) {
                labelsAtLastVersion = new HashMap<>(loopLabels);
                int version = modelVersion + 1;
                Path modelDir = dir.resolve("models").resolve("v" + version);
                head.save(modelDir);
                Shared<Head> previous = serving;
                serving = new Shared<>(Head.load(modelDir));
                if (previous != null) {
                    previous.retire();
                }
                Views.Report report = report(version, round);
                store.models().add(project.id(), version, round.labelsUsed(), JSON.writeValueAsString(report));
                lastReport = report;
                modelVersion = version;
            }
            Map<Integer, Pick> byRow = new HashMap<>();
            for (Pick p : round.picks()) {
                byRow.put(p.row(), p);
            }
            Map<Integer, Views.TextPrediction> predictions = new HashMap<>();
            if (head != null && !round.picks().isEmpty()) {
                int[] rows = round.picks().stream().mapToInt(Pick::row).toArray();
                float[][] probs = head.probabilities(loop.pool(), rows);
                for (int i = 0; i < rows.length; i++) {
                    predictions.put(rows[i], new Views.TextPrediction(null, names(head.decide(probs[i])),
                            top(probs[i])));
                }
            }
            rankedPredictions = predictions;
            rankedByRow = byRow;
            ranked = round.picks();
            trainingError = null;
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.error("retraining failed in project {}", project.name(), e);
            trainingError = e.getMessage();
        } finally {
            training = false;
            if (changesSinceTraining.get() >= settings.retrainEvery()) {
                requestRetrain();
            }
        }
    }

    /** The pool grew: index the new rows and start a loop over the whole pool. */
    private void growLoop(int size) {
        if (index == null) {
            index = VectorIndex.open(dir.resolve("index"), encoder.dimension());
            indexed = index.size();
        }
        if (indexed < size) {
            int[] rows = java.util.stream.IntStream.range(indexed, size).toArray();
            Vectors all = pool.view(size);
            index.add(rows, all, Progress.NONE);
            index.commit();
            index.refreshDensities(Progress.NONE);
            indexed = size;
        }
        if (loop != null) {
            loop.close();
        }
        loop = new ActiveLoop(pool.view(size), project.labelNames(), project.multiLabel(), index, loopSettings,
                encoder.id());
        loopSize = size;
        loopLabels.clear();
    }

    private void syncLabels(int size) {
        Map<Integer, List<String>> now = new HashMap<>(labels);
        for (Integer row : List.copyOf(loopLabels.keySet())) {
            if (!now.containsKey(row)) {
                loop.unlabel(row);
                loopLabels.remove(row);
            }
        }
        for (Map.Entry<Integer, List<String>> e : now.entrySet()) {
            if (e.getKey() < size && !e.getValue().equals(loopLabels.get(e.getKey()))) {
                loop.label(e.getKey(), e.getValue().stream().mapToInt(labelIndex::get).toArray());
                loopLabels.put(e.getKey(), e.getValue());
            }
        }
    }

    private Views.Report report(int version, RoundReport round) {
        List<Views.ClassF1> weakest = round.weakestClasses().stream()
                .map(c -> new Views.ClassF1(project.labels().get(c.cls()).name(), c.precision(), c.recall(), c.f1(),
                        c.support()))
                .toList();
        String note = Double.isNaN(round.estimatedAccuracy()) ? "not estimated (too few labels, or multi-label)"
                : loopSettings.cvFolds() + "-fold cross-validation on the labels alone. Actively chosen labels are"
                        + " harder than the pool at large, so this tends to under-estimate accuracy on the pool.";
        return new Views.Report(version, round.labelsUsed(), round.strategy(), round.trainSeconds(),
                round.selectSeconds(), Double.isNaN(round.estimatedAccuracy()) ? null : round.estimatedAccuracy(), note,
                weakest, round.safeToAccept(), round.stop());
    }

    private void loadLatestModel() {
        Path models = dir.resolve("models");
        if (!Files.isDirectory(models)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(models)) {
            Optional<Path> latest = dirs.filter(p -> p.getFileName().toString().matches("v\\d+"))
                    .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().substring(1))));
            if (latest.isPresent()) {
                serving = new Shared<>(Head.load(latest.get()));
                modelVersion = Integer.parseInt(latest.get().getFileName().toString().substring(1));
                store.models().list(project.id()).stream().filter(m -> m.version() == modelVersion).findFirst()
                        .ifPresent(m -> lastReport = Api.read(m.report(), Views.Report.class));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot load the last model of project {}: {}", project.name(), e.getMessage());
        }
    }

    Views.ModelStatus modelStatus() {
        return new Views.ModelStatus(modelVersion, training || retrainQueued.get(), labels.size(),
                changesSinceTraining.get(), settings.retrainEvery(), trainingError);
    }

    Views.Report lastReport() {
        return lastReport;
    }

    int labelCount() {
        return labels.size();
    }

    // ---- queue ----

    /** Up to {@code n} documents for the annotator, leased to them; their unexpired leases come first. */
    List<Views.QueueItem> next(String annotator, int n) {
        long now = System.currentTimeMillis();
        Set<Integer> skipped = skipsOf(annotator);
        List<Integer> chosen = new ArrayList<>();
        long expires = now + settings.leaseSeconds() * 1000L;
        synchronized (queueLock) {
            leases.values().removeIf(l -> l.expiresAtMillis() <= now);
            leases.entrySet().removeIf(e -> labels.containsKey(e.getKey()));
            leases.entrySet().stream().filter(e -> e.getValue().annotator().equals(annotator))
                    .sorted(Comparator.comparingLong(e -> e.getValue().order())).forEach(e -> chosen.add(e.getKey()));
            int size = pool.size();
            for (Pick p : ranked) {
                if (chosen.size() >= n) {
                    break;
                }
                if (available(p.row(), size, skipped) && !chosen.contains(p.row())) {
                    chosen.add(p.row());
                }
            }
            // The ranked list ran out before the next retrain: hand out other rows in pool order.
            for (int scanned = 0; chosen.size() < n && scanned < size; scanned++) {
                int row = fallbackCursor++ % size;
                if (available(row, size, skipped) && !chosen.contains(row)) {
                    chosen.add(row);
                }
            }
            // More of the caller's leases than asked for stay reserved for them; they come back next time.
            if (chosen.size() > n) {
                chosen.subList(n, chosen.size()).clear();
            }
            for (int row : chosen) {
                Lease old = leases.get(row);
                leases.put(row, new Lease(annotator, expires, old != null ? old.order() : leaseOrder++));
            }
        }
        String expiry = Instant.ofEpochMilli(expires).toString();
        return chosen.stream().map(row -> item(row, expiry)).toList();
    }

    /** The rows an annotator skipped, read from the store once, then kept up to date here. */
    private Set<Integer> skipsOf(String annotator) {
        return skips.computeIfAbsent(annotator, a -> {
            Set<Integer> set = ConcurrentHashMap.newKeySet();
            set.addAll(store.annotations().skippedRows(project.id(), a));
            return set;
        });
    }

    private boolean available(int row, int size, Set<Integer> skipped) {
        return row < size && !labels.containsKey(row) && !leases.containsKey(row) && !skipped.contains(row);
    }

    /** Gives a leased document back to the queue. */
    boolean release(String annotator, int row) {
        synchronized (queueLock) {
            Lease l = leases.get(row);
            if (l != null && l.annotator().equals(annotator)) {
                leases.remove(row);
                return true;
            }
            return false;
        }
    }

    Views.QueueItem item(int row, String leaseExpires) {
        Doc doc = store.documents().find(project.id(), row).orElseThrow();
        Pick pick = rankedByRow.get(row);
        Views.PickReason why = pick == null
                ? new Views.PickReason("fallback", Double.NaN, Double.NaN, Double.NaN,
                        "the ranked queue was used up before the next retrain; next in pool order")
                : new Views.PickReason(pick.strategy(), pick.score(), pick.uncertainty(), pick.density(), pick.note());
        Views.TextPrediction prediction = null;
        List<Views.Neighbour> neighbours = List.of();
        if (row < pool.size()) {
            float[] x = pool.row(row);
            prediction = rankedPredictions.get(row);
            if (prediction == null) {
                prediction = withModel(h -> predictRows(h, Vectors.of(new float[][] {x}), List.of(doc.id())).get(0));
            }
            neighbours = neighbours(x, row);
        }
        return new Views.QueueItem(doc.id(), row, doc.text(), why,
                prediction == null ? List.of() : prediction.top(), prediction == null ? List.of() : prediction.labels(),
                neighbours, leaseExpires, modelVersion);
    }

    /** The nearest labeled documents, by a scan of the labeled rows (far fewer than the pool). */
    private List<Views.Neighbour> neighbours(float[] query, int self) {
        record Scored(int row, double sim) {
        }
        List<Integer> rows = new ArrayList<>(labels.keySet());
        int size = pool.size();
        List<Scored> scored = new ArrayList<>();
        for (int r : rows) {
            if (r != self && r < size) {
                float[] x = pool.row(r);
                double dot = 0;
                for (int i = 0; i < x.length; i++) {
                    dot += x[i] * query[i];
                }
                scored.add(new Scored(r, dot));
            }
        }
        scored.sort(Comparator.comparingDouble(Scored::sim).reversed());
        List<Views.Neighbour> out = new ArrayList<>();
        for (Scored s : scored.subList(0, Math.min(NEIGHBOURS, scored.size()))) {
            String id = store.documents().find(project.id(), s.row()).map(Doc::id).orElse("?");
            out.add(new Views.Neighbour(id, labels.getOrDefault(s.row(), List.of()), s.sim()));
        }
        return out;
    }

    // ---- annotations ----

    /**
     * Stores labels for a document (or a skip, when {@code chosen} is null) for an annotator. A
     * repeated request id returns the annotation stored the first time and stores nothing.
     *
     * @return the annotation, and whether it was stored now (false for a replay)
     */
    Map.Entry<Annotation, Boolean> annotate(String annotator, String documentId, List<String> chosen,
            String requestId) {
        if (requestId != null && (requestId.isBlank() || requestId.length() > 200)) {
            throw ApiError.badRequest("requestId must be 1-200 characters when given");
        }
        Optional<Annotation> replay = store.annotations().findByRequest(project.id(), annotator, requestId);
        if (replay.isPresent()) {
            return Map.entry(sameRequest(replay.get(), documentId, chosen), false);
        }
        Doc doc = store.documents().find(project.id(), documentId).orElseThrow(() -> ApiError.notFound(
                "no document '" + documentId + "' in project '" + project.name() + "'"));
        List<String> clean = chosen == null ? null : checkLabels(chosen);
        synchronized (queueLock) {
            Lease l = leases.get(doc.row());
            if (l != null && !l.annotator().equals(annotator) && l.expiresAtMillis() > System.currentTimeMillis()) {
                throw ApiError.conflict("document '" + documentId + "' is leased to another annotator until "
                        + Instant.ofEpochMilli(l.expiresAtMillis()));
            }
        }
        Annotation stored;
        try {
            stored = store.annotations().add(project.id(), doc.row(), doc.id(), clean, annotator, requestId);
        } catch (quarry.store.DuplicateException e) {
            // The same request id raced in on another connection: the first one won.
            return Map.entry(store.annotations().findByRequest(project.id(), annotator, requestId).orElseThrow(), false);
        }
        release(annotator, doc.row());
        if (clean == null) {
            skipsOf(annotator).add(doc.row());
        } else {
            labels.put(doc.row(), clean);
            countChange();
        }
        return Map.entry(stored, true);
    }

    /** A replayed request id must carry the same request; anything else is a client bug worth a 409. */
    private Annotation sameRequest(Annotation stored, String documentId, List<String> chosen) {
        boolean same = stored.documentId().equals(documentId) && (chosen == null ? stored.skipped()
                : !stored.skipped() && stored.labels().equals(List.copyOf(new LinkedHashSet<>(chosen))));
        if (!same) {
            throw new ApiError(409, "request_id_reused", "requestId '" + stored.requestId() + "' was used before for"
                    + " a different annotation (document '" + stored.documentId() + "')", Map.of("requestId",
                            stored.requestId(), "document", stored.documentId()));
        }
        return stored;
    }

    private List<String> checkLabels(List<String> chosen) {
        List<String> clean = List.copyOf(new LinkedHashSet<>(chosen));
        if (clean.isEmpty()) {
            throw ApiError.badRequest("labels must not be empty (send \"skip\": true to skip a document)");
        }
        if (!project.multiLabel() && clean.size() != 1) {
            throw ApiError.badRequest("project '" + project.name() + "' is single-label: send exactly one label, got "
                    + clean);
        }
        for (String l : clean) {
            if (!labelIndex.containsKey(l)) {
                throw new ApiError(400, "unknown_label", "label '" + l + "' is not in the schema of project '"
                        + project.name() + "'", Map.of("label", l, "allowed", project.labelNames()));
            }
        }
        return clean;
    }

    private void countChange() {
        if (changesSinceTraining.incrementAndGet() >= settings.retrainEvery() && !training) {
            requestRetrain();
        }
        scheduleIdleFlush();
    }

    private void flush() {
        flushScheduled.set(false);
        if (changesSinceTraining.get() > 0 && !training) {
            requestRetrain();
        } else if (changesSinceTraining.get() > 0) {
            scheduleIdleFlush(); // a retrain is running; look again once it may be done
        }
    }

    /** Fewer than retrainEvery labels and then quiet: train on them anyway once labeling pauses. */
    private void scheduleIdleFlush() {
        if (!closed && flushScheduled.compareAndSet(false, true)) {
            scheduler.schedule(this::flush, IDLE_FLUSH_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** Undoes the annotator's latest annotation and leases its document back to them. */
    /** When a lease of the annotator on {@code row} expires, or null when it holds none. */
    String leaseExpiry(String annotator, int row) {
        synchronized (queueLock) {
            Lease l = leases.get(row);
            return l == null || !l.annotator().equals(annotator) ? null
                    : Instant.ofEpochMilli(l.expiresAtMillis()).toString();
        }
    }

    Optional<Annotation> undo(String annotator) {
        Optional<Annotation> undone = store.annotations().undoLatest(project.id(), annotator);
        undone.ifPresent(a -> {
            Optional<List<String>> current = store.annotations().currentLabels(project.id(), a.row());
            if (current.isPresent()) {
                labels.put(a.row(), current.get());
            } else {
                labels.remove(a.row());
            }
            if (a.skipped()) {
                skipsOf(annotator).remove(a.row());
            } else {
                countChange();
            }
            synchronized (queueLock) {
                // Undone first: the document comes back at the head of the annotator's queue.
                leases.put(a.row(), new Lease(annotator, System.currentTimeMillis() + settings.leaseSeconds() * 1000L,
                        -(++leaseOrder)));
            }
        });
        return undone;
    }

    // ---- predictions ----

    interface WithHead<T> {
        T apply(Head head);
    }

    /** Runs {@code work} with the serving model, or returns null when there is none yet. */
    <T> T withModel(WithHead<T> work) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Shared<Head> current = serving;
            if (current == null) {
                return null;
            }
            Shared<Head>.Use use = current.tryUse();
            if (use != null) {
                try (use) {
                    return work.apply(use.get());
                }
            }
        }
        return null;
    }

    /** Predictions for texts; throws 409 when there is no model yet. */
    List<Views.TextPrediction> predict(List<String> ids, List<String> texts) {
        if (serving == null) {
            throw ApiError.conflict("project '" + project.name() + "' has no model yet: label a few documents first");
        }
        // Texts to predict are one-off: they go through the model, not into the pool's cache.
        float[][] vectors = encoder.encodeUncached(texts, Progress.NONE);
        Vectors v = Vectors.of(vectors);
        List<Views.TextPrediction> out = withModel(head -> predictRows(head, v, ids));
        if (out == null) {
            throw ApiError.conflict("project '" + project.name() + "' has no model yet");
        }
        return out;
    }

    /** Predictions for pool rows [from, to), for export. */
    List<Views.TextPrediction> predictPool(int from, int to, List<String> ids) {
        Vectors v = pool.slice(from, to);
        return withModel(head -> predictRows(head, v, ids));
    }

    int embeddedCount() {
        return pool.size();
    }

    private List<Views.TextPrediction> predictRows(Head head, Vectors v, List<String> ids) {
        int[] rows = java.util.stream.IntStream.range(0, v.size()).toArray();
        float[][] p = head.probabilities(v, rows);
        List<Views.TextPrediction> out = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            out.add(new Views.TextPrediction(ids.get(i), names(head.decide(p[i])), top(p[i])));
        }
        return out;
    }

    private List<String> names(int[] classes) {
        return Arrays.stream(classes).mapToObj(c -> project.labels().get(c).name()).toList();
    }

    private List<Views.Prediction> top(float[] p) {
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < p.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(p[b], p[a]));
        List<Views.Prediction> out = new ArrayList<>();
        for (int i = 0; i < Math.min(TOP, p.length); i++) {
            out.add(new Views.Prediction(project.labels().get(order[i]).name(), p[order[i]]));
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
        // The trainer thread may be mid-round: closing the loop waits for it (rounds are synchronized).
        try {
            trainer.submit(() -> {
                if (loop != null) {
                    loop.close();
                }
                if (index != null) {
                    index.close();
                }
            }).get();
        } catch (Exception e) {
            LOG.warn("closing project {}: {}", project.name(), e.getMessage());
        }
        Shared<Head> s = serving;
        serving = null;
        if (s != null) {
            s.retire();
        }
    }
}
