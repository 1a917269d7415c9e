package quarry.server;

import io.javalin.http.Context;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import quarry.project.ProjectSession;
import quarry.project.Views;
import quarry.project.Workspace;
import quarry.store.Records.JobCount;

/**
 * {@code GET /metrics} in Prometheus's text format. Request latencies are timed as requests end
 * (by route template, never by raw path, so the series stay few); everything per project is read
 * from the project sessions when Prometheus scrapes, so nothing here keeps state of its own beyond
 * Micrometer's meters. Only projects whose names pass the API's name check become label values.
 */
final class Metrics {

    static final String PATH = "/metrics";
    /** The text exposition format Prometheus has always read. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final Logger LOG = LoggerFactory.getLogger(Metrics.class);
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH");
    private static final List<String> JOB_KINDS = List.of("predict", "finetune");
    private static final List<String> JOB_STATES = List.of("queued", "running", "done", "failed", "cancelled");

    private final Workspace workspace;
    private final byte[] scrapeToken;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Each project's meters, registered on the first scrape that sees it, removed on the first that does not. */
    private final Map<String, List<Meter>> projectMeters = new HashMap<>();
    /** The figures of the scrape in progress; the meters read them. */
    private volatile Map<String, Views.Operations> current = Map.of();
    private volatile Map<List<String>, Long> jobs = Map.of();

    /** @param scrapeToken a secret that lets Prometheus scrape without an API token; null: admin tokens only */
    Metrics(Workspace workspace, String scrapeToken) {
        this.workspace = workspace;
        this.scrapeToken = scrapeToken == null ? null : scrapeToken.getBytes(StandardCharsets.UTF_8);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        for (String kind : JOB_KINDS) {
            for (String state : JOB_STATES) {
                jobGauge(kind, state);
            }
        }
    }

    /** Whether the request carries the scrape token (compared in constant time). */
    boolean isScraper(Context ctx) {
        String header = ctx.header("Authorization");
        if (scrapeToken == null || header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] sent = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(sent, scrapeToken);
    }

    /** Times one request that ended: by route template, method (a known one or "other") and status class. */
    void request(String route, String method, int status, long nanos) {
        Timer.builder("quarry.http.requests").description("HTTP requests by route template, method and status class")
                .tags("route", route, "method", METHODS.contains(method) ? method : "other", "status",
                        (status / 100) + "xx")
                .serviceLevelObjectives(Duration.ofMillis(5), Duration.ofMillis(25), Duration.ofMillis(100),
                        Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(10))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    void scrape(Context ctx) {
        ctx.contentType(CONTENT_TYPE).result(scrape());
    }

    synchronized String scrape() {
        Map<String, Views.Operations> now = new HashMap<>();
        for (ProjectSession p : workspace.projects()) {
            String name = p.project().name();
            if (Workspace.isProjectName(name)) {
                now.put(name, p.operations());
            }
        }
        current = now;
        for (String gone : List.copyOf(projectMeters.keySet())) {
            if (!now.containsKey(gone)) {
                projectMeters.remove(gone).forEach(registry::remove);
            }
        }
        now.keySet().forEach(name -> projectMeters.computeIfAbsent(name, this::register));
        readJobs();
        return registry.scrape();
    }

    /** Job counts come from the store: one query per scrape; a failing store leaves the last counts. */
    private void readJobs() {
        try {
            Map<List<String>, Long> counts = new HashMap<>();
            for (JobCount c : workspace.store().jobs().counts()) {
                List<String> key = List.of(c.kind(), c.state());
                counts.put(key, c.count());
                if (!JOB_KINDS.contains(c.kind()) || !JOB_STATES.contains(c.state())) {
                    LOG.debug("job kind {} state {} is not one metrics know", c.kind(), c.state());
                }
            }
            jobs = counts;
        } catch (RuntimeException e) {
            LOG.warn("metrics: cannot count jobs: {}", e.getMessage());
        }
    }

    private void jobGauge(String kind, String state) {
        List<String> key = List.of(kind, state);
        Gauge.builder("quarry.jobs", this, m -> m.jobs.getOrDefault(key, 0L)).description("Background jobs by kind"
                + " and state").tags("kind", kind, "state", state).register(registry);
    }

    private List<Meter> register(String project) {
        Tags tags = Tags.of("project", project);
        List<Meter> out = new ArrayList<>();
        out.add(FunctionCounter.builder("quarry.labels.stored", this, m -> m.value(project, Views.Operations::labelsStored))
                .description("Labels stored (people's labels, reviews, settlements) since the server started")
                .tags(tags).register(registry));
        out.add(gauge("quarry.model.version", "The serving model version (0: none yet)", project,
                Views.Operations::modelVersion));
        out.add(gauge("quarry.pool.unlabeled", "Embedded documents with no label", project,
                Views.Operations::unlabeled));
        out.add(gauge("quarry.queue.ranked", "Unlabeled documents the current ranking holds for the queue", project,
                Views.Operations::ranked));
        out.add(gauge("quarry.documents", "Documents in the project", project, o -> o.embedding().total()));
        out.add(gauge("quarry.documents.embedded", "Documents embedded so far", project,
                o -> o.embedding().done()));
        out.add(FunctionTimer.builder("quarry.retrain", this, m -> (long) m.value(project, Views.Operations::retrains),
                m -> m.value(project, Views.Operations::retrainSeconds), TimeUnit.SECONDS)
                .description("Rounds that trained a head, and their time").tags(tags).register(registry));
        return out;
    }

    private Meter gauge(String name, String help, String project, ToDoubleFunction<Views.Operations> f) {
        return Gauge.builder(name, this, m -> m.value(project, f)).description(help).tags("project", project)
                .register(registry);
    }

    private double value(String project, ToDoubleFunction<Views.Operations> f) {
        Views.Operations o = current.get(project);
        return o == null ? Double.NaN : f.applyAsDouble(o);
    }
}
