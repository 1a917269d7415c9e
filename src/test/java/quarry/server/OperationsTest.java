package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.Response;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.project.Workspace;

/**
 * Operations: the health probes, and one log line per request with its id ({@code /metrics} is
 * {@link MetricsTest}'s).
 */
@Tag("integration")
class OperationsTest {

    /** The workspace in {@code ws}: over SQLite here, over PostgreSQL in {@code PostgresOperationsTest}. */
    protected Workspace open(Path ws) {
        return Workspace.open(ws, false);
    }

    @Test
    void healthProbes(@TempDir Path other) {
        try (Workspace workspace = open(other.resolve("ws"))) {
            healthProbes(workspace);
        }
    }

    private void healthProbes(Workspace workspace) {
        JavalinTest.test(Server.create(workspace, 1 << 20), (server, client) -> {
            Http anon = new Http(client, null);
            Http.Reply live = anon.get("/livez");
            assertEquals(200, live.code());
            assertEquals("{\"status\":\"ok\"}", live.body());
            Http.Reply ready = anon.get("/readyz");
            assertEquals(200, ready.code());
            assertEquals("{\"status\":\"ready\"}", ready.body());
            assertEquals("ok", anon.get("/api/health").json().get("status").asText());
        });
    }

    @Test
    void notReadyWhenTheDatabaseIsGoneOrTheWorkspaceClosed(@TempDir Path other) {
        Workspace w = open(other.resolve("ws"));
        try {
            JavalinTest.test(Server.create(w, 1 << 20), (server, client) -> {
                Http anon = new Http(client, null);
                assertEquals(200, anon.get("/readyz").code());
                w.store().close();
                Http.Reply gone = anon.get("/readyz");
                assertEquals(503, gone.code());
                assertEquals("unavailable", gone.json().get("status").asText());
                assertEquals("the database cannot be read", gone.json().get("reason").asText());
                assertEquals(200, anon.get("/livez").code(), "alive while not ready");
                w.close();
                assertEquals("the workspace is closed", anon.get("/readyz").json().get("reason").asText());
            });
        } finally {
            try {
                w.close();
            } catch (RuntimeException e) {
                // closed above
            }
        }
    }

    private static final Pattern LINE = Pattern.compile("request id=([A-Za-z0-9._-]+) method=(\\S+) route=(\\S+)"
            + " status=(\\d{3}) ms=(\\d+\\.\\d) caller=(\\S+) bytes=(\\d+)");

    @Test
    void everyRequestGetsAnIdAndOneLogLine(@TempDir Path other) {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Workspace w = open(other.resolve("ws"));
        try {
            JavalinTest.test(Server.create(w, 1 << 20, null, lines::add), (server, client) -> {
                String token = w.firstAdminToken();
                Response mine = client.request("/api/tokens?limit=5&secret=hunter2", b -> b
                        .header("Authorization", "Bearer " + token).header("X-Request-Id", "abc-123.x_9").get());
                assertEquals(200, mine.code());
                assertEquals("abc-123.x_9", mine.headers().get("X-Request-Id").get(0));
                Matcher m = lastLine(lines);
                assertEquals("abc-123.x_9", m.group(1));
                assertEquals("GET", m.group(2));
                assertEquals("/api/tokens", m.group(3));
                assertEquals("200", m.group(4));
                assertEquals("admin", m.group(6));
                assertTrue(Long.parseLong(m.group(7)) > 10, "bytes " + m.group(7));
                String line = lines.get(lines.size() - 1);
                assertFalse(line.contains("hunter2") || line.contains("limit") || line.contains(token), line);

                // A hostile or over-long id is replaced by one made here.
                for (String hostile : List.of("x status=500 id=forged", "\"quoted\"", "a".repeat(65), "-starts-bad",
                        "ünïcode")) {
                    Response r = client.request("/api/projects/nope", b -> b.header("Authorization", "Bearer " + token)
                            .header("X-Request-Id", hostile).get());
                    assertEquals(404, r.code());
                    String id = r.headers().get("X-Request-Id").get(0);
                    assertTrue(id.matches("[0-9a-f]{16}"), id);
                    Matcher h = lastLine(lines);
                    assertEquals(id, h.group(1));
                    assertEquals("/api/projects/{project}", h.group(3), "the template, not the path");
                    assertFalse(lines.get(lines.size() - 1).contains("nope"));
                }
                // Unmatched paths and anonymous callers: no path, no caller.
                Response unknown = client.request("/no/such/secret-path", b -> b.get());
                assertEquals(404, unknown.code());
                Matcher u = lastLine(lines);
                assertEquals("unmatched", u.group(3));
                assertEquals("-", u.group(6));
                assertFalse(lines.get(lines.size() - 1).contains("secret-path"));
                // The page's files are "static", with the bytes they took.
                Response page = client.get("/");
                assertEquals(200, page.code());
                Matcher st = lastLine(lines);
                assertEquals("static", st.group(3));
                assertEquals(page.body().string().getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
                        Long.parseLong(st.group(7)));
                // Ids differ per request.
                Set<String> ids = new HashSet<>();
                for (int i = 0; i < 5; i++) {
                    ids.add(client.get("/livez").headers().get("X-Request-Id").get(0));
                }
                assertEquals(5, ids.size());

                // A 500's error id is the request id, so the user's reply leads to the log line.
                w.store().close();
                Response broken = client.request("/api/tokens", b -> b.header("Authorization", "Bearer " + token)
                        .header("X-Request-Id", "support-case-7").get());
                assertEquals(500, broken.code());
                JsonNode body = Http.JSON.readTree(broken.body().string());
                assertEquals("support-case-7", body.get("details").get("errorId").asText());
                assertTrue(body.get("message").asText().contains("support-case-7"));
                Matcher b = lastLine(lines);
                assertEquals("support-case-7", b.group(1));
                assertEquals("500", b.group(4));
            });
        } finally {
            try {
                w.close();
            } catch (RuntimeException e) {
                // the store was closed on purpose above
            }
        }
    }

    @Test
    void valuesThatAreNotPlainAreQuotedAndEscaped() {
        assertEquals("alice", RequestLog.value("alice"));
        assertEquals("-", RequestLog.value(null));
        assertEquals("\"a b\"", RequestLog.value("a b"));
        assertEquals("\"x\\u000a route=/forged\"", RequestLog.value("x\n route=/forged"));
        assertEquals("\"\\\"q\\\\\"", RequestLog.value("\"q\\"));
        assertEquals("\"\\u001b[31m\\u2028\\u200b\"", RequestLog.value("\u001b[31m\u2028\u200b"));
        assertEquals("abc_1.2-3", RequestLog.id("abc_1.2-3"));
        assertNotEquals("a\tb", RequestLog.id("a\tb"));
        assertNotNull(RequestLog.id(null));
    }

    private static Matcher lastLine(List<String> lines) {
        assertFalse(lines.isEmpty(), "no request line");
        String line = lines.get(lines.size() - 1);
        Matcher m = LINE.matcher(line);
        assertTrue(m.matches(), "not a request line: " + line);
        return m;
    }
}
