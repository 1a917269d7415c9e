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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import quarry.Cli;
import quarry.project.MachineLabelsFixture;
import quarry.project.ProjectSession;
import quarry.project.Workspace;

/**
 * Machine labels over HTTP (JavalinTest) and through {@code quarry machine-labels} against the same
 * server: accept, the marks in every export, a person's label winning, revoke, and the error paths.
 * The tests run in order over one project whose first model has a safe-to-accept threshold.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("integration")
@Tag("data")
class MachineLabelsApiTest {

    private static final String P = "/api/projects/auto";

    @TempDir
    static Path dir;
    static Workspace workspace;
    static ProjectSession project;
    static String admin;
    static String alice;
    /** How many labels the command line's batch held (revoked since). */
    static int firstBatch;

    @BeforeAll
    static void open() throws Exception {
        workspace = Workspace.open(dir.resolve("ws"), false);
        admin = workspace.firstAdminToken();
        alice = workspace.createToken("alice", "annotator");
        project = MachineLabelsFixture.create(workspace, "auto", null, dir);
        workspace.createProject("fresh", false, null, List.of(new quarry.store.Records.Label(0, "a", null),
                new quarry.store.Records.Label(1, "b", null)), null);
        workspace.addMember("auto", "alice");
        workspace.addMember("fresh", "alice");
    }

    @AfterAll
    static void close() {
        workspace.close();
    }

    interface Case {
        void run(Http admin, Http alice, int port) throws Exception;
    }

    private static void run(Case c) {
        Javalin app = Server.create(workspace, 1 << 20);
        JavalinTest.test(app, (server, client) -> c.run(new Http(client, admin), new Http(client, alice),
                server.port()));
    }

    @Test
    @Order(1)
    void theRoutesAreDescribedAndTheErrorsAreClear() {
        run((a, al, port) -> {
            JsonNode paths = a.as(null).get("/openapi.json").json().get("paths");
            assertFalse(paths.path(P.replace("auto", "{project}") + "/machine-labels").path("post").isMissingNode());
            assertFalse(paths.path("/api/projects/{project}/machine-labels/batches/{batch}").path("delete")
                    .isMissingNode());
            assertFalse(paths.path("/api/projects/{project}/machine-labels/settings").path("put").isMissingNode());

            Http.Reply none = a.post("/api/projects/fresh/machine-labels", "");
            assertEquals(409, none.code());
            assertEquals("no_threshold", none.error());
            assertTrue(none.json().get("message").asText().contains("no model yet"), none.body());
            assertFalse(a.get("/api/projects/fresh/machine-labels").json().get("canAccept").asBoolean());
            assertEquals(404, a.post("/api/projects/nope/machine-labels", "").code());

            assertEquals(403, al.post(P + "/machine-labels", "").code(), "annotators cannot accept");
            assertEquals(403, al.delete(P + "/machine-labels").code(), "nor revoke");
            assertEquals(400, a.delete(P + "/machine-labels/batches/abc").code());
            assertEquals("bad_request", a.delete(P + "/machine-labels/batches/0").error());
            Http.Reply unknown = a.delete(P + "/machine-labels/batches/999");
            assertEquals(404, unknown.code());
            assertTrue(unknown.json().get("message").asText().contains("no batch 999"), unknown.body());

            assertEquals("bad_json", a.put(P + "/machine-labels/settings", "{\"auditShare\":").error());
            Http.Reply field = a.put(P + "/machine-labels/settings", "{\"trainOnMachine\":true}");
            assertEquals(400, field.code());
            assertTrue(field.json().get("message").asText().contains("trainOnMachineLabels"), field.body());
            assertEquals(400, a.put(P + "/machine-labels/settings", "{}").code());
            assertEquals(400, a.put(P + "/machine-labels/settings", "{\"auditShare\":1.5}").code());
            assertEquals(400, a.put(P + "/machine-labels/settings", "{\"trainOnMachineLabels\":\"yes\"}").code());
            assertEquals(403, al.put(P + "/machine-labels/settings", "{\"auditMin\":5}").code());
            JsonNode settings = a.put(P + "/machine-labels/settings", "{\"auditMin\":10}").json();
            assertEquals(10, settings.get("auditMin").asInt());
            assertFalse(settings.get("trainOnMachineLabels").asBoolean());
            assertEquals(10, al.get(P).json().get("settings").get("auditMin").asInt());
        });
    }

    @Test
    @Order(2)
    void theCommandLineAcceptsReportsAndRevokesThroughTheApi() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, admin + "\n");
        run((a, al, port) -> {
            String url = "http://127.0.0.1:" + port + "/";
            int would = a.get(P + "/machine-labels").json().get("wouldAccept").asInt();
            firstBatch = would;
            Cli status = cli("machine-labels", "status", "--url", url, "--project", "auto", "--token-file",
                    token.toString());
            assertEquals(0, status.code(), status.err());
            assertTrue(status.out().contains("Accepting labels " + would + " unlabeled documents"), status.out());

            Cli accept = cli("machine-labels", "accept", "--url", url, "--project", "auto", "--token-file",
                    token.toString());
            assertEquals(0, accept.code(), accept.err());
            assertTrue(accept.out().startsWith("accepted batch 1: " + would + " labels"), accept.out());
            Cli again = cli("machine-labels", "accept", "--url", url, "--project", "auto", "--token-file",
                    token.toString());
            assertEquals(1, again.code());
            assertTrue(again.err().contains("HTTP 409 nothing_to_accept"), again.err());

            Cli listed = cli("machine-labels", "status", "--url", url, "--project", "auto", "--token-file",
                    token.toString(), "--json");
            assertEquals(would, Http.JSON.readTree(listed.out()).get("standing").asInt());

            Cli both = cli("machine-labels", "revoke", "--url", url, "--project", "auto", "--token-file",
                    token.toString(), "--all", "--batch", "1");
            assertEquals(2, both.code(), "--all and --batch exclude each other");
            Cli neither = cli("machine-labels", "revoke", "--url", url, "--project", "auto", "--token-file",
                    token.toString());
            assertEquals(2, neither.code(), "revoking needs --all or --batch");
            Cli revoke = cli("machine-labels", "revoke", "--url", url, "--project", "auto", "--token-file",
                    token.toString(), "--batch", "1");
            assertEquals(0, revoke.code(), revoke.err());
            assertEquals("revoked " + would + " machine labels of batch 1", revoke.out().strip());

            Path annotatorToken = dir.resolve("alice");
            Files.writeString(annotatorToken, alice);
            Cli forbidden = cli("machine-labels", "accept", "--url", url, "--project", "auto", "--token-file",
                    annotatorToken.toString());
            assertEquals(1, forbidden.code());
            assertTrue(forbidden.err().contains("HTTP 403"), forbidden.err());
        });
        Cli unreachable = cli("machine-labels", "status", "--url", "http://127.0.0.1:9/", "--project", "auto",
                "--token-file", token.toString());
        assertEquals(1, unreachable.code());
        assertTrue(unreachable.err().contains("cannot reach http://127.0.0.1:9/"), unreachable.err());
        Cli noToken = cli("machine-labels", "status", "--project", "auto", "--token-file",
                dir.resolve("missing").toString());
        assertEquals(1, noToken.code());
        assertTrue(noToken.err().contains("cannot read the token file"), noToken.err());
    }

    @Test
    @Order(3)
    void acceptedLabelsAreMarkedInEveryExportAndAPersonsLabelWins() {
        run((a, al, port) -> {
            int people = project.labelCount();
            JsonNode status = al.get(P + "/machine-labels").json();
            assertTrue(status.get("canAccept").asBoolean(), status.toString());
            Http.Reply accepted = a.post(P + "/machine-labels", "");
            assertEquals(201, accepted.code(), accepted.body());
            JsonNode batch = accepted.json();
            int n = batch.get("accepted").asInt();
            assertEquals(status.get("wouldAccept").asInt(), n);
            assertEquals(project.settings().auditSize(n), batch.get("audit").get("sample").asInt());
            assertTrue(batch.get("audit").get("sample").asInt() >= Math.min(n, 10), "auditMin 10 from the settings");
            assertEquals("admin", batch.get("acceptedBy").asText());
            Http.Reply twice = a.post(P + "/machine-labels", "");
            assertEquals(409, twice.code());
            assertEquals("nothing_to_accept", twice.error());

            List<JsonNode> lines = jsonl(a.get(P + "/export/labels").body());
            assertEquals(people + n, lines.size());
            Set<String> machine = new HashSet<>();
            for (JsonNode line : lines) {
                String source = line.get("source").asText();
                if (source.equals("machine")) {
                    machine.add(line.get("id").asText());
                    assertTrue(line.get("annotator").isNull(), line.toString());
                    assertEquals(batch.get("modelVersion").asInt(), line.get("modelVersion").asInt());
                    assertTrue(line.get("confidence").asDouble() >= batch.get("threshold").asDouble(), line.toString());
                    assertEquals(batch.get("id").asLong(), line.get("batch").asLong());
                } else {
                    assertEquals("human", source, line.toString());
                    assertFalse(line.has("modelVersion") || line.has("confidence"), line.toString());
                }
            }
            assertEquals(n, machine.size());
            String doc = machine.iterator().next();

            // The document itself: its people's labels are empty; only an admin sees the machine's.
            assertEquals(0, al.get(P + "/documents/" + doc).json().get("labels").size());
            assertFalse(al.get(P + "/documents/" + doc).json().has("machineLabel"), "an annotator may be auditing it");
            JsonNode mark = a.get(P + "/documents/" + doc).json().get("machineLabel");
            assertEquals(batch.get("id").asLong(), mark.get("batch").asLong());

            // A person labels it: their label replaces the machine's in the export.
            String theirs = project.project().labelNames().stream()
                    .filter(l -> !l.equals(mark.get("labels").get(0).asText())).findFirst().orElseThrow();
            assertEquals(201, al.post(P + "/annotations", "{\"document\":\"" + doc + "\",\"labels\":[\"" + theirs
                    + "\"]}").code());
            List<JsonNode> after = jsonl(a.get(P + "/export/labels").body());
            assertEquals(people + n, after.size(), "still one line per labeled document");
            JsonNode line = after.stream().filter(l -> l.get("id").asText().equals(doc)).findFirst().orElseThrow();
            assertEquals("human", line.get("source").asText());
            assertEquals(theirs, line.get("label").asText());
            assertEquals("alice", line.get("annotator").asText());

            String csv = a.get(P + "/export/labels?format=csv").body();
            List<String> rows = csv.lines().toList();
            assertEquals("id,labels,annotator,created,source,model_version,confidence,batch", rows.get(0));
            assertEquals(n - 1, rows.stream().filter(r -> r.contains(",machine," + batch.get("modelVersion").asInt()
                    + ",")).count());
            assertEquals(people + 1, rows.stream().filter(r -> r.endsWith(",human,,,")).count());

            String log = a.get(P + "/export/labels?format=csv&log=true").body();
            assertTrue(log.startsWith("id,labels,annotator,created,skipped,undone,source,model_version,confidence,batch,"
                    + "revoked,reason\n"), log.substring(0, 120));
            assertEquals(firstBatch + n, log.lines().filter(r -> r.contains(",machine,")).count(),
                    "both batches, the revoked one too, are on record");
        });
    }

    @Test
    @Order(4)
    void revokingAllLeavesPeoplesLabelsAndTheLogKeepsTheRecord() {
        run((a, al, port) -> {
            int people = project.labelCount();
            JsonNode before = a.get(P + "/machine-labels").json();
            int standing = before.get("standing").asInt();
            assertTrue(standing > 0);
            JsonNode revoked = a.delete(P + "/machine-labels").json();
            assertTrue(revoked.get("batch").isNull());
            assertEquals(standing + 1, revoked.get("revoked").asInt(), "the label a person replaced is revoked too");
            assertEquals(0, a.get(P + "/machine-labels").json().get("standing").asInt());
            List<JsonNode> current = jsonl(a.get(P + "/export/labels").body());
            assertEquals(people, current.size());
            assertTrue(current.stream().allMatch(l -> l.get("source").asText().equals("human")));
            List<JsonNode> log = jsonl(a.get(P + "/export/labels?log=true").body());
            List<JsonNode> machine = new ArrayList<>(log.stream().filter(l -> l.get("source").asText().equals("machine"))
                    .toList());
            assertFalse(machine.isEmpty());
            assertTrue(machine.stream().allMatch(l -> !l.get("revoked").isNull()), "every machine label is revoked");
            assertEquals(0, a.delete(P + "/machine-labels").json().get("revoked").asInt());
        });
    }

    private static List<JsonNode> jsonl(String body) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isBlank()) {
                try {
                    out.add(Http.JSON.readTree(line));
                } catch (Exception e) {
                    throw new AssertionError("not JSON: " + line, e);
                }
            }
        }
        return out;
    }


    /** Runs the command line as a user would, capturing what it prints. */
    private static Cli cli(String... args) {
        return Cli.run(args);
    }
}
