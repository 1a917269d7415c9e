package quarry.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Argilla 2.x records, one per line, in the shape of {@code Record.to_dict()}: {@code {id, fields:
 * {text}, metadata, suggestions: {label: {value, score, agent}}, responses: {label: [{value,
 * user_id, status}]}, vectors}}. A label question's value is a string; a multi-label question's a
 * list.
 *
 * <p>Reading: the text is {@code fields.text}; the question is {@code label}, or the one question
 * a record's responses answer. The label is the last response that is submitted (or carries no
 * status); drafts and discarded responses are not labels. Its annotator is
 * {@code metadata.annotator} (Quarry's export writes it; Argilla's {@code user_id} is a UUID),
 * else the {@code user_id}; its time {@code metadata.annotated_at}. Suggestions are checked for
 * shape and then left out. Other metadata is not kept.
 */
final class ArgillaRecords {

    static final String QUESTION = "label";
    static final String VALUE = "responses.label.value";

    private ArgillaRecords() {
    }

    static RawRow read(JsonFields f, JsonNode record) {
        String id = f.id(record, "id", "id");
        JsonNode fields = f.object(record, "fields", "fields");
        String text = f.string(fields, "text", "fields.text");
        JsonNode metadata = f.object(record, "metadata", "metadata");
        String annotator = f.string(metadata, "annotator", "metadata.annotator");
        String created = f.string(metadata, "annotated_at", "metadata.annotated_at");
        String label = null;
        List<String> labels = null;
        JsonNode responses = f.object(record, "responses", "responses");
        String question = question(f, responses);
        if (question != null) {
            String at = "responses." + question;
            JsonNode answers = f.array(responses, question, at);
            JsonNode chosen = null;
            int index = -1;
            for (int i = 0; answers != null && i < answers.size(); i++) {
                JsonNode r = answers.get(i);
                if (!r.isObject()) {
                    f.problem(at + "[" + i + "]", "must be an object {value, user_id}, found " + JsonlRowReader.kind(r));
                    continue;
                }
                String status = f.string(r, "status", at + "[" + i + "].status");
                if (status == null || status.equals("submitted")) {
                    chosen = r;
                    index = i;
                }
            }
            if (chosen != null) {
                String path = at + "[" + index + "].value";
                JsonNode value = chosen.get("value");
                if (value != null && value.isTextual()) {
                    label = value.textValue();
                } else if (value != null && value.isArray()) {
                    labels = f.strings(chosen, "value", path);
                } else {
                    f.problem(path, "must be a label (string) or a list of labels, found "
                            + (value == null ? "nothing" : JsonlRowReader.kind(value)));
                }
                if (annotator == null) {
                    annotator = f.string(chosen, "user_id", at + "[" + index + "].user_id");
                }
            }
        }
        JsonNode suggestions = f.object(record, "suggestions", "suggestions");
        for (Iterator<String> names = suggestions == null ? null : suggestions.fieldNames();
                names != null && names.hasNext();) {
            String name = names.next();
            JsonNode s = f.object(suggestions, name, "suggestions." + name);
            f.number(s, "score", "suggestions." + name + ".score");
        }
        return new RawRow(f.line(), true, id, text, label, labels, annotator, created, f.problems());
    }

    /** The question whose responses are the label: {@code label}, else the only one answered. */
    private static String question(JsonFields f, JsonNode responses) {
        if (responses == null || responses.isEmpty()) {
            return null;
        }
        if (responses.has(QUESTION)) {
            return QUESTION;
        }
        if (responses.size() == 1) {
            return responses.fieldNames().next();
        }
        List<String> names = new java.util.ArrayList<>();
        responses.fieldNames().forEachRemaining(names::add);
        f.problem("responses", "answers several questions " + names + "; Quarry reads the one named '" + QUESTION + "'");
        return null;
    }

    /** Argilla's user ids are UUIDs: a name's is derived from it, the name itself goes in metadata. */
    static String userId(String annotator) {
        return UUID.nameUUIDFromBytes(("quarry:" + annotator).getBytes(StandardCharsets.UTF_8)).toString();
    }

    static Interchange.Sink sink(Interchange.Schema schema, Writer out) {
        return new Interchange.Sink() {
            @Override
            public void write(Interchange.Item item) throws IOException {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("id", item.id());
                r.put("fields", Map.of("text", item.text()));
                Map<String, Object> metadata = new LinkedHashMap<>();
                Map<String, Object> responses = new LinkedHashMap<>();
                if (item.labeled()) {
                    Map<String, Object> response = new LinkedHashMap<>();
                    response.put("value", value(schema, item.labels()));
                    if (item.annotator() != null) {
                        metadata.put("annotator", item.annotator());
                        response.put("user_id", userId(item.annotator()));
                    }
                    if (item.created() != null) {
                        metadata.put("annotated_at", item.created());
                    }
                    response.put("status", "submitted");
                    responses.put(QUESTION, List.of(response));
                }
                r.put("metadata", metadata);
                Map<String, Object> suggestions = new LinkedHashMap<>();
                Interchange.Suggestion s = item.suggestion();
                if (s != null) {
                    Map<String, Object> suggestion = new LinkedHashMap<>();
                    suggestion.put("value", value(schema, s.labels()));
                    suggestion.put("score", s.score());
                    suggestion.put("agent", s.modelVersion());
                    suggestions.put(QUESTION, suggestion);
                }
                r.put("suggestions", suggestions);
                r.put("responses", responses);
                r.put("vectors", Map.of());
                out.write(Interchange.json(r));
                out.write('\n');
            }

            @Override
            public void finish() {
            }
        };
    }

    /** A label question's value is one label; a multi-label question's a list. */
    private static Object value(Interchange.Schema schema, List<String> labels) {
        if (schema.multiLabel()) {
            return labels;
        }
        return labels.isEmpty() ? null : labels.get(0);
    }
}
