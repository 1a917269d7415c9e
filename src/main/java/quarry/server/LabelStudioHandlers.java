package quarry.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import quarry.data.Interchange;
import quarry.data.LabelConfig;
import quarry.data.LabelStudioMl;
import quarry.project.ProjectSession;
import quarry.project.Views;
import quarry.project.Workspace;

/**
 * Label Studio's ML backend protocol under {@code /ml/{project}}: Label Studio asks Quarry's model
 * for predictions (a score it can sort tasks by) and sends its annotations back as labels.
 */
final class LabelStudioHandlers {

    private final Workspace w;

    LabelStudioHandlers(Workspace workspace) {
        this.w = workspace;
    }

    /** The model version as Label Studio shows it; 0 until the first model. */
    static String modelVersion(ProjectSession p) {
        return "quarry-" + p.project().name() + "-v" + p.modelStatus().version();
    }

    /** A prediction as the interchange formats write it. */
    static Interchange.Suggestion suggestion(ProjectSession p, Views.TextPrediction t, String version) {
        return new Interchange.Suggestion(t.labels(), t.confidence(p.project().multiLabel()), version);
    }

    void health(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", "UP");
        out.put("model_class", "Quarry");
        out.put("model_version", modelVersion(p));
        ctx.json(out);
    }

    /**
     * Label Studio sends its label config when connecting: a config whose choices lack labels of the
     * project would get predictions it cannot show, so that is refused here, where its settings page
     * shows the message.
     */
    void setup(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        LabelConfig config = LabelStudioMl.config(Bodies.tree(ctx), "schema");
        check(p, config, "schema");
        ctx.json(Map.of("model_version", modelVersion(p)));
    }

    private static void check(ProjectSession p, LabelConfig config, String field) {
        if (config == LabelConfig.DEFAULT) {
            return;
        }
        List<String> missing = new ArrayList<>(p.project().labelNames());
        missing.removeAll(config.choices());
        if (!missing.isEmpty()) {
            throw new quarry.core.DomainException.InvalidInput("bad_request", "field '" + field + "': the <Choices"
                    + " name=\"" + config.fromName() + "\"> control lacks " + missing.size() + " of project '"
                    + p.project().name() + "''s labels: " + missing, Map.of("field", field, "missing", missing));
        }
        if (p.project().multiLabel() && !config.multiple()) {
            throw new quarry.core.DomainException.InvalidInput("bad_request", "field '" + field + "': project '"
                    + p.project().name() + "' is multi-label; set choice=\"multiple\" on <Choices name=\""
                    + config.fromName() + "\">", Map.of("field", field));
        }
    }

    /**
     * One prediction per task, in order. Until the project has a model the results are empty: Label
     * Studio then shows no prediction rather than an error.
     */
    void predict(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        LabelStudioMl.PredictRequest request = LabelStudioMl.predict(Bodies.tree(ctx));
        check(p, request.config(), "label_config");
        String version = modelVersion(p);
        List<Object> results = new ArrayList<>();
        if (p.modelStatus().version() > 0) {
            List<String> ids = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            for (LabelStudioMl.Task t : request.tasks()) {
                ids.add(t.documentId() == null ? "" : t.documentId());
                texts.add(t.text());
            }
            for (Views.TextPrediction t : p.predict(ids, texts)) {
                results.add(LabelStudioMl.prediction(request.config(), suggestion(p, t, version)));
            }
        }
        ctx.json(Map.of("results", results, "model_version", version));
    }

    /** An annotation becomes the caller's label on the task's document (added to the pool when new). */
    void webhook(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        LabelStudioMl.Webhook event = LabelStudioMl.webhook(Bodies.tree(ctx));
        if (!event.carriesLabel()) {
            ctx.json(Map.of("action", event.action(), "status", "ignored"));
            return;
        }
        LabelStudioMl.Task task = event.task();
        if (task.documentId() == null) {
            throw Requests.invalid("task.id", "the task needs an id (or data.id) to name its document");
        }
        Workspace.Outside done = w.labelFromOutside(p, Params.caller(ctx).name(), task.documentId(), task.text(),
                event.labels(), event.requestId());
        ctx.status(201).json(Map.of("action", event.action(), "status", done.name().toLowerCase(), "document",
                task.documentId()));
    }

    /** Labels arrive one by one through the webhook; this only asks for a retrain now. */
    void train(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        p.retrainNow();
        ctx.status(201).json(Map.of("model_version", modelVersion(p), "status", "training"));
    }
}
