package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.testtools.JavalinTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.project.Workspace;

/**
 * Label Studio, Argilla and Prodigy over the API: each format's export imported into a fresh
 * project exports again the same (demo project and a multi-label one), and the Label Studio ML
 * backend endpoints answer payloads written from Label Studio's documented formats.
 */
@Tag("integration")
class InteropApiTest {

    @TempDir
    static Path dir;
    static Workspace workspace;
    static String admin;
    static String alice;

    static final List<String> FORMATS = List.of("labelstudio", "argilla", "prodigy");

    @BeforeAll
    static void open() throws Exception {
        workspace = Workspace.open(dir.resolve("ws"), true);
        admin = workspace.firstAdminToken();
        alice = workspace.createToken("alice", "annotator", Workspace.DEMO);
        Http.await("the demo project's first model", 600,
                () -> workspace.project(Workspace.DEMO).modelStatus().version() >= 1);
    }

    @AfterAll
    static void close() {
        workspace.close();
    }

    interface Case {
        void run(Http admin, Http alice) throws Exception;
    }

    private static void run(Case c) {
        Javalin app = Server.create(workspace, 1 << 20);
        JavalinTest.test(app, (server, client) -> c.run(new Http(client, admin), new Http(client, alice)));
    }

    /** An export with the model's predictions left out: a fresh project's model is its own. */
    static List<JsonNode> withoutPredictions(String format, String body) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        if (format.equals("labelstudio")) {
            Http.JSON.readTree(body).forEach(out::add);
        } else {
            for (String line : body.split("\n")) {
                if (!line.isBlank()) {
                    out.add(Http.JSON.readTree(line));
                }
            }
        }
        for (JsonNode n : out) {
            ObjectNode o = (ObjectNode) n;
            switch (format) {
                case "labelstudio" -> o.remove("predictions");
                case "argilla" -> o.remove("suggestions");
                default -> ((ObjectNode) o.get("meta")).remove(List.of("prediction", "score", "model_version"));
            }
        }
        return out;
    }

    private static String labelsJson(JsonNode project) {
        ArrayNode names = Http.JSON.createArrayNode();
        project.get("labels").forEach(l -> names.add(l.get("name").asText()));
        return names.toString();
    }

    /** Exports {@code from} as {@code format}, imports it into a new project {@code to}, and checks the two exports agree. */
    private static List<JsonNode> roundTrip(Http a, String from, String to, String format) throws Exception {
        JsonNode source = a.get("/api/projects/" + from).json();
        Http.Reply first = a.get("/api/projects/" + from + "/export/labels?format=" + format);
        assertEquals(200, first.code(), first.body());
        Http.Reply made = a.post("/api/projects", "{\"name\":\"" + to + "\",\"multiLabel\":"
                + source.get("multiLabel").asBoolean() + ",\"encoder\":\"" + source.get("encoder").asText()
                + "\",\"labels\":" + labelsJson(source) + "}");
        assertEquals(201, made.code(), made.body());
        Http.Reply imported = a.upload("/api/projects/" + to + "/documents?format=" + format, "application/json",
                first.body());
        assertEquals(202, imported.code(), imported.body());
        Http.Reply second = a.get("/api/projects/" + to + "/export/labels?format=" + format);
        List<JsonNode> before = withoutPredictions(format, first.body());
        assertEquals(before, withoutPredictions(format, second.body()), format + ": the round trip changed the export");
        return before;
    }

    @Test
    void everyFormatRoundTripsTheDemoProject() {
        run((a, al) -> {
            // A person's label beside the seed labels: its annotator must survive the trip too.
            String doc = a.get("/api/projects/demo/documents?offset=200&limit=1").json().get("items").get(0).get("id")
                    .asText();
            String label = a.get("/api/projects/demo").json().get("labels").get(0).get("name").asText();
            assertEquals(201, al.post("/api/projects/demo/annotations", "{\"document\":\"" + doc + "\",\"labels\":[\""
                    + label + "\"]}").code());
            for (String format : FORMATS) {
                List<JsonNode> items = roundTrip(a, "demo", "demo-" + format, format);
                assertEquals(510, items.size(), format);
                String text = items.toString();
                assertTrue(text.contains("alice") && text.contains("seed"), format + " keeps who labeled");
            }
            // The demo has a model: its predictions go out with version and score.
            JsonNode ls = a.get("/api/projects/demo/export/labels?format=labelstudio").json();
            JsonNode prediction = ls.get(0).get("predictions").get(0);
            assertTrue(prediction.get("model_version").asText().startsWith("quarry-demo-v"), prediction.toString());
            double score = prediction.get("score").asDouble();
            assertTrue(score > 0 && score <= 1, prediction.toString());
            assertEquals("choices", prediction.get("result").get(0).get("type").asText());
            JsonNode argilla = Http.JSON.readTree(a.get("/api/projects/demo/export/labels?format=argilla").body()
                    .lines().findFirst().orElseThrow());
            assertTrue(argilla.get("suggestions").get("label").get("agent").asText().startsWith("quarry-demo-v"));
        });
    }

    @Test
    void everyFormatRoundTripsAMultiLabelProject() {
        run((a, al) -> {
            assertEquals(201, a.post("/api/projects", "{\"name\":\"tags\",\"multiLabel\":true,"
                    + "\"encoder\":\"all-minilm-l6-v2\",\"labels\":[\"billing\",\"bug\",\"praise\"]}").code());
            String file = String.join("\n",
                    "{\"id\":\"t1\",\"text\":\"charged twice and the app crashed\",\"labels\":[\"billing\",\"bug\"]}",
                    "{\"id\":\"t2\",\"text\":\"love it\",\"labels\":[\"praise\"]}",
                    "{\"id\":\"t3\",\"text\":\"just a question\",\"labels\":[]}",
                    "{\"id\":\"t4\",\"text\":\"<script>alert(1)</script> =SUM(A1)\"}",
                    "{\"id\":\"t5\",\"text\":\"refund please, it is broken\",\"labels\":[\"bug\",\"billing\",\"praise\"]}");
            assertEquals(202, a.upload("/api/projects/tags/documents", "application/x-ndjson", file).code());
            for (String format : FORMATS) {
                List<JsonNode> items = roundTrip(a, "tags", "tags-" + format, format);
                assertEquals(5, items.size(), format);
                JsonNode fresh = a.get("/api/projects/tags-" + format + "/documents/t1").json();
                assertEquals(List.of("billing", "bug"), Http.JSON.convertValue(fresh.get("labels"), List.class), format);
                JsonNode none = a.get("/api/projects/tags-" + format + "/documents/t3").json();
                assertTrue(none.get("labeled").asBoolean() && none.get("labels").isEmpty(),
                        format + ": 'none of these' stays an answer");
                assertFalse(a.get("/api/projects/tags-" + format + "/documents/t4").json().get("labeled").asBoolean());
            }
            String ls = a.get("/api/projects/tags/export/labels?format=labelstudio").body();
            assertTrue(ls.contains("\"choices\":[\"billing\",\"bug\"]"), ls);
            String prodigy = a.get("/api/projects/tags/export/labels?format=prodigy").body();
            assertTrue(prodigy.contains("\"accept\":[\"billing\",\"bug\"],\"answer\":\"accept\""), prodigy);
        });
    }

    @Test
    void badInterchangeFilesAreRefusedWholeNamingLineAndField() {
        run((a, al) -> {
            assertEquals(201, a.post("/api/projects", "{\"name\":\"strict\",\"encoder\":\"all-minilm-l6-v2\","
                    + "\"labels\":[\"billing\",\"bug\"]}").code());
            Http.Reply r = a.upload("/api/projects/strict/documents?format=labelstudio", "application/json",
                    "[\n{\"data\": {\"text\": \"fine\"}},\n{\"data\": {\"body\": \"no text\"}},\n{\"data\": {\"text\": \"x\"},"
                            + " \"annotations\": [{\"result\": [{\"type\": \"choices\", \"from_name\": \"l\", \"to_name\":"
                            + " \"text\", \"value\": {\"choices\": [\"refund\"]}}]}]}\n]");
            assertEquals(400, r.code(), r.body());
            assertEquals("bad_import", r.error());
            JsonNode problems = r.json().get("details").get("problems");
            assertEquals(3, problems.get(0).get("line").asInt());
            assertEquals("data.text", problems.get(0).get("field").asText());
            assertEquals(4, problems.get(1).get("line").asInt());
            assertTrue(problems.get(1).get("message").asText().contains("'refund'"), r.body());
            assertEquals(0, a.get("/api/projects/strict").json().get("documents").asInt(), "nothing half-imported");

            Http.Reply argilla = a.upload("/api/projects/strict/documents?format=argilla", "application/x-ndjson",
                    "{\"id\": \"a\", \"fields\": {\"text\": \"x\"}, \"responses\": {\"label\": [{\"value\": [\"bug\", \"billing\"]}]}}\n");
            assertEquals(400, argilla.code());
            assertTrue(argilla.json().get("message").asText().contains("single-label"), argilla.body());
            assertEquals(400, a.upload("/api/projects/strict/documents?format=doccano", "application/json", "[]").code());
            assertEquals(400, a.get("/api/projects/strict/export/labels?format=doccano").code());
        });
    }

    private static String basic(String token) {
        return "Basic " + Base64.getEncoder().encodeToString(("labelstudio:" + token).getBytes(StandardCharsets.UTF_8));
    }

    private static String config(JsonNode project, String choice) {
        StringBuilder xml = new StringBuilder("<View><Text name=\"review\" value=\"$body\"/><Choices name=\"intent\""
                + " toName=\"review\" choice=\"" + choice + "\">");
        project.get("labels").forEach(l -> xml.append("<Choice value=\"").append(l.get("name").asText()).append("\"/>"));
        return xml.append("</Choices></View>").toString();
    }

    @Test
    void labelStudioMlBackendProtocol() {
        run((a, al) -> {
            JsonNode demo = a.get("/api/projects/demo").json();
            String auth = basic(alice);
            // health, as Label Studio checks a backend it connects to
            assertEquals("UP", a.as(null).getAuthorized("/ml/demo/health", auth).json().get("status").asText());
            assertEquals(200, a.as(null).getAuthorized("/ml/demo", "Token " + alice).code());
            assertEquals(401, a.as(null).get("/ml/demo/health").code());
            assertEquals(401, a.as(null).getAuthorized("/ml/demo/health", basic("qk_wrong")).code());
            assertNotNull(a.headerAuthorized("/ml/demo/health", null, "WWW-Authenticate"),
                    "Label Studio is told to use Basic auth");
            assertEquals(404, a.as(null).getAuthorized("/ml/nope/health", auth).code());

            // setup: {project, schema, hostname, access_token, model_version}
            String xml = config(demo, "single");
            Http.Reply setup = al.postAuthorized("/ml/demo/setup", auth, Http.JSON.createObjectNode()
                    .put("project", "1.1717000000").put("schema", xml).put("hostname", "http://ls:8080")
                    .put("access_token", "x").toString());
            assertEquals(200, setup.code(), setup.body());
            assertTrue(setup.json().get("model_version").asText().startsWith("quarry-demo-v"));
            Http.Reply lacking = al.postAuthorized("/ml/demo/setup", auth, Http.JSON.createObjectNode()
                    .put("schema", "<View><Text name=\"t\" value=\"$text\"/><Choices name=\"c\" toName=\"t\">"
                            + "<Choice value=\"fraud_report\"/></Choices></View>").toString());
            assertEquals(400, lacking.code());
            assertTrue(lacking.json().get("message").asText().contains("lacks"), lacking.body());

            // predict: {tasks: [{id, data}], label_config, project, params}
            ObjectNode body = Http.JSON.createObjectNode();
            ArrayNode tasks = body.putArray("tasks");
            tasks.addObject().put("id", 101).putObject("data").put("body", "someone used my card in another country");
            tasks.addObject().put("id", 102).putObject("data").put("body", "the parcel never arrived");
            body.put("label_config", xml).put("project", "1.1717000000").putObject("params").putNull("context");
            Http.Reply predicted = al.postAuthorized("/ml/demo/predict", auth, body.toString());
            assertEquals(200, predicted.code(), predicted.body());
            JsonNode results = predicted.json().get("results");
            assertEquals(2, results.size());
            List<String> labels = new ArrayList<>();
            demo.get("labels").forEach(l -> labels.add(l.get("name").asText()));
            for (JsonNode res : results) {
                JsonNode choice = res.get("result").get(0);
                assertEquals("intent", choice.get("from_name").asText());
                assertEquals("review", choice.get("to_name").asText());
                assertEquals("choices", choice.get("type").asText());
                assertTrue(labels.contains(choice.get("value").get("choices").get(0).asText()), res.toString());
                double score = res.get("score").asDouble();
                assertTrue(score > 0 && score <= 1, res.toString());
                assertEquals(predicted.json().get("model_version"), res.get("model_version"));
            }
            // Without a config, Quarry's own names (the label config in the README).
            Http.Reply plain = al.postAuthorized("/ml/demo/predict", auth,
                    "{\"tasks\": [{\"id\": 1, \"data\": {\"text\": \"my card was stolen\"}}]}");
            assertEquals("label", plain.json().get("results").get(0).get("result").get(0).get("from_name").asText());
            Http.Reply noText = al.postAuthorized("/ml/demo/predict", auth,
                    "{\"tasks\": [{\"id\": 1, \"data\": {\"text\": \"ok\"}}, {\"id\": 2, \"data\": {\"txt\": \"x\"}}]}");
            assertEquals(400, noText.code());
            assertEquals("tasks[1].data.text", noText.json().get("details").get("field").asText(), noText.body());
            assertEquals(400, al.postAuthorized("/ml/demo/predict", auth, "{\"tasks\": []}").code());
            assertEquals("bad_json", al.postAuthorized("/ml/demo/predict", auth, "{\"tasks\": [").error());
            Http.Reply xxe = al.postAuthorized("/ml/demo/predict", auth, Http.JSON.createObjectNode()
                    .put("label_config", "<!DOCTYPE v [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><View>&x;</View>")
                    .set("tasks", tasks).toString());
            assertEquals(400, xxe.code());
            assertEquals("label_config", xxe.json().get("details").get("field").asText());

            // webhook: an annotation on a task whose data names a demo document...
            String doc = a.get("/api/projects/demo/documents?offset=300&limit=1").json().get("items").get(0).get("id")
                    .asText();
            String label = labels.get(1);
            String event = "{\"action\": \"ANNOTATION_CREATED\", \"project\": {\"id\": 1, \"label_config\": "
                    + Http.JSON.writeValueAsString(xml) + "}, \"task\": {\"id\": 300, \"data\": {\"id\": \"" + doc
                    + "\", \"body\": \"x\"}}, \"annotation\": {\"id\": 9001, \"completed_by\": 1, \"was_cancelled\": false,"
                    + " \"created_at\": \"2026-11-30T10:00:00Z\", \"updated_at\": \"2026-11-30T10:00:00Z\", \"result\":"
                    + " [{\"from_name\": \"intent\", \"to_name\": \"review\", \"type\": \"choices\", \"value\": {\"choices\": [\""
                    + label + "\"]}}]}}";
            Http.Reply hook = al.postAuthorized("/ml/demo/webhook", auth, event);
            assertEquals(201, hook.code(), hook.body());
            assertEquals("annotated", hook.json().get("status").asText());
            assertEquals(201, al.postAuthorized("/ml/demo/webhook", auth, event).code(), "a repeated delivery is fine");
            JsonNode log = a.get("/api/projects/demo/annotations?limit=1000").json().get("items");
            int stored = 0;
            for (JsonNode entry : log) {
                // The document may carry a seed label as well; the webhook's is the token user's.
                if (entry.get("documentId").asText().equals(doc) && entry.get("annotator").asText().equals("alice")) {
                    stored++;
                    assertEquals(label, entry.get("labels").get(0).asText());
                }
            }
            assertEquals(1, stored, "the label is in the label log once: " + log);
            // ... and on a task the project lacks: the document is added with its label.
            Http.Reply added = al.postAuthorized("/ml/demo/webhook", auth, "{\"action\": \"ANNOTATION_UPDATED\","
                    + " \"task\": {\"id\": 777, \"data\": {\"text\": \"a new kind of complaint\"}}, \"annotation\":"
                    + " {\"id\": 5, \"result\": [{\"from_name\": \"label\", \"to_name\": \"text\", \"type\": \"choices\","
                    + " \"value\": {\"choices\": [\"" + label + "\"]}}]}}");
            assertEquals(201, added.code(), added.body());
            assertEquals("added", added.json().get("status").asText());
            JsonNode fresh = a.get("/api/projects/demo/documents/ls-777").json();
            assertEquals(label, fresh.get("labels").get(0).asText());
            // Other events are acknowledged; bad ones named.
            assertEquals("ignored", al.postAuthorized("/ml/demo/webhook", auth, "{\"action\": \"PROJECT_UPDATED\","
                    + " \"project\": {\"id\": 1}}").json().get("status").asText());
            assertEquals(400, al.postAuthorized("/ml/demo/webhook", auth, "{\"project\": {}}").code());
            Http.Reply unknown = al.postAuthorized("/ml/demo/webhook", auth, event.replace("9001", "9002")
                    .replace("\"" + label + "\"", "\"no_such_label\""));
            assertEquals(400, unknown.code());
            assertTrue(unknown.body().contains("no_such_label"), unknown.body());
            Http.Reply noTask = al.postAuthorized("/ml/demo/webhook", auth, "{\"action\": \"ANNOTATION_CREATED\","
                    + " \"annotation\": {\"id\": 1, \"result\": []}}");
            assertEquals("task", noTask.json().get("details").get("field").asText());

            assertEquals(201, al.postAuthorized("/ml/demo/train", auth, "{\"annotations\": [], \"project\": \"1\"}")
                    .code());
        });
    }
}
