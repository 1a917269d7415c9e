package quarry.server;

import quarry.project.Workspace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.testtools.JavalinTest;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every endpoint through JavalinTest, error paths included, over one workspace with the demo project. */
@Tag("integration")
class ServerTest {

    @TempDir
    static Path dir;
    static Workspace workspace;
    static String admin;
    static String alice;
    static String bob;

    @BeforeAll
    static void open() throws Exception {
        workspace = Workspace.open(dir.resolve("ws"), true);
        admin = workspace.firstAdminToken();
        alice = workspace.createToken("alice", "annotator", Workspace.DEMO);
        bob = workspace.createToken("bob", "annotator", Workspace.DEMO);
        Http.await("the demo project's first model", 120,
                () -> workspace.project(Workspace.DEMO).modelStatus().version() >= 1);
    }

    @AfterAll
    static void close() {
        workspace.close();
    }

    interface Case {
        void run(Http admin, Http alice, Http bob) throws Exception;
    }

    private static void run(Case c) {
        Javalin app = Server.create(workspace, 1 << 20);
        JavalinTest.test(app, (server, client) -> c.run(new Http(client, admin), new Http(client, alice),
                new Http(client, bob)));
    }

    @Test
    void healthIsPublicAndTheApiIsDescribed() {
        run((a, al, b) -> {
            Http anon = a.as(null);
            assertEquals(200, anon.get("/api/health").code());
            JsonNode spec = anon.get("/openapi.json").json();
            assertEquals("3.0.3", spec.get("openapi").asText());
            for (Api.Route r : Server.routes(workspace, 1)) {
                JsonNode op = spec.path("paths").path(r.path()).path(r.method().toLowerCase());
                assertFalse(op.isMissingNode(), r.method() + " " + r.path() + " is not in openapi.json");
            }
            Http.Reply page = anon.get("/");
            assertEquals(200, page.code());
            assertTrue(page.body().contains("Quarry"));
            Http.Reply missing = anon.get("/api/no-such-thing");
            assertEquals(404, missing.code());
            assertEquals("not_found", missing.error());
        });
    }

    @Test
    void tokensAndRoles() {
        run((a, al, b) -> {
            assertEquals("unauthorized", a.as(null).get("/api/projects").error());
            assertEquals(401, a.as("qk_wrong").get("/api/projects").code());
            assertEquals("alice", al.get("/api/me").json().get("name").asText());
            assertEquals(403, al.post("/api/projects", "{\"name\":\"x\",\"labels\":[\"a\",\"b\"]}").code());
            assertEquals("forbidden", al.get("/api/tokens").error());
            assertEquals(403, al.get("/api/projects/demo/export/labels").code());
            assertEquals(403, al.upload("/api/projects/demo/documents", "application/x-ndjson", "{}").code());
            assertEquals(403, al.delete("/api/projects/demo").code());

            Http.Reply created = a.post("/api/tokens", "{\"name\":\"carol\",\"role\":\"annotator\"}");
            assertEquals(201, created.code());
            String carol = created.json().get("token").asText();
            assertEquals(200, a.as(carol).get("/api/me").code());
            String listed = a.get("/api/tokens").body();
            assertTrue(listed.contains("carol") && !listed.contains(carol), "secrets must never be listed");
            assertEquals(400, a.post("/api/tokens", "{\"name\":\"dave\",\"role\":\"owner\"}").code());
            assertEquals(409, a.post("/api/tokens", "{\"name\":\"carol\",\"role\":\"admin\"}").code());
            assertEquals(204, a.delete("/api/tokens/carol").code());
            assertEquals(401, a.as(carol).get("/api/me").code());
            assertEquals(404, a.delete("/api/tokens/carol").code());
        });
    }

    @Test
    void projectsAreCreatedCheckedAndDeleted() {
        run((a, al, b) -> {
            assertTrue(al.get("/api/projects").body().contains("\"demo\""));
            Http.Reply made = a.post("/api/projects", "{\"name\":\"tickets\",\"members\":[\"alice\",\"bob\"],\"labels\":[\"billing\","
                    + "{\"name\":\"bug\",\"description\":\"something broken\"}],\"settings\":{\"retrainEvery\":5}}");
            assertEquals(201, made.code(), made.body());
            JsonNode p = al.get("/api/projects/tickets").json();
            assertEquals("something broken", p.get("labels").get(1).get("description").asText());
            assertEquals(5, p.get("settings").get("retrainEvery").asInt());
            assertEquals("coverage-margin", p.get("settings").get("strategy").asText());
            assertTrue(p.get("settings").get("selfTraining").asBoolean(), "self-training is on by default");
            assertEquals("bge-small-en-v1.5", p.get("encoder").asText());

            assertEquals("conflict", a.post("/api/projects", "{\"name\":\"tickets\",\"labels\":[\"a\",\"b\"]}").error());
            assertEquals(400, a.post("/api/projects", "{\"name\":\"bad name!\",\"labels\":[\"a\",\"b\"]}").code());
            assertEquals(400, a.post("/api/projects", "{\"name\":\"one\",\"labels\":[\"a\"]}").code());
            assertEquals(400, a.post("/api/projects", "{\"name\":\"dup\",\"labels\":[\"a\",\"a\"]}").code());
            String many = IntStream.range(0, 1001).mapToObj(i -> "\"l" + i + "\"").collect(Collectors.joining(","));
            assertEquals(400, a.post("/api/projects", "{\"name\":\"many\",\"labels\":[" + many + "]}").code());
            Http.Reply enc = a.post("/api/projects", "{\"name\":\"enc\",\"encoder\":\"nope\",\"labels\":[\"a\",\"b\"]}");
            assertEquals(400, enc.code());
            assertTrue(enc.json().get("message").asText().contains("nope"), enc.body());
            Http.Reply strat = a.post("/api/projects", "{\"name\":\"st\",\"labels\":[\"a\",\"b\"],"
                    + "\"settings\":{\"strategy\":\"magic\"}}");
            assertEquals(400, strat.code());
            assertTrue(strat.json().get("message").asText().contains("magic"), strat.body());
            assertEquals("bad_json", a.post("/api/projects", "{\"name\":").error());
            assertEquals(404, al.get("/api/projects/nope").code());

            assertEquals(204, a.delete("/api/projects/tickets").code());
            assertEquals(404, al.get("/api/projects/tickets").code());
            assertEquals(404, a.delete("/api/projects/tickets").code());
        });
    }

    @Test
    void importIsAllOrNothingWithErrorsByLineAndField() {
        run((a, al, b) -> {
            assertEquals(201, a.post("/api/projects", "{\"name\":\"imp\",\"members\":[\"alice\",\"bob\"],\"labels\":[\"pos\",\"neg\"]}").code());
            String good = "{\"id\":\"d1\",\"text\":\"great service\",\"label\":\"pos\"}\n"
                    + "{\"id\":\"d2\",\"text\":\"terrible wait\"}\n";
            Http.Reply ok = a.upload("/api/projects/imp/documents", "application/x-ndjson", good);
            assertEquals(202, ok.code(), ok.body());
            assertEquals(2, ok.json().get("added").asInt());

            Http.Reply bad = a.upload("/api/projects/imp/documents", "application/x-ndjson",
                    "{\"id\":\"d3\",\"text\":\"fine\"}\n{\"id\":\"d4\"}\n{\"id\":\"d5\",\"text\":\"x\",\"label\":\"meh\"}\n");
            assertEquals(400, bad.code());
            assertEquals("bad_import", bad.error());
            JsonNode problems = bad.json().get("details").get("problems");
            assertEquals(2, problems.get(0).get("line").asInt());
            assertEquals("text", problems.get(0).get("field").asText());
            assertEquals(3, problems.get(1).get("line").asInt());
            Http.Reply dup = a.upload("/api/projects/imp/documents", "application/x-ndjson",
                    "{\"id\":\"d9\",\"text\":\"new\"}\n{\"id\":\"d1\",\"text\":\"again\"}\n");
            assertEquals(409, dup.code());
            assertTrue(dup.json().get("message").asText().contains("d1"), dup.body());
            Http.Reply several = a.upload("/api/projects/imp/documents", "application/x-ndjson",
                    "{\"id\":\"s1\",\"text\":\"fine\"}\n{\"id\":\"s2\",\"text\":\"both\",\"labels\":[\"pos\",\"neg\"]}\n");
            assertEquals(400, several.code());
            assertTrue(several.json().get("message").asText().contains("'s2'"), several.body());
            assertEquals(2, al.get("/api/projects/imp").json().get("documents").asInt(), "nothing half-written");

            Http.Reply csv = a.upload("/api/projects/imp/documents?format=csv", "text/csv",
                    "id,text,label\nc1,\"quoted, text\",neg\nc2,plain,\n");
            assertEquals(202, csv.code(), csv.body());
            assertEquals(4, al.get("/api/projects/imp").json().get("documents").asInt());
            assertEquals(400, a.upload("/api/projects/imp/documents?format=xml", "text/xml", "<a/>").code());

            JsonNode docs = al.get("/api/projects/imp/documents?limit=10").json().get("items");
            assertEquals(List.of("d1", "d2", "c1", "c2"),
                    List.of(docs.get(0).get("id").asText(), docs.get(1).get("id").asText(),
                            docs.get(2).get("id").asText(), docs.get(3).get("id").asText()));
            JsonNode d1 = al.get("/api/projects/imp/documents/d1").json();
            assertEquals("pos", d1.get("labels").get(0).asText(), "labels in the file become annotations");
            assertEquals("quoted, text", al.get("/api/projects/imp/documents/c1").json().get("text").asText());
            assertEquals(404, al.get("/api/projects/imp/documents/zz").code());
            assertEquals(400, al.get("/api/projects/imp/documents?limit=0").code());
            assertEquals(400, al.get("/api/projects/imp/documents?offset=x").code());
        });
    }

    @Test
    void queueLeasesAreExclusiveAndAnnotationsIdempotent() {
        run((a, al, b) -> {
            JsonNode aliceItems = al.get("/api/projects/demo/queue?n=3").json().get("items");
            JsonNode bobItems = b.get("/api/projects/demo/queue?n=3").json().get("items");
            assertEquals(3, aliceItems.size());
            Set<String> aliceIds = new HashSet<>();
            aliceItems.forEach(i -> aliceIds.add(i.get("id").asText()));
            bobItems.forEach(i -> assertFalse(aliceIds.contains(i.get("id").asText()), "leased twice"));
            JsonNode first = aliceItems.get(0);
            assertTrue(first.get("why").get("note").asText().length() > 0);
            assertEquals(5, first.get("predictions").size());
            assertTrue(first.get("neighbours").size() > 0);
            // The same annotator asking again gets the same leased items back first.
            assertEquals(first.get("id"), al.get("/api/projects/demo/queue?n=1").json().get("items").get(0).get("id"));

            String doc = first.get("id").asText();
            String bobDoc = bobItems.get(0).get("id").asText();
            String label = first.get("predictions").get(0).get("label").asText();
            assertEquals("conflict", b.post("/api/projects/demo/annotations",
                    "{\"document\":\"" + doc + "\",\"labels\":[\"" + label + "\"]}").error());
            String body = "{\"document\":\"" + doc + "\",\"labels\":[\"" + label + "\"],\"requestId\":\"r-1\"}";
            Http.Reply stored = al.post("/api/projects/demo/annotations", body);
            assertEquals(201, stored.code(), stored.body());
            Http.Reply replay = al.post("/api/projects/demo/annotations", body);
            assertEquals(200, replay.code());
            assertTrue(replay.json().get("replayed").asBoolean());
            assertEquals(stored.json().get("annotation").get("id"), replay.json().get("annotation").get("id"));
            long mine = workspace.store().annotations().list(workspace.project("demo").project().id(), 0, 10_000).stream()
                    .filter(x -> "r-1".equals(x.requestId())).count();
            assertEquals(1, mine, "a replayed request must not store twice");

            Http.Reply unknown = al.post("/api/projects/demo/annotations",
                    "{\"document\":\"" + bobDoc + "x\",\"labels\":[\"" + label + "\"]}");
            assertEquals(404, unknown.code());
            String second = aliceItems.get(1).get("id").asText();
            Http.Reply outside = al.post("/api/projects/demo/annotations",
                    "{\"document\":\"" + second + "\",\"labels\":[\"no_such_label\"]}");
            assertEquals("unknown_label", outside.error());
            assertTrue(outside.json().get("details").get("allowed").size() == 30);
            assertEquals(400, al.post("/api/projects/demo/annotations",
                    "{\"document\":\"" + second + "\",\"labels\":[\"" + label + "\",\"compliments\"]}").code());
            assertEquals(400, al.post("/api/projects/demo/annotations", "{\"document\":\"" + second + "\"}").code());
            assertEquals(400, al.post("/api/projects/demo/annotations", "[1,2]").code());
            // Twice the limit: the server reads and drops the body, so the 413 reaches the client.
            assertEquals(413, al.post("/api/projects/demo/annotations", "{\"document\":\""
                    + "x".repeat(1 << 21) + "\"}").code());

            Http.Reply skip = al.post("/api/projects/demo/annotations?next=true",
                    "{\"document\":\"" + second + "\",\"skip\":true}");
            assertEquals(201, skip.code());
            assertEquals(1, skip.json().get("items").size(), "?next=true leases the next item in the reply");
            for (int i = 0; i < 5; i++) {
                JsonNode again = al.get("/api/projects/demo/queue?n=5").json().get("items");
                again.forEach(x -> assertNotEquals(second, x.get("id").asText(), "a skipped item came back"));
            }
            Http.Reply undo = al.post("/api/projects/demo/annotations/undo", "");
            assertEquals(200, undo.code(), undo.body());
            assertEquals(second, undo.json().get("document").get("id").asText());
            Http.Reply undo2 = al.post("/api/projects/demo/annotations/undo", "");
            assertEquals(doc, undo2.json().get("undone").get("documentId").asText());
            assertEquals(0, al.get("/api/projects/demo/documents/" + doc).json().get("labels").size(),
                    "undo takes the label back");
            assertTrue(al.get("/api/annotations").code() == 404);
            assertEquals(1, al.get("/api/projects/demo/annotations?limit=1").json().get("items").size());

            assertEquals(204, b.delete("/api/projects/demo/queue/" + bobDoc).code());
            assertEquals(409, b.delete("/api/projects/demo/queue/" + bobDoc).code());
            assertEquals(400, al.get("/api/projects/demo/queue?n=0").code());
            assertEquals(409, a.post("/api/projects/demo/annotations/undo", "").code(), "admin has nothing to undo");
        });
    }

    @Test
    void modelRetrainsAndReportsMetrics() {
        run((a, al, b) -> {
            int before = al.get("/api/projects/demo/model").json().get("version").asInt();
            assertEquals(202, al.post("/api/projects/demo/model/retrain", "").code());
            Http.await("a new model version", 120,
                    () -> al.get("/api/projects/demo/model").json().get("version").asInt() > before);
            JsonNode versions = al.get("/api/projects/demo/model/versions").json();
            assertTrue(versions.size() >= 2);
            JsonNode report = versions.get(versions.size() - 1).get("report");
            assertTrue(report.get("labelsUsed").asInt() >= 15);
            JsonNode metrics = al.get("/api/projects/demo/metrics").json();
            assertTrue(metrics.get("learningCurve").size() >= 1, metrics.toString());
            assertTrue(metrics.get("perClass").size() > 0);
            double first = metrics.get("perClass").get(0).get("f1").asDouble();
            double last = metrics.get("perClass").get(metrics.get("perClass").size() - 1).get("f1").asDouble();
            assertTrue(first <= last, "weakest classes first");
            assertTrue(metrics.get("stopping").has("signals"));
            assertTrue(metrics.get("safeToAccept").has("poolShare"));
            assertTrue(metrics.get("accuracyNote").asText().contains("cross-validation"));
        });
    }

    @Test
    void predictionsNowAndAsJobs() throws Exception {
        run((a, al, b) -> {
            Http.Reply now = al.post("/api/projects/demo/predict",
                    "{\"texts\":[\"my card was declined at the shop\",\"please refund my order\"],\"ids\":[\"x\",\"y\"]}");
            assertEquals(200, now.code(), now.body());
            JsonNode p = now.json().get("predictions");
            assertEquals("x", p.get(0).get("id").asText());
            assertEquals(1, p.get(0).get("labels").size());
            assertEquals(5, p.get(0).get("top").size());
            String many = IntStream.range(0, 101).mapToObj(i -> "\"t" + i + "\"").collect(Collectors.joining(","));
            assertEquals("too_large", al.post("/api/projects/demo/predict", "{\"texts\":[" + many + "]}").error());
            assertEquals(400, al.post("/api/projects/demo/predict", "{\"texts\":[]}").code());
            assertEquals(400, al.post("/api/projects/demo/predict", "{\"texts\":[3]}").code());

            StringBuilder jsonl = new StringBuilder();
            for (int i = 0; i < 600; i++) {
                jsonl.append("{\"id\":\"q").append(i).append("\",\"text\":\"question number ").append(i)
                        .append(" about my card\"}\n");
            }
            Http.Reply job = al.upload("/api/projects/demo/predictions", "application/x-ndjson", jsonl.toString());
            assertEquals(202, job.code(), job.body());
            String id = job.json().get("id").asText();
            assertEquals(600, job.json().get("total").asInt());
            Http.await("the job", 120, () -> al.get("/api/jobs/" + id).json().get("state").asText().equals("done"));
            JsonNode page = al.get("/api/jobs/" + id + "/results?offset=500&limit=1000").json();
            assertEquals(100, page.get("items").size());
            assertEquals("q500", page.get("items").get(0).get("id").asText());
            assertTrue(page.get("nextOffset").isNull());
            String all = al.get("/api/jobs/" + id + "/results.jsonl").body();
            assertEquals(600, all.lines().count());
            assertEquals(409, al.delete("/api/jobs/" + id).code(), "a finished job cannot be cancelled");
            assertEquals("forbidden", b.get("/api/jobs/" + id).error(), "another annotator's job");
            assertEquals(403, b.delete("/api/jobs/" + id).code());
            assertEquals(403, b.get("/api/jobs/" + id + "/results").code());
            assertFalse(b.get("/api/projects/demo/jobs").body().contains(id));
            assertEquals(200, a.get("/api/jobs/" + id).code(), "admins see every job");
            assertEquals("alice", a.get("/api/jobs/" + id).json().get("owner").asText());
            assertTrue(al.get("/api/projects/demo/jobs").body().contains(id));
            assertEquals(404, al.get("/api/jobs/nope").code());

            Http.Reply badLine = al.upload("/api/projects/demo/predictions", "application/x-ndjson",
                    "{\"text\":\"ok\"}\n{\"id\":\"2\"}\n");
            assertEquals(400, badLine.code());
            assertTrue(badLine.json().get("message").asText().startsWith("line 2"), badLine.body());
            assertEquals(201, a.post("/api/projects", "{\"name\":\"fresh\",\"members\":[\"alice\",\"bob\"],\"labels\":[\"a\",\"b\"]}").code());
            assertEquals(409, al.post("/api/projects/fresh/predict", "{\"texts\":[\"hi\"]}").code());
            assertEquals(409, al.upload("/api/projects/fresh/predictions", "application/x-ndjson", "{\"text\":\"hi\"}")
                    .code());
            assertEquals(204, a.delete("/api/projects/fresh").code());
        });
    }

    @Test
    void exportsLabelsAndPredictions() {
        run((a, al, b) -> {
            String jsonl = a.get("/api/projects/demo/export/labels").body();
            assertTrue(jsonl.lines().count() >= 15);
            JsonNode first = Http.JSON.readTree(jsonl.lines().findFirst().orElseThrow());
            assertTrue(first.has("label") && first.has("annotator") && first.has("created"));
            String csv = a.get("/api/projects/demo/export/labels?format=csv").body();
            // Every label is marked by its source: a person's, or the model's own (machine labels).
            assertTrue(csv.startsWith("id,labels,annotator,created,source,model_version,confidence,batch\n"), csv);
            assertTrue(csv.lines().skip(1).allMatch(line -> line.endsWith(",human,,,")), "the demo has no machine labels");
            assertEquals("human", first.get("source").asText());
            assertTrue(a.get("/api/projects/demo/export/labels?log=true").body().contains("\"undone\""));
            String predictions = a.get("/api/projects/demo/export/predictions?format=csv").body();
            assertEquals(511, predictions.lines().count(), "a header and one row per document");
            assertEquals(510, a.get("/api/projects/demo/export/predictions").body().lines().count());
            assertEquals(400, a.get("/api/projects/demo/export/labels?format=xls").code());
        });
    }

    @Test
    void noneOfTheseIsALabelInMultiLabelProjectsAndRefusedInSingleLabelOnes() {
        run((a, al, b) -> {
            assertEquals(201, a.post("/api/projects", "{\"name\":\"emo\",\"members\":[\"alice\",\"bob\"],\"multiLabel\":true,"
                    + "\"labels\":[\"joy\",\"fear\"]}").code());
            assertEquals(quarry.loop.LoopSettings.DEFAULT_MULTI_LABEL_STRATEGY,
                    al.get("/api/projects/emo").json().get("settings").get("strategy").asText(),
                    "a multi-label project gets the multi-label default strategy");
            assertEquals(quarry.loop.LoopSettings.DEFAULT_MULTI_LABEL_STRATEGY,
                    al.get("/api/strategies").json().get("multiLabelDefault").asText());
            Http.Reply imported = a.upload("/api/projects/emo/documents", "application/x-ndjson",
                    "{\"id\":\"e1\",\"text\":\"nothing to feel\",\"labels\":[]}\n"
                            + "{\"id\":\"e2\",\"text\":\"not read yet\"}\n"
                            + "{\"id\":\"e3\",\"text\":\"scary and fun\",\"labels\":[\"joy\",\"fear\"]}\n"
                            + "{\"id\":\"e4\",\"text\":\"calm\"}\n");
            assertEquals(202, imported.code(), imported.body());
            JsonNode e1 = al.get("/api/projects/emo/documents/e1").json();
            assertEquals(0, e1.get("labels").size());
            assertTrue(e1.get("labeled").asBoolean(), "an imported [] is labeled \"none of these\"");
            assertFalse(al.get("/api/projects/emo/documents/e2").json().get("labeled").asBoolean());

            Http.Reply none = al.post("/api/projects/emo/annotations", "{\"document\":\"e2\",\"labels\":[]}");
            assertEquals(201, none.code(), none.body());
            assertFalse(none.json().get("annotation").get("skipped").asBoolean());
            assertTrue(al.get("/api/projects/emo/documents/e2").json().get("labeled").asBoolean());
            assertEquals(201, al.post("/api/projects/emo/annotations", "{\"document\":\"e4\",\"skip\":true}").code());
            assertFalse(al.get("/api/projects/emo/documents/e4").json().get("labeled").asBoolean(),
                    "a skip is not an answer");
            assertEquals(3, al.get("/api/projects/emo").json().get("labeled").asInt());

            List<String> jsonl = a.get("/api/projects/emo/export/labels").body().lines().toList();
            assertEquals(3, jsonl.size(), String.join("\n", jsonl));
            assertTrue(jsonl.get(0).startsWith("{\"id\":\"e1\",\"labels\":[],"), jsonl.get(0));
            assertTrue(jsonl.stream().anyMatch(l -> l.startsWith("{\"id\":\"e2\",\"labels\":[],")), jsonl.toString());
            String csv = a.get("/api/projects/emo/export/labels?format=csv").body();
            assertTrue(csv.contains("\ne1,[],import,"), csv);
            assertTrue(csv.contains("\ne3,joy|fear,import,"), csv);

            // Single-label: an empty list is refused by name, from the API and from a file.
            String doc = al.get("/api/projects/demo/queue?n=1").json().get("items").get(0).get("id").asText();
            Http.Reply empty = al.post("/api/projects/demo/annotations", "{\"document\":\"" + doc + "\",\"labels\":[]}");
            assertEquals(400, empty.code());
            assertEquals("labels", empty.json().get("details").get("field").asText(), empty.body());
            assertTrue(empty.json().get("message").asText().contains("single-label"), empty.body());
            Http.Reply emptyFile = a.upload("/api/projects/demo/documents", "application/x-ndjson",
                    "{\"id\":\"n1\",\"text\":\"fine\"}\n{\"id\":\"n2\",\"text\":\"none\",\"labels\":[]}\n");
            assertEquals("bad_import", emptyFile.error(), emptyFile.body());
            JsonNode problem = emptyFile.json().get("details").get("problems").get(0);
            assertEquals(2, problem.get("line").asInt());
            assertEquals("labels", problem.get("field").asText());
            assertEquals(404, al.get("/api/projects/demo/documents/n1").code(), "nothing half-imported");
            assertEquals(204, a.delete("/api/projects/emo").code());
        });
    }

    @Test
    void clientMistakesAreRefusedByName() {
        run((a, al, b) -> {
            // Asking for fewer items keeps the caller's other leases: nobody else gets them.
            JsonNode three = al.get("/api/projects/demo/queue?n=3").json().get("items");
            assertEquals(1, al.get("/api/projects/demo/queue?n=1").json().get("items").size());
            Set<String> aliceHas = new HashSet<>();
            three.forEach(i -> aliceHas.add(i.get("id").asText()));
            b.get("/api/projects/demo/queue?n=5").json().get("items")
                    .forEach(i -> assertFalse(aliceHas.contains(i.get("id").asText()), "lease lost"));

            String doc = three.get(0).get("id").asText();
            String label = three.get(0).get("predictions").get(0).get("label").asText();
            assertEquals(201, al.post("/api/projects/demo/annotations", "{\"document\":\"" + doc + "\",\"labels\":[\""
                    + label + "\"],\"requestId\":\"same\"}").code());
            Http.Reply reused = al.post("/api/projects/demo/annotations", "{\"document\":\"" + three.get(1).get("id")
                    .asText() + "\",\"labels\":[\"" + label + "\"],\"requestId\":\"same\"}");
            assertEquals("request_id_reused", reused.error());
            assertEquals(400, al.post("/api/projects/demo/annotations", "{\"document\":\"" + doc + "\",\"labels\":[\""
                    + label + "\"],\"requestId\":\"\"}").code());
            assertEquals(400, al.post("/api/projects/demo/annotations", "{\"document\":\"" + doc + "\",\"skip\":true,"
                    + "\"labels\":[\"" + label + "\"]}").code());
            Http.Reply unknownField = al.post("/api/projects/demo/annotations", "{\"document\":\"" + doc
                    + "\",\"label\":\"x\"}");
            assertTrue(unknownField.json().get("message").asText().contains("'label'"), unknownField.body());

            assertEquals(400, a.post("/api/projects", "{\"name\":\"ml\",\"multilabel\":true,\"labels\":[\"a\",\"b\"]}")
                    .code());
            assertEquals(400, a.post("/api/projects", "{\"name\":\"ml\",\"multiLabel\":\"yes\",\"labels\":[\"a\",\"b\"]}")
                    .code());
            assertEquals(404, al.get("/api/projects/ml").code(), "a refused project is not half-made");
            assertEquals(400, al.post("/api/projects/demo/predict", "{\"texts\":[\"a\",\"b\"],\"ids\":[\"x\"]}").code());
            assertEquals(400, al.get("/api/projects/demo/annotations?after=-1").code());
            assertEquals("conflict", a.delete("/api/tokens/admin").error(), "the last admin token stays");
            assertTrue(al.get("/api/encoders").json().get(0).get("problem").isNull());
            assertEquals(200, al.getAuthorized("/api/me", "bearer " + alice).code(), "the scheme is case-insensitive");
        });
    }

    @Test
    void pagesCarryAContentSecurityPolicy() {
        run((a, al, b) -> {
            Http.Reply r = a.as(null).get("/api/health");
            assertEquals(200, r.code());
            assertTrue(al.get("/api/encoders").body().contains("all-minilm-l6-v2"));
            assertTrue(al.get("/api/strategies").body().contains("margin"));
        });
    }
}
