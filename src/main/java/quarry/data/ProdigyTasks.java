package quarry.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prodigy's text-classification tasks, one per line: the choice interface's {@code {text, options:
 * [{id, text}], accept: [...], answer}} (single- and multi-label alike), or the binary
 * {@code {text, label, answer}}.
 *
 * <p>Reading: only an {@code "answer": "accept"} labels a document, with the ids in {@code accept}
 * (or the one {@code label}); a rejected, ignored or unanswered task is an unlabeled document.
 * The id is {@code meta.id}; the annotator {@code _annotator_id}; the time
 * {@code meta.annotated_at}, else {@code _timestamp} (seconds). {@code _input_hash} and
 * {@code _task_hash} must be integers when present, and are not kept (Prodigy sets them again).
 */
final class ProdigyTasks {

    private static final Set<String> ANSWERS = Set.of("accept", "reject", "ignore");

    private ProdigyTasks() {
    }

    static RawRow read(JsonFields f, JsonNode task) {
        String text = f.string(task, "text", "text");
        JsonNode meta = f.object(task, "meta", "meta");
        String id = f.id(meta, "id", "meta.id");
        f.integer(task, "_input_hash", "_input_hash");
        f.integer(task, "_task_hash", "_task_hash");
        String answer = f.string(task, "answer", "answer");
        if (answer != null && !ANSWERS.contains(answer)) {
            f.problem("answer", "must be accept, reject or ignore, found '" + answer + "'");
        }
        String label = null;
        List<String> labels = null;
        String annotator = null;
        String created = null;
        if ("accept".equals(answer)) {
            if (task.hasNonNull("accept")) {
                labels = f.strings(task, "accept", "accept");
            } else {
                label = f.string(task, "label", "label");
                if (label == null && !task.hasNonNull("label")) {
                    f.problem("accept", "the answer is 'accept' but the task has neither 'accept' (the chosen"
                            + " options) nor 'label'");
                }
            }
            annotator = f.string(task, "_annotator_id", "_annotator_id");
            created = f.string(meta, "annotated_at", "meta.annotated_at");
            Long seconds = f.integer(task, "_timestamp", "_timestamp");
            if (created == null && seconds != null) {
                created = Instant.ofEpochSecond(seconds).toString();
            }
        }
        return new RawRow(f.line(), true, id, text, label, labels, annotator, created, f.problems());
    }

    static Interchange.Sink sink(Interchange.Schema schema, Writer out) {
        List<Map<String, Object>> options = new ArrayList<>();
        for (String l : schema.labels()) {
            options.add(Map.of("id", l, "text", l));
        }
        return new Interchange.Sink() {
            @Override
            public void write(Interchange.Item item) throws IOException {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("text", item.text());
                t.put("options", options);
                Map<String, Object> meta = new LinkedHashMap<>();
                meta.put("id", item.id());
                if (item.labeled()) {
                    t.put("accept", item.labels());
                    t.put("answer", "accept");
                    if (item.annotator() != null) {
                        t.put("_annotator_id", item.annotator());
                    }
                    if (item.created() != null) {
                        meta.put("annotated_at", item.created());
                        t.put("_timestamp", Instant.parse(item.created()).getEpochSecond());
                    }
                }
                Interchange.Suggestion s = item.suggestion();
                if (s != null) {
                    // Prodigy shows meta under the text; a score there is what its recipes show too.
                    meta.put("prediction", s.labels());
                    meta.put("score", s.score());
                    meta.put("model_version", s.modelVersion());
                }
                t.put("meta", meta);
                out.write(Interchange.json(t));
                out.write('\n');
            }

            @Override
            public void finish() {
            }
        };
    }
}
