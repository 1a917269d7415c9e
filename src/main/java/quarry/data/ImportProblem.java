package quarry.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One thing wrong with an input file.
 *
 * @param file    the file read
 * @param line    1-based physical line (for a multi-line CSV record, the line it starts on);
 *                0 when the problem concerns the whole file (missing, unknown format)
 * @param field   the field or column concerned, or null when none in particular
 * @param message what is wrong, in words meant for the person who wrote the file
 */
public record ImportProblem(Path file, long line, String field, String message) {

    public ImportProblem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(message, "message");
        if (line < 0) {
            throw new IllegalArgumentException("line must be >= 0: " + line);
        }
    }

    /** Like {@code train.csv:12: field 'text': missing or empty}, as compilers report. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(fileName(file));
        if (line > 0) {
            s.append(':').append(line);
        }
        s.append(": ");
        if (field != null) {
            s.append("field '").append(field).append("': ");
        }
        return s.append(message).toString();
    }

    static String fileName(Path file) {
        Path name = file.getFileName();
        return name == null ? file.toString() : name.toString();
    }
}
