package quarry.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static quarry.data.DataFiles.failure;
import static quarry.data.DataFiles.lines;
import static quarry.data.DataFiles.onlyProblem;
import static quarry.data.DataFiles.write;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.Document;

@Tag("unit")
class JsonlImportTest {

    @TempDir
    Path dir;

    @Test
    void readsSingleLabelRowsInOrder() throws Exception {
        Path file = write(dir, "train.jsonl", lines(
                "{\"id\":\"a\",\"text\":\"hello there\",\"label\":\"greet\"}",
                "{\"id\":\"b\",\"text\":\"bye\",\"label\":\"leave\"}"));

        ImportResult result = DocumentImporter.read(file, ImportOptions.defaults());

        assertEquals(List.of(new Document("a", "hello there", List.of("greet")),
                new Document("b", "bye", List.of("leave"))), result.documents());
        assertFalse(result.multiLabel());
        assertEquals(Set.of("greet", "leave"), result.labels());
        assertTrue(result.skipped().isEmpty());
    }

    @Test
    void readsMultiLabelRows() throws Exception {
        Path file = write(dir, "emo.jsonl", lines(
                "{\"id\":\"a\",\"text\":\"yay\",\"labels\":[\"joy\",\"excitement\"]}",
                "{\"id\":\"b\",\"text\":\"hm\",\"labels\":[\"neutral\"]}",
                "{\"id\":\"c\",\"text\":\"none of them\",\"labels\":[]}"));

        ImportResult result = DocumentImporter.read(file, ImportOptions.defaults());

        assertEquals(List.of("joy", "excitement"), result.documents().get(0).labels());
        assertEquals(List.of(), result.documents().get(2).labels());
        assertTrue(result.documents().get(2).isLabeled(), "[] is \"none of these\", an answer");
        assertTrue(result.multiLabel());
        assertEquals(Set.of("joy", "excitement", "neutral"), result.labels());
    }

    @Test
    void emptyLabelListIsLabeledNoneWhileAnAbsentFieldIsUnlabeled() throws Exception {
        Path file = write(dir, "emo.jsonl", lines(
                "{\"id\":\"none\",\"text\":\"none of them\",\"labels\":[]}",
                "{\"id\":\"open\",\"text\":\"not looked at\"}",
                "{\"id\":\"null\",\"text\":\"not looked at either\",\"labels\":null}"));

        List<Document> docs = DocumentImporter.read(file, ImportOptions.defaults()).documents();

        assertEquals(new Document("none", "none of them", List.of(), true), docs.get(0));
        assertEquals(Document.unlabeled("open", "not looked at"), docs.get(1));
        assertFalse(docs.get(2).isLabeled());
        assertFalse(docs.get(0).equals(Document.unlabeled("none", "none of them")));
    }

    @Test
    void singleLabelDataRejectsAnEmptyLabelListNamingLineAndField() {
        Path file = write(dir, "intents.jsonl", lines(
                "{\"text\":\"hi\",\"label\":\"greet\"}",
                "{\"text\":\"hm\",\"labels\":[]}"));

        ImportProblem p = onlyProblem(file, ImportOptions.defaults().withSingleLabel(true), 2, "labels",
                "empty label list");
        assertTrue(p.toString().contains("intents.jsonl:2"), p.toString());
        assertTrue(p.message().contains("single-label"), p.message());
    }

    @Test
    void singleLabelDataRejectsSeveralLabelsNamingLineAndField() {
        Path file = write(dir, "intents.jsonl", lines("{\"text\":\"hm\",\"labels\":[\"a\",\"b\"]}"));

        onlyProblem(file, ImportOptions.defaults().withSingleLabel(true), 1, "labels", "give exactly one");
    }

    @Test
    void singleLabelDataStillTakesOneLabelAndUnlabeledRows() throws Exception {
        Path file = write(dir, "intents.jsonl", lines(
                "{\"id\":\"a\",\"text\":\"hi\",\"label\":\"greet\"}",
                "{\"id\":\"b\",\"text\":\"bye\",\"labels\":[\"leave\"]}",
                "{\"id\":\"c\",\"text\":\"?\"}"));

        List<Document> docs = DocumentImporter.read(file, ImportOptions.defaults().withSingleLabel(true)).documents();

        assertEquals(List.of(List.of("greet"), List.of("leave"), List.of()), docs.stream().map(Document::labels).toList());
        assertEquals(List.of(true, true, false), docs.stream().map(Document::isLabeled).toList());
    }

    @Test
    void labelsFieldMakesDataMultiLabelEvenWithOneLabelPerRow() throws Exception {
        Path file = write(dir, "emo.jsonl", lines("{\"text\":\"hm\",\"labels\":[\"neutral\"]}"));

        assertTrue(DocumentImporter.read(file, ImportOptions.defaults()).multiLabel());
    }

    @Test
    void acceptsUnlabeledRowsWithoutOrWithNullLabel() throws Exception {
        Path file = write(dir, "pool.jsonl", lines(
                "{\"id\":\"a\",\"text\":\"one\"}",
                "{\"id\":\"b\",\"text\":\"two\",\"label\":null}",
                "{\"id\":\"c\",\"text\":\"three\",\"labels\":null}"));

        ImportResult result = DocumentImporter.read(file, ImportOptions.defaults());

        assertEquals(3, result.documents().size());
        assertTrue(result.documents().stream().noneMatch(Document::isLabeled));
        assertTrue(result.labels().isEmpty());
    }

    @Test
    void generatesIdsFromFileNameAndLineWhenAbsent() throws Exception {
        Path file = write(dir, "pool.jsonl", lines(
                "{\"text\":\"one\"}",
                "",
                "{\"text\":\"two\",\"id\":null}",
                "{\"text\":\"three\",\"id\":\"x\"}"));

        List<Document> docs = DocumentImporter.read(file, ImportOptions.defaults()).documents();

        assertEquals(List.of("pool-1", "pool-3", "x"), docs.stream().map(Document::id).toList());
    }

    @Test
    void keepsIntegerIdsAsText() throws Exception {
        Path file = write(dir, "n.jsonl", lines("{\"id\":17,\"text\":\"one\"}"));

        assertEquals("17", DocumentImporter.read(file, ImportOptions.defaults())
                .documents().get(0).id());
    }

    @Test
    void usesConfiguredFieldNames() throws Exception {
        Path file = write(dir, "custom.jsonl", lines(
                "{\"uid\":\"u1\",\"body\":\"text here\",\"intent\":\"x\"}",
                "{\"uid\":\"u2\",\"body\":\"more\",\"tags\":[\"y\",\"z\"]}"));
        ImportOptions options = ImportOptions.defaults().withIdField("uid").withTextField("body")
                .withLabelField("intent").withLabelsField("tags");

        ImportResult result = DocumentImporter.read(file, options);

        assertEquals(new Document("u1", "text here", List.of("x")), result.documents().get(0));
        assertEquals(new Document("u2", "more", List.of("y", "z")), result.documents().get(1));
    }

    @Test
    void acceptsNdjsonExtensionAndExplicitFormat() throws Exception {
        String content = lines("{\"text\":\"one\"}");
        Path ndjson = write(dir, "a.ndjson", content);
        Path txt = write(dir, "a.txt", content);

        assertEquals(1, DocumentImporter.read(ndjson, ImportOptions.defaults()).documents().size());
        assertEquals(1, DocumentImporter.read(txt,
                ImportOptions.defaults().withFormat(ImportFormat.JSONL)).documents().size());
    }

    @Test
    void unknownExtensionWithoutFormatIsAnError() {
        Path txt = write(dir, "a.txt", lines("{\"text\":\"one\"}"));

        onlyProblem(txt, 0, null, "cannot tell the format");
    }

    @Test
    void readsLastLineWithoutNewlineAndCrlf() throws Exception {
        Path file = write(dir, "crlf.jsonl", "{\"text\":\"one\"}\r\n{\"text\":\"two\"}");

        List<Document> docs = DocumentImporter.read(file, ImportOptions.defaults()).documents();

        assertEquals(List.of("one", "two"), docs.stream().map(Document::text).toList());
    }

    @Test
    void malformedJsonNamesTheLine() {
        Path file = write(dir, "bad.jsonl", lines(
                "{\"text\":\"fine\"}",
                "{\"text\":\"broken\"",
                "{\"text\":\"fine too\"}"));

        ImportProblem p = onlyProblem(file, 2, null, "malformed JSON at column");
        assertFalse(p.message().contains("Source"), p.message());
    }

    @Test
    void lineThatIsNotAnObjectIsMalformed() {
        Path file = write(dir, "bad.jsonl", lines("{\"text\":\"fine\"}", "[\"text\"]"));

        onlyProblem(file, 2, null, "expected an object");
    }

    @Test
    void secondObjectOnALineIsMalformed() {
        Path file = write(dir, "bad.jsonl", lines("{\"text\":\"a\"} {\"text\":\"b\"}"));

        onlyProblem(file, 1, null, "malformed JSON");
    }

    @Test
    void repeatedKeyIsMalformed() {
        Path file = write(dir, "bad.jsonl", lines("{\"text\":\"a\",\"text\":\"b\"}"));

        onlyProblem(file, 1, null, "text");
    }

    @Test
    void missingEmptyOrBlankTextIsAnError() {
        Path file = write(dir, "bad.jsonl", lines(
                "{\"id\":\"a\"}",
                "{\"id\":\"b\",\"text\":\"\"}",
                "{\"id\":\"c\",\"text\":\"  \\t \"}",
                "{\"id\":\"d\",\"text\":null}",
                "{\"id\":\"e\",\"text\":\"ok\"}"));

        ImportException e = failure(file);

        assertEquals(4, e.totalProblems());
        for (int i = 0; i < 4; i++) {
            DataFiles.assertProblem(e.problems().get(i), i + 1, "text", "missing or empty");
        }
    }

    @Test
    void textThatIsNotAStringIsAnError() {
        Path file = write(dir, "bad.jsonl", lines("{\"text\":42}"));

        onlyProblem(file, 1, "text", "must be a string, found number");
    }

    @Test
    void labelThatIsNotAStringIsAnError() {
        Path file = write(dir, "bad.jsonl", lines("{\"text\":\"a\",\"label\":3}"));

        onlyProblem(file, 1, "label", "must be a string");
    }

    @Test
    void labelsThatAreNotAnArrayOfStringsAreAnError() {
        Path notArray = write(dir, "a.jsonl", lines("{\"text\":\"a\",\"labels\":\"joy\"}"));
        Path badElement = write(dir, "b.jsonl", lines("{\"text\":\"a\",\"labels\":[\"joy\",1]}"));

        onlyProblem(notArray, 1, "labels", "must be an array of strings");
        onlyProblem(badElement, 1, "labels", "label 2 must be a string");
    }

    @Test
    void emptyLabelIsAnError() {
        Path single = write(dir, "a.jsonl", lines("{\"text\":\"a\",\"label\":\" \"}"));
        Path multi = write(dir, "b.jsonl", lines("{\"text\":\"a\",\"labels\":[\"joy\",\"\"]}"));

        onlyProblem(single, 1, "label", "empty label");
        onlyProblem(multi, 1, "labels", "empty label");
    }

    @Test
    void labelAndLabelsThatDifferAreAnError() {
        Path file = write(dir, "a.jsonl", lines(
                "{\"text\":\"a\",\"label\":\"joy\",\"labels\":[\"joy\",\"fear\"]}"));

        ImportProblem p = onlyProblem(file, 1, "labels", "differ");
        assertTrue(p.message().contains("joy") && p.message().contains("fear"), p.message());
    }

    @Test
    void labelAndLabelsThatAgreeAreAccepted() throws Exception {
        Path file = write(dir, "a.jsonl", lines(
                "{\"text\":\"a\",\"label\":\"joy\",\"labels\":[\"joy\"]}"));

        assertEquals(List.of("joy"), DocumentImporter.read(file, ImportOptions.defaults())
                .documents().get(0).labels());
    }

    @Test
    void reportsEveryProblemOfARow() {
        Path file = write(dir, "a.jsonl", lines("{\"text\":\"\",\"label\":\"\"}"));

        ImportException e = failure(file);

        assertEquals(2, e.totalProblems());
        assertEquals(List.of("text", "label"), e.problems().stream().map(ImportProblem::field).toList());
    }
}
