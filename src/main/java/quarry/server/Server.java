package quarry.server;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import quarry.core.QuarryException;
import quarry.data.ImportException;
import quarry.store.DuplicateException;

/**
 * The workbench over HTTP: the page at {@code /}, the API under {@code /api/}, its description at
 * {@code /openapi.json}. Handlers are thin; the work is in {@link Workspace} and
 * {@link ProjectRuntime}; domain errors map to JSON {@code {error, message, details}} in one place.
 */
public final class Server {

    private static final Logger LOG = LoggerFactory.getLogger(Server.class);
    static final String VERSION = "0.1.0";
    /** Largest JSON body; uploads (imports, batch predictions) stream and have their own limit. */
    static final long MAX_JSON_BYTES = 1 << 20;
    static final String CALLER = "quarry.caller";

    private Server() {
    }

    /** The Javalin app over a workspace; start it with {@code app.start(port)}. */
    public static Javalin create(Workspace workspace, long maxUploadBytes) {
        List<Api.Route> routes = routes(workspace, maxUploadBytes);
        Map<String, Object> openApi = Api.openApi(routes, VERSION);
        Path web = quarry.encode.Encoders.modelsDir().resolveSibling("web");
        return Javalin.create(config -> {
            config.http.maxRequestSize = MAX_JSON_BYTES;
            config.jsonMapper(new io.javalin.json.JavalinJackson(Api.MAPPER, false));
            config.startup.showJavalinBanner = false;
            if (Files.isDirectory(web)) {
                config.staticFiles.add(web.toString(), Location.EXTERNAL);
            }
            config.routes.before(ctx -> ctx.header("Content-Security-Policy",
                    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"));
            for (Api.Route r : routes) {
                Handler guarded = ctx -> {
                    ctx.attribute(CALLER, workspace.auth().check(ctx, r.role()));
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
            config.routes.get("/openapi.json", ctx -> ctx.json(openApi));
            config.routes.exception(ApiError.class, (e, ctx) -> error(ctx, e));
            config.routes.exception(ImportException.class, (e, ctx) -> error(ctx, new ApiError(400, "bad_import",
                    e.getMessage().lines().findFirst().orElse("bad file"), Map.of("problems", e.problems().stream()
                            .map(p -> {
                        Map<String, Object> m = new java.util.LinkedHashMap<>();
                        m.put("line", p.line());
                        m.put("field", p.field());
                        m.put("message", p.message());
                        return m;
                    }).toList(), "totalProblems", e.totalProblems()))));
            config.routes.exception(DuplicateException.class, (e, ctx) -> error(ctx, ApiError.conflict(e.getMessage())));
            config.routes.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx,
                    ApiError.badRequest(e.getMessage())));
            config.routes.exception(QuarryException.class, (e, ctx) -> error(ctx, ApiError.badRequest(e.getMessage())));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, new ApiError(e.getStatus(),
                    switch (e.getStatus()) {
                        case 404 -> "not_found";
                        case 405 -> "method_not_allowed";
                        case 413 -> "too_large";
                        default -> "http_" + e.getStatus();
                    }, e.getMessage(), null)));
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                error(ctx, new ApiError(500, "internal", "internal error: " + e, null));
            });
            config.routes.error(404, ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty()) {
                    error(ctx, ApiError.notFound("no such endpoint: " + ctx.method() + " " + ctx.path()));
                }
            });
            config.routes.error(405, ctx -> error(ctx, new ApiError(405, "method_not_allowed",
                    ctx.method() + " is not allowed on " + ctx.path(), null)));
        });
    }

    private static void error(Context ctx, ApiError e) {
        ctx.status(e.status()).json(e.body());
    }

    static Auth.Caller caller(Context ctx) {
        return ctx.attribute(CALLER);
    }

    static List<Api.Route> routes(Workspace w, long maxUpload) {
        Controllers c = new Controllers(w, maxUpload);
        Auth.Role pub = Auth.Role.PUBLIC;
        Auth.Role any = Auth.Role.ANNOTATOR;
        Auth.Role admin = Auth.Role.ADMIN;
        String json = "application/json";
        String p = "/api/projects/{project}";
        List<Api.Route> r = new ArrayList<>();
        r.add(new Api.Route("GET", "/api/health", pub, "Liveness and version", null, c::health));
        r.add(new Api.Route("GET", "/api/me", any, "The caller's name and role", null, c::me));
        r.add(new Api.Route("GET", "/api/tokens", admin, "List API tokens (names and roles, never secrets)", null,
                c::tokens));
        r.add(new Api.Route("POST", "/api/tokens", admin, "Create a token {name, role: admin|annotator}; the secret"
                + " is shown once", json, c::createToken));
        r.add(new Api.Route("DELETE", "/api/tokens/{name}", admin, "Revoke a token", null, c::deleteToken));
        r.add(new Api.Route("GET", "/api/encoders", any, "Installed encoders", null, c::encoders));
        r.add(new Api.Route("GET", "/api/strategies", any, "Query strategies a project may use", null, c::strategies));
        r.add(new Api.Route("GET", "/api/projects", any, "List projects", null, c::projects));
        r.add(new Api.Route("POST", "/api/projects", admin, "Create a project {name, multiLabel, encoder, labels,"
                + " settings}", json, c::createProject));
        r.add(new Api.Route("GET", p, any, "A project: schema, settings, counts, embedding progress, model status",
                null, c::getProject));
        r.add(new Api.Route("DELETE", p, admin, "Delete a project and everything in it", null, c::deleteProject));
        r.add(new Api.Route("POST", p + "/documents", admin, "Import documents: a JSONL or CSV body (streamed;"
                + " ?format=jsonl|csv); all rows or none; embedding starts in the background", "application/x-ndjson",
                c::importDocuments));
        r.add(new Api.Route("GET", p + "/documents", any, "Documents in pool order (?offset, ?limit)", null,
                c::documents));
        r.add(new Api.Route("GET", p + "/documents/{id}", any, "One document with its current labels", null,
                c::document));
        r.add(new Api.Route("GET", p + "/queue", any, "Lease the next documents to label (?n=1..50), best first,"
                + " with why each was picked", null, c::queue));
        r.add(new Api.Route("DELETE", p + "/queue/{id}", any, "Give a leased document back", null, c::release));
        r.add(new Api.Route("POST", p + "/annotations", any, "Label a document {document, labels | skip, requestId};"
                + " ?next=true leases the next document in the same reply", json, c::annotate));
        r.add(new Api.Route("POST", p + "/annotations/undo", any, "Undo the caller's latest annotation", null,
                c::undo));
        r.add(new Api.Route("GET", p + "/annotations", any, "The annotation log (?after=id, ?limit)", null,
                c::annotations));
        r.add(new Api.Route("GET", p + "/model", any, "Model status: version, training, labels since the last"
                + " retrain", null, c::model));
        r.add(new Api.Route("GET", p + "/model/versions", any, "Every model version with its metrics", null,
                c::versions));
        r.add(new Api.Route("POST", p + "/model/retrain", any, "Retrain now (in the background)", null, c::retrain));
        r.add(new Api.Route("GET", p + "/metrics", any, "Learning curve, per-class F1 (weakest first), stopping"
                + " criteria, share of predictions safe to accept", null, c::metrics));
        r.add(new Api.Route("POST", p + "/predict", any, "Predict up to 100 texts now {texts: [...], ids?: [...]}",
                json, c::predict));
        r.add(new Api.Route("POST", p + "/predictions", any, "Start a batch prediction job: JSONL body, one"
                + " {id, text} per line", "application/x-ndjson", c::submitJob));
        r.add(new Api.Route("GET", p + "/jobs", any, "The project's batch prediction jobs", null, c::jobs));
        r.add(new Api.Route("GET", "/api/jobs/{job}", any, "A job's state and progress", null, c::job));
        r.add(new Api.Route("DELETE", "/api/jobs/{job}", any, "Cancel a job", null, c::cancelJob));
        r.add(new Api.Route("GET", "/api/jobs/{job}/results", any, "A page of a job's results (?offset, ?limit"
                + " up to 1000)", null, c::jobResults));
        r.add(new Api.Route("GET", "/api/jobs/{job}/results.jsonl", any, "All of a job's results so far, streamed"
                + " as JSONL", null, c::jobResultsStream));
        r.add(new Api.Route("GET", p + "/export/labels", admin, "Current labels with annotator and time"
                + " (?format=jsonl|csv, ?log=true for every annotation)", null, c::exportLabels));
        r.add(new Api.Route("GET", p + "/export/predictions", admin, "The model's predictions for every document"
                + " (?format=jsonl|csv)", null, c::exportPredictions));
        return r;
    }
}
