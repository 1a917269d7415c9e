package quarry.core;

import java.util.List;
import java.util.Objects;

/**
 * One document of a pool: an id unique within its data set, its text, and the labels it carries.
 *
 * <p>{@code labeled} tells a labeled document from an unlabeled one: an unlabeled document has no
 * labels; a labeled single-label document has one; a labeled multi-label document has any number,
 * none included ("none of these labels" is an answer, not a missing one).
 */
public record Document(String id, String text, List<String> labels, boolean labeled) {

    public Document {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
        labels = labels == null ? List.of() : List.copyOf(labels);
        if (!labeled && !labels.isEmpty()) {
            throw new IllegalArgumentException("document '" + id + "' is marked unlabeled but carries labels " + labels);
        }
    }

    /** A document that is labeled exactly when it carries a label. */
    public Document(String id, String text, List<String> labels) {
        this(id, text, labels, labels != null && !labels.isEmpty());
    }

    public static Document unlabeled(String id, String text) {
        return new Document(id, text, List.of(), false);
    }

    public boolean isLabeled() {
        return labeled;
    }
}
