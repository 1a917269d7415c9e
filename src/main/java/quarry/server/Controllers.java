package quarry.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import quarry.encode.Encoders;
import quarry.query.Strategies;
import quarry.store.Records.Annotation;
import quarry.store.Records.Doc;
import quarry.store.Records.Job;
import quarry.store.Records.Label;
import quarry.store.Records.ModelVersion;

/** The API's handlers, one method per endpoint; each checks its input and hands over. */
final class Controllers {

    private final Workspace w;
    private final long maxUpload;

    Controllers(Workspace workspace, long maxUpload) {
        this.w = workspace;
        this.maxUpload = maxUpload;
    }

    // ---- misc, tokens ----

    void health(Context ctx) {
        ctx.json(Map.of("status", "ok", "version", Server.VERSION));
    }

    void me(Context ctx) {
        Auth.Caller c = Server.caller(ctx);
        ctx.json(Map.of("name", c.name(), "role", c.role().name().toLowerCase()));
    }

    void tokens(Context ctx) {
        ctx.json(w.store().tokens().list());
    }

    void createToken(Context ctx) {
        JsonNode body = body(ctx);
        String name = text(body, "name", true);
        String role = text(body, "role", true);
        if (!role.equals("admin") && !role.equals("annotator")) {
            throw new ApiError(400, "bad_request", "role must be 'admin' or 'annotator', got '" + role + "'",
                    Map.of("field", "role", "allowed", List.of("admin", "annotator")));
        }
        String token = w.auth().create(name, Auth.Role.valueOf(role.toUpperCase()));
        ctx.status(201).json(Map.of("name", name, "role", role, "token", token));
    }

    void deleteToken(Context ctx) {
        if (!w.auth().delete(ctx.pathParam("name"))) {
            throw ApiError.notFound("no token named '" + ctx.pathParam("name") + "'");
        }
        ctx.status(204);
    }

    void encoders(Context ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Encoders.Installed e : Encoders.list(Encoders.modelsDir())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", e.name());
            m.put("ok", e.ok());
            m.put("problem", e.problem());
            out.add(m);
        }
        ctx.json(out);
    }

    void strategies(Context ctx) {
        ctx.json(Map.of("default", ProjectSettings.DEFAULTS.strategy(), "strategies", Strategies.names()));
    }

    // ---- projects ----

    void projects(Context ctx) {
        ctx.json(w.projects().stream().map(this::summary).toList());
    }

    void getProject(Context ctx) {
        ProjectRuntime p = project(ctx);
        Map<String, Object> out = summary(p);
        out.put("labels", p.project().labels());
        out.put("settings", p.settings());
        ctx.json(out);
    }

    private Map<String, Object> summary(ProjectRuntime p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", p.project().name());
        out.put("multiLabel", p.project().multiLabel());
        out.put("encoder", p.project().encoder());
        out.put("labelCount", p.project().labels().size());
        out.put("documents", w.store().documents().count(p.project().id()));
        out.put("labeled", p.labelCount());
        out.put("embedding", p.embedding());
        out.put("model", p.modelStatus());
        out.put("created", p.project().created());
        return out;
    }

    void createProject(Context ctx) {
        JsonNode body = body(ctx);
        onlyFields(body, "name", "multiLabel", "encoder", "labels", "settings");
        String name = text(body, "name", true);
        if (body.has("multiLabel") && !body.get("multiLabel").isBoolean()) {
            throw new ApiError(400, "bad_request", "field 'multiLabel' must be true or false", Map.of("field",
                    "multiLabel"));
        }
        boolean multi = body.path("multiLabel").asBoolean(false);
        String encoder = text(body, "encoder", false);
        JsonNode labelsNode = body.get("labels");
        if (labelsNode == null || !labelsNode.isArray()) {
            throw new ApiError(400, "bad_request", "field 'labels': a list of label names (or {name, description})"
                    + " is required", Map.of("field", "labels"));
        }
        List<Label> labels = new ArrayList<>();
        for (JsonNode l : labelsNode) {
            if (l.isTextual()) {
                labels.add(new Label(labels.size(), l.asText().strip(), null));
            } else if (l.isObject() && l.path("name").isTextual()) {
                labels.add(new Label(labels.size(), l.get("name").asText().strip(),
                        l.path("description").isTextual() ? l.get("description").asText() : null));
            } else {
                throw new ApiError(400, "bad_request", "field 'labels': item " + (labels.size() + 1)
                        + " is neither a name nor {name, description}", Map.of("field", "labels"));
            }
        }
        ProjectSettings settings = body.has("settings")
                ? Api.read(body.get("settings").toString(), ProjectSettings.class) : null;
        ProjectRuntime p = w.createProject(name, multi, encoder, labels, settings);
        ctx.status(201).json(summary(p));
    }

    void deleteProject(Context ctx) {
        w.deleteProject(ctx.pathParam("project"));
        ctx.status(204);
    }

    // ---- documents ----

    void importDocuments(Context ctx) throws Exception {
        ProjectRuntime p = project(ctx);
        String format = Optional.ofNullable(ctx.queryParam("format"))
                .orElse(String.valueOf(ctx.contentType()).contains("csv") ? "csv" : "jsonl");
        if (!format.equals("csv") && !format.equals("jsonl")) {
            throw ApiError.badRequest("format must be jsonl or csv, got '" + format + "'");
        }
        Files.createDirectories(w.dir().resolve("uploads"));
        // A folder of its own, so the file keeps a plain name: errors say "upload.csv:12", ids "upload-12".
        Path folder = Files.createTempDirectory(w.dir().resolve("uploads"), "import-");
        Path file = folder.resolve("upload." + format);
        try {
            try (InputStream in = new Api.LimitedStream(ctx.bodyInputStream(), maxUpload)) {
                Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            int added = w.importDocuments(p, file);
            ctx.status(202).json(Map.of("added", added, "documents", w.store().documents().count(p.project().id()),
                    "embedding", p.embedding()));
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(folder);
        }
    }

    void documents(Context ctx) {
        ProjectRuntime p = project(ctx);
        int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = intParam(ctx, "limit", 100, 1, 1000);
        ctx.json(Map.of("offset", offset, "items", w.store().documents().list(p.project().id(), offset, limit)));
    }

    void document(Context ctx) {
        ProjectRuntime p = project(ctx);
        Doc d = doc(p, ctx.pathParam("id"));
        ctx.json(Map.of("id", d.id(), "row", d.row(), "text", d.text(), "labels",
                w.store().annotations().currentLabels(p.project().id(), d.row()).orElse(List.of())));
    }

    // ---- queue, annotations ----

    void queue(Context ctx) {
        ProjectRuntime p = project(ctx);
        int n = intParam(ctx, "n", 1, 1, 50);
        queueReply(ctx, p, p.next(Server.caller(ctx).name(), n), Map.of());
    }

    private void queueReply(Context ctx, ProjectRuntime p, List<Views.QueueItem> items, Map<String, Object> extra) {
        Map<String, Object> out = new LinkedHashMap<>(extra);
        out.put("items", items);
        out.put("model", p.modelStatus());
        out.put("embedding", p.embedding());
        out.put("labeled", p.labelCount());
        out.put("budget", p.settings().budget());
        ctx.json(out);
    }

    void release(Context ctx) {
        ProjectRuntime p = project(ctx);
        Doc d = doc(p, ctx.pathParam("id"));
        if (!p.release(Server.caller(ctx).name(), d.row())) {
            throw ApiError.conflict("document '" + d.id() + "' is not leased to you");
        }
        ctx.status(204);
    }

    void annotate(Context ctx) {
        ProjectRuntime p = project(ctx);
        JsonNode body = body(ctx);
        onlyFields(body, "document", "labels", "skip", "requestId");
        String document = text(body, "document", true);
        boolean skip = body.path("skip").asBoolean(false);
        if (skip && body.has("labels")) {
            throw ApiError.badRequest("send either labels or \"skip\": true, not both");
        }
        List<String> labels = null;
        if (!skip) {
            JsonNode l = body.get("labels");
            if (l == null || !l.isArray()) {
                throw new ApiError(400, "bad_request", "field 'labels': a list of label names is required (or"
                        + " \"skip\": true)", Map.of("field", "labels"));
            }
            labels = new ArrayList<>();
            for (JsonNode x : l) {
                if (!x.isTextual()) {
                    throw new ApiError(400, "bad_request", "field 'labels': every label must be a string",
                            Map.of("field", "labels"));
                }
                labels.add(x.asText());
            }
        }
        String requestId = text(body, "requestId", false);
        String annotator = Server.caller(ctx).name();
        Map.Entry<Annotation, Boolean> stored = p.annotate(annotator, document, labels, requestId);
        ctx.status(stored.getValue() ? 201 : 200);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("annotation", stored.getKey());
        extra.put("replayed", !stored.getValue());
        if ("true".equals(ctx.queryParam("next"))) {
            queueReply(ctx, p, p.next(annotator, 1), extra);
        } else {
            ctx.json(extra);
        }
    }

    void undo(Context ctx) {
        ProjectRuntime p = project(ctx);
        Annotation a = p.undo(Server.caller(ctx).name())
                .orElseThrow(() -> ApiError.conflict("nothing to undo: you have no annotation in this project"));
        String name = Server.caller(ctx).name();
        ctx.json(Map.of("undone", a, "document", p.item(a.row(), p.leaseExpiry(name, a.row()))));
    }

    void annotations(Context ctx) {
        ProjectRuntime p = project(ctx);
        long after = intParam(ctx, "after", 0, 0, Integer.MAX_VALUE);
        int limit = intParam(ctx, "limit", 100, 1, 1000);
        ctx.json(Map.of("items", w.store().annotations().list(p.project().id(), after, limit)));
    }

    // ---- model, metrics ----

    void model(Context ctx) {
        ProjectRuntime p = project(ctx);
        ctx.json(p.modelStatus());
    }

    void versions(Context ctx) {
        ProjectRuntime p = project(ctx);
        List<Map<String, Object>> out = new ArrayList<>();
        for (ModelVersion m : w.store().models().list(p.project().id())) {
            out.add(Map.of("version", m.version(), "labelsUsed", m.labelsUsed(), "created", m.created(), "report",
                    Api.read(m.report(), Views.Report.class)));
        }
        ctx.json(out);
    }

    void retrain(Context ctx) {
        ProjectRuntime p = project(ctx);
        p.retrainNow();
        ctx.status(202).json(p.modelStatus());
    }

    void metrics(Context ctx) {
        ProjectRuntime p = project(ctx);
        List<Map<String, Object>> curve = new ArrayList<>();
        for (ModelVersion m : w.store().models().list(p.project().id())) {
            Views.Report r = Api.read(m.report(), Views.Report.class);
            if (r.estimatedAccuracy() != null) {
                curve.add(Map.of("version", m.version(), "labels", m.labelsUsed(), "estimatedAccuracy",
                        r.estimatedAccuracy()));
            }
        }
        Views.Report last = p.lastReport();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("modelVersion", p.modelStatus().version());
        out.put("labels", p.labelCount());
        out.put("learningCurve", curve);
        out.put("estimatedAccuracy", last == null ? null : last.estimatedAccuracy());
        out.put("accuracyNote", last == null ? "no model yet" : last.accuracyNote());
        out.put("perClass", last == null ? List.of() : last.weakestClasses());
        out.put("stopping", last == null ? null : last.stop());
        out.put("safeToAccept", last == null ? null : last.safeToAccept());
        ctx.json(out);
    }

    // ---- predictions, jobs ----

    void predict(Context ctx) {
        ProjectRuntime p = project(ctx);
        JsonNode body = body(ctx);
        JsonNode texts = body.get("texts");
        if (texts == null || !texts.isArray() || texts.isEmpty()) {
            throw new ApiError(400, "bad_request", "field 'texts': a non-empty list of strings is required",
                    Map.of("field", "texts"));
        }
        if (texts.size() > 100) {
            throw new ApiError(413, "too_large", "at most 100 texts per request, got " + texts.size()
                    + "; use POST /api/projects/{project}/predictions for a batch job", Map.of("limit", 100));
        }
        List<String> list = new ArrayList<>();
        for (JsonNode t : texts) {
            if (!t.isTextual() || t.asText().isBlank()) {
                throw new ApiError(400, "bad_request", "field 'texts': item " + (list.size() + 1)
                        + " is not a non-empty string", Map.of("field", "texts", "index", list.size()));
            }
            list.add(t.asText());
        }
        List<String> ids = new ArrayList<>();
        JsonNode idNode = body.get("ids");
        if (idNode != null && (!idNode.isArray() || idNode.size() != list.size())) {
            throw new ApiError(400, "bad_request", "field 'ids': a list as long as 'texts' (" + list.size() + ")",
                    Map.of("field", "ids"));
        }
        for (int i = 0; i < list.size(); i++) {
            ids.add(idNode != null && idNode.has(i) ? idNode.get(i).asText() : Integer.toString(i));
        }
        ctx.json(Map.of("modelVersion", p.modelStatus().version(), "predictions", p.predict(ids, list)));
    }

    void submitJob(Context ctx) throws IOException {
        ProjectRuntime p = project(ctx);
        Job job = w.jobs().submit(p, ctx.bodyInputStream(), maxUpload, Server.caller(ctx).name());
        ctx.status(202).json(job);
    }

    void jobs(Context ctx) {
        Auth.Caller c = Server.caller(ctx);
        ctx.json(w.store().jobs().list(project(ctx).project().id()).stream()
                .filter(j -> c.role() == Auth.Role.ADMIN || c.name().equals(j.owner())).toList());
    }

    void job(Context ctx) {
        ctx.json(job(ctx, ctx.pathParam("job")));
    }

    void cancelJob(Context ctx) {
        Job j = job(ctx, ctx.pathParam("job"));
        if (!w.jobs().cancel(j)) {
            throw ApiError.conflict("job " + j.id() + " has already finished (" + j.state() + ")");
        }
        ctx.status(202).json(job(j.id()));
    }

    void jobResults(Context ctx) {
        Job j = job(ctx, ctx.pathParam("job"));
        long offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = intParam(ctx, "limit", 100, 1, 1000);
        List<Object> items = new ArrayList<>();
        for (String line : w.store().jobs().results(j.id(), offset, limit)) {
            items.add(Api.read(line, Views.TextPrediction.class));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("job", j);
        out.put("offset", offset);
        out.put("items", items);
        out.put("nextOffset", offset + items.size() < j.done() || !j.state().matches("done|failed|cancelled")
                ? offset + items.size() : null);
        ctx.json(out);
    }

    void jobResultsStream(Context ctx) throws IOException {
        Job j = job(ctx, ctx.pathParam("job"));
        ctx.contentType("application/x-ndjson");
        try (Writer out = writer(ctx)) {
            for (long offset = 0;; ) {
                List<String> page = w.store().jobs().results(j.id(), offset, 1000);
                for (String line : page) {
                    out.write(line);
                    out.write('\n');
                }
                if (page.size() < 1000) {
                    break;
                }
                offset += page.size();
            }
        }
    }

    // ---- export ----

    void exportLabels(Context ctx) throws IOException {
        ProjectRuntime p = project(ctx);
        boolean csv = csv(ctx);
        boolean log = "true".equals(ctx.queryParam("log"));
        ctx.contentType(csv ? "text/csv" : "application/x-ndjson");
        ctx.header("Content-Disposition", "attachment; filename=\"" + p.project().name() + "-labels."
                + (csv ? "csv" : "jsonl") + "\"");
        try (Writer out = writer(ctx)) {
            if (csv) {
                out.write(log ? "id,labels,annotator,created,skipped,undone\n" : "id,labels,annotator,created\n");
            }
            if (log) {
                // The whole log streams straight from the database to the client.
                w.store().annotations().forEach(p.project().id(), a -> write(out, labelLine(p, a, true, csv)));
                return;
            }
            // Current labels: only the latest per labeled document is held, never the log.
            Map<Integer, Annotation> current = new LinkedHashMap<>();
            w.store().annotations().forEach(p.project().id(), a -> {
                if (!a.undone() && !a.skipped()) {
                    current.remove(a.row());
                    current.put(a.row(), a);
                }
            });
            for (Annotation a : current.values()) {
                out.write(labelLine(p, a, false, csv));
            }
        }
    }

    private static String labelLine(ProjectRuntime p, Annotation a, boolean log, boolean csv) {
        if (csv) {
            return Csv.row(log
                    ? List.of(a.documentId(), String.join("|", a.labels()), a.annotator(), a.created(),
                            Boolean.toString(a.skipped()), Boolean.toString(a.undone()))
                    : List.of(a.documentId(), String.join("|", a.labels()), a.annotator(), a.created()));
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", a.documentId());
        boolean multi = p.project().multiLabel();
        line.put(multi ? "labels" : "label", multi ? a.labels() : (a.labels().isEmpty() ? null : a.labels().get(0)));
        line.put("annotator", a.annotator());
        line.put("created", a.created());
        if (log) {
            line.put("skipped", a.skipped());
            line.put("undone", a.undone());
        }
        return Api.write(line) + "\n";
    }

    private static void write(Writer out, String text) {
        try {
            out.write(text);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    void exportPredictions(Context ctx) throws IOException {
        ProjectRuntime p = project(ctx);
        if (p.modelStatus().version() == 0) {
            throw ApiError.conflict("project '" + p.project().name() + "' has no model yet");
        }
        boolean csv = csv(ctx);
        ctx.contentType(csv ? "text/csv" : "application/x-ndjson");
        ctx.header("Content-Disposition", "attachment; filename=\"" + p.project().name() + "-predictions."
                + (csv ? "csv" : "jsonl") + "\"");
        try (Writer out = writer(ctx)) {
            if (csv) {
                out.write("id,labels,confidence\n");
            }
            int size = p.embeddedCount();
            for (int from = 0; from < size; from += 1000) {
                int to = Math.min(size, from + 1000);
                List<String> ids = w.store().documents().list(p.project().id(), from, to - from).stream().map(Doc::id).toList();
                List<Views.TextPrediction> predictions = p.predictPool(from, to, ids);
                if (predictions == null) {
                    break;
                }
                for (Views.TextPrediction t : predictions) {
                    if (csv) {
                        out.write(Csv.row(List.of(t.id(), String.join("|", t.labels()),
                                Float.toString((float) t.top().get(0).probability()))));
                    } else {
                        out.write(Api.write(t));
                        out.write('\n');
                    }
                }
            }
        }
    }

    // ---- helpers ----

    private static boolean csv(Context ctx) {
        String f = Optional.ofNullable(ctx.queryParam("format")).orElse("jsonl");
        if (!f.equals("csv") && !f.equals("jsonl")) {
            throw ApiError.badRequest("format must be jsonl or csv, got '" + f + "'");
        }
        return f.equals("csv");
    }

    private static Writer writer(Context ctx) throws IOException {
        return new BufferedWriter(new OutputStreamWriter(ctx.outputStream(), StandardCharsets.UTF_8));
    }

    private ProjectRuntime project(Context ctx) {
        return w.project(ctx.pathParam("project"));
    }

    private Doc doc(ProjectRuntime p, String id) {
        return w.store().documents().find(p.project().id(), id).orElseThrow(() -> ApiError.notFound(
                "no document '" + id + "' in project '" + p.project().name() + "'"));
    }

    private Job job(String id) {
        return w.store().jobs().find(id).orElseThrow(() -> ApiError.notFound("no job '" + id + "'"));
    }

    /** A job the caller may see: admins see every job, annotators their own. */
    private Job job(Context ctx, String id) {
        Job j = job(id);
        Auth.Caller c = Server.caller(ctx);
        if (c.role() != Auth.Role.ADMIN && !c.name().equals(j.owner())) {
            throw new ApiError(403, "forbidden", "job " + id + " belongs to '" + j.owner() + "'", null);
        }
        return j;
    }

    private static JsonNode body(Context ctx) {
        if (ctx.contentLength() > Server.MAX_JSON_BYTES) {
            drain(ctx);
            throw new ApiError(413, "too_large", "JSON bodies are limited to " + Server.MAX_JSON_BYTES + " bytes",
                    Map.of("limitBytes", Server.MAX_JSON_BYTES));
        }
        String raw = ctx.body();
        if (raw.isBlank()) {
            throw ApiError.badRequest("the request needs a JSON body");
        }
        try {
            JsonNode node = Api.MAPPER.readTree(raw);
            if (!node.isObject()) {
                throw ApiError.badRequest("the body must be a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ApiError(400, "bad_json", "malformed JSON: " + e.getOriginalMessage(), null);
        }
    }

    private static void onlyFields(JsonNode body, String... allowed) {
        List<String> known = List.of(allowed);
        body.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) {
                throw new ApiError(400, "bad_request", "unknown field '" + f + "'; allowed: " + known,
                        Map.of("field", f, "allowed", known));
            }
        });
    }

    /**
     * Reads and drops an oversized body (up to a bound), so that the connection closes cleanly
     * after the 413: closing with unread bytes resets it, and the client may never see the reply.
     */
    private static void drain(Context ctx) {
        byte[] buffer = new byte[64 * 1024];
        long left = 16L << 20;
        try {
            InputStream in = ctx.bodyInputStream();
            for (int n = in.read(buffer); n > 0 && left > 0; n = in.read(buffer)) {
                left -= n;
            }
        } catch (IOException e) {
            // the client went away: nothing to answer
        }
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw new ApiError(400, "bad_request", "field '" + field + "' is required", Map.of("field", field));
            }
            return null;
        }
        if (!n.isTextual()) {
            throw new ApiError(400, "bad_request", "field '" + field + "' must be a string", Map.of("field", field));
        }
        return n.asText();
    }

    private static int intParam(Context ctx, String name, int fallback, int min, int max) {
        long v = longParam(ctx, name, fallback);
        if (v < min || v > max) {
            throw new ApiError(400, "bad_request", "query parameter '" + name + "' must be in [" + min + ", " + max
                    + "], got " + v, Map.of("parameter", name));
        }
        return (int) v;
    }

    private static long longParam(Context ctx, String name, long fallback) {
        String raw = ctx.queryParam(name);
        if (raw == null) {
            return fallback;
        }
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new ApiError(400, "bad_request", "query parameter '" + name + "' must be a whole number, got '"
                    + raw + "'", Map.of("parameter", name));
        }
    }
}
