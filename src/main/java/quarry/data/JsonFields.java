package quarry.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads of one JSON record of an interchange file, each problem kept with the file, the
 * line and the field's path as the other tool names it ({@code data.text},
 * {@code annotations[0].result[1].value.choices}). Absent and null read as null.
 */
final class JsonFields {

    private final Path file;
    private final long line;
    private final List<ImportProblem> problems = new ArrayList<>();

    JsonFields(Path file, long line) {
        this.file = file;
        this.line = line;
    }

    long line() {
        return line;
    }

    List<ImportProblem> problems() {
        return problems;
    }

    void problem(String path, String message) {
        problems.add(new ImportProblem(file, line, path, message));
    }

    private static JsonNode get(JsonNode parent, String key) {
        JsonNode v = parent == null ? null : parent.get(key);
        return v == null || v.isNull() ? null : v;
    }

    JsonNode object(JsonNode parent, String key, String path) {
        JsonNode v = get(parent, key);
        if (v != null && !v.isObject()) {
            problem(path, "must be an object {...}, found " + JsonlRowReader.kind(v));
            return null;
        }
        return v;
    }

    JsonNode array(JsonNode parent, String key, String path) {
        JsonNode v = get(parent, key);
        if (v != null && !v.isArray()) {
            problem(path, "must be an array, found " + JsonlRowReader.kind(v));
            return null;
        }
        return v;
    }

    String string(JsonNode parent, String key, String path) {
        JsonNode v = get(parent, key);
        if (v != null && !v.isTextual()) {
            problem(path, "must be a string, found " + JsonlRowReader.kind(v));
            return null;
        }
        return v == null ? null : v.textValue();
    }

    /** An id: a string, or an integer kept as its decimal text (tools number their records). */
    String id(JsonNode parent, String key, String path) {
        JsonNode v = get(parent, key);
        if (v != null && !v.isTextual() && !v.isIntegralNumber()) {
            problem(path, "must be a string or an integer, found " + JsonlRowReader.kind(v));
            return null;
        }
        return v == null ? null : v.asText();
    }

    Long integer(JsonNode parent, String key, String path) {
        JsonNode v = get(parent, key);
        if (v != null && !v.canConvertToLong()) {
            problem(path, "must be an integer, found " + JsonlRowReader.kind(v));
            return null;
        }
        if (v != null && !v.isIntegralNumber()) {
            problem(path, "must be an integer, found " + JsonlRowReader.kind(v));
            return null;
        }
        return v == null ? null : v.longValue();
    }

    Double number(JsonNode parent, String key, String path) {
        JsonNode v = get(parent, key);
        if (v != null && !v.isNumber()) {
            problem(path, "must be a number, found " + JsonlRowReader.kind(v));
            return null;
        }
        return v == null ? null : v.doubleValue();
    }

    /** A list of strings (labels); a non-string item is a problem naming its place. */
    List<String> strings(JsonNode parent, String key, String path) {
        JsonNode v = array(parent, key, path);
        if (v == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (v.get(i).isTextual()) {
                out.add(v.get(i).textValue());
            } else {
                problem(path, "item " + (i + 1) + " must be a string, found " + JsonlRowReader.kind(v.get(i)));
            }
        }
        return out;
    }
}
