package quarry.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static quarry.data.DataFiles.lines;
import static quarry.data.DataFiles.onlyProblem;
import static quarry.data.DataFiles.write;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.AttributedDocument;
import quarry.core.DomainException;

/**
 * Label Studio, Argilla and Prodigy files, written from the shapes their documentation gives, read
 * through the importer's checks; and Quarry's own exports of them read back unchanged.
 */
@Tag("unit")
class InterchangeFormatsTest {

    @TempDir
    Path dir;

    private static final List<String> LABELS = List.of("billing", "bug", "praise");

    private static ImportOptions options(ImportFormat format, boolean single) {
        return ImportOptions.defaults().withFormat(format).withLabelSchema(LABELS).withSingleLabel(single);
    }

    private static List<AttributedDocument> read(Path file, ImportFormat format, boolean single) throws Exception {
        List<AttributedDocument> out = new ArrayList<>();
        DocumentImporter.streamAttributed(file, options(format, single), out::add);
        return out;
    }

    @Test
    void readsLabelStudioTasksWithAnnotationsAndPredictions() throws Exception {
        // Label Studio's JSON export: task id, data, annotations with choices results, predictions.
        Path file = write(dir, "export.json", """
                [
                  {"id": 12, "data": {"text": "I was charged twice"},
                   "annotations": [{"id": 3, "completed_by": 1, "was_cancelled": false,
                     "created_at": "2024-06-18T23:45:46.048490Z",
                     "result": [{"from_name": "sentiment", "to_name": "text", "type": "choices",
                                 "value": {"choices": ["billing"]}}]}],
                   "predictions": [{"model_version": "m1", "score": 0.7,
                     "result": [{"from_name": "sentiment", "to_name": "text", "type": "choices",
                                 "value": {"choices": ["bug"]}}]}]},
                  {"id": 13, "data": {"id": "t-13", "text": "the app crashes"}, "meta": {"annotator": "ann"},
                   "annotations": [
                     {"result": [{"type": "choices", "from_name": "s", "to_name": "text", "value": {"choices": ["praise"]}}],
                      "completed_by": {"id": 2, "email": "bo@example.com"}},
                     {"was_cancelled": true, "result": []}]},
                  {"data": {"text": "no annotation yet"}}
                ]
                """);
        List<AttributedDocument> docs = read(file, ImportFormat.LABELSTUDIO, true);
        assertEquals(3, docs.size());
        assertEquals("ls-12", docs.get(0).document().id());
        assertEquals(List.of("billing"), docs.get(0).document().labels(), "predictions are not labels");
        assertEquals("ls-user-1", docs.get(0).annotator());
        assertEquals("2024-06-18T23:45:46.048490Z", docs.get(0).created());
        assertEquals("t-13", docs.get(1).document().id());
        assertEquals(List.of("praise"), docs.get(1).document().labels(), "a cancelled annotation is not the label");
        assertEquals("ann", docs.get(1).annotator(), "meta.annotator wins over completed_by");
        assertFalse(docs.get(2).document().isLabeled());
        assertEquals("export-15", docs.get(2).document().id(), "no id at all: <file>-<line>, as for any file");
    }

    @Test
    void labelStudioProblemsNameTheTaskLineAndField() throws Exception {
        Path noText = write(dir, "a.json", "[\n{\"id\": 1, \"data\": {\"text\": \"ok\"}},\n{\"id\": 2, \"data\": {\"txt\": \"x\"}}\n]");
        onlyProblem(noText, options(ImportFormat.LABELSTUDIO, true), 3, "data.text", "missing or empty");
        Path noData = write(dir, "b.json", "[{\"id\": 1, \"text\": \"x\"}]");
        onlyProblem(noData, options(ImportFormat.LABELSTUDIO, true), 1, "data.text", "needs 'data'");
        Path unknown = write(dir, "c.json", "[\n{\"data\": {\"text\": \"x\"}, \"annotations\": [{\"result\": [{\"type\":"
                + " \"choices\", \"from_name\": \"l\", \"to_name\": \"text\", \"value\": {\"choices\": [\"refund\"]}}]}]}\n]");
        onlyProblem(unknown, options(ImportFormat.LABELSTUDIO, true), 2, LabelStudioTasks.CHOICES,
                "label 'refund' is not in the label schema");
        Path two = write(dir, "d.json", "[{\"data\": {\"text\": \"x\"}, \"annotations\": [{\"result\": [{\"type\":"
                + " \"choices\", \"from_name\": \"l\", \"to_name\": \"text\", \"value\": {\"choices\": [\"bug\", \"praise\"]}}]}]}]");
        onlyProblem(two, options(ImportFormat.LABELSTUDIO, true), 1, LabelStudioTasks.CHOICES, "single-label");
        Path broken = write(dir, "e.json", "[\n{\"data\": {\"text\": \"x\"}},\n{\"data\": \n");
        onlyProblem(broken, options(ImportFormat.LABELSTUDIO, true), 4, null, "Unexpected end-of-input");
        Path badTime = write(dir, "f.json", "[{\"data\": {\"text\": \"x\"}, \"annotations\": [{\"created_at\": \"yesterday\","
                + " \"result\": [{\"type\": \"choices\", \"from_name\": \"l\", \"to_name\": \"t\", \"value\": {\"choices\": [\"bug\"]}}]}]}]");
        onlyProblem(badTime, options(ImportFormat.LABELSTUDIO, true), 1, "created", "not an ISO-8601 time");
        Path notArray = write(dir, "g.json", "\"tasks\"");
        onlyProblem(notArray, options(ImportFormat.LABELSTUDIO, true), 1, null, "JSON array of tasks");
    }

    @Test
    void readsArgillaRecordsSingleAndMultiLabel() throws Exception {
        // Argilla 2.x Record.to_dict(): responses by question name, each a list of {value, user_id, status}.
        Path file = write(dir, "records.jsonl", lines(
                "{\"id\": \"r1\", \"fields\": {\"text\": \"charged twice\"}, \"metadata\": {\"source\": \"mail\"},"
                        + " \"responses\": {\"label\": [{\"value\": \"billing\", \"user_id\": \"7c0e-uuid\","
                        + " \"status\": \"submitted\"}]}, \"suggestions\": {\"label\": {\"value\": \"bug\", \"score\": 0.4,"
                        + " \"agent\": \"m\"}}, \"vectors\": {}}",
                "{\"id\": \"r2\", \"fields\": {\"text\": \"draft only\"}, \"responses\": {\"label\": [{\"value\": \"bug\","
                        + " \"user_id\": \"u\", \"status\": \"draft\"}]}}",
                "{\"id\": 3, \"fields\": {\"text\": \"no responses\"}}"));
        List<AttributedDocument> docs = read(file, ImportFormat.ARGILLA, true);
        assertEquals(List.of("billing"), docs.get(0).document().labels());
        assertEquals("7c0e-uuid", docs.get(0).annotator());
        assertFalse(docs.get(1).document().isLabeled(), "a draft is not a label");
        assertEquals("3", docs.get(2).document().id());

        Path multi = write(dir, "multi.jsonl", lines(
                "{\"id\": \"m1\", \"fields\": {\"text\": \"crash on checkout\"}, \"responses\": {\"topics\":"
                        + " [{\"value\": [\"bug\", \"billing\"], \"user_id\": \"u\"}]}}",
                "{\"id\": \"m2\", \"fields\": {\"text\": \"none apply\"}, \"responses\": {\"topics\": [{\"value\": []}]}}"));
        List<AttributedDocument> many = read(multi, ImportFormat.ARGILLA, false);
        assertEquals(List.of("bug", "billing"), many.get(0).document().labels());
        assertTrue(many.get(1).document().isLabeled(), "an empty multi-label answer is 'none of these'");
        assertTrue(many.get(1).document().labels().isEmpty());

        Path noText = write(dir, "bad.jsonl", lines("{\"id\": \"x\", \"fields\": {\"prompt\": \"hi\"}}"));
        onlyProblem(noText, options(ImportFormat.ARGILLA, true), 1, "fields.text", "missing or empty");
        Path badValue = write(dir, "bad2.jsonl", lines("{\"id\": \"x\", \"fields\": {\"text\": \"hi\"},"
                + " \"responses\": {\"label\": [{\"value\": 3}]}}"));
        onlyProblem(badValue, options(ImportFormat.ARGILLA, true), 1, "responses.label[0].value", "found number");
    }

    @Test
    void readsProdigyChoiceAndBinaryTasks() throws Exception {
        Path file = write(dir, "prodigy.jsonl", lines(
                "{\"text\": \"charged twice\", \"options\": [{\"id\": \"billing\", \"text\": \"billing\"}],"
                        + " \"accept\": [\"billing\"], \"answer\": \"accept\", \"meta\": {\"id\": \"p1\"},"
                        + " \"_input_hash\": 123, \"_task_hash\": -45, \"_annotator_id\": \"ds-alice\", \"_timestamp\": 1700000000}",
                "{\"text\": \"app crashes\", \"label\": \"bug\", \"answer\": \"accept\", \"meta\": {\"id\": 2}}",
                "{\"text\": \"rejected\", \"label\": \"bug\", \"answer\": \"reject\"}",
                "{\"text\": \"just input\"}"));
        List<AttributedDocument> docs = read(file, ImportFormat.PRODIGY, true);
        assertEquals(List.of("billing"), docs.get(0).document().labels());
        assertEquals("ds-alice", docs.get(0).annotator());
        assertEquals("2023-11-14T22:13:20Z", docs.get(0).created());
        assertEquals("2", docs.get(1).document().id());
        assertEquals(List.of("bug"), docs.get(1).document().labels());
        assertFalse(docs.get(2).document().isLabeled(), "a rejected task is no label");
        assertFalse(docs.get(3).document().isLabeled());

        Path badAnswer = write(dir, "b.jsonl", lines("{\"text\": \"x\", \"answer\": \"maybe\"}"));
        onlyProblem(badAnswer, options(ImportFormat.PRODIGY, true), 1, "answer", "accept, reject or ignore");
        Path badHash = write(dir, "c.jsonl", lines("{\"text\": \"x\", \"_input_hash\": \"abc\"}"));
        onlyProblem(badHash, options(ImportFormat.PRODIGY, true), 1, "_input_hash", "must be an integer");
        Path unknown = write(dir, "d.jsonl", lines("{\"text\": \"x\", \"accept\": [\"nope\"], \"answer\": \"accept\"}"));
        onlyProblem(unknown, options(ImportFormat.PRODIGY, false), 1, "accept", "not in the label schema");
    }

    /** Quarry's exports read back as the same ids, texts, labels, annotators and times, in every format. */
    @Test
    void exportsReadBackUnchanged() throws Exception {
        for (boolean multi : List.of(false, true)) {
            Interchange.Schema schema = new Interchange.Schema("p", LABELS, multi);
            List<Interchange.Item> items = List.of(
                    new Interchange.Item("a", "first \"text\" <b>", List.of("bug"), true, "alice",
                            "2026-01-02T03:04:05.678Z", new Interchange.Suggestion(List.of("bug"), 0.61, "quarry-p-v2")),
                    new Interchange.Item("b", "second", multi ? List.of("bug", "praise") : List.of("praise"), true,
                            "bob", "2026-01-02T03:04:06Z", null),
                    new Interchange.Item("c", "=unlabeled,\ttext", List.of(), false, null, null,
                            new Interchange.Suggestion(List.of("billing"), 0.2, "quarry-p-v2")));
            for (ImportFormat format : List.of(ImportFormat.LABELSTUDIO, ImportFormat.ARGILLA, ImportFormat.PRODIGY)) {
                StringWriter out = new StringWriter();
                Interchange.Sink sink = Interchange.sink(format, schema, out);
                for (Interchange.Item i : items) {
                    sink.write(i);
                }
                sink.finish();
                Path file = write(dir, "out-" + multi + "." + Interchange.extension(format), out.toString());
                List<AttributedDocument> back = read(file, format, !multi);
                assertEquals(items.size(), back.size(), format + " " + out);
                for (int i = 0; i < items.size(); i++) {
                    Interchange.Item want = items.get(i);
                    AttributedDocument got = back.get(i);
                    String what = format + " multi=" + multi + " item " + want.id();
                    assertEquals(want.id(), got.document().id(), what);
                    assertEquals(want.text(), got.document().text(), what);
                    assertEquals(want.labels(), got.document().labels(), what);
                    assertEquals(want.labeled(), got.document().isLabeled(), what);
                    assertEquals(want.annotator(), got.annotator(), what);
                    assertEquals(want.created(), got.created(), what);
                }
            }
        }
    }

    @Test
    void labelConfigIsReadAndExternalEntitiesAreRefused() {
        LabelConfig c = LabelConfig.parse("""
                <View>
                  <Text name="review" value="$body"/>
                  <Choices name="topic" toName="review" choice="multiple">
                    <Choice value="billing"/><Choice value="Bug" alias="bug"/>
                  </Choices>
                </View>""", "label_config");
        assertEquals("topic", c.fromName());
        assertEquals("review", c.toName());
        assertEquals("body", c.textKey());
        assertTrue(c.multiple());
        assertEquals(List.of("billing", "bug"), c.choices());

        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE v [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<View><Choices name=\"c\" toName=\"t\"><Choice value=\"&x;\"/></Choices></View>";
        DomainException.InvalidInput e = assertThrows(DomainException.InvalidInput.class,
                () -> LabelConfig.parse(xxe, "label_config"));
        assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
        assertFalse(e.getMessage().contains("root:"), "nothing of the file may show");
        assertThrows(DomainException.InvalidInput.class, () -> LabelConfig.parse("<View><Text name=\"t\"/></View>", "x"));
        assertThrows(DomainException.InvalidInput.class, () -> LabelConfig.parse("<View><Choices", "x"));
    }

    @Test
    void mlPayloadsAreReadAndBadOnesNamed() throws Exception {
        JsonNode body = JsonlRowReader.JSON.readTree("""
                {"tasks": [{"id": 5, "data": {"text": "hello"}}, {"id": 6, "data": {"id": "d6", "text": "bye"}}],
                 "project": "3.1700000000", "label_config": "<View><Text name=\\"text\\" value=\\"$text\\"/><Choices name=\\"intent\\" toName=\\"text\\"><Choice value=\\"bug\\"/></Choices></View>",
                 "params": {"login": null, "password": null, "context": null}}""");
        LabelStudioMl.PredictRequest r = LabelStudioMl.predict(body);
        assertEquals("ls-5", r.tasks().get(0).documentId());
        assertEquals("d6", r.tasks().get(1).documentId());
        assertEquals("intent", r.config().fromName());

        DomainException.InvalidInput e = assertThrows(DomainException.InvalidInput.class, () -> LabelStudioMl.predict(
                JsonlRowReader.JSON.readTree("{\"tasks\": [{\"id\": 1, \"data\": {\"txt\": \"x\"}}]}")));
        assertTrue(e.getMessage().contains("tasks[0].data.text"), e.getMessage());
        assertThrows(DomainException.InvalidInput.class, () -> LabelStudioMl.predict(JsonlRowReader.JSON.readTree("{}")));

        LabelStudioMl.Webhook w = LabelStudioMl.webhook(JsonlRowReader.JSON.readTree("""
                {"action": "ANNOTATION_CREATED", "task": {"id": 9, "data": {"text": "hi"}},
                 "annotation": {"id": 44, "updated_at": "2024-01-01T00:00:00Z",
                   "result": [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": ["bug"]}}]},
                 "project": {"id": 3}}"""));
        assertEquals("ls-9", w.task().documentId());
        assertEquals(List.of("bug"), w.labels());
        assertEquals("ls-annotation-44@2024-01-01T00:00:00Z", w.requestId());
        assertNull(LabelStudioMl.webhook(JsonlRowReader.JSON.readTree("{\"action\": \"PROJECT_UPDATED\"}")).task());
        e = assertThrows(DomainException.InvalidInput.class, () -> LabelStudioMl.webhook(JsonlRowReader.JSON.readTree(
                "{\"action\": \"ANNOTATION_UPDATED\", \"task\": {\"id\": 1, \"data\": {\"text\": \"x\"}},"
                        + " \"annotation\": {\"result\": [{\"type\": \"choices\", \"value\": {\"choices\": \"bug\"}}]}}")));
        assertTrue(e.getMessage().contains("annotation.result[0].value.choices"), e.getMessage());
    }
}
