package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javalin.testtools.JavalinTest;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.project.Workspace;

/** Domain exceptions map to their status codes once; anything else is a 500 with an error id, never a 400. */
@Tag("integration")
class ErrorMappingTest {

    /** The workspace in {@code ws}: over SQLite here, over PostgreSQL in {@code PostgresErrorMappingTest}. */
    protected Workspace open(Path ws) {
        return Workspace.open(ws, false);
    }

    @Test
    void domainErrorsGetTheirStatusAndInternalFailuresA500WithAnId(@TempDir Path dir) {
        Workspace w = open(dir.resolve("ws"));
        try {
            String admin = w.firstAdminToken();
            JavalinTest.test(Server.create(w, 1 << 20), (server, client) -> {
                Http a = new Http(client, admin);
                Http.Reply missing = a.get("/api/projects/nope");
                assertEquals(404, missing.code());
                assertEquals("not_found", missing.error());
                Http.Reply badRole = a.post("/api/tokens", "{\"name\":\"x\",\"role\":\"owner\"}");
                assertEquals(400, badRole.code());
                assertEquals("role", badRole.json().get("details").get("field").asText());
                Http.Reply wrongType = a.post("/api/tokens", "{\"name\":7,\"role\":\"admin\"}");
                assertEquals(400, wrongType.code());
                assertTrue(wrongType.json().get("message").asText().contains("'name'"), wrongType.body());
                Http.Reply lastAdmin = a.delete("/api/tokens/admin");
                assertEquals(409, lastAdmin.code());

                // The database goes away under the server: that is not the caller's fault.
                w.store().close();
                Http.Reply broken = a.get("/api/tokens");
                assertEquals(500, broken.code(), broken.body());
                assertEquals("internal", broken.error());
                String id = broken.json().get("details").get("errorId").asText();
                assertTrue(id.matches("[0-9a-f]{16}"), id);
                String message = broken.json().get("message").asText();
                assertTrue(message.contains(id), message);
                assertFalse(message.contains("Exception") || message.contains("java."), "no internals: " + message);
            });
        } finally {
            try {
                w.close();
            } catch (RuntimeException e) {
                // the store was closed on purpose above
            }
        }
    }
}
