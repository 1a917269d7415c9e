package quarry.data;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * How to read a file. Start from {@link #defaults()} and change what differs with the withers.
 *
 * @param textField      JSON field or CSV column holding the text
 * @param idField        field or column holding the id; rows without one get a generated id
 * @param labelField     field or column holding a single label
 * @param labelsField    field or column holding several labels (a JSON array; in CSV one cell
 *                       split on {@code labelDelimiter})
 * @param labelDelimiter separates labels inside a CSV {@code labelsField} cell
 * @param labelSchema    the only labels allowed, or null to accept any label
 * @param singleLabel    every labeled row must carry exactly one label (a single-label project);
 *                       otherwise an empty {@code labelsField} list is a labeled row with no labels
 *                       ("none of these"), distinct from an unlabeled row (field absent)
 * @param skipBadRows    leave bad rows out (and report them) instead of failing the whole file
 * @param format         the file format, or {@link ImportFormat#AUTO} to go by extension
 */
public record ImportOptions(
        String textField,
        String idField,
        String labelField,
        String labelsField,
        String labelDelimiter,
        Set<String> labelSchema,
        boolean singleLabel,
        boolean skipBadRows,
        ImportFormat format) {

    /** A CSV labels cell holding just this says "none of these labels" (an empty cell is unlabeled). */
    public static final String NO_LABELS = "[]";

    private static final ImportOptions DEFAULTS =
            new ImportOptions("text", "id", "label", "labels", "|", null, false, false, ImportFormat.AUTO);

    public ImportOptions {
        requireName(textField, "textField");
        requireName(idField, "idField");
        requireName(labelField, "labelField");
        requireName(labelsField, "labelsField");
        if (labelDelimiter == null || labelDelimiter.isEmpty()) {
            throw new IllegalArgumentException("labelDelimiter must not be empty");
        }
        Objects.requireNonNull(format, "format");
        // Keep the caller's order for messages, but never share their mutable set.
        labelSchema = labelSchema == null
                ? null
                : Collections.unmodifiableSet(new LinkedHashSet<>(labelSchema));
        if (labelSchema != null && labelSchema.contains(null)) {
            throw new IllegalArgumentException("labelSchema must not contain null");
        }
    }

    /**
     * text/id/label/labels, delimiter {@code |}, any label, any number of labels, fail on bad rows,
     * format by extension.
     */
    public static ImportOptions defaults() {
        return DEFAULTS;
    }

    public ImportOptions withTextField(String name) {
        return new ImportOptions(name, idField, labelField, labelsField, labelDelimiter,
                labelSchema, singleLabel, skipBadRows, format);
    }

    public ImportOptions withIdField(String name) {
        return new ImportOptions(textField, name, labelField, labelsField, labelDelimiter,
                labelSchema, singleLabel, skipBadRows, format);
    }

    public ImportOptions withLabelField(String name) {
        return new ImportOptions(textField, idField, name, labelsField, labelDelimiter,
                labelSchema, singleLabel, skipBadRows, format);
    }

    public ImportOptions withLabelsField(String name) {
        return new ImportOptions(textField, idField, labelField, name, labelDelimiter,
                labelSchema, singleLabel, skipBadRows, format);
    }

    public ImportOptions withLabelDelimiter(String delimiter) {
        return new ImportOptions(textField, idField, labelField, labelsField, delimiter,
                labelSchema, singleLabel, skipBadRows, format);
    }

    /** Only these labels are accepted; null accepts any. */
    public ImportOptions withLabelSchema(Collection<String> labels) {
        Set<String> schema = labels == null ? null : new LinkedHashSet<>(labels);
        return new ImportOptions(textField, idField, labelField, labelsField, labelDelimiter,
                schema, singleLabel, skipBadRows, format);
    }

    /** Every labeled row must carry exactly one label (an empty or longer list is a problem of its row). */
    public ImportOptions withSingleLabel(boolean single) {
        return new ImportOptions(textField, idField, labelField, labelsField, labelDelimiter,
                labelSchema, single, skipBadRows, format);
    }

    public ImportOptions withSkipBadRows(boolean skip) {
        return new ImportOptions(textField, idField, labelField, labelsField, labelDelimiter,
                labelSchema, singleLabel, skip, format);
    }

    public ImportOptions withFormat(ImportFormat newFormat) {
        return new ImportOptions(textField, idField, labelField, labelsField, labelDelimiter,
                labelSchema, singleLabel, skipBadRows, newFormat);
    }

    private static void requireName(String name, String what) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }
}
