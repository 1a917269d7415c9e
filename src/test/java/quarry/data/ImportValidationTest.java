package quarry.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static quarry.data.DataFiles.assertProblem;
import static quarry.data.DataFiles.failure;
import static quarry.data.DataFiles.lines;
import static quarry.data.DataFiles.onlyProblem;
import static quarry.data.DataFiles.write;
import static quarry.data.DataFiles.writeBytes;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.Document;

/** Checks shared by both formats, and the all-or-nothing contract. */
@Tag("unit")
class ImportValidationTest {

    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    @TempDir
    Path dir;

    private static byte[] concat(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            byte[] bytes = part instanceof byte[] b ? b
                    : part.toString().getBytes(StandardCharsets.UTF_8);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    @Test
    void duplicateIdNamesTheLineOfTheFirstOccurrence() {
        Path file = write(dir, "d.jsonl", lines(
                "{\"id\":\"a\",\"text\":\"one\"}",
                "{\"id\":\"b\",\"text\":\"two\"}",
                "{\"id\":\"a\",\"text\":\"three\"}"));

        ImportProblem p = onlyProblem(file, 3, "id", "duplicate id 'a'");
        assertTrue(p.message().contains("line 1"), p.message());
    }

    @Test
    void duplicateIdInCsv() {
        Path file = write(dir, "d.csv", lines("id,text", "a,one", "\"a\",\"multi", "line\"", "a,x"));

        ImportException e = failure(file);

        assertEquals(2, e.totalProblems());
        assertProblem(e.problems().get(0), 3, "id", "first used on line 2");
        assertProblem(e.problems().get(1), 5, "id", "first used on line 2");
    }

    @Test
    void explicitIdCollidingWithGeneratedIdIsADuplicate() {
        Path file = write(dir, "pool.jsonl", lines("{\"text\":\"one\"}", "{\"id\":\"pool-1\",\"text\":\"two\"}"));

        onlyProblem(file, 2, "id", "duplicate id 'pool-1'");
    }

    @Test
    void emptyIdIsAnErrorInJson() {
        Path file = write(dir, "e.jsonl", lines("{\"id\":\"\",\"text\":\"one\"}"));

        onlyProblem(file, 1, "id", "empty id");
    }

    @Test
    void labelOutsideTheSchemaIsNamed() {
        Path jsonl = write(dir, "s.jsonl", lines(
                "{\"text\":\"a\",\"label\":\"greet\"}",
                "{\"text\":\"b\",\"label\":\"gret\"}",
                "{\"text\":\"c\",\"labels\":[\"greet\",\"bye\"]}"));
        Path csv = write(dir, "s.csv", lines("text,labels", "a,greet|byee"));
        ImportOptions options = ImportOptions.defaults().withLabelSchema(List.of("greet", "leave"));

        ImportException e = failure(jsonl, options);

        assertEquals(2, e.totalProblems());
        assertProblem(e.problems().get(0), 2, "label", "label 'gret' is not in the label schema");
        assertProblem(e.problems().get(1), 3, "labels", "'bye'");
        onlyProblem(csv, options, 2, "labels", "'byee'");
    }

    @Test
    void labelsInsideTheSchemaAreAccepted() throws Exception {
        Path file = write(dir, "s.jsonl", lines("{\"text\":\"a\",\"label\":\"greet\"}", "{\"text\":\"b\"}"));

        ImportResult result = DocumentImporter.read(file,
                ImportOptions.defaults().withLabelSchema(Set.of("greet", "leave")));

        assertEquals(Set.of("greet"), result.labels());
    }

    @Test
    void invalidUtf8NamesTheLine() {
        byte[] bad = {(byte) 0xC3, (byte) 0x28};
        Path jsonl = writeBytes(dir, "u.jsonl", concat(
                "{\"text\":\"fine\"}\n{\"text\":\"", bad, "\"}\n{\"text\":\"caf\u00e9\"}\n"));
        Path csv = writeBytes(dir, "u.csv", concat("text\nfine\n\"two\nli", bad, "nes\"\nok\n"));

        onlyProblem(jsonl, 2, null, "invalid UTF-8");
        onlyProblem(csv, 4, null, "invalid UTF-8");
    }

    @Test
    void invalidUtf8RowIsSkippedWhenAsked() throws Exception {
        Path file = writeBytes(dir, "u.csv", concat("text\nfine\nbad ", new byte[] {(byte) 0xFF}, "\nok\n"));

        ImportResult result = DocumentImporter.read(file, ImportOptions.defaults().withSkipBadRows(true));

        assertEquals(List.of("fine", "ok"), result.documents().stream().map(Document::text).toList());
        assertEquals(1, result.skipped().size());
        assertProblem(result.skipped().get(0), 3, null, "invalid UTF-8");
    }

    @Test
    void byteOrderMarkIsDropped() throws Exception {
        Path jsonl = writeBytes(dir, "b.jsonl", concat(BOM, "{\"id\":\"a\",\"text\":\"one\"}\n"));
        Path csv = writeBytes(dir, "b.csv", concat(BOM, "id,text\r\na,one\r\n"));

        assertEquals(List.of(Document.unlabeled("a", "one")),
                DocumentImporter.read(jsonl, ImportOptions.defaults()).documents());
        assertEquals(List.of(Document.unlabeled("a", "one")),
                DocumentImporter.read(csv, ImportOptions.defaults()).documents());
    }

    @Test
    void byteOrderMarkIsOnlyDroppedAtTheStart() throws Exception {
        Path csv = writeBytes(dir, "b.csv", concat("text\n", BOM, "x\n"));

        assertEquals("\uFEFFx", DocumentImporter.read(csv, ImportOptions.defaults())
                .documents().get(0).text());
    }

    @Test
    void emptyFileIsAnError() {
        Path jsonl = write(dir, "empty.jsonl", "");
        Path blank = write(dir, "blank.jsonl", "\n  \n");
        Path csv = write(dir, "empty.csv", "");

        onlyProblem(jsonl, 1, null, "no data rows");
        onlyProblem(blank, 3, null, "no data rows");
        onlyProblem(csv, 1, null, "no data rows");
        onlyProblem(jsonl, ImportOptions.defaults().withSkipBadRows(true), 1, null, "no data rows");
    }

    @Test
    void missingFileNamesThePath() {
        Path missing = dir.resolve("nope.jsonl");

        ImportProblem p = onlyProblem(missing, 0, null, "file not found");
        assertTrue(p.message().contains(missing.toAbsolutePath().toString()), p.message());
    }

    @Test
    void directoryIsNotAFile() {
        onlyProblem(dir, 0, null, "not a regular file");
    }

    @Test
    void failureCarriesAllProblemsAndNamesTheFirstAndTheCount() {
        Path file = write(dir, "train.csv", lines("id,text,label", "a,one,x", "b,,y", "a,three,z", "c,,"));

        ImportException e = failure(file);

        assertEquals(3, e.totalProblems());
        assertEquals(3, e.problems().size());
        String firstLine = e.getMessage().lines().findFirst().orElseThrow();
        assertEquals("train.csv:3: field 'text': missing or empty (3 problems in all)", firstLine);
        assertTrue(e.getMessage().contains("train.csv:4: field 'id': duplicate id 'a'"), e.getMessage());
    }

    @Test
    void failureKeepsAHundredProblemsAndCountsTheRest() {
        StringBuilder content = new StringBuilder("text\n");
        for (int i = 0; i < 250; i++) {
            content.append("\"\"\n");
        }
        Path file = write(dir, "many.csv", content.toString());

        ImportException e = failure(file);

        assertEquals(250, e.totalProblems());
        assertEquals(ImportException.MAX_PROBLEMS, e.problems().size());
        assertTrue(e.getMessage().contains("(250 problems in all)"));
        assertTrue(e.getMessage().contains("and 230 more"), e.getMessage());
    }

    @Test
    void skipBadRowsLeavesThemOutAndReportsThem() throws Exception {
        Path file = write(dir, "mix.jsonl", lines(
                "{\"id\":\"a\",\"text\":\"one\",\"label\":\"x\"}",
                "not json",
                "{\"id\":\"b\",\"text\":\"\"}",
                "{\"id\":\"a\",\"text\":\"dup\"}",
                "{\"id\":\"c\",\"text\":\"two\",\"label\":\"y\"}"));

        ImportResult result = DocumentImporter.read(file, ImportOptions.defaults().withSkipBadRows(true));

        assertEquals(List.of("a", "c"), result.documents().stream().map(Document::id).toList());
        assertEquals(Set.of("x", "y"), result.labels());
        assertEquals(3, result.skipped().size());
        assertProblem(result.skipped().get(0), 2, null, "malformed JSON");
        assertProblem(result.skipped().get(1), 3, "text", "missing or empty");
        assertProblem(result.skipped().get(2), 4, "id", "duplicate id 'a'");
    }

    @Test
    void skippingEveryRowIsStillAFailure() {
        Path file = write(dir, "wrong.jsonl", lines("{\"body\":\"one\"}", "{\"body\":\"two\"}"));

        ImportException e = failure(file, ImportOptions.defaults().withSkipBadRows(true));

        assertEquals(2, e.totalProblems());
        assertProblem(e.problems().get(0), 1, "text", "missing or empty");
    }

    @Test
    void problemToStringLooksLikeACompilerMessage() {
        Path file = Path.of("data", "train.csv");

        assertEquals("train.csv:12: field 'text': missing or empty",
                new ImportProblem(file, 12, "text", "missing or empty").toString());
        assertEquals("train.csv:3: malformed JSON",
                new ImportProblem(file, 3, null, "malformed JSON").toString());
        assertEquals("train.csv: file not found",
                new ImportProblem(file, 0, null, "file not found").toString());
    }
}
