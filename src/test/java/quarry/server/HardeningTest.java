package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javalin.testtools.JavalinTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.project.Workspace;

/** What an outside review found: strict input, checked names, safe exports, headers, leftovers. */
@Tag("integration")
class HardeningTest {

    @TempDir
    Path dir;

    /** The workspace in {@code ws}: over SQLite here, over PostgreSQL in {@code PostgresHardeningTest}. */
    protected Workspace open(Path ws) {
        return Workspace.open(ws, false);
    }

    interface Case {
        void run(Workspace w, Http admin, int port) throws Exception;
    }

    private void run(Case c) {
        try (Workspace w = open(dir.resolve("ws"))) {
            JavalinTest.test(Server.create(w, 1 << 20), (server, client) -> c.run(w, new Http(client,
                    w.firstAdminToken()), server.port()));
        }
    }

    /** The whole reply to a request sent as raw bytes (Java's clients refuse malformed requests). */
    private static String raw(int port, String request) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int rawStatus(int port, String target, String token) throws Exception {
        String reply = raw(port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                + "\r\nConnection: close\r\n\r\n");
        return Integer.parseInt(reply.split(" ", 3)[1]);
    }

    @Test
    void repliesJettyMakesItselfAreJsonWithTheSecurityHeaders() {
        run((w, a, port) -> {
            String longUri = raw(port, "GET /api/health?x=" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n"
                    + "Connection: close\r\n\r\n");
            String bigHeader = raw(port, "GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000)
                    + "\r\nConnection: close\r\n\r\n");
            String badLine = raw(port, "GET /api/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            for (String[] c : new String[][] {{longUri, "414", "uri_too_long"}, {bigHeader, "431", "headers_too_large"},
                    {badLine, "400", "bad_request"}}) {
                String reply = c[0];
                assertTrue(reply.startsWith("HTTP/1.1 " + c[1]), reply);
                String lower = reply.toLowerCase(java.util.Locale.ROOT);
                assertTrue(lower.contains("content-type: application/json"), reply);
                assertTrue(lower.contains("x-content-type-options: nosniff"), reply);
                assertTrue(lower.contains("content-security-policy:"), reply);
                String body = reply.substring(reply.indexOf("\r\n\r\n") + 4);
                Http.Reply parsed = new Http.Reply(Integer.parseInt(c[1]), body.substring(body.indexOf('{'),
                        body.lastIndexOf('}') + 1));
                assertEquals(c[2], parsed.error(), reply);
            }
        });
    }

    @Test
    void wrongTypesUnknownFieldsAndBrokenQueriesAreRefusedNotCoerced() {
        run((w, a, port) -> {
            assertEquals(201, a.post("/api/projects", "{\"name\":\"p\",\"labels\":[\"x\",\"y\"]}").code());
            assertEquals(202, a.upload("/api/projects/p/documents", "application/x-ndjson",
                    "{\"id\":\"d1\",\"text\":\"one\"}\n{\"id\":\"d2\",\"text\":\"two\"}\n").code());
            Http.Reply skipOne = a.post("/api/projects/p/annotations", "{\"document\":\"d1\",\"skip\":1}");
            assertEquals(400, skipOne.code(), "1 is not true");
            Http.Reply skipYes = a.post("/api/projects/p/annotations", "{\"document\":\"d1\",\"skip\":\"yes\"}");
            assertEquals(400, skipYes.code());
            assertTrue(skipYes.json().get("message").asText().contains("'skip'"), skipYes.body());
            assertEquals(0, w.store().annotations().list(w.project("p").project().id(), 0, 10).size(),
                    "nothing stored by a refused request");
            Http.Reply unknown = a.post("/api/projects/p/predict", "{\"texts\":[\"a\"],\"extra\":1}");
            assertEquals(400, unknown.code());
            assertTrue(unknown.json().get("message").asText().contains("'extra'"), unknown.body());
            assertEquals(400, a.post("/api/tokens", "{\"name\":\"z\",\"role\":\"annotator\",\"x\":1}").code());
            assertEquals(400, a.post("/api/projects/p/predict", "{\"texts\":[\"a\"],\"ids\":[{\"x\":1}]}").code());
            assertEquals(400, a.post("/api/projects",
                    "{\"name\":\"q\",\"labels\":[{\"name\":\"x\",\"description\":{\"a\":1}},\"y\"]}").code());
            assertEquals(400, rawStatus(port, "/api/projects/p/queue?n=%ZZ", w.firstAdminToken()));
            assertEquals(200, rawStatus(port, "/api/projects/p/queue?n=1", w.firstAdminToken()));
            assertEquals(400, a.post("/api/projects/p/annotations?next=yes",
                    "{\"document\":\"d1\",\"labels\":[\"x\"]}").code());
            assertEquals(400, a.get("/api/projects/p/export/labels?log=maybe").code());
        });
    }

    @Test
    void namesAreChecked() {
        run((w, a, port) -> {
            for (String encoder : List.of("./all-minilm-l6-v2", "../models/all-minilm-l6-v2", "all-minilm-l6-v2/")) {
                Http.Reply r = a.post("/api/projects", "{\"name\":\"e\",\"encoder\":\"" + encoder
                        + "\",\"labels\":[\"x\",\"y\"]}");
                assertEquals(400, r.code(), encoder + ": " + r.body());
            }
            assertEquals(400, a.post("/api/projects", "{\"name\":\"c\",\"labels\":[\"x\\u0000\",\"y\"]}").code());
            assertEquals(400, a.post("/api/projects", "{\"name\":\"c\",\"labels\":[\"a|b\",\"c\"]}").code(),
                    "the CSV label separator");
            byte[] head = "{\"name\":\"u\",\"labels\":[\"x\",\"y".getBytes(StandardCharsets.UTF_8);
            byte[] bad = java.util.Arrays.copyOf(head, head.length + 3);
            bad[head.length] = (byte) 0xff; // never valid in UTF-8
            bad[head.length + 1] = '"';
            bad[head.length + 2] = ']';
            bad = (new String(bad, StandardCharsets.ISO_8859_1) + "}").getBytes(StandardCharsets.ISO_8859_1);
            Http.Reply notUtf8 = a.postBytes("/api/projects", "application/json", bad);
            assertEquals(400, notUtf8.code());
            assertTrue(notUtf8.json().get("message").asText().contains("UTF-8"), notUtf8.body());
            assertEquals(404, a.get("/api/projects/u").code(), "nothing created");

            assertEquals(201, a.post("/api/projects", "{\"name\":\"p\",\"labels\":[\"x\",\"y\"]}").code());
            String longId = "i".repeat(300);
            Http.Reply tooLong = a.upload("/api/projects/p/documents", "application/x-ndjson",
                    "{\"id\":\"ok\",\"text\":\"fine\"}\n{\"id\":\"" + longId + "\",\"text\":\"t\"}\n");
            assertEquals(400, tooLong.code());
            assertTrue(tooLong.body().contains("\"line\":2"), tooLong.body());
            Http.Reply nul = a.upload("/api/projects/p/documents", "application/x-ndjson",
                    "{\"id\":\"a\\u0000b\",\"text\":\"t\"}\n");
            assertEquals(400, nul.code());
            assertTrue(nul.body().contains("U+0000"), nul.body());
            Http.Reply nulText = a.upload("/api/projects/p/documents", "application/x-ndjson",
                    "{\"id\":\"fine\",\"text\":\"t\"}\n{\"id\":\"n\",\"text\":\"a\\u0000b\"}\n");
            assertEquals(400, nulText.code(), nulText.body());
            assertTrue(nulText.body().contains("U+0000") && nulText.body().contains("\"line\":2"), nulText.body());
            // Jetty refuses a NUL in a path itself and then closes the connection, so this request goes on a
            // connection of its own: on the client's pooled one the reply can be lost to the close.
            assertEquals(400, rawStatus(port, "/api/projects/p/documents/a%00b", w.firstAdminToken()),
                    "a NUL in a path is refused");
            assertEquals(0, w.store().documents().count(w.project("p").project().id()), "all or nothing");
        });
    }

    @Test
    void exportsAreSafeToOpenInASpreadsheet() {
        run((w, a, port) -> {
            assertEquals(201, a.post("/api/projects", "{\"name\":\"p\",\"labels\":[\"=cmd\",\"plain\"]}").code());
            assertEquals(202, a.upload("/api/projects/p/documents", "application/x-ndjson",
                    "{\"id\":\"@d1\",\"text\":\"one\",\"label\":\"=cmd\"}\n"
                            + "{\"id\":\"-d2\",\"text\":\"two\",\"label\":\"plain\"}\n").code());
            String csv = a.get("/api/projects/p/export/labels?format=csv").body();
            assertTrue(csv.contains("'@d1,'=cmd,"), csv);
            assertTrue(csv.contains("'-d2,plain,"), csv);
            for (String line : csv.split("\n")) {
                for (String cell : line.split(",")) {
                    assertFalse(!cell.isEmpty() && "=+-@".indexOf(cell.charAt(0)) >= 0, "live formula: " + cell);
                }
            }
        });
    }

    @Test
    void multiLabelCsvRoundTripsAndBatchBodiesMustBeUtf8() {
        run((w, a, port) -> {
            assertEquals(201, a.post("/api/projects", "{\"name\":\"m\",\"multiLabel\":true,"
                    + "\"labels\":[\"a\",\"b\",\"a b\"]}").code());
            assertEquals(202, a.upload("/api/projects/m/documents", "application/x-ndjson",
                    "{\"id\":\"d1\",\"text\":\"one\",\"labels\":[\"a\",\"b\"]}\n"
                            + "{\"id\":\"d2\",\"text\":\"two\",\"labels\":[\"a b\"]}\n").code());
            String csv = a.get("/api/projects/m/export/labels?format=csv").body();
            java.util.Map<String, List<String>> back = new java.util.HashMap<>();
            for (String line : csv.split("\n")) {
                String[] cells = line.split(",");
                back.put(cells[0], List.of(cells[1].split("\\|")));
            }
            assertEquals(List.of("a", "b"), back.get("d1"));
            assertEquals(List.of("a b"), back.get("d2"));

            byte[] job = "{\"text\":\"ok\"}\n{\"text\":\"bad \u00ff\"}\n".getBytes(StandardCharsets.ISO_8859_1);
            Http.await("a model for the batch job", 120, () -> w.project("m").modelStatus().version() >= 1);
            Http.Reply notUtf8 = a.postBytes("/api/projects/m/predictions", "application/x-ndjson", job);
            assertEquals(400, notUtf8.code(), notUtf8.body());
            assertTrue(notUtf8.json().get("message").asText().contains("UTF-8"), notUtf8.body());
            assertTrue(w.store().jobs().list(w.project("m").project().id()).isEmpty(), "no job created");
        });
    }

    @Test
    void everyReplyCarriesTheSecurityHeaders() {
        run((w, a, port) -> {
            assertEquals("nosniff", a.header("/api/health", "X-Content-Type-Options"));
            assertEquals("no-referrer", a.header("/api/projects", "Referrer-Policy"));
            assertEquals("nosniff", a.header("/api/no-such-thing", "X-Content-Type-Options"));
        });
    }

    @Test
    void leftoversOfACrashAreCleanedUpAtStart() throws Exception {
        try (Workspace w = open(dir.resolve("ws"))) {
            assertTrue(w.firstAdminToken() != null);
        }
        Path upload = dir.resolve("ws").resolve("uploads").resolve("import-123");
        Files.createDirectories(upload);
        Files.writeString(upload.resolve("upload.jsonl"), "{\"text\":\"half\"}\n");
        Path jobInput = dir.resolve("ws").resolve("jobs").resolve("0000-dead.jsonl");
        Files.createDirectories(jobInput.getParent());
        Files.writeString(jobInput, "{\"id\":\"1\",\"text\":\"x\"}\n");
        try (Workspace w = open(dir.resolve("ws"))) {
            assertFalse(Files.exists(upload), "a half-written upload folder");
            assertFalse(Files.exists(jobInput), "a dead job's input");
        }
    }
}
