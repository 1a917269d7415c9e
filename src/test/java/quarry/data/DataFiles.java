package quarry.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small helpers shared by the importer tests. */
final class DataFiles {

    private DataFiles() {
    }

    static Path write(Path dir, String name, String content) {
        return writeBytes(dir, name, content.getBytes(StandardCharsets.UTF_8));
    }

    static Path writeBytes(Path dir, String name, byte[] content) {
        try {
            return Files.write(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines joined with {@code \n}, with a final newline. */
    static String lines(String... lines) {
        return String.join("\n", lines) + "\n";
    }

    static ImportException failure(Path file, ImportOptions options) {
        return assertThrows(ImportException.class, () -> DocumentImporter.read(file, options));
    }

    static ImportException failure(Path file) {
        return failure(file, ImportOptions.defaults());
    }

    /** The file fails with exactly one problem, at this line and field, whose message has this. */
    static ImportProblem onlyProblem(Path file, ImportOptions options, long line, String field,
            String messagePart) {
        ImportException e = failure(file, options);
        assertEquals(1, e.totalProblems(), () -> "problems: " + e.problems());
        ImportProblem p = e.problems().get(0);
        assertProblem(p, line, field, messagePart);
        return p;
    }

    static ImportProblem onlyProblem(Path file, long line, String field, String messagePart) {
        return onlyProblem(file, ImportOptions.defaults(), line, field, messagePart);
    }

    static void assertProblem(ImportProblem p, long line, String field, String messagePart) {
        assertEquals(line, p.line(), () -> "line of " + p);
        assertEquals(field, p.field(), () -> "field of " + p);
        assertTrue(p.message().contains(messagePart),
                () -> "'" + p.message() + "' should contain '" + messagePart + "'");
    }
}
