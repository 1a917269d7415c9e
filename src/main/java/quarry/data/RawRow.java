package quarry.data;

import java.util.List;

/**
 * One data row as a format reader found it, before the checks that every format shares.
 * Null means absent. {@code problems} holds what the reader itself found wrong; when
 * {@code readable} is false the row could not be parsed at all and its fields are meaningless.
 * {@code annotator} and {@code created} are who labeled the row and when, where the format says
 * (the interchange formats do; plain JSONL and CSV do not).
 */
record RawRow(
        long line,
        boolean readable,
        String id,
        String text,
        String label,
        List<String> labels,
        String annotator,
        String created,
        List<ImportProblem> problems) {

    RawRow {
        problems = List.copyOf(problems);
        labels = labels == null ? null : List.copyOf(labels);
    }

    RawRow(long line, boolean readable, String id, String text, String label, List<String> labels,
            List<ImportProblem> problems) {
        this(line, readable, id, text, label, labels, null, null, problems);
    }

    static RawRow unreadable(long line, List<ImportProblem> problems) {
        return new RawRow(line, false, null, null, null, null, problems);
    }

    boolean hasProblemWith(String field) {
        return problems.stream().anyMatch(p -> field.equals(p.field()));
    }
}
