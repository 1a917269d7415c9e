package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.JavalinTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.Cli;
import quarry.project.Json;
import quarry.project.MachineLabelsFixture;
import quarry.project.ProjectSession;
import quarry.project.Workspace;
import quarry.store.Records.Label;

/**
 * Picks made outside the server (a Spark scoring job's JSONL) imported to the head of a project's
 * queue: by {@code quarry queue-import} and over HTTP, in rank order, with unknown ids named.
 */
@Tag("integration")
class QueueImportTest {

    @TempDir
    static Path dir;
    static Workspace workspace;
    static Path adminToken;
    static String alice;

    @BeforeAll
    static void open() throws Exception {
        workspace = Workspace.open(dir.resolve("ws"), false);
        adminToken = Files.writeString(dir.resolve("admin.token"), workspace.firstAdminToken());
        alice = workspace.createToken("alice", "annotator");
        ProjectSession p = workspace.createProject("pool", false, "all-minilm-l6-v2",
                List.of(new Label(0, "billing", null), new Label(1, "travel", null)), null);
        workspace.addMember("pool", "alice");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            lines.add(Json.write(Map.of("id", "d" + i, "text", (i % 2 == 0 ? "my card was charged twice, order "
                    : "book a flight to city number ") + i)));
        }
        lines.add(Json.write(Map.of("id", "done", "text", "refund my card", "label", "billing")));
        workspace.importDocuments(p, Files.write(dir.resolve("pool.jsonl"), lines));
        MachineLabelsFixture.await("embedding", () -> p.embedding().state().equals("done"));
    }

    @AfterAll
    static void close() {
        workspace.close();
    }

    @Test
    void picksComeFirstInRankOrderAndUnknownIdsAreNamed() throws Exception {
        // as Spark writes them: a folder of part files, one JSON object per line, not in rank order
        Path picks = Files.createDirectories(dir.resolve("picks.jsonl"));
        Files.write(picks.resolve("part-00000-x.json"), List.of(
                "{\"rank\":3,\"id\":\"d17\",\"score\":0.5}", "{\"rank\":1,\"id\":\"d23\",\"score\":0.9}",
                "{\"rank\":2,\"id\":\"nope\",\"score\":0.7}", "{\"rank\":4,\"id\":\"done\",\"score\":0.4}"));
        Files.writeString(picks.resolve("_SUCCESS"), "");
        JavalinTest.test(Server.create(workspace, 1 << 20), (server, client) -> {
            String url = "http://localhost:" + server.port() + "/";
            Cli refused = Cli.run("queue-import", "--url", url, "--project", "pool", "--token-file",
                    adminToken.toString(), "--picks", picks.toString());
            assertEquals(1, refused.code());
            assertTrue(refused.err().contains("1 of 4 ids are not documents of project 'pool'")
                    && refused.err().contains(": nope"), refused.err());

            Cli imported = Cli.run("queue-import", "--url", url, "--project", "pool", "--token-file",
                    adminToken.toString(), "--picks", picks.toString(), "--skip-unknown");
            assertEquals(0, imported.code(), imported.err());
            assertTrue(imported.out().startsWith("2 documents first in the queue") && imported.out().contains(
                    "1 already labeled; 1 unknown ids left out: [\"nope\"]"), imported.out());

            Http a = new Http(client, alice);
            JsonNode items = a.get("/api/projects/pool/queue?n=3").json().get("items");
            assertEquals("d23", items.get(0).get("id").asText());
            assertEquals("d17", items.get(1).get("id").asText());
            assertEquals(403, a.post("/api/projects/pool/queue/import", "{\"ids\":[\"d1\"]}").code(),
                    "annotators cannot reorder the queue");
            Http admin = new Http(client, Files.readString(adminToken));
            assertEquals("bad_request", admin.post("/api/projects/pool/queue/import", "{\"ids\":[]}").error());
            Http.Reply unknown = admin.post("/api/projects/pool/queue/import", "{\"ids\":[\"x1\",\"d2\"]}");
            assertEquals(400, unknown.code());
            assertEquals("unknown_documents", unknown.error());
            assertEquals("x1", unknown.json().get("details").get("unknown").get(0).asText(), unknown.body());
        });
        Cli notJson = Cli.run("queue-import", "--project", "pool", "--token-file", adminToken.toString(), "--picks",
                Files.writeString(dir.resolve("bad.jsonl"), "{\"id\":\"d1\"}\n{oops\n").toString());
        assertEquals(1, notJson.code());
        assertTrue(notJson.err().contains("bad.jsonl:2: not valid JSON"), notJson.err());
    }
}
