package quarry.server;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import quarry.core.DomainException;
import quarry.core.QuarryException;
import quarry.data.ImportException;
import quarry.encode.Encoders;
import quarry.project.Access;
import quarry.project.Json;
import quarry.project.Workspace;
import quarry.store.Database;
import quarry.store.DuplicateException;
import quarry.store.StoreException;

/**
 * The workbench over HTTP: the page at {@code /}, the API under {@code /api/}, its description at
 * {@code /openapi.json}. Handlers are thin (one class per resource) and call the project session;
 * domain exceptions map to status codes here, once, as JSON {@code {error, message, details}}.
 */
public final class Server implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Server.class);
    /** One line per request (see {@link RequestLog}); a logger of its own, to route or silence apart. */
    private static final Logger REQUESTS = LoggerFactory.getLogger("quarry.requests");
    static final String VERSION = quarry.core.Version.QUARRY;

    private final Javalin app;

    private Server(Javalin app) {
        this.app = app;
    }

    /** Starts serving {@code workspace} on {@code host:port} (port 0: any free port). */
    public static Server start(Workspace workspace, String host, int port, long maxUploadBytes) {
        return start(workspace, host, port, maxUploadBytes, null);
    }

    /**
     * As {@link #start(Workspace, String, int, long)}, with a secret that lets Prometheus scrape
     * {@code /metrics} without an API token (null: admin tokens only).
     */
    public static Server start(Workspace workspace, String host, int port, long maxUploadBytes, String metricsToken) {
        return new Server(create(workspace, maxUploadBytes, metricsToken, REQUESTS::info).start(host, port));
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    /** The Javalin app over a workspace, not started (tests start it through JavalinTest). */
    static Javalin create(Workspace workspace, long maxUploadBytes) {
        return create(workspace, maxUploadBytes, null, REQUESTS::info);
    }

    /** The app, with the metrics scrape token (or null) and where the request lines go. */
    static Javalin create(Workspace workspace, long maxUploadBytes, String metricsToken,
            java.util.function.Consumer<String> requestLog) {
        Metrics metrics = new Metrics(workspace, metricsToken);
        RequestLog log = new RequestLog(RequestLog.to(requestLog, metrics));
        List<Api.Route> routes = routes(workspace, maxUploadBytes, metrics);
        Map<String, Object> openApi = Api.openApi(routes, VERSION);
        Path web = Encoders.modelsDir().resolveSibling("web");
        return Javalin.create(config -> {
            config.http.maxRequestSize = Bodies.MAX_JSON_BYTES;
            config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            config.startup.showJavalinBanner = false;
            // Errors Jetty answers before a route sees the request get the API's JSON format too.
            config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            config.jetty.modifyServletContextHandler(context -> {
                context.setErrorHandler(new JsonErrorHandler());
                context.addFilter(new org.eclipse.jetty.ee10.servlet.FilterHolder(log), "/*",
                        java.util.EnumSet.of(jakarta.servlet.DispatcherType.REQUEST));
            });
            if (Files.isDirectory(web)) {
                config.staticFiles.add(web.toString(), Location.EXTERNAL);
            }
            config.routes.before(ctx -> {
                ctx.header("Content-Security-Policy", JsonErrorHandler.CSP);
                ctx.header("X-Content-Type-Options", "nosniff");
                ctx.header("Referrer-Policy", "no-referrer");
            });
            for (Api.Route r : routes) {
                boolean inProject = r.path().contains("{project}");
                boolean scrape = r.path().equals(Metrics.PATH);
                Handler guarded = ctx -> {
                    ctx.attribute(RequestLog.ROUTE, r.path());
                    // Prometheus may scrape with the metrics token instead of an admin token.
                    boolean scraper = scrape && metrics.isScraper(ctx);
                    Access.Caller caller = scraper ? null : authenticate(workspace.access(), ctx, r.role());
                    ctx.attribute(Params.CALLER, caller);
                    ctx.attribute(RequestLog.CALLER, scraper ? "(metrics token)"
                            : caller == null ? null : caller.name());
                    if (inProject && caller != null) {
                        workspace.project(ctx.pathParam("project"), caller); // members only (404 otherwise)
                    }
                    Params.checkQuery(ctx);
                    r.handler().handle(ctx);
                };
                switch (r.method()) {
                    case "GET" -> config.routes.get(r.path(), guarded);
                    case "POST" -> config.routes.post(r.path(), guarded);
                    case "PUT" -> config.routes.put(r.path(), guarded);
                    case "DELETE" -> config.routes.delete(r.path(), guarded);
                    default -> throw new IllegalStateException(r.method());
                }
            }
            config.routes.get("/openapi.json", ctx -> {
                ctx.attribute(RequestLog.ROUTE, "/openapi.json");
                ctx.json(openApi);
            });
            config.routes.exception(ApiError.class, (e, ctx) -> error(ctx, e));
            config.routes.exception(DomainException.class, (e, ctx) -> error(ctx,
                    new ApiError(status(e), e.code(), e.getMessage(), e.details())));
            config.routes.exception(ImportException.class, (e, ctx) -> error(ctx, importError(e)));
            config.routes.exception(DuplicateException.class, (e, ctx) -> error(ctx,
                    new ApiError(409, "conflict", e.getMessage(), null)));
            // Any other QuarryException is a problem the user can fix (an unknown encoder or strategy).
            config.routes.exception(QuarryException.class, (e, ctx) -> error(ctx,
                    new ApiError(400, "bad_request", e.getMessage(), null)));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, new ApiError(e.getStatus(),
                    switch (e.getStatus()) {
                        case 404 -> "not_found";
                        case 405 -> "method_not_allowed";
                        case 413 -> "too_large";
                        default -> "http_" + e.getStatus();
                    }, e.getMessage(), null)));
            config.routes.exception(StoreException.class, (e, ctx) -> storageFault(ctx, workspace, e, e.kind()));
            config.routes.exception(java.io.IOException.class, (e, ctx) -> storageFault(ctx, workspace, e,
                    StoreException.Kind.OTHER));
            config.routes.exception(java.io.UncheckedIOException.class, (e, ctx) -> storageFault(ctx, workspace, e,
                    StoreException.Kind.OTHER));
            config.routes.exception(Exception.class, (e, ctx) -> internal(ctx, e));
            config.routes.error(404, ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty()) {
                    error(ctx, new ApiError(404, "not_found", "no such endpoint: " + ctx.method() + " " + ctx.path(),
                            null));
                }
            });
            config.routes.error(405, ctx -> error(ctx, new ApiError(405, "method_not_allowed",
                    ctx.method() + " is not allowed on " + ctx.path(), null)));
        });
    }

    /** A bug or a broken machine, never the caller's fault: a 500 whose id (the request's) leads to the log. */
    private static void internal(Context ctx, Exception e) {
        String id = ctx.attribute(RequestLog.ID);
        if (id == null) {
            id = UUID.randomUUID().toString().substring(0, 8);
        }
        LOG.error("error {}: {} {} failed", id, RequestLog.value(ctx.method().name()),
                RequestLog.value(ctx.attribute(RequestLog.ROUTE)), e);
        error(ctx, new ApiError(500, "internal", "internal error " + id + " (the server log has the details)",
                Map.of("errorId", id)));
    }

    /**
     * A fault of the workspace's storage: 507 when the disk is full, 503 when it is read-only or
     * gone, naming the workspace; anything else stays a 500. Reads keep working meanwhile, and
     * writes work again as soon as the fault is fixed: nothing is cached in a failed state.
     */
    private static void storageFault(Context ctx, Workspace workspace, Exception e, StoreException.Kind kind) {
        StoreException.Kind k = kind == StoreException.Kind.OTHER ? StoreException.classify(e) : kind;
        // A PostgreSQL server's faults are its own: the workspace's disk says nothing about them.
        Database database = workspace.store().database();
        boolean server = e instanceof StoreException && database.kind() == Database.Kind.POSTGRESQL;
        if (k == StoreException.Kind.OTHER && !server) {
            k = diagnose(workspace.dir());
        }
        String where = server ? "the database " + database : "the workspace " + workspace.dir();
        switch (k) {
            case FULL -> {
                LOG.warn("request {}: {} is out of disk space: {}", ctx.<String>attribute(RequestLog.ID), where,
                        e.getMessage());
                error(ctx, new ApiError(507, "insufficient_storage", where + " is out of disk space: nothing was"
                        + " stored; reading still works; free some space and send it again", Map.of()));
            }
            case READ_ONLY, UNAVAILABLE -> {
                LOG.warn("request {}: {} cannot be written: {}", ctx.<String>attribute(RequestLog.ID), where,
                        e.getMessage());
                error(ctx, new ApiError(503, k == StoreException.Kind.READ_ONLY ? "read_only" : "unavailable",
                        where + (k == StoreException.Kind.READ_ONLY ? " is read-only" : " cannot be read or written")
                                + ": nothing was stored; reading may still work", Map.of()));
            }
            default -> internal(ctx, e);
        }
    }

    /**
     * What the workspace's disk says when a write failed for no reason the error named: SQLite
     * can report a full disk as "cannot commit - no transaction is active" once it has rolled the
     * transaction back itself.
     */
    private static StoreException.Kind diagnose(Path dir) {
        try {
            if (Files.getFileStore(dir).getUsableSpace() < (1 << 20)) {
                return StoreException.Kind.FULL;
            }
            Files.delete(Files.createTempFile(dir, ".write-check-", ".tmp"));
            return StoreException.Kind.OTHER;
        } catch (java.io.IOException probe) {
            StoreException.Kind k = StoreException.classify(probe);
            return k == StoreException.Kind.OTHER ? StoreException.Kind.UNAVAILABLE : k;
        }
    }

    private static int status(DomainException e) {
        if (e instanceof DomainException.NotFound) {
            return 404;
        }
        if (e instanceof DomainException.Conflict) {
            return 409;
        }
        if (e instanceof DomainException.Forbidden) {
            return 403;
        }
        return 400;
    }

    private static ApiError importError(ImportException e) {
        List<Map<String, Object>> problems = e.problems().stream().map(p -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("line", p.line());
            m.put("field", p.field());
            m.put("message", p.message());
            return m;
        }).toList();
        return new ApiError(400, "bad_import", e.getMessage().lines().findFirst().orElse("bad file"),
                Map.of("problems", problems, "totalProblems", e.totalProblems()));
    }

    private static void error(Context ctx, ApiError e) {
        ctx.status(e.status()).json(e.body());
    }

    /** The caller, if the request carries a valid token and the role allows the route. */
    private static Access.Caller authenticate(Access access, Context ctx, Access.Role needed) {
        if (needed == Access.Role.PUBLIC) {
            return null;
        }
        String token = token(ctx.header("Authorization"));
        if (token == null) {
            if (ctx.path().startsWith("/ml/")) {
                // Label Studio's ML backend settings send Basic auth: say it is what works here.
                ctx.header("WWW-Authenticate", "Basic realm=\"quarry\"");
            }
            throw new ApiError(401, "unauthorized", "send an API token as 'Authorization: Bearer <token>' (or"
                    + " 'Token <token>', or Basic auth with the token as the password)", null);
        }
        Access.Caller caller = access.verify(token).orElseThrow(
                () -> new ApiError(401, "unauthorized", "unknown or revoked API token", null));
        if (!caller.role().allows(needed)) {
            throw new DomainException.Forbidden("this needs " + (needed == Access.Role.ADMIN ? "an admin token"
                    : "a reviewer or admin token") + "; '" + caller.name() + "' is " + (caller.role()
                    == Access.Role.ANNOTATOR ? "an annotator" : "a " + caller.role().name().toLowerCase()));
        }
        return caller;
    }

    /**
     * The token of an Authorization header: {@code Bearer <token>}, {@code Token <token>} (Label
     * Studio's own API scheme), or Basic auth with the token as the password (what Label Studio's ML
     * backend connection sends); the user name is not read. Null when there is none.
     */
    static String token(String header) {
        if (header == null) {
            return null;
        }
        for (String scheme : List.of("Bearer ", "Token ")) {
            if (header.regionMatches(true, 0, scheme, 0, scheme.length())) {
                String t = header.substring(scheme.length()).strip();
                return t.isEmpty() ? null : t;
            }
        }
        if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String pair = new String(java.util.Base64.getDecoder().decode(header.substring(6).strip()),
                        java.nio.charset.StandardCharsets.UTF_8);
                int colon = pair.indexOf(':');
                String t = colon < 0 ? "" : pair.substring(colon + 1);
                return t.isEmpty() ? null : t;
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }

    static List<Api.Route> routes(Workspace w, long maxUpload) {
        return routes(w, maxUpload, new Metrics(w, null));
    }

    static List<Api.Route> routes(Workspace w, long maxUpload, Metrics metrics) {
        HealthHandlers health = new HealthHandlers(w);
        TokenHandlers tokens = new TokenHandlers(w);
        ProjectHandlers projects = new ProjectHandlers(w);
        DocumentHandlers documents = new DocumentHandlers(w, maxUpload);
        ArrivalHandlers arrivals = new ArrivalHandlers(w, maxUpload);
        AnnotationHandlers annotations = new AnnotationHandlers(w);
        ModelHandlers model = new ModelHandlers(w);
        ReviewHandlers review = new ReviewHandlers(w);
        PredictionHandlers predictions = new PredictionHandlers(w, maxUpload);
        ExportHandlers export = new ExportHandlers(w);
        MachineLabelHandlers machine = new MachineLabelHandlers(w);
        LabelStudioHandlers ls = new LabelStudioHandlers(w);
        Access.Role pub = Access.Role.PUBLIC;
        Access.Role any = Access.Role.ANNOTATOR;
        Access.Role admin = Access.Role.ADMIN;
        Access.Role reviewer = Access.Role.REVIEWER;
        String json = "application/json";
        String p = "/api/projects/{project}";
        List<Api.Route> r = new ArrayList<>();
        r.add(new Api.Route("GET", "/api/health", pub, "Liveness and version", null, projects::health));
        r.add(new Api.Route("GET", "/livez", pub, "Liveness: the process serves requests ({status: ok})", null,
                health::live));
        r.add(new Api.Route("GET", "/readyz", pub, "Readiness: the workspace is open and its database readable and"
                + " migrated ({status: ready}; 503 {status: unavailable, reason} otherwise)", null, health::ready));
        r.add(new Api.Route("GET", Metrics.PATH, admin, "Prometheus metrics (text format): request latencies, labels"
                + " stored, queue depth, retrain time, model version, embedding progress, job states; an admin token"
                + " or the metrics token of 'serve --metrics-token-file'", null, metrics::scrape));
        r.add(new Api.Route("GET", "/api/me", any, "The caller's name and role", null, tokens::me));
        r.add(new Api.Route("GET", "/api/tokens", admin, "List API tokens (names and roles, never secrets)", null,
                tokens::list));
        r.add(new Api.Route("POST", "/api/tokens", admin, "Create a token {name, role: admin|reviewer|annotator}; the secret"
                + " is shown once", json, tokens::create));
        r.add(new Api.Route("DELETE", "/api/tokens/{name}", admin, "Revoke a token", null, tokens::delete));
        r.add(new Api.Route("GET", "/api/encoders", any, "Installed encoders", null, projects::encoders));
        r.add(new Api.Route("GET", "/api/strategies", any, "Query strategies a project may use", null,
                projects::strategies));
        r.add(new Api.Route("GET", "/api/projects", any, "List projects", null, projects::list));
        r.add(new Api.Route("POST", "/api/projects", admin, "Create a project {name, multiLabel, encoder, labels,"
                + " settings}", json, projects::create));
        r.add(new Api.Route("GET", p, any, "A project: schema, settings, counts, embedding progress, model status",
                null, projects::get));
        r.add(new Api.Route("DELETE", p, admin, "Delete a project and everything in it", null, projects::delete));
        r.add(new Api.Route("POST", p + "/documents", admin, "Import documents: a JSONL or CSV body (streamed;"
                + " ?format=jsonl|csv), or another tool's export with its labels, annotators and times"
                + " (?format=labelstudio|argilla|prodigy); all rows or none; embedding starts in the background",
                "application/x-ndjson", documents::importFile));
        r.add(new Api.Route("GET", p + "/documents", any, "Documents in pool order (?offset, ?limit)", null,
                documents::list));
        r.add(new Api.Route("GET", p + "/documents/{id}", any, "One document with its current labels", null,
                documents::get));
        r.add(new Api.Route("POST", p + "/arrivals", admin, "New documents as NDJSON, in chunks (chunked transfer"
                + " welcome; spooled to disk): checked line by line like an import, stored as one arrival batch or not"
                + " at all; its drift report follows once it is embedded and a model exists", "application/x-ndjson",
                arrivals::arrive));
        r.add(new Api.Route("GET", p + "/arrivals", any, "Arrival batches, oldest first, each with its drift report"
                + " in numbers and words (state waiting until measured)", null, arrivals::list));
        r.add(new Api.Route("GET", p + "/arrivals/{id}", any, "One arrival batch and its drift report", null,
                arrivals::get));
        r.add(new Api.Route("GET", p + "/upkeep", any, "The upkeep queue: the ?n=1..200 (default 20) unlabeled"
                + " arrivals that best restore accuracy (uncertainty, distance to the labeled data, density; kept"
                + " diverse), with why; 409 without a model", null, arrivals::upkeep));
        r.add(new Api.Route("GET", p + "/queue", any, "Lease the next documents to label (?n=1..50), best first,"
                + " with why each was picked", null, annotations::queue));
        r.add(new Api.Route("POST", p + "/queue/import", admin, "Put documents first in the queue, by id, best first"
                + " {ids: [...], skipUnknown?}: picks made elsewhere (a Spark scoring job); after audit samples, before"
                + " the model's ranking; 400 naming unknown ids unless skipUnknown", json, annotations::importToQueue));
        r.add(new Api.Route("DELETE", p + "/queue/{id}", any, "Give a leased document back", null,
                annotations::release));
        r.add(new Api.Route("POST", p + "/annotations", any, "Label a document {document, labels | skip, requestId,"
                + " secondsOnItem?: 0-3600, the time on the item as the client measured it}; ?next=true leases the next document in the same reply", json, annotations::annotate));
        r.add(new Api.Route("POST", p + "/annotations/undo", any, "Undo the caller's latest annotation", null,
                annotations::undo));
        r.add(new Api.Route("GET", p + "/annotations", any, "The annotation log (?after=id, ?limit)", null,
                annotations::log));
        r.add(new Api.Route("GET", p + "/model", any, "Model status: version, training, labels since the last"
                + " retrain", null, model::status));
        r.add(new Api.Route("GET", p + "/model/versions", any, "Every model version with its metrics and provenance"
                + " (parent version, labels seen and their hash, encoder fingerprint, seed, settings, runtime)", null,
                model::versions));
        r.add(new Api.Route("GET", p + "/model/bundle", admin, "The serving model as a portable bundle (zip):"
                + " encoder folder, head, labels, thresholds and provenance, every file with its SHA-256; predict with"
                + " it by 'quarry predict --model DIR' (409 when there is no model yet)", null, model::bundle));
        r.add(new Api.Route("POST", p + "/model/retrain", any, "Retrain now (in the background)", null,
                model::retrain));
        r.add(new Api.Route("GET", p + "/finetune", any, "The project's latest fine-tune: state, step and loss,"
                + " documents re-embedded, ETA, the new encoder and model version", null, model::fineTuneStatus));
        r.add(new Api.Route("POST", p + "/finetune", admin, "Fine-tune the encoder on the project's labels in the"
                + " background {mode?: classify|contrastive, epochs?: 1-20, maxSeconds?}; then re-embed and index every"
                + " document and publish a model on the tuned encoder (202; 409 when multi-label, too few labels, or"
                + " one runs)", json, model::fineTune));
        r.add(new Api.Route("DELETE", p + "/finetune", admin, "Cancel the project's fine-tune; it keeps its encoder",
                null, model::cancelFineTune));
        r.add(new Api.Route("GET", p + "/members", admin, "The project's members: the annotators and reviewers"
                + " who see it (admins see every project)", null, projects::members));
        r.add(new Api.Route("PUT", p + "/members/{name}", admin, "Make token {name} a member of the project", null,
                projects::addMember));
        r.add(new Api.Route("DELETE", p + "/members/{name}", admin, "Take token {name} off the project", null,
                projects::removeMember));
        r.add(new Api.Route("GET", p + "/suspects", reviewer, "Suspect labels, most likely wrong first (confident"
                + " learning on out-of-fold probabilities; ?limit, ?flaggedOnly=false for all); recomputed in the"
                + " background when labels change", null, review::suspects));
        r.add(new Api.Route("POST", p + "/suspects/{id}", reviewer, "Settle a suspect label {decision: keep|change,"
                + " label?, reason}: an annotation by the reviewer with the reason, kept in the label log", json,
                review::decide));
        r.add(new Api.Route("GET", p + "/agreement", any, "Agreement among annotators on documents two or more"
                + " labeled: Krippendorff's alpha overall and per label, Cohen's kappa per annotator and per pair"
                + " (10+ shared documents), what is still open; annotators see their own figures only", null,
                review::agreement));
        r.add(new Api.Route("GET", p + "/disagreements", reviewer, "Documents whose annotators disagree and that no"
                + " reviewer settled, oldest first, with each annotator's label (?limit)", null, review::disagreements));
        r.add(new Api.Route("POST", p + "/disagreements/{id}", reviewer, "Settle a disagreement {label (or labels),"
                + " reason}: an annotation by the reviewer with the reason, which becomes the document's label", json,
                review::settle));
        r.add(new Api.Route("GET", p + "/metrics", any, "Learning curve, per-class F1 (weakest first), stopping"
                + " criteria, share of predictions safe to accept, cost accounting (each figure with its source, or why"
                + " it is unavailable)", null, model::metrics));
        r.add(new Api.Route("PUT", p + "/cost/settings", admin, "Cost settings, replaced as a whole {currency,"
                + " hourlyRate | costPerLabel, randomRatio?, randomRatioSource?}; {} clears them", json,
                model::costSettings));
        r.add(new Api.Route("GET", p + "/machine-labels", any, "Machine labels: the safe-to-accept threshold and how"
                + " many documents accepting now would label, the batches, and their audits' measured precision", null,
                machine::status));
        r.add(new Api.Route("POST", p + "/machine-labels", admin, "Accept the model's predictions at or above the"
                + " safe-to-accept threshold as one batch of machine labels (409 no_threshold when there is none yet)",
                null, machine::accept));
        r.add(new Api.Route("DELETE", p + "/machine-labels", admin, "Revoke every machine label of the project;"
                + " people's labels stay", null, machine::revokeAll));
        r.add(new Api.Route("DELETE", p + "/machine-labels/batches/{batch}", admin, "Revoke the machine labels of"
                + " one batch", null, machine::revokeBatch));
        r.add(new Api.Route("PUT", p + "/machine-labels/settings", admin, "Machine-label settings"
                + " {trainOnMachineLabels, auditShare, auditMin, auditMax}; fields left out keep their values", json,
                machine::settings));
        r.add(new Api.Route("POST", p + "/predict", any, "Predict up to 100 texts now {texts: [...], ids?: [...]}",
                json, predictions::predict));
        r.add(new Api.Route("POST", p + "/predictions", any, "Start a batch prediction job: JSONL body, one"
                + " {id, text} per line", "application/x-ndjson", predictions::submit));
        r.add(new Api.Route("GET", p + "/jobs", any, "The project's batch prediction jobs", null, predictions::list));
        r.add(new Api.Route("GET", "/api/jobs/{job}", any, "A job's state and progress", null, predictions::get));
        r.add(new Api.Route("DELETE", "/api/jobs/{job}", any, "Cancel a job", null, predictions::cancel));
        r.add(new Api.Route("GET", "/api/jobs/{job}/results", any, "A page of a job's results (?offset, ?limit"
                + " up to 1000)", null, predictions::results));
        r.add(new Api.Route("GET", "/api/jobs/{job}/results.jsonl", any, "All of a job's results so far, streamed"
                + " as JSONL", null, predictions::resultsStream));
        r.add(new Api.Route("GET", p + "/export/labels", admin, "Current labels with annotator and time"
                + " (?format=jsonl|csv, ?log=true for every annotation); or every document with its label and the"
                + " model's prediction in another tool's format (?format=labelstudio|argilla|prodigy)", null,
                export::labels));
        r.add(new Api.Route("GET", p + "/export/predictions", admin, "The model's predictions for every document"
                + " (?format=jsonl|csv)", null, export::predictions));
        // Label Studio's ML backend protocol: its "ML backend URL" is http://host:port/ml/{project}.
        String ml = "/ml/{project}";
        r.add(new Api.Route("GET", ml, any, "Label Studio ML backend: health (as /health)", null, ls::health));
        r.add(new Api.Route("GET", ml + "/health", any, "Label Studio ML backend: health {status: UP}", null,
                ls::health));
        r.add(new Api.Route("POST", ml + "/setup", any, "Label Studio ML backend: check the label config {project,"
                + " schema} against the project's labels; answers {model_version}", json, ls::setup));
        r.add(new Api.Route("POST", ml + "/predict", any, "Label Studio ML backend: predict {tasks: [{id, data:"
                + " {text}}], label_config?}; answers {results: [{result, score, model_version}]}; score is the"
                + " model's confidence, lowest = most uncertain", json, ls::predict));
        r.add(new Api.Route("POST", ml + "/webhook", any, "Label Studio ML backend: an annotation event {action:"
                + " ANNOTATION_CREATED|ANNOTATION_UPDATED, task, annotation}; the label goes into the label log (the"
                + " task's document is added when the project lacks it); other actions are ignored", json,
                ls::webhook));
        r.add(new Api.Route("POST", ml + "/train", any, "Label Studio ML backend: retrain now (labels arrive through"
                + " /webhook)", json, ls::train));
        return r;
    }
}
