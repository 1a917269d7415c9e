package quarry.data;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads one JSON object per line; blank lines are allowed and skipped. What a line's object means
 * is the mapper's: Quarry's own {@code {id, text, label | labels}} by default, or an interchange
 * format's record (Argilla, Prodigy).
 */
final class JsonlRowReader implements RowReader {

    /** One line's JSON object as a row. */
    @FunctionalInterface
    interface Mapper {
        RawRow map(JsonFields fields, JsonNode node);
    }

    // Strict on purpose: a repeated key or a second object on the line means the line is not
    // what its author thinks it is, and silently taking one of the values would hide that.
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Pattern SOURCE =
            Pattern.compile("\\[Source: [^\\]]*; line: \\d+, column: (\\d+)\\]");

    private final Path file;
    private final LineReader lines;
    private final ImportOptions options;
    private final Mapper mapper;

    JsonlRowReader(Path file, LineReader lines, ImportOptions options) {
        this.file = file;
        this.lines = lines;
        this.options = options;
        this.mapper = this::plain;
    }

    JsonlRowReader(Path file, LineReader lines, ImportOptions options, Mapper mapper) {
        this.file = file;
        this.lines = lines;
        this.options = options;
        this.mapper = mapper;
    }

    @Override
    public RawRow next() throws IOException {
        LineReader.Line line = lines.next();
        while (line != null && line.text().isBlank()) {
            line = lines.next();
        }
        if (line == null) {
            return null;
        }
        long number = line.number();
        if (!line.validUtf8()) {
            return RawRow.unreadable(number, List.of(problem(number, null, "invalid UTF-8")));
        }
        JsonNode node;
        try {
            node = JSON.readTree(line.text());
        } catch (JsonProcessingException e) {
            return RawRow.unreadable(number, List.of(problem(number, null, malformed(e))));
        }
        if (!node.isObject()) {
            return RawRow.unreadable(number, List.of(problem(number, null,
                    "malformed JSON: expected an object {...}, found " + kind(node))));
        }
        return mapper.map(new JsonFields(file, number), node);
    }

    private RawRow plain(JsonFields fields, JsonNode node) {
        long number = fields.line();
        List<ImportProblem> problems = new ArrayList<>();
        String id = id(node, number, problems);
        String text = string(node, options.textField(), number, problems);
        String label = string(node, options.labelField(), number, problems);
        List<String> labels = strings(node, options.labelsField(), number, problems);
        return new RawRow(number, true, id, text, label, labels, problems);
    }

    // Numeric ids are common in exported data; they are kept as their decimal text.
    private String id(JsonNode node, long number, List<ImportProblem> problems) {
        JsonNode value = node.get(options.idField());
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isTextual() || value.isIntegralNumber()) {
            return value.asText();
        }
        problems.add(problem(number, options.idField(),
                "must be a string or an integer, found " + kind(value)));
        return null;
    }

    private String string(JsonNode node, String field, long number, List<ImportProblem> problems) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            return value.textValue();
        }
        problems.add(problem(number, field, "must be a string, found " + kind(value)));
        return null;
    }

    private List<String> strings(JsonNode node, String field, long number,
            List<ImportProblem> problems) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            problems.add(problem(number, field,
                    "must be an array of strings, found " + kind(value)));
            return null;
        }
        List<String> out = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            JsonNode element = value.get(i);
            if (element.isTextual()) {
                out.add(element.textValue());
            } else {
                problems.add(problem(number, field,
                        "label " + (i + 1) + " must be a string, found " + kind(element)));
            }
        }
        return out;
    }

    private ImportProblem problem(long line, String field, String message) {
        return new ImportProblem(file, line, field, message);
    }

    static String malformed(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null || at.getColumnNr() < 1 ? "" : " at column " + at.getColumnNr();
        // Jackson names a redacted source inside some messages; each line is its own source here.
        String detail = SOURCE.matcher(e.getOriginalMessage()).replaceAll("column $1");
        return "malformed JSON" + where + ": " + detail;
    }

    static String kind(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    @Override
    public long linesRead() {
        return lines.linesRead();
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}
