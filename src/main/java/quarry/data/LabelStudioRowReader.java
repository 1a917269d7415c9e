package quarry.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a Label Studio JSON export: an array of task objects (or one task object), one task at a
 * time, so a large export is never held whole. A task's problems name the line it starts on.
 * Malformed JSON ends the file: after it, where the next task starts is unknowable.
 */
final class LabelStudioRowReader implements RowReader {

    // As strict as the JSONL reader about repeated keys; tasks follow each other in one document here.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    private final Path file;
    private final JsonParser parser;
    private boolean started;
    private boolean single;
    private boolean done;

    LabelStudioRowReader(Path file, InputStream in) throws IOException {
        this.file = file;
        this.parser = JSON.createParser(in);
    }

    @Override
    public RawRow next() throws IOException {
        if (done) {
            return null;
        }
        long line = parser.currentLocation().getLineNr();
        try {
            JsonToken t = parser.nextToken();
            if (!started) {
                started = true;
                if (t == JsonToken.START_OBJECT) {
                    single = true; // one task on its own, as Label Studio's import also takes
                } else if (t == JsonToken.START_ARRAY) {
                    t = parser.nextToken();
                } else if (t != null) {
                    done = true;
                    return RawRow.unreadable(Math.max(1, line), List.of(new ImportProblem(file, Math.max(1, line), null,
                            "a Label Studio export is a JSON array of tasks [{\"data\": {...}}, ...], found "
                                    + t.asString())));
                }
            }
            if (t == null || t == JsonToken.END_ARRAY) {
                done = true;
                return null;
            }
            line = parser.currentTokenLocation().getLineNr();
            if (t != JsonToken.START_OBJECT) {
                parser.skipChildren();
                return RawRow.unreadable(line, List.of(new ImportProblem(file, line, null,
                        "expected a task object {\"data\": {...}}, found " + t.asString())));
            }
            JsonNode task = JSON.readTree(parser);
            done = single;
            return LabelStudioTasks.read(new JsonFields(file, line), task);
        } catch (JsonProcessingException e) {
            done = true;
            long at = e.getLocation() == null ? Math.max(1, line) : e.getLocation().getLineNr();
            return RawRow.unreadable(at, List.of(new ImportProblem(file, at, null, JsonlRowReader.malformed(e))));
        }
    }

    @Override
    public long linesRead() {
        return parser.currentLocation().getLineNr();
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}
