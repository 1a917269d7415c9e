package quarry.core;

import java.util.List;
import java.util.Objects;

/**
 * One document of a pool: an id unique within its data set, its text, and the labels it carries
 * (empty when unlabeled; one entry for single-label data, any number for multi-label data).
 */
public record Document(String id, String text, List<String> labels) {

    public Document {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
        labels = labels == null ? List.of() : List.copyOf(labels);
    }

    public static Document unlabeled(String id, String text) {
        return new Document(id, text, List.of());
    }

    public boolean isLabeled() {
        return !labels.isEmpty();
    }
}
