package quarry.data;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import quarry.core.AttributedDocument;
import quarry.core.Document;

/**
 * The checks every format shares: text present, ids unique (or generated), labels well-formed
 * and inside the schema. Stateful: it remembers the ids of one file, so use one per pass.
 */
final class RowValidator {

    private final Path file;
    private final ImportOptions options;
    private final String idPrefix;
    private final Map<String, Long> firstLineOfId = new HashMap<>();

    RowValidator(Path file, ImportOptions options) {
        this.file = file;
        this.options = options;
        String name = ImportProblem.fileName(file);
        int dot = name.lastIndexOf('.');
        this.idPrefix = dot > 0 ? name.substring(0, dot) : name;
    }

    /** The row's document, or null after handing each of its problems to {@code report}. */
    AttributedDocument check(RawRow row, Consumer<ImportProblem> report) {
        List<ImportProblem> problems = new ArrayList<>(row.problems());
        if (row.readable()) {
            String text = row.text();
            if ((text == null || text.isBlank()) && !row.hasProblemWith(options.textField())) {
                problems.add(problem(row, options.textField(), "missing or empty"));
            } else if (text != null && text.indexOf('\0') >= 0) {
                // Other control characters are text (tabs, say); NUL is not, and PostgreSQL cannot store it.
                problems.add(problem(row, options.textField(), "text holds the character U+0000 (NUL)"));
            }
            String id = id(row, problems);
            List<String> labels = labels(row, id, problems);
            String annotator = annotator(row, problems);
            String created = created(row, problems);
            if (problems.isEmpty()) {
                // A labels field that is present, even as [], is an answer; only an absent one is not.
                boolean labeled = row.label() != null || row.labels() != null;
                return new AttributedDocument(new Document(id, text, labels, labeled), labeled ? annotator : null,
                        labeled ? created : null);
            }
        }
        problems.forEach(report);
        return null;
    }

    static final int MAX_ID_LENGTH = 256;

    /** The annotator a file names, checked as an id is: it shows in exports, CSV cells and the page. */
    private String annotator(RawRow row, List<ImportProblem> problems) {
        String a = row.annotator();
        if (a == null) {
            return null;
        }
        if (a.isBlank() || a.length() > MAX_ID_LENGTH || firstControl(a) >= 0) {
            problems.add(problem(row, "annotator", "annotator must be 1-" + MAX_ID_LENGTH
                    + " characters without control characters"));
            return null;
        }
        return a;
    }

    /** When the label was given, as the instant the store keeps (so a round trip writes it back unchanged). */
    private String created(RawRow row, List<ImportProblem> problems) {
        String c = row.created();
        if (c == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(c).toInstant().toString();
        } catch (DateTimeParseException e) {
            problems.add(problem(row, "created", "'" + c + "' is not an ISO-8601 time such as"
                    + " 2024-06-18T23:45:46Z"));
            return null;
        }
    }

    /** The first control character (C0, DEL, C1) of {@code s}, or -1. */
    static int firstControl(String s) {
        return s.chars().filter(Character::isISOControl).findFirst().orElse(-1);
    }

    // Every row's id is remembered, bad rows included: ids must be unique in the file as written.
    private String id(RawRow row, List<ImportProblem> problems) {
        String id = row.id() == null ? idPrefix + "-" + row.line() : row.id();
        if (id.isBlank()) {
            problems.add(problem(row, options.idField(), "empty id"));
            return id;
        }
        // An id the API must be able to address: in a URL path, a header-sized line, a CSV cell.
        if (id.length() > MAX_ID_LENGTH) {
            problems.add(problem(row, options.idField(), "id of " + id.length() + " characters (at most "
                    + MAX_ID_LENGTH + ")"));
        }
        int control = firstControl(id);
        if (control >= 0) {
            problems.add(problem(row, options.idField(), String.format("id holds the control character U+%04X",
                    control)));
        }
        Long first = firstLineOfId.putIfAbsent(id, row.line());
        if (first != null) {
            problems.add(problem(row, options.idField(),
                    "duplicate id '" + id + "' (first used on line " + first + ")"));
        }
        return id;
    }

    private List<String> labels(RawRow row, String id, List<ImportProblem> problems) {
        Set<String> labels = new LinkedHashSet<>();
        String label = row.label();
        if (label != null) {
            checkLabel(row, options.labelField(), label, problems);
            labels.add(label);
        }
        if (row.labels() != null) {
            for (String each : row.labels()) {
                checkLabel(row, options.labelsField(), each, problems);
            }
            Set<String> many = new LinkedHashSet<>(row.labels());
            if (label != null && !many.equals(Set.of(label))) {
                problems.add(problem(row, options.labelsField(), "both '" + options.labelField()
                        + "' (" + label + ") and '" + options.labelsField() + "' " + row.labels()
                        + " are given and they differ; give one, or make them agree"));
            } else if (options.singleLabel() && many.size() != 1) {
                problems.add(problem(row, options.labelsField(), many.isEmpty()
                        ? "document '" + id + "' has an empty label list, but every labeled row needs exactly one"
                                + " label (single-label); leave the field out for an unlabeled row"
                        : "document '" + id + "' has " + many.size() + " labels " + row.labels()
                                + ", but the data is single-label: give exactly one"));
            }
            labels = many;
        }
        return List.copyOf(labels);
    }

    private void checkLabel(RawRow row, String field, String label, List<ImportProblem> problems) {
        if (label.isBlank()) {
            problems.add(problem(row, field, "empty label"));
        } else if (options.labelSchema() != null && !options.labelSchema().contains(label)) {
            problems.add(problem(row, field, "label '" + label + "' is not in the label schema"));
        }
    }

    private ImportProblem problem(RawRow row, String field, String message) {
        return new ImportProblem(file, row.line(), field, message);
    }
}
