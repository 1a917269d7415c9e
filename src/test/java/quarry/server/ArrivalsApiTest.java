package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.testtools.JavalinTest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
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
import quarry.project.ProjectSession;
import quarry.project.Workspace;
import quarry.store.Records.Label;

/**
 * Arrivals over HTTP on a CLINC150 slice: four intents are in the pool (20 of 60 labeled each), the
 * fifth arrives through the streaming endpoint in chunks. A bad line is refused by file and line
 * with nothing stored; the good batch is measured, its report says in words that a dense group has
 * no labeled neighbour, and the upkeep queue proposes the new intent's messages.
 */
@Tag("integration")
@Tag("data")
class ArrivalsApiTest {

    private static final String P = "/api/projects/drift";

    @TempDir
    static Path dir;
    static Workspace workspace;
    static ProjectSession project;
    static String admin;
    static String annotator;
    static List<String> arriving = new ArrayList<>();
    static Set<String> arrivingIds = new HashSet<>();

    @BeforeAll
    static void open() throws Exception {
        workspace = Workspace.open(dir.resolve("ws"), false);
        admin = workspace.firstAdminToken();
        annotator = workspace.createToken("alice", "annotator");
        project = create(workspace, "drift", dir, arriving, arrivingIds);
        workspace.addMember("drift", "alice");
    }

    /**
     * A project of four of the slice's intents (20 of 60 labeled each), with its first model; the
     * fifth intent's messages go to {@code arriving} (NDJSON lines) and their ids to {@code ids}.
     */
    static ProjectSession create(Workspace workspace, String name, Path dir, List<String> arriving, Set<String> ids)
            throws Exception {
        List<Document> slice = MachineLabelsFixture.slice();
        List<String> intents = new ArrayList<>(new TreeSet<>(slice.stream().map(d -> d.labels().get(0)).toList()));
        String newIntent = intents.get(intents.size() - 1);
        List<Label> labels = new ArrayList<>();
        intents.forEach(n -> labels.add(new Label(labels.size(), n, null)));
        ProjectSession p = workspace.createProject(name, false, "all-minilm-l6-v2", labels, null);
        Map<String, Integer> seen = new HashMap<>();
        List<String> first = new ArrayList<>();
        for (Document d : slice) {
            String label = d.labels().get(0);
            if (label.equals(newIntent)) {
                arriving.add(Http.JSON.writeValueAsString(Map.of("id", d.id(), "text", d.text())));
                ids.add(d.id());
                continue;
            }
            boolean labeled = seen.merge(label, 1, Integer::sum) <= 20;
            first.add(Http.JSON.writeValueAsString(labeled ? Map.of("id", d.id(), "text", d.text(), "label", label)
                    : Map.of("id", d.id(), "text", d.text())));
        }
        Path file = dir.resolve(name + "-first.jsonl");
        Files.write(file, first);
        workspace.importDocuments(p, file);
        MachineLabelsFixture.await("the first model", () -> p.embeddedCount() == 240
                && p.modelStatus().version() > 0 && !p.modelStatus().training());
        return p;
    }

    @AfterAll
    static void close() {
        workspace.close();
    }

    /** A body sent in several chunks of unknown total length (chunked transfer encoding). */
    private static Http.Reply streamed(io.javalin.testtools.HttpClient client, String token, List<String> lines,
            int chunks) {
        List<InputStream> parts = new ArrayList<>();
        int per = Math.max(1, lines.size() / chunks);
        for (int i = 0; i < lines.size(); i += per) {
            String part = String.join("\n", lines.subList(i, Math.min(lines.size(), i + per))) + "\n";
            parts.add(new ByteArrayInputStream(part.getBytes(StandardCharsets.UTF_8)));
        }
        io.javalin.testtools.Response r = client.request(P + "/arrivals", b -> b.header("Authorization", "Bearer "
                + token).header("Content-Type", "application/x-ndjson").post(BodyPublishers.ofInputStream(() ->
                        new SequenceInputStream(Collections.enumeration(parts)))));
        return new Http.Reply(r.code(), r.body().string());
    }

    @Test
    void aStreamedBatchIsCheckedStoredMeasuredAndProposedForUpkeep() throws Exception {
        Javalin app = Server.create(workspace, 1 << 20);
        JavalinTest.test(app, (server, client) -> {
            Http adm = new Http(client, admin);
            Http ann = new Http(client, annotator);
            assertEquals(0, adm.get(P + "/arrivals").json().size());
            JsonNode none = ann.get(P + "/upkeep?n=5").json();
            assertEquals(0, none.get("candidates").asInt(), "no arrivals yet: " + none);
            assertEquals(0, none.get("items").size());

            // a bad third line: 400 naming the file, line and field; nothing stored
            List<String> bad = new ArrayList<>(arriving.subList(0, 5));
            bad.set(2, "{\"id\": \"x-1\", \"txt\": \"no text field\"}");
            Http.Reply refused = streamed(client, admin, bad, 3);
            assertEquals(400, refused.code(), refused.body());
            assertTrue(refused.body().contains("arrivals.ndjson:3"), refused.body());
            assertTrue(refused.body().contains("text"), refused.body());
            assertEquals(0, adm.get(P + "/arrivals").json().size());
            assertEquals(240, workspace.store().documents().count(project.project().id()));
            // an annotator may not add documents
            assertEquals(403, streamed(client, annotator, arriving, 2).code());

            // the whole intent, in four chunks
            Http.Reply ok = streamed(client, admin, arriving, 4);
            assertEquals(202, ok.code(), ok.body());
            assertEquals(60, ok.json().get("added").asInt());
            long batch = ok.json().get("batch").asLong();
            // the same ids again: 409, and still one batch
            Http.Reply again = streamed(client, admin, arriving, 2);
            assertEquals(409, again.code(), again.body());
            assertEquals(1, adm.get(P + "/arrivals").json().size());

            JsonNode[] report = new JsonNode[1];
            Http.await("the drift report", 300, () -> {
                report[0] = ann.get(P + "/arrivals/" + batch).json();
                return report[0].get("state").asText().equals("measured");
            });
            JsonNode r = report[0].get("report");
            assertTrue(r.get("drifted").asBoolean(), r.toString());
            JsonNode regions = null;
            for (JsonNode s : r.get("signals")) {
                if (s.get("name").asText().equals("new-regions")) {
                    regions = s;
                }
            }
            assertTrue(regions != null && regions.get("fired").asBoolean(), r.toString());
            assertTrue(regions.get("words").asText().contains("no labeled neighbour, e.g."), regions.toString());
            assertTrue(r.get("regions").size() >= 1, r.toString());
            String example = r.get("regions").get(0).get("examples").get(0).get("id").asText();
            assertTrue(arrivingIds.contains(example), "the region's example is one of the new intent's: " + example);
            assertEquals(60, report[0].get("documents").asInt());
            assertEquals("stream", report[0].get("source").asText());
            assertEquals("not_found", adm.get(P + "/arrivals/999").error());
            assertEquals("bad_request", adm.get(P + "/arrivals/abc").error());

            JsonNode upkeep = ann.get(P + "/upkeep?n=5").json();
            assertEquals(60, upkeep.get("candidates").asInt(), upkeep.toString());
            assertEquals(5, upkeep.get("items").size(), upkeep.toString());
            for (JsonNode it : upkeep.get("items")) {
                assertTrue(arrivingIds.contains(it.get("id").asText()), it.toString());
                assertEquals(batch, it.get("batch").asLong());
                assertTrue(it.get("why").get("note").asText().startsWith("upkeep"), it.toString());
            }
            assertEquals(400, ann.get(P + "/upkeep?n=0").code());
        });
    }
}
