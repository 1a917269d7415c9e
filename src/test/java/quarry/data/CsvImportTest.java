package quarry.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static quarry.data.DataFiles.assertProblem;
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
class CsvImportTest {

    @TempDir
    Path dir;

    private static ImportResult read(Path file) throws Exception {
        return DocumentImporter.read(file, ImportOptions.defaults());
    }

    private static List<String> texts(ImportResult result) {
        return result.documents().stream().map(Document::text).toList();
    }

    @Test
    void readsColumnsByHeaderNameInAnyOrder() throws Exception {
        Path file = write(dir, "train.csv", lines(
                "label,extra,text,id",
                "greet,x,hello there,a",
                "leave,y,bye,b"));

        ImportResult result = read(file);

        assertEquals(List.of(new Document("a", "hello there", List.of("greet")),
                new Document("b", "bye", List.of("leave"))), result.documents());
        assertFalse(result.multiLabel());
    }

    @Test
    void quotedFieldsHoldCommasQuotesAndNewlines() throws Exception {
        Path file = write(dir, "q.csv", lines(
                "id,text",
                "a,\"one, two\"",
                "b,\"she said \"\"hi\"\"\"",
                "c,\"first line",
                "second line\"",
                "d,\"\"\"quoted\"\" start, and end \"\"\"",
                "e,plain"));

        ImportResult result = read(file);

        assertEquals(List.of("one, two", "she said \"hi\"", "first line\nsecond line",
                "\"quoted\" start, and end \"", "plain"), texts(result));
    }

    @Test
    void multiLineRecordIsNumberedByItsFirstLine() throws Exception {
        Path file = write(dir, "q.csv", lines(
                "text",
                "\"spans",
                "three",
                "lines\"",
                "next"));

        List<Document> docs = read(file).documents();

        assertEquals(List.of("q-2", "q-5"), docs.stream().map(Document::id).toList());
    }

    @Test
    void errorAfterMultiLineRecordNamesItsPhysicalLine() {
        Path file = write(dir, "q.csv", lines(
                "id,text",
                "a,\"spans",
                "two lines\"",
                "b,"));

        onlyProblem(file, 4, "text", "missing or empty");
    }

    @Test
    void handlesCrlfLineEndingsInsideAndOutsideQuotes() throws Exception {
        Path file = write(dir, "crlf.csv",
                "id,text,label\r\na,\"x\r\ny\",l1\r\nb,\"z, w\",l2\r\n");

        ImportResult result = read(file);

        assertEquals(List.of("x\ny", "z, w"), texts(result));
        assertEquals(Set.of("l1", "l2"), result.labels());
    }

    @Test
    void emptyQuotedAndUnquotedCells() throws Exception {
        Path file = write(dir, "e.csv", lines("id,text,label", "\"\",\"t\",\"\"", ",u,"));

        List<Document> docs = read(file).documents();

        assertEquals(List.of(Document.unlabeled("e-2", "t"), Document.unlabeled("e-3", "u")), docs);
    }

    @Test
    void skipsBlankLinesBetweenRecords() throws Exception {
        Path file = write(dir, "b.csv", lines("text", "one", "", "two", ""));

        assertEquals(List.of("one", "two"), texts(read(file)));
    }

    @Test
    void generatesIdsWithoutAnIdColumn() throws Exception {
        Path file = write(dir, "pool.csv", lines("text,label", "one,a", "two,"));

        ImportResult result = read(file);

        assertEquals(List.of(new Document("pool-2", "one", List.of("a")),
                Document.unlabeled("pool-3", "two")), result.documents());
    }

    @Test
    void splitsLabelsColumnOnDefaultDelimiter() throws Exception {
        Path file = write(dir, "m.csv", lines("text,labels", "x,joy|fear", "y, joy | love ", "z,"));

        ImportResult result = read(file);

        assertEquals(List.of("joy", "fear"), result.documents().get(0).labels());
        assertEquals(List.of("joy", "love"), result.documents().get(1).labels());
        assertEquals(List.of(), result.documents().get(2).labels());
        assertTrue(result.multiLabel());
        assertEquals(Set.of("joy", "fear", "love"), result.labels());
    }

    @Test
    void splitsLabelsColumnOnConfiguredDelimiter() throws Exception {
        Path file = write(dir, "m.csv", lines("body,tags", "x,\"a;b\"", "y,a|b"));
        ImportOptions options = ImportOptions.defaults().withTextField("body")
                .withLabelsField("tags").withLabelDelimiter(";");

        ImportResult result = DocumentImporter.read(file, options);

        assertEquals(List.of("a", "b"), result.documents().get(0).labels());
        assertEquals(List.of("a|b"), result.documents().get(1).labels());
    }

    @Test
    void labelsCellOfEmptyBracketsIsLabeledNoneWhileAnEmptyCellIsUnlabeled() throws Exception {
        Path file = write(dir, "m.csv", lines("id,text,labels", "a,x,[]", "b,y,", "c,z, [] "));

        List<Document> docs = read(file).documents();

        assertEquals(new Document("a", "x", List.of(), true), docs.get(0));
        assertEquals(Document.unlabeled("b", "y"), docs.get(1));
        assertTrue(docs.get(2).isLabeled());
    }

    @Test
    void singleLabelDataRejectsEmptyBracketsNamingLineAndColumn() {
        Path file = write(dir, "m.csv", lines("text,labels", "x,a", "y,[]"));

        onlyProblem(file, ImportOptions.defaults().withSingleLabel(true), 3, "labels", "empty label list");
    }

    @Test
    void emptyPieceInLabelsIsAnError() {
        Path file = write(dir, "m.csv", lines("text,labels", "x,a||b"));

        onlyProblem(file, 2, "labels", "empty label");
    }

    @Test
    void labelAndLabelsColumnsThatDifferAreAnError() throws Exception {
        Path file = write(dir, "m.csv", lines("text,label,labels", "x,a,a|b", "y,c,c", "z,,d"));

        onlyProblem(file, 2, "labels", "differ");
    }

    @Test
    void headerWithoutTextColumnIsAnErrorOnLineOne() {
        Path file = write(dir, "h.csv", lines("id,body,label", "1,hi,a"));

        ImportProblem p = onlyProblem(file, 1, "text", "no column 'text'");
        assertTrue(p.message().contains("id, body, label"), p.message());
    }

    @Test
    void headerWithoutTextColumnFailsEvenWhenSkippingBadRows() {
        Path file = write(dir, "h.csv", lines("id,body", "1,hi"));

        onlyProblem(file, ImportOptions.defaults().withSkipBadRows(true), 1, "text", "no column");
    }

    @Test
    void headerNamesAreTrimmed() throws Exception {
        Path file = write(dir, "h.csv", lines(" id , text ", "a,hi"));

        assertEquals("a", read(file).documents().get(0).id());
    }

    @Test
    void repeatedColumnInHeaderIsAnError() {
        Path file = write(dir, "h.csv", lines("text,text", "a,b"));

        onlyProblem(file, 1, "text", "more than once");
    }

    @Test
    void rowWithOtherColumnCountIsAnError() {
        Path file = write(dir, "c.csv", lines("id,text", "a,one", "b,two,extra", "c", "d,four"));

        ImportException e = failure(file);

        assertEquals(2, e.totalProblems());
        assertProblem(e.problems().get(0), 3, null, "expected 2 columns");
        assertTrue(e.problems().get(0).message().contains("found 3"));
        assertProblem(e.problems().get(1), 4, null, "found 1");
    }

    @Test
    void unterminatedQuoteReportsTheLineWhereTheFieldStarted() {
        Path file = write(dir, "u.csv", lines("id,text", "a,fine", "b,\"never closed", "c,more", "d,rows"));

        onlyProblem(file, 3, null, "unterminated quote");
    }

    @Test
    void unterminatedQuoteInLaterLineOfRecordNamesThatLine() {
        Path file = write(dir, "u.csv", lines("id,text,label", "a,\"two", "lines\",\"open", "x"));

        onlyProblem(file, 3, null, "unterminated quote");
    }

    @Test
    void textAfterClosingQuoteIsAnError() {
        Path file = write(dir, "u.csv", lines("id,text", "a,\"say \"hi\" now\"", "b,ok"));

        onlyProblem(file, 2, null, "after a closing quote");
    }

    @Test
    void strayQuoteInsideUnquotedFieldIsText() throws Exception {
        Path file = write(dir, "s.csv", lines("text", "5\" screen"));

        assertEquals(List.of("5\" screen"), texts(read(file)));
    }

    @Test
    void headerOnlyIsAnEmptyFile() {
        Path file = write(dir, "h.csv", lines("id,text"));

        onlyProblem(file, 2, null, "no data rows");
    }

    @Test
    void missingTextCellIsAnError() {
        Path file = write(dir, "t.csv", lines("id,text", "a,", "b,\"  \""));

        ImportException e = failure(file);

        assertEquals(2, e.totalProblems());
        assertProblem(e.problems().get(0), 2, "text", "missing or empty");
        assertProblem(e.problems().get(1), 3, "text", "missing or empty");
        assertTrue(e.getMessage().startsWith("t.csv:2: field 'text': missing or empty"),
                e.getMessage());
    }

    @Test
    void csvFormatCanBeForced() throws Exception {
        Path file = write(dir, "data.tsvish", lines("text", "one"));

        assertEquals(1, DocumentImporter.read(file,
                ImportOptions.defaults().withFormat(ImportFormat.CSV)).documents().size());
    }
}
