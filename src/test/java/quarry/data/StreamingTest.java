package quarry.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static quarry.data.DataFiles.assertProblem;
import static quarry.data.DataFiles.lines;
import static quarry.data.DataFiles.write;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.Document;

@Tag("unit")
class StreamingTest {

    @TempDir
    Path dir;

    private Path mixed() {
        return write(dir, "mix.csv", lines("id,text,labels", "a,one,x|y", "b,,x", "c,three,z"));
    }

    @Test
    void validateCountsRowsAndReportsProblemsWithoutThrowing() throws Exception {
        ImportSummary summary = DocumentImporter.validate(mixed(), ImportOptions.defaults());

        assertFalse(summary.valid());
        assertEquals(3, summary.rows());
        assertEquals(2, summary.documents());
        assertEquals(1, summary.totalProblems());
        assertProblem(summary.problems().get(0), 3, "text", "missing or empty");
        assertTrue(summary.multiLabel());
        assertEquals(Set.of("x", "y", "z"), summary.labels());
    }

    @Test
    void validateReportsWholeFileProblems() throws Exception {
        ImportSummary missing = DocumentImporter.validate(dir.resolve("gone.csv"), ImportOptions.defaults());
        ImportSummary badHeader = DocumentImporter.validate(
                write(dir, "h.csv", lines("body", "x")), ImportOptions.defaults());

        assertFalse(missing.valid());
        assertProblem(missing.problems().get(0), 0, null, "file not found");
        assertProblem(badHeader.problems().get(0), 1, "text", "no column 'text'");
    }

    @Test
    void validateOfAGoodFile() throws Exception {
        Path file = write(dir, "ok.jsonl", lines("{\"text\":\"a\",\"label\":\"x\"}"));

        ImportSummary summary = DocumentImporter.validate(file, ImportOptions.defaults());

        assertTrue(summary.valid());
        assertEquals(1, summary.documents());
        assertFalse(summary.multiLabel());
    }

    @Test
    void streamHandsOverDocumentsInOrder() throws Exception {
        Path file = write(dir, "ok.jsonl", lines("{\"text\":\"a\"}", "{\"text\":\"b\",\"label\":\"x\"}"));
        List<Document> seen = new ArrayList<>();

        ImportSummary summary = DocumentImporter.stream(file, ImportOptions.defaults(), seen::add);

        assertEquals(List.of(Document.unlabeled("ok-1", "a"), new Document("ok-2", "b", List.of("x"))), seen);
        assertEquals(2, summary.documents());
        assertTrue(summary.valid());
    }

    @Test
    void streamOfABadFileHandsOverNothing() {
        List<Document> seen = new ArrayList<>();

        ImportException e = assertThrows(ImportException.class,
                () -> DocumentImporter.stream(mixed(), ImportOptions.defaults(), seen::add));

        assertTrue(seen.isEmpty(), "sink saw " + seen);
        assertProblem(e.problems().get(0), 3, "text", "missing or empty");
    }

    @Test
    void streamSkippingBadRowsReportsThem() throws Exception {
        List<Document> seen = new ArrayList<>();

        ImportSummary summary = DocumentImporter.stream(mixed(),
                ImportOptions.defaults().withSkipBadRows(true), seen::add);

        assertEquals(List.of("a", "c"), seen.stream().map(Document::id).toList());
        assertEquals(1, summary.totalProblems());
        assertProblem(summary.problems().get(0), 3, "text", "missing or empty");
    }
}
