package quarry.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Objects;

/**
 * The other tools' formats (Label Studio, Argilla, Prodigy) as Quarry writes them: every document
 * with its text, its current label (who gave it and when) and the model's suggestion. Reading
 * them is {@link DocumentImporter}'s, through the same checks as every other import.
 */
public final class Interchange {

    private Interchange() {
    }

    /** What the file is about: the project's name (in model versions), its labels, and whether several may hold. */
    public record Schema(String project, List<String> labels, boolean multiLabel) {
        public Schema {
            labels = List.copyOf(labels);
        }
    }

    /** The model's answer for a document: its labels, how sure it is, and which model version said so. */
    public record Suggestion(List<String> labels, double score, String modelVersion) {
        public Suggestion {
            labels = List.copyOf(labels);
        }
    }

    /**
     * One document to write.
     *
     * @param labeled   whether a person labeled it ("none of these" in a multi-label project is labeled, with no labels)
     * @param suggestion the model's answer, or null when there is no model
     */
    public record Item(String id, String text, List<String> labels, boolean labeled, String annotator, String created,
            Suggestion suggestion) {
        public Item {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(text, "text");
            labels = List.copyOf(labels);
        }
    }

    /** Writes items in one format; {@link #finish} closes what the format opened (Label Studio's array). */
    public interface Sink {
        void write(Item item) throws IOException;

        void finish() throws IOException;
    }

    /** A sink writing {@code format} to {@code out}; only the three interchange formats have one. */
    public static Sink sink(ImportFormat format, Schema schema, Writer out) throws IOException {
        return switch (format) {
            case LABELSTUDIO -> LabelStudioTasks.sink(schema, out);
            case ARGILLA -> ArgillaRecords.sink(schema, out);
            case PRODIGY -> ProdigyTasks.sink(schema, out);
            default -> throw new IllegalArgumentException("not an interchange format: " + format);
        };
    }

    /** The media type and file extension of a format's export. */
    public static String contentType(ImportFormat format) {
        return format == ImportFormat.LABELSTUDIO ? "application/json" : "application/x-ndjson";
    }

    public static String extension(ImportFormat format) {
        return format == ImportFormat.LABELSTUDIO ? "json" : "jsonl";
    }

    /** The field names problems report for a format: the other tool's own paths. */
    static ImportOptions fieldNames(ImportFormat format, ImportOptions given) {
        return switch (format) {
            case LABELSTUDIO -> given.withTextField("data.text").withIdField("data.id")
                    .withLabelField(LabelStudioTasks.CHOICES).withLabelsField(LabelStudioTasks.CHOICES);
            case ARGILLA -> given.withTextField("fields.text").withIdField("id")
                    .withLabelField(ArgillaRecords.VALUE).withLabelsField(ArgillaRecords.VALUE);
            case PRODIGY -> given.withTextField("text").withIdField("meta.id").withLabelField("label")
                    .withLabelsField("accept");
            default -> given;
        };
    }

    static String json(Object value) {
        try {
            return JsonlRowReader.JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
