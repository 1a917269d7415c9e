package quarry.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import quarry.core.Document;

/** Reads the real data sets beside the project, as they are. */
@Tag("data")
class SharedDataTest {

    private static Path sharedData() {
        String property = System.getProperty("quarry.sharedData");
        Path dir = property != null ? Path.of(property) : Path.of("..", "shared", "data");
        assertTrue(Files.isDirectory(dir), "shared data not found at " + dir.toAbsolutePath());
        return dir;
    }

    @Test
    void clinc150ValidHas3100RowsAnd151Labels() throws Exception {
        ImportResult result = DocumentImporter.read(sharedData().resolve("clinc150/valid.jsonl"),
                ImportOptions.defaults());

        assertEquals(3_100, result.documents().size());
        assertEquals(151, result.labels().size());
        assertTrue(result.labels().contains("oos"));
        assertFalse(result.multiLabel());
        assertTrue(result.skipped().isEmpty());
    }

    @Test
    void clinc150TrainHas15100Rows() throws Exception {
        ImportSummary summary = DocumentImporter.validate(sharedData().resolve("clinc150/train.jsonl"),
                ImportOptions.defaults());

        assertTrue(summary.valid(), () -> summary.problems().toString());
        assertEquals(15_100, summary.documents());
        assertTrue(summary.labels().contains("oos"));
    }

    @Test
    void goemotionsValidIsMultiLabel() throws Exception {
        ImportResult result = DocumentImporter.read(sharedData().resolve("goemotions/valid.jsonl"),
                ImportOptions.defaults());

        assertTrue(result.multiLabel());
        assertEquals(5_426, result.documents().size());
        assertEquals(28, result.labels().size());
        assertTrue(result.documents().stream().anyMatch(d -> d.labels().size() > 1));
        assertTrue(result.documents().stream().allMatch(Document::isLabeled));
    }
}
