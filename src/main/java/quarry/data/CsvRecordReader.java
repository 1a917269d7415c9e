package quarry.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads RFC 4180 records (comma-separated, {@code "}-quoted, {@code ""} for a quote, line breaks
 * allowed inside quotes) from physical lines. A line break inside a quoted field becomes
 * {@code \n} whatever the file used. Entirely empty lines between records are skipped.
 */
final class CsvRecordReader {

    /** One record; {@code problems} non-empty means its cells cannot be trusted. */
    record CsvRecord(long line, List<String> cells, List<ImportProblem> problems) { }

    private enum State { FIELD_START, UNQUOTED, QUOTED, AFTER_QUOTE }

    private final Path file;
    private final LineReader lines;

    CsvRecordReader(Path file, LineReader lines) {
        this.file = file;
        this.lines = lines;
    }

    /** The next record, or null at end of input. */
    CsvRecord next() throws IOException {
        LineReader.Line first = lines.next();
        while (first != null && first.validUtf8() && first.text().isEmpty()) {
            first = lines.next();
        }
        if (first == null) {
            return null;
        }
        List<String> cells = new ArrayList<>();
        List<ImportProblem> problems = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        State state = State.FIELD_START;
        long quoteLine = 0;
        LineReader.Line current = first;
        while (true) {
            if (!current.validUtf8()) {
                problems.add(new ImportProblem(file, current.number(), null, "invalid UTF-8"));
            }
            String text = current.text();
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                switch (state) {
                    case FIELD_START -> {
                        if (c == '"') {
                            state = State.QUOTED;
                            quoteLine = current.number();
                        } else if (c == ',') {
                            state = endCell(cells, cell);
                        } else {
                            cell.append(c);
                            state = State.UNQUOTED;
                        }
                    }
                    // A stray quote inside an unquoted field is kept as text, as most tools do.
                    case UNQUOTED -> {
                        if (c == ',') {
                            state = endCell(cells, cell);
                        } else {
                            cell.append(c);
                        }
                    }
                    case QUOTED -> {
                        if (c != '"') {
                            cell.append(c);
                        } else if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                            cell.append('"');
                            i++;
                        } else {
                            state = State.AFTER_QUOTE;
                        }
                    }
                    case AFTER_QUOTE -> {
                        if (c == ',') {
                            state = endCell(cells, cell);
                        } else {
                            // Likely an unescaped quote inside a quoted field: the cell is garbled.
                            problems.add(new ImportProblem(file, current.number(), null,
                                    "column " + (cells.size() + 1) + ": unexpected character '"
                                            + c + "' after a closing quote (write a quote inside"
                                            + " a quoted field as \"\")"));
                            cell.append(c);
                            state = State.UNQUOTED;
                        }
                    }
                    default -> throw new IllegalStateException(state.name());
                }
            }
            if (state != State.QUOTED) {
                break;
            }
            LineReader.Line more = lines.next();
            if (more == null) {
                problems.add(new ImportProblem(file, quoteLine, null,
                        "column " + (cells.size() + 1) + ": quoted field starting here is never"
                                + " closed (unterminated quote at end of file)"));
                break;
            }
            cell.append('\n');
            current = more;
        }
        cells.add(cell.toString());
        return new CsvRecord(first.number(), cells, problems);
    }

    private static State endCell(List<String> cells, StringBuilder cell) {
        cells.add(cell.toString());
        cell.setLength(0);
        return State.FIELD_START;
    }
}
