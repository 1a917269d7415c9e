package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.testtools.JavalinTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.Document;
import quarry.project.MachineLabelsFixture;
import quarry.project.ProjectSession;
import quarry.project.Workspace;
import quarry.store.Records.Label;

/**
 * A project's fine-tune job over HTTP, on a slice of CLINC150 (5 intents × 60 messages, 20 of each
 * labeled) with all-MiniLM-L6-v2: the errors first, then a real fine-tune to the end (tuned
 * encoder, re-embedded pool, a new model version on it), a restart on the tuned encoder, and a
 * cancelled fine-tune that leaves nothing behind. The tests run in order over one workspace.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("integration")
@Tag("data")
class FineTuneApiTest {

    private static final String P = "/api/projects/tune";
    private static final String ENCODER = "all-minilm-l6-v2";

    @TempDir
    static Path dir;
    static Workspace workspace;
    static String admin;
    static String alice;
    static int versionBefore;

    @BeforeAll
    static void open() throws Exception {
        workspace = Workspace.open(dir.resolve("ws"), false);
        admin = workspace.firstAdminToken();
        alice = workspace.createToken("alice", "annotator");
        ProjectSession tune = create("tune", slice(20));
        workspace.addMember("tune", "alice");
        create("few", slice(1));
        workspace.createProject("multi", true, ENCODER, List.of(new Label(0, "a", null), new Label(1, "b", null)),
                null);
        MachineLabelsFixture.await("a first model", () -> tune.modelStatus().version() > 0
                && !tune.modelStatus().training());
        versionBefore = tune.modelStatus().version();
    }

    @AfterAll
    static void close() {
        workspace.close();
    }

    /** The fixture's slice, with the first {@code labeled} messages of each intent labeled. */
    private static List<Document> slice(int labeled) throws Exception {
        Map<String, Integer> seen = new HashMap<>();
        List<Document> out = new ArrayList<>();
        for (Document d : MachineLabelsFixture.slice()) {
            boolean keep = seen.merge(d.labels().get(0), 1, Integer::sum) <= labeled;
            out.add(keep ? d : Document.unlabeled(d.id(), d.text()));
        }
        return out;
    }

    private static ProjectSession create(String name, List<Document> docs) throws Exception {
        List<Label> labels = new ArrayList<>();
        new TreeSet<>(MachineLabelsFixture.slice().stream().map(d -> d.labels().get(0)).toList())
                .forEach(n -> labels.add(new Label(labels.size(), n, null)));
        ProjectSession s = workspace.createProject(name, false, ENCODER, labels, null);
        List<String> lines = new ArrayList<>();
        for (Document d : docs) {
            lines.add(Http.JSON.writeValueAsString(d.labels().isEmpty() ? Map.of("id", d.id(), "text", d.text())
                    : Map.of("id", d.id(), "text", d.text(), "label", d.labels().get(0))));
        }
        Path file = dir.resolve(name + ".jsonl");
        Files.write(file, lines);
        workspace.importDocuments(s, file);
        return s;
    }

    interface Case {
        void run(Http admin, Http alice) throws Exception;
    }

    private static void run(Case c) {
        Javalin app = Server.create(workspace, 1 << 20);
        JavalinTest.test(app, (server, client) -> c.run(new Http(client, admin), new Http(client, alice)));
    }

    /** Polls the fine-tune until it ends, returning every state seen on the way. */
    private static Set<String> until(Http http, String project, String... ends) throws InterruptedException {
        Set<String> seen = new LinkedHashSet<>();
        Http.await("the fine-tune of " + project + " to end", 600, () -> {
            String state = http.get("/api/projects/" + project + "/finetune").json().get("state").asText();
            seen.add(state);
            return List.of(ends).contains(state);
        });
        return seen;
    }

    @Test
    @Order(1)
    void badRequestsAreRefusedAndNothingStarts() {
        run((admin, alice) -> {
            assertEquals("idle", admin.get(P + "/finetune").json().get("state").asText());
            assertEquals(403, alice.post(P + "/finetune", "{}").code(), "annotators do not fine-tune");

            Http.Reply r = admin.post(P + "/finetune", "{\"epochs\": 0}");
            assertEquals(400, r.code(), r.body());
            assertEquals("epochs", r.json().get("details").get("field").asText());
            r = admin.post(P + "/finetune", "{\"mode\": \"sideways\"}");
            assertEquals(400, r.code(), r.body());
            assertTrue(r.json().get("message").asText().contains("sideways"), r.body());
            r = admin.post(P + "/finetune", "{\"maxSeconds\": 1}");
            assertEquals(400, r.code(), r.body());
            r = admin.post(P + "/finetune", "{\"epoch\": 2}");
            assertEquals(400, r.code(), r.body());
            assertTrue(r.json().get("message").asText().contains("unknown field 'epoch'"), r.body());
            r = admin.post(P + "/finetune", "[1]");
            assertEquals(400, r.code(), r.body());

            r = admin.post("/api/projects/few/finetune", "{}");
            assertEquals(409, r.code(), r.body());
            assertEquals("too_few_labels", r.error());
            assertTrue(r.json().get("message").asText().contains("5 labeled documents"), r.body());
            r = admin.post("/api/projects/multi/finetune", "{}");
            assertEquals(409, r.code(), r.body());
            assertEquals("finetune_multilabel", r.error());
            assertEquals(404, admin.post("/api/projects/nope/finetune", "{}").code());

            r = admin.delete(P + "/finetune");
            assertEquals(409, r.code(), r.body());
            assertEquals("no_finetune", r.error());
            assertEquals("idle", admin.get(P + "/finetune").json().get("state").asText());
            assertFalse(Files.exists(workspace.dir().resolve("encoders")), "nothing was written");
        });
    }

    @Test
    @Order(2)
    void aFineTuneMovesTheProjectToTheTunedEncoderWithANewModel() {
        run((admin, alice) -> {
            Http.Reply started = admin.post(P + "/finetune", "{\"epochs\": 1}");
            assertEquals(202, started.code(), started.body());
            JsonNode job = started.json();
            assertEquals("queued", job.get("state").asText());
            assertEquals(ENCODER, job.get("parent").asText());
            assertEquals("tune-ft1", job.get("encoder").asText());
            assertEquals("classify", job.get("mode").asText(), "the default mode");
            assertEquals(100, job.get("labels").asInt());
            assertEquals(5, job.get("classes").asInt());

            Http.Reply again = admin.post(P + "/finetune", "{}");
            assertEquals(409, again.code(), again.body());
            assertEquals("finetune_running", again.error());

            Set<String> seen = until(admin, "tune", "done", "failed", "cancelled");
            JsonNode done = admin.get(P + "/finetune").json();
            assertEquals("done", done.get("state").asText(), done.toString());
            assertTrue(seen.size() >= 2, "progress was visible on the way: " + seen);
            assertEquals(7, done.get("totalSteps").asInt(), "100 labels in batches of 16, one epoch");
            assertEquals(7, done.get("step").asInt());
            assertTrue(done.get("lossAfter").asDouble() < done.get("lossBefore").asDouble(), done.toString());
            assertEquals(300, done.get("total").asInt(), "every document re-embedded and indexed");
            int version = done.get("modelVersion").asInt();
            assertTrue(version > versionBefore, done.toString());
            assertTrue(done.get("note").asText().contains("now uses tune-ft1"), done.toString());

            assertEquals("tune-ft1", admin.get(P).json().get("encoder").asText());
            JsonNode versions = admin.get(P + "/model/versions").json();
            JsonNode last = versions.get(versions.size() - 1);
            assertEquals(version, last.get("version").asInt());
            assertEquals("tune-ft1", last.get("report").get("provenance").get("encoder").asText());
            assertEquals(version, admin.get(P + "/model").json().get("version").asInt());

            Http.Reply predicted = alice.post(P + "/predict", "{\"texts\": [\"what is the balance of my account\"]}");
            assertEquals(200, predicted.code(), predicted.body());
            assertEquals(1, predicted.json().get("predictions").get(0).get("labels").size());
            JsonNode queue = alice.get(P + "/queue?n=2").json().get("items");
            assertEquals(2, queue.size(), queue.toString());
            assertEquals(300, workspace.project("tune").embeddedCount());

            Path folder = workspace.dir().resolve("encoders").resolve("tune-ft1");
            assertTrue(Files.isRegularFile(folder.resolve("model.onnx")));
            assertEquals(ENCODER, Http.JSON.readTree(folder.resolve("model.json").toFile()).get("parent").asText());
            JsonNode jobs = admin.get(P + "/jobs").json();
            boolean listed = false;
            for (JsonNode j : jobs) {
                listed |= j.get("id").asText().equals(job.get("job").asText()) && j.get("kind").asText()
                        .equals("finetune") && j.get("state").asText().equals("done");
            }
            assertTrue(listed, jobs.toString());
            Http.Reply cancelJob = admin.delete("/api/jobs/" + job.get("job").asText());
            assertEquals(409, cancelJob.code(), cancelJob.body());
        });
    }

    @Test
    @Order(3)
    void aRestartKeepsTheTunedEncoderAndTheLabels() throws Exception {
        int labels = workspace.project("tune").labelCount();
        workspace.close();
        workspace = Workspace.open(dir.resolve("ws"), false);
        ProjectSession tune = workspace.project("tune");
        assertEquals("tune-ft1", tune.encoder().id());
        assertEquals(labels, tune.labelCount());
        MachineLabelsFixture.await("the re-opened pool", () -> tune.embeddedCount() == 300);
        assertTrue(Files.isDirectory(workspace.dir().resolve("projects").resolve(
                Long.toString(tune.project().id())).resolve("index-tune-ft1")));
        run((admin, alice) -> {
            Http.Reply predicted = alice.post(P + "/predict", "{\"texts\": [\"freeze my card\"]}");
            assertEquals(200, predicted.code(), predicted.body());
        });
    }

    @Test
    @Order(4)
    void aCancelledFineTuneLeavesTheProjectAsItWas() {
        run((admin, alice) -> {
            Http.Reply started = admin.post(P + "/finetune", "{\"epochs\": 20}");
            assertEquals(202, started.code(), started.body());
            assertEquals(ENCODER, started.json().get("parent").asText(), "every fine-tune starts from the installed"
                    + " encoder, not from the last tuned copy");
            assertEquals("tune-ft2", started.json().get("encoder").asText());
            until(admin, "tune", "tuning", "done", "failed");
            Http.Reply cancelled = admin.delete(P + "/finetune");
            assertEquals(200, cancelled.code(), cancelled.body());
            assertEquals("cancelled", cancelled.json().get("state").asText());
            Path folder = workspace.dir().resolve("encoders").resolve("tune-ft2");
            Http.await("the cancelled fine-tune to clean up", 120, () -> !Files.exists(folder));
            assertEquals("cancelled", admin.get(P + "/finetune").json().get("state").asText());
            assertEquals("tune-ft1", admin.get(P).json().get("encoder").asText());
            assertEquals("tune-ft1", workspace.project("tune").encoder().id());
        });
    }
}
