package quarry.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Label Studio's JSON tasks for text classification: {@code {data: {id, text}, meta, annotations:
 * [{result: [{from_name, to_name, type: "choices", value: {choices}}], created_at, completed_by}],
 * predictions: [{model_version, score, result}]}}.
 *
 * <p>Reading: the text is {@code data.text}; the id {@code data.id}, else {@code ls-<task id>}
 * (what the ML backend's webhook uses too), else generated. The label is the last annotation that
 * was not cancelled; its {@code choices} results are the labels (an annotation with none is "none
 * of these"). Its annotator is {@code meta.annotator} (Quarry's export writes it), else
 * {@code completed_by} (an e-mail, or {@code ls-user-<id>}); its time {@code created_at}.
 * Predictions are checked for shape and then left out: Quarry's model makes its own.
 */
final class LabelStudioTasks {

    /** The control and object names Quarry writes: the label config in the README uses them. */
    static final String FROM_NAME = "label";
    static final String TO_NAME = "text";
    static final String CHOICES = "annotations.result.value.choices";

    private LabelStudioTasks() {
    }

    static RawRow read(JsonFields f, JsonNode task) {
        JsonNode data = f.object(task, "data", "data");
        if (data == null && !task.has("data")) {
            f.problem("data.text", "missing: a Label Studio task needs 'data' with the text in 'data.text'");
        }
        String text = f.string(data, "text", "data.text");
        String id = f.id(data, "id", "data.id");
        Long taskId = f.integer(task, "id", "id");
        if (id == null && taskId != null) {
            id = "ls-" + taskId;
        }
        JsonNode meta = f.object(task, "meta", "meta");
        List<String> labels = null;
        String annotator = f.string(meta, "annotator", "meta.annotator");
        String created = null;
        JsonNode annotations = f.array(task, "annotations", "annotations");
        int chosen = -1;
        for (int i = 0; annotations != null && i < annotations.size(); i++) {
            JsonNode a = annotations.get(i);
            if (!a.isObject()) {
                f.problem("annotations[" + i + "]", "must be an object, found " + JsonlRowReader.kind(a));
            } else if (!a.path("was_cancelled").asBoolean(false)) {
                chosen = i;
            }
        }
        if (chosen >= 0) {
            String at = "annotations[" + chosen + "]";
            JsonNode a = annotations.get(chosen);
            labels = choices(f, f.array(a, "result", at + ".result"), at + ".result");
            created = f.string(a, "created_at", at + ".created_at");
            if (annotator == null) {
                annotator = completedBy(f, a.get("completed_by"), at + ".completed_by");
            }
        }
        JsonNode predictions = f.array(task, "predictions", "predictions");
        for (int i = 0; predictions != null && i < predictions.size(); i++) {
            JsonNode p = predictions.get(i);
            if (!p.isObject()) {
                f.problem("predictions[" + i + "]", "must be an object, found " + JsonlRowReader.kind(p));
            } else {
                choices(f, f.array(p, "result", "predictions[" + i + "].result"), "predictions[" + i + "].result");
            }
        }
        return new RawRow(f.line(), true, id, text, null, labels, annotator, created, f.problems());
    }

    /** The labels of a result list: every {@code choices} value, all from one control. */
    static List<String> choices(JsonFields f, JsonNode result, String path) {
        List<String> out = new ArrayList<>();
        String control = null;
        for (int j = 0; result != null && j < result.size(); j++) {
            JsonNode r = result.get(j);
            String at = path + "[" + j + "]";
            if (!r.isObject()) {
                f.problem(at, "must be an object, found " + JsonlRowReader.kind(r));
                continue;
            }
            if (!"choices".equals(r.path("type").asText(null))) {
                continue; // another control (a comment, a rating): not a class label
            }
            String from = f.string(r, "from_name", at + ".from_name");
            if (control != null && from != null && !from.equals(control)) {
                f.problem(at + ".from_name", "choices from two controls ('" + control + "' and '" + from
                        + "'); Quarry reads one Choices control per task");
            }
            control = control == null ? from : control;
            JsonNode value = f.object(r, "value", at + ".value");
            if (value == null) {
                f.problem(at + ".value", "missing: a choices result needs value.choices");
                continue;
            }
            List<String> chosen = f.strings(value, "choices", at + ".value.choices");
            if (chosen == null) {
                f.problem(at + ".value.choices", "missing: a choices result needs a list of choices");
            } else {
                out.addAll(chosen);
            }
        }
        return out;
    }

    private static String completedBy(JsonFields f, JsonNode by, String path) {
        if (by == null || by.isNull()) {
            return null;
        }
        if (by.isIntegralNumber()) {
            return "ls-user-" + by.asLong();
        }
        if (by.isObject()) {
            String email = f.string(by, "email", path + ".email");
            if (email != null) {
                return email;
            }
            Long id = f.integer(by, "id", path + ".id");
            return id == null ? null : "ls-user-" + id;
        }
        f.problem(path, "must be a user id or {id, email}, found " + JsonlRowReader.kind(by));
        return null;
    }

    /** A {@code choices} result as Label Studio stores one. */
    static Map<String, Object> choicesResult(String fromName, String toName, List<String> labels) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("from_name", fromName);
        r.put("to_name", toName);
        r.put("type", "choices");
        r.put("value", Map.of("choices", labels));
        return r;
    }

    static Interchange.Sink sink(Interchange.Schema schema, Writer out) throws IOException {
        out.write("[");
        return new Interchange.Sink() {
            private boolean first = true;

            @Override
            public void write(Interchange.Item item) throws IOException {
                Map<String, Object> task = new LinkedHashMap<>();
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("id", item.id());
                data.put("text", item.text());
                task.put("data", data);
                if (item.labeled()) {
                    if (item.annotator() != null) {
                        task.put("meta", Map.of("annotator", item.annotator()));
                    }
                    Map<String, Object> a = new LinkedHashMap<>();
                    // "None of these" (multi-label) is an annotation with an empty result.
                    a.put("result", item.labels().isEmpty() ? List.of()
                            : List.of(choicesResult(FROM_NAME, TO_NAME, item.labels())));
                    a.put("was_cancelled", false);
                    a.put("created_at", item.created());
                    task.put("annotations", List.of(a));
                } else {
                    task.put("annotations", List.of());
                }
                Interchange.Suggestion s = item.suggestion();
                if (s != null) {
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("model_version", s.modelVersion());
                    p.put("score", s.score());
                    p.put("result", s.labels().isEmpty() ? List.of() : List.of(choicesResult(FROM_NAME, TO_NAME,
                            s.labels())));
                    task.put("predictions", List.of(p));
                } else {
                    task.put("predictions", List.of());
                }
                out.write(first ? "\n" : ",\n");
                first = false;
                out.write(Interchange.json(task));
            }

            @Override
            public void finish() throws IOException {
                out.write("\n]\n");
            }
        };
    }
}
