package quarry.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads CSV data rows by header name. Empty cells count as absent: an empty id gets a generated
 * one, an empty label cell means unlabeled. A labels cell of exactly {@link ImportOptions#NO_LABELS}
 * is a labeled row with no labels ("none of these"), as JSONL's {@code []} is. Label cells are
 * trimmed, as spreadsheets tend to pad them; text is kept exactly.
 */
final class CsvRowReader implements RowReader {

    private static final int ABSENT = -1;

    private final Path file;
    private final LineReader lines;
    private final CsvRecordReader records;
    private final ImportOptions options;
    private final int columns;
    private final int textColumn;
    private final int idColumn;
    private final int labelColumn;
    private final int labelsColumn;

    /**
     * Reads the header. Throws when it is unusable, since then no row can be read at all; an
     * empty file gives a reader with no rows.
     */
    CsvRowReader(Path file, LineReader lines, ImportOptions options)
            throws IOException, ImportException {
        this.file = file;
        this.lines = lines;
        this.records = new CsvRecordReader(file, lines);
        this.options = options;
        CsvRecordReader.CsvRecord header = records.next();
        if (header == null) {
            columns = 0;
            textColumn = idColumn = labelColumn = labelsColumn = ABSENT;
            return;
        }
        if (!header.problems().isEmpty()) {
            throw new ImportException(header.problems(), header.problems().size());
        }
        List<String> names = header.cells().stream().map(String::trim).toList();
        columns = names.size();
        textColumn = column(names, options.textField(), header.line());
        if (textColumn == ABSENT) {
            throw new ImportException(new ImportProblem(file, header.line(), options.textField(),
                    "header has no column '" + options.textField() + "' for the text; found "
                            + String.join(", ", names)));
        }
        idColumn = column(names, options.idField(), header.line());
        labelColumn = column(names, options.labelField(), header.line());
        labelsColumn = column(names, options.labelsField(), header.line());
    }

    private int column(List<String> names, String name, long line) throws ImportException {
        int first = names.indexOf(name);
        if (first != names.lastIndexOf(name)) {
            throw new ImportException(new ImportProblem(file, line, name,
                    "header names column '" + name + "' more than once"));
        }
        return first;
    }

    @Override
    public RawRow next() throws IOException {
        if (columns == 0) {
            return null;
        }
        CsvRecordReader.CsvRecord record = records.next();
        if (record == null) {
            return null;
        }
        long line = record.line();
        if (!record.problems().isEmpty()) {
            return RawRow.unreadable(line, record.problems());
        }
        List<String> cells = record.cells();
        if (cells.size() != columns) {
            return RawRow.unreadable(line, List.of(new ImportProblem(file, line, null,
                    "expected " + columns + " columns as in the header, found " + cells.size())));
        }
        String id = nonEmpty(cell(cells, idColumn));
        String text = cells.get(textColumn);
        String label = nonEmpty(trimmed(cell(cells, labelColumn)));
        List<String> labels = split(nonEmpty(trimmed(cell(cells, labelsColumn))));
        return new RawRow(line, true, id, text, label, labels, List.of());
    }

    /** Splits on the literal delimiter, keeping empty pieces so that they can be reported. */
    private List<String> split(String cell) {
        if (cell == null) {
            return null;
        }
        if (cell.equals(ImportOptions.NO_LABELS)) {
            return List.of();
        }
        String delimiter = options.labelDelimiter();
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int at = cell.indexOf(delimiter); at >= 0; at = cell.indexOf(delimiter, from)) {
            out.add(cell.substring(from, at).trim());
            from = at + delimiter.length();
        }
        out.add(cell.substring(from).trim());
        return out;
    }

    private static String cell(List<String> cells, int column) {
        return column == ABSENT ? null : cells.get(column);
    }

    private static String trimmed(String s) {
        return s == null ? null : s.trim();
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
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
