package quarry.project;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import quarry.core.DomainException;
import quarry.core.QuarryException;
import quarry.encode.CachingEncoder;
import quarry.encode.Encoders;
import quarry.encode.ModelSpec;
import quarry.encode.tune.FineTuneSettings;
import quarry.encode.tune.FineTuner;
import quarry.store.Records.Doc;

/**
 * Fine-tunes a project's encoder on its people's labels, in the background: tune (from the
 * encoder the project started with), re-embed every document with the tuned copy, index them,
 * then move the project there with a new model version. Annotators keep labeling throughout on
 * the old encoder. One fine-tune runs at a time in a workspace (each takes both cores for
 * minutes); the tuned encoder lands in the workspace's {@code encoders/} folder.
 */
public final class FineTuneJobs implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FineTuneJobs.class);
    /** Fewer labels teach an encoder nothing a head cannot learn on its own. */
    static final int MIN_LABELS = 10;
    private static final int EMBED_CHUNK = 1024;

    private final Workspace workspace;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "quarry-finetune");
        t.setDaemon(true);
        return t;
    });
    /** The latest fine-tune of each project (by project id), running or finished, since the server started. */
    private final Map<Long, Views.FineTune> latest = new ConcurrentHashMap<>();
    private final Map<Long, Future<?>> running = new ConcurrentHashMap<>();

    FineTuneJobs(Workspace workspace) {
        this.workspace = workspace;
    }

    /** What a request asks for; null fields take {@link FineTuneSettings#DEFAULTS}. */
    public record Request(String mode, Integer epochs, Double maxSeconds) {
    }

    /**
     * Starts fine-tuning a project's encoder, after the checks that can fail at once: a
     * single-label project, enough labels over at least two labels, an ONNX encoder, no fine-tune
     * of it already running.
     */
    public synchronized Views.FineTune start(ProjectSession p, Request request, String owner) {
        FineTuneSettings settings = settings(request, p.settings().seed());
        String name = p.project().name();
        if (p.project().multiLabel()) {
            throw new DomainException.Conflict("finetune_multilabel", "project '" + name + "' is multi-label; the"
                    + " fine-tuner learns from one label per document, so it fine-tunes single-label projects only",
                    Map.of());
        }
        Views.FineTune now = latest.get(p.project().id());
        if (now != null && !now.ended()) {
            throw new DomainException.Conflict("finetune_running", "a fine-tune of project '" + name + "' is "
                    + now.state() + " already (job " + now.job() + ")", Map.of("job", now.job()));
        }
        ProjectSession.Labeled labeled = p.peopleLabels();
        long distinct = labeled.labels().stream().distinct().count();
        if (labeled.texts().size() < MIN_LABELS || distinct < 2) {
            throw new DomainException.Conflict("too_few_labels", "project '" + name + "' has " + labeled.texts().size()
                    + " labeled documents over " + distinct + " labels; fine-tuning needs at least " + MIN_LABELS
                    + " over 2 labels or more", Map.of("labels", labeled.texts().size(), "needed", MIN_LABELS));
        }
        ModelSpec base = base(p.encoder().spec());
        if (!base.weights().getFileName().toString().equals(ModelSpec.ONNX)) {
            throw new DomainException.Conflict("not_tunable", "encoder '" + base.id() + "' of project '" + name
                    + "' is not an ONNX graph; Quarry fine-tunes ONNX BERT encoders only", Map.of());
        }
        String id = UUID.randomUUID().toString();
        String encoder = nextName(name);
        workspace.store().jobs().add(id, p.project().id(), PredictionJobs.FINETUNE, 0, owner);
        Views.FineTune queued = Views.FineTune.queued(id, base.id(), encoder, settings, labeled.texts().size(),
                (int) distinct);
        latest.put(p.project().id(), queued);
        running.put(p.project().id(), runner.submit(() -> run(p, queued, base, settings, labeled)));
        return queued;
    }

    /** The job ids of the fine-tunes this server runs or has queued. */
    java.util.Collection<String> held() {
        return latest.values().stream().filter(f -> !f.ended()).map(Views.FineTune::job).toList();
    }

    /** The project's latest fine-tune since the server started, or {@link Views.FineTune#IDLE}. */
    public Views.FineTune status(ProjectSession p) {
        return latest.getOrDefault(p.project().id(), Views.FineTune.IDLE);
    }

    /**
     * Stops the project's fine-tune: training stops between steps and nothing it made is kept;
     * the project stays on its encoder. Once the project has moved, there is nothing to cancel.
     */
    public synchronized Views.FineTune cancel(ProjectSession p) {
        Views.FineTune now = latest.get(p.project().id());
        if (now == null || now.ended()) {
            throw new DomainException.Conflict("no_finetune", "project '" + p.project().name() + "' has no fine-tune"
                    + " in progress", Map.of());
        }
        if (now.state().equals("switching")) {
            throw new DomainException.Conflict("finetune_switching", "the fine-tune of project '"
                    + p.project().name() + "' is publishing its model; it can no longer be cancelled", Map.of());
        }
        Future<?> f = running.get(p.project().id());
        if (f != null) {
            f.cancel(true);
        }
        Views.FineTune cancelled = now.finish("cancelled", null, null);
        latest.put(p.project().id(), cancelled);
        workspace.store().jobs().update(now.job(), "cancelled", now.step(), null);
        return cancelled;
    }

    /** Stops the project's fine-tune, if one runs (the project is being deleted). */
    synchronized void stop(ProjectSession p) {
        Views.FineTune now = latest.get(p.project().id());
        if (now != null && !now.ended() && !now.state().equals("switching")) {
            cancel(p);
        }
    }

    private static FineTuneSettings settings(Request r, long seed) {
        FineTuneSettings s = FineTuneSettings.DEFAULTS.withSeed(seed);
        if (r == null) {
            return s;
        }
        if (r.mode() != null) {
            try {
                s = s.withMode(FineTuneSettings.Mode.parse("mode", r.mode()));
            } catch (QuarryException e) {
                throw invalid("mode", "classify or contrastive, got '" + r.mode() + "'");
            }
        }
        if (r.epochs() != null) {
            if (r.epochs() < 1 || r.epochs() > 20) {
                throw invalid("epochs", "1 to 20, got " + r.epochs());
            }
            s = s.withEpochs(r.epochs());
        }
        if (r.maxSeconds() != null) {
            if (!(r.maxSeconds() >= 10 && r.maxSeconds() <= 24 * 3600)) {
                throw invalid("maxSeconds", "10 to 86400 seconds, got " + r.maxSeconds());
            }
            s = s.withMaxSeconds(r.maxSeconds());
        }
        return s;
    }

    private static DomainException.InvalidInput invalid(String field, String message) {
        return new DomainException.InvalidInput("bad_request", "field '" + field + "': " + message,
                Map.of("field", field));
    }

    /**
     * The installed encoder a fine-tuned one descends from: every fine-tune starts there, on all
     * the labels so far, as {@code simulate --finetune-at} measures it (not from the last tuned copy).
     */
    private ModelSpec base(ModelSpec spec) {
        ModelSpec s = spec;
        for (int depth = 0; depth < 100; depth++) {
            String parent = TunedParent.of(s.folder());
            if (parent == null) {
                return s;
            }
            Path here = workspace.tunedEncoders().resolve(parent);
            s = Files.isDirectory(here) ? ModelSpec.load(here) : Encoders.find(Encoders.modelsDir(), parent);
        }
        throw new QuarryException("encoder '" + spec.id() + "' descends from more than 100 fine-tunes");
    }

    /** {@code <project>-ft<N>}, the first N with no folder yet. */
    private String nextName(String project) {
        for (int n = 1; ; n++) {
            String name = project + "-ft" + n;
            if (!Files.exists(workspace.tunedEncoders().resolve(name))) {
                boolean queued = latest.values().stream().anyMatch(f -> !f.ended() && name.equals(f.encoder()));
                if (!queued) {
                    return name;
                }
            }
        }
    }

    private void run(ProjectSession p, Views.FineTune queued, ModelSpec base, FineTuneSettings settings,
            ProjectSession.Labeled labeled) {
        long projectId = p.project().id();
        Path folder = workspace.tunedEncoders().resolve(queued.encoder());
        Path indexDir = null;
        Pool pool = null;
        boolean moved = false;
        try {
            workspace.store().jobs().update(queued.job(), "running", 0, null);
            Files.createDirectories(workspace.tunedEncoders());
            set(projectId, queued.phase("tuning", 0, 0, null));
            FineTuner.Result tuned = FineTuner.tune(base, labeled.texts(), labeled.labels(), settings,
                    workspace.tunedEncoders(), queued.encoder(), progress -> set(projectId, current(projectId)
                            .tuning(progress.step(), progress.totalSteps(), progress.loss(), progress.etaSeconds())));
            set(projectId, current(projectId).tuned(tuned.lossBefore(), tuned.lossAfter(), tuned.seconds(),
                    tuned.timedOut(), tuned.device(), tuned.skippedSteps()));

            CachingEncoder encoder = workspace.encoder(queued.encoder());
            indexDir = workspace.indexDir(p.project(), queued.encoder());
            pool = new Pool(encoder.dimension(), indexDir);
            embed(p, encoder, pool);
            Pool ready = pool;
            ready.catchUp((d, t) -> set(projectId, current(projectId).phase("indexing", d, t, null)),
                    (d, t) -> set(projectId, current(projectId).phase("densities", d, t, null)));
            synchronized (this) { // past this point a cancel is refused, so it cannot land half-way
                checkNotCancelled();
                set(projectId, current(projectId).phase("switching", ready.size(), ready.size(), null));
            }
            // The store first: a crash from here on restarts the project on the tuned encoder, whose
            // folder and index are complete.
            workspace.store().projects().updateEncoder(projectId, queued.encoder());
            moved = true;
            int version = p.adopt(encoder, ready).get();
            Views.FineTune done = current(projectId).finish("done", version, null);
            set(projectId, done);
            workspace.store().jobs().update(queued.job(), "done", done.step(), null);
            LOG.info("project {} moved to fine-tuned encoder {} (model version {})", p.project().name(),
                    queued.encoder(), version);
        } catch (InterruptedException | java.util.concurrent.CancellationException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            String message = e instanceof ExecutionException ee && ee.getCause() != null ? ee.getCause().getMessage()
                    : e.getMessage();
            if (Thread.currentThread().isInterrupted() || isCancelled(projectId)) {
                LOG.info("fine-tune of project {} cancelled", p.project().name());
            } else {
                LOG.error("fine-tune of project {} failed", p.project().name(), e);
                set(projectId, current(projectId).finish("failed", null, message));
                workspace.store().jobs().update(queued.job(), "failed", current(projectId).step(), message);
            }
        } finally {
            running.remove(projectId);
            if (!moved) {
                // Nothing of a fine-tune that did not land is kept: not its encoder, not its index.
                if (pool != null) {
                    pool.close();
                }
                if (indexDir != null) {
                    Workspace.deleteTree(indexDir);
                }
                workspace.forgetEncoder(queued.encoder());
                Workspace.deleteTree(folder);
            }
        }
    }

    /** Embeds every document of the project into {@code pool} with the tuned encoder (through the cache). */
    private void embed(ProjectSession p, CachingEncoder encoder, Pool pool) throws InterruptedException {
        long projectId = p.project().id();
        int total = workspace.store().documents().count(projectId);
        long start = System.nanoTime();
        while (pool.size() < total) {
            checkNotCancelled();
            int base = pool.size();
            List<Doc> docs = workspace.store().documents().list(projectId, base, EMBED_CHUNK);
            pool.append(encoder.encode(docs.stream().map(Doc::text).toList(), (d, t) -> {
                long doneNow = base + d;
                double seconds = (System.nanoTime() - start) / 1e9;
                Double eta = doneNow > 0 ? seconds / doneNow * (total - doneNow) : null;
                set(projectId, current(projectId).phase("embedding", doneNow, total, eta));
            }));
        }
    }

    private static void checkNotCancelled() throws InterruptedException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException("cancelled");
        }
    }

    private boolean isCancelled(long projectId) {
        Views.FineTune now = latest.get(projectId);
        return now != null && now.state().equals("cancelled");
    }

    private Views.FineTune current(long projectId) {
        return latest.get(projectId);
    }

    /** Updates the status unless the job was cancelled meanwhile (the cancel's status stands). */
    private void set(long projectId, Views.FineTune next) {
        latest.computeIfPresent(projectId, (id, now) -> now.state().equals("cancelled") ? now : next);
    }

    @Override
    public void close() {
        runner.shutdownNow();
    }

    /** The {@code parent} a fine-tuned encoder's {@code model.json} names; null for an installed encoder. */
    static final class TunedParent {
        private TunedParent() {
        }

        static String of(Path folder) {
            try {
                com.fasterxml.jackson.databind.JsonNode node = Json.MAPPER.readTree(
                        folder.resolve(ModelSpec.MODEL_JSON).toFile());
                com.fasterxml.jackson.databind.JsonNode parent = node == null ? null : node.get("parent");
                return parent == null || !parent.isTextual() ? null : parent.asText();
            } catch (java.io.IOException e) {
                throw new QuarryException("cannot read " + folder.resolve(ModelSpec.MODEL_JSON) + ": " + e.getMessage(),
                        e);
            }
        }
    }
}
