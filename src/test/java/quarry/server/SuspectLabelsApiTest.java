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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.Document;
import quarry.project.MachineLabelsFixture;
import quarry.project.Workspace;
import quarry.store.Records.Label;

/**
 * The suspect-label queue over HTTP on a slice of CLINC150 (5 intents × 60 messages, 20 of each
 * labeled) where three labels were set wrong on purpose: they rank first, a reviewer changes one
 * and keeps another, and the label log says who and why. Roles and bad requests are checked too.
 */
@Tag("integration")
@Tag("data")
class SuspectLabelsApiTest {

    private static final String P = "/api/projects/sus";

    @TempDir
    static Path dir;
    static Workspace workspace;
    static String admin;
    static String reviewer;
    static String annotator;
    /** Document id → the wrong label it was given. */
    static final Map<String, String> wrong = new HashMap<>();
    static String unlabeled;

    @BeforeAll
    static void open() throws Exception {
        workspace = Workspace.open(dir.resolve("ws"), false);
        admin = workspace.firstAdminToken();
        reviewer = workspace.createToken("rita", "reviewer");
        annotator = workspace.createToken("alice", "annotator");
        unlabeled = create(workspace, "sus", dir, wrong);
        List<Label> two = List.of(new Label(0, "a", null), new Label(1, "b", null));
        workspace.createProject("multi", true, "all-minilm-l6-v2", two, null);
        workspace.createProject("empty", false, "all-minilm-l6-v2", two, null);
        for (String p : List.of("sus", "multi", "empty")) {
            workspace.addMember(p, "rita");
        }
        workspace.addMember("sus", "alice");
    }

    /**
     * Creates a project of the CLINC150 slice (5 intents × 60, the first 20 of each labeled) whose
     * first labeled message of three intents carries the next intent's label instead; fills
     * {@code wrong} (document → wrong label), waits for the pool and returns an unlabeled document's id.
     */
    static String create(Workspace workspace, String name, Path dir, Map<String, String> wrong) throws Exception {
        List<Document> slice = MachineLabelsFixture.slice();
        List<String> intents = new ArrayList<>(new TreeSet<>(slice.stream().map(d -> d.labels().get(0)).toList()));
        List<Label> labels = new ArrayList<>();
        intents.forEach(n -> labels.add(new Label(labels.size(), n, null)));
        var project = workspace.createProject(name, false, "all-minilm-l6-v2", labels, null);
        Map<String, Integer> seen = new HashMap<>();
        List<String> lines = new ArrayList<>();
        String unlabeled = null;
        for (Document d : slice) {
            String label = d.labels().get(0);
            int k = seen.merge(label, 1, Integer::sum);
            if (k > 20) {
                unlabeled = d.id();
                lines.add(Http.JSON.writeValueAsString(Map.of("id", d.id(), "text", d.text())));
                continue;
            }
            if (k == 1 && wrong.size() < 3) {
                label = intents.get((intents.indexOf(label) + 1) % intents.size());
                wrong.put(d.id(), label);
            }
            lines.add(Http.JSON.writeValueAsString(Map.of("id", d.id(), "text", d.text(), "label", label)));
        }
        Path file = dir.resolve(name + ".jsonl");
        Files.write(file, lines);
        workspace.importDocuments(project, file);
        MachineLabelsFixture.await("the pool", () -> project.embeddedCount() == 300);
        return unlabeled;
    }

    @AfterAll
    static void close() {
        workspace.close();
    }

    @Test
    void wrongLabelsRankFirstAndAReviewersDecisionsGoToTheLog() {
        Javalin app = Server.create(workspace, 1 << 20);
        JavalinTest.test(app, (server, client) -> {
            Http rev = new Http(client, reviewer);
            Http ann = new Http(client, annotator);
            Http adm = new Http(client, admin);
            Http.Reply forbidden = ann.get(P + "/suspects");
            assertEquals(403, forbidden.code(), forbidden.body());
            assertTrue(forbidden.json().get("message").asText().contains("reviewer"), forbidden.body());
            assertEquals("too_few_labels", rev.get("/api/projects/empty/suspects").json().get("state").asText());
            assertEquals("suspects_multilabel", rev.get("/api/projects/multi/suspects").error());

            JsonNode[] queue = new JsonNode[1];
            Http.await("the ranking", 300, () -> {
                queue[0] = rev.get(P + "/suspects?limit=10").json();
                return queue[0].get("state").asText().equals("ready");
            });
            JsonNode q = queue[0];
            assertEquals(100, q.get("labels").asInt());
            JsonNode items = q.get("items");
            Set<String> flagged = new HashSet<>();
            items.forEach(it -> flagged.add(it.get("document").asText()));
            assertTrue(flagged.size() >= 2 && wrong.keySet().containsAll(flagged), "at least two of the three wrong"
                    + " labels are flagged, and nothing else: " + items);
            assertEquals(flagged.size(), q.get("flagged").asInt());
            JsonNode all = rev.get(P + "/suspects?limit=5&flaggedOnly=false").json().get("items");
            Set<String> top = new HashSet<>();
            all.forEach(it -> top.add(it.get("document").asText()));
            assertTrue(top.containsAll(wrong.keySet()), "all three rank in the top five: " + all);
            JsonNode first = null;
            for (JsonNode it : items) {
                if (first == null && wrong.containsKey(it.get("document").asText())) {
                    first = it;
                }
            }
            String likely = first.get("likely").asText();
            String doc = first.get("document").asText();
            assertEquals(wrong.get(doc), first.get("given").asText());
            assertFalse(first.get("likely").asText().equals(first.get("given").asText()));
            assertEquals(adm.get(P + "/suspects?limit=10").code(), 200, "admins review too");

            // Bad decisions store nothing.
            assertEquals(400, rev.post(P + "/suspects/" + doc, "{\"decision\": \"maybe\", \"reason\": \"x\"}").code());
            assertEquals(400, rev.post(P + "/suspects/" + doc, "{\"decision\": \"change\", \"reason\": \"x\"}").code());
            Http.Reply badLabel = rev.post(P + "/suspects/" + doc, "{\"decision\": \"change\", \"label\": \"nope\","
                    + " \"reason\": \"x\"}");
            assertEquals(400, badLabel.code(), badLabel.body());
            Http.Reply noReason = rev.post(P + "/suspects/" + doc, "{\"decision\": \"change\", \"label\": \""
                    + first.get("likely").asText() + "\", \"reason\": \"  \"}");
            assertEquals(400, noReason.code(), noReason.body());
            assertEquals("reason", noReason.json().get("details").get("field").asText());
            assertEquals(404, rev.post(P + "/suspects/nope", "{\"decision\": \"keep\"}").code());
            assertEquals("not_labeled", rev.post(P + "/suspects/" + unlabeled, "{\"decision\": \"keep\"}").error());
            assertEquals(403, ann.post(P + "/suspects/" + doc, "{\"decision\": \"keep\"}").code());

            Http.Reply changed = rev.post(P + "/suspects/" + doc, "{\"decision\": \"change\", \"label\": \""
                    + first.get("likely").asText() + "\", \"reason\": \"the text asks for " + first.get("likely")
                    .asText() + "\"}");
            assertEquals(201, changed.code(), changed.body());
            assertEquals("rita", changed.json().get("annotator").asText());
            assertTrue(changed.json().get("reason").asText().startsWith("the text asks for"), changed.body());
            String other = null;
            for (JsonNode it : items) {
                if (!it.get("document").asText().equals(doc)) {
                    other = it.get("document").asText();
                    break;
                }
            }
            Http.Reply kept = rev.post(P + "/suspects/" + other, "{\"decision\": \"keep\"}");
            assertEquals(201, kept.code(), kept.body());
            assertEquals("kept after review", kept.json().get("reason").asText());

            JsonNode after = rev.get(P + "/suspects?limit=300&flaggedOnly=false").json();
            for (JsonNode it : after.get("items")) {
                assertFalse(it.get("document").asText().equals(doc) || it.get("document").asText().equals(other),
                        "reviewed labels leave the queue: " + it);
            }
            assertEquals(2, after.get("reviewed").asInt());
            assertEquals(List.of(first.get("likely").asText()), labelsOf(adm.get(P + "/documents/" + doc).json()));
            String log = adm.get(P + "/export/labels?format=csv&log=true").body();
            assertTrue(log.lines().anyMatch(l -> l.startsWith(doc + ",") && l.contains(",rita,")
                    && l.endsWith("the text asks for " + likely)), log);
        });
    }

    private static List<String> labelsOf(JsonNode document) {
        List<String> out = new ArrayList<>();
        document.get("labels").forEach(l -> out.add(l.asText()));
        return out;
    }
}
