package quarry.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import quarry.core.DomainException;

/**
 * Label Studio's ML backend protocol, as its requests and replies: {@code /predict} takes
 * {@code {tasks: [{id, data}], label_config, project, params}} and answers {@code {results:
 * [{result: [choices], score, model_version}], model_version}}; {@code /webhook} takes
 * {@code {action, task, annotation, project}}. Malformed payloads are refused naming the field.
 */
public final class LabelStudioMl {

    /** More tasks than this in one {@code /predict} go in several requests (Label Studio batches its own). */
    public static final int MAX_TASKS = 1000;

    /** The annotation events that carry a label; others are acknowledged and ignored. */
    public static final Set<String> LABEL_EVENTS = Set.of("ANNOTATION_CREATED", "ANNOTATION_UPDATED");

    private static final Path BODY = Path.of("request");

    private LabelStudioMl() {
    }

    /**
     * One task: its Label Studio id (may be null), the Quarry document it is ({@code data.id}, else
     * {@code ls-<id>}), and its text.
     */
    public record Task(Long id, String documentId, String text) {
    }

    public record PredictRequest(List<Task> tasks, LabelConfig config) {
    }

    /**
     * An annotation event.
     *
     * @param labels    the choices, or null when the annotation was cancelled (a skip)
     * @param requestId the same for a repeated delivery of one annotation state, so it is stored once
     */
    public record Webhook(String action, Task task, List<String> labels, String requestId) {
        public boolean carriesLabel() {
            return LABEL_EVENTS.contains(action);
        }
    }

    /** The config a request names ({@code label_config}, or {@code schema} in {@code /setup}), else the default. */
    public static LabelConfig config(JsonNode body, String field) {
        return config(body, field, field);
    }

    private static LabelConfig config(JsonNode body, String key, String field) {
        JsonNode xml = body.get(key);
        if (xml == null || xml.isNull() || (xml.isTextual() && xml.textValue().isBlank())) {
            return LabelConfig.DEFAULT;
        }
        if (!xml.isTextual()) {
            throw LabelConfig.invalid(field, "must be the label config XML as a string");
        }
        return LabelConfig.parse(xml.textValue(), field);
    }

    public static PredictRequest predict(JsonNode body) {
        LabelConfig config = config(body, "label_config");
        JsonNode tasks = body.get("tasks");
        if (tasks == null || !tasks.isArray() || tasks.isEmpty()) {
            throw LabelConfig.invalid("tasks", "a non-empty list of tasks {id, data: {" + config.textKey() + "}} is"
                    + " required");
        }
        if (tasks.size() > MAX_TASKS) {
            throw LabelConfig.invalid("tasks", "at most " + MAX_TASKS + " tasks per request, got " + tasks.size());
        }
        List<Task> out = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            out.add(task(tasks.get(i), "tasks[" + i + "]", config, true));
        }
        return new PredictRequest(out, config);
    }

    public static Webhook webhook(JsonNode body) {
        JsonFields f = new JsonFields(BODY, 0);
        String action = f.string(body, "action", "action");
        check(f);
        if (action == null) {
            throw LabelConfig.invalid("action", "the event's action is required (ANNOTATION_CREATED, ...)");
        }
        if (!LABEL_EVENTS.contains(action)) {
            return new Webhook(action, null, null, null);
        }
        JsonNode project = f.object(body, "project", "project");
        check(f);
        LabelConfig config = project == null ? LabelConfig.DEFAULT : config(project, "label_config", "project.label_config");
        JsonNode task = body.get("task");
        if (task == null || !task.isObject()) {
            throw LabelConfig.invalid("task", "an " + action + " event needs the task {id, data}");
        }
        Task t = task(task, "task", config, false);
        JsonNode annotation = f.object(body, "annotation", "annotation");
        check(f);
        if (annotation == null) {
            throw LabelConfig.invalid("annotation", "an " + action + " event needs the annotation {id, result}");
        }
        boolean cancelled = annotation.path("was_cancelled").asBoolean(false);
        JsonNode result = f.array(annotation, "result", "annotation.result");
        List<String> labels = LabelStudioTasks.choices(f, result, "annotation.result");
        Long id = f.integer(annotation, "id", "annotation.id");
        String updated = f.string(annotation, "updated_at", "annotation.updated_at");
        check(f);
        if (result == null && !cancelled) {
            throw LabelConfig.invalid("annotation.result", "missing: the annotation's result list is required");
        }
        String requestId = id == null ? null : "ls-annotation-" + id + (updated == null ? "" : "@" + updated);
        if (requestId != null && requestId.length() > 200) {
            requestId = null;
        }
        return new Webhook(action, t, cancelled ? null : labels, requestId);
    }

    private static Task task(JsonNode task, String at, LabelConfig config, boolean needText) {
        if (!task.isObject()) {
            throw LabelConfig.invalid(at, "must be a task object {id, data}, found " + JsonlRowReader.kind(task));
        }
        JsonFields f = new JsonFields(BODY, 0);
        Long id = f.integer(task, "id", at + ".id");
        JsonNode data = f.object(task, "data", at + ".data");
        String key = config.textKey();
        String text = f.string(data, key, at + ".data." + key);
        String documentId = f.id(data, "id", at + ".data.id");
        check(f);
        if (data == null) {
            throw LabelConfig.invalid(at + ".data", "missing: a task needs data with the text in data." + key);
        }
        if (needText && (text == null || text.isBlank())) {
            throw LabelConfig.invalid(at + ".data." + key, "missing or empty: the text to predict for");
        }
        if (text != null && text.indexOf('\0') >= 0) {
            throw LabelConfig.invalid(at + ".data." + key, "text holds the character U+0000 (NUL)");
        }
        if (documentId == null && id != null) {
            documentId = "ls-" + id;
        }
        if (documentId != null && (documentId.isBlank() || documentId.length() > RowValidator.MAX_ID_LENGTH
                || RowValidator.firstControl(documentId) >= 0)) {
            throw LabelConfig.invalid(at + ".data.id", "an id must be 1-" + RowValidator.MAX_ID_LENGTH
                    + " characters without control characters");
        }
        return new Task(id, documentId, text);
    }

    private static void check(JsonFields f) {
        if (!f.problems().isEmpty()) {
            ImportProblem p = f.problems().get(0);
            throw LabelConfig.invalid(p.field(), p.message());
        }
    }

    /** A prediction in Label Studio's form: the choices, the score, and the model version. */
    public static Map<String, Object> prediction(LabelConfig config, Interchange.Suggestion s) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("result", s.labels().isEmpty() ? List.of()
                : List.of(LabelStudioTasks.choicesResult(config.fromName(), config.toName(), s.labels())));
        p.put("score", s.score());
        p.put("model_version", s.modelVersion());
        return p;
    }
}
