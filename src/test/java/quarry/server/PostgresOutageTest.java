package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javalin.testtools.JavalinTest;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.project.Workspace;

/**
 * The PostgreSQL server goes away under a running Quarry and comes back: meanwhile writes get a
 * 503 naming the database (never the password), nothing half-written; afterwards they work
 * again without a restart. A server of its own, since it is stopped mid-test.
 */
@Tag("integration")
class PostgresOutageTest {

    @TempDir
    Path dir;

    private EmbeddedPostgres start(int port) throws IOException {
        System.setProperty("org.slf4j.simpleLogger.log.io.zonky.test", "warn");
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pgdata"))
                .setCleanDataDirectory(false);
        return (port == 0 ? b : b.setPort(port)).start();
    }

    @Test
    void writesFailWith503WhileTheDatabaseIsDownAndWorkAgainAfter() throws Exception {
        EmbeddedPostgres pg = start(0);
        int port = pg.getPort();
        String url = "postgresql://postgres:hunter2@127.0.0.1:" + port + "/postgres";
        try (Workspace w = Workspace.open(dir.resolve("ws"), false, url)) {
            JavalinTest.test(Server.create(w, 1 << 20), (server, client) -> {
                Http a = new Http(client, w.firstAdminToken());
                assertEquals(201, a.post("/api/tokens", "{\"name\":\"carol\",\"role\":\"annotator\"}").code());

                pg.close();
                Http.Reply down = a.post("/api/tokens", "{\"name\":\"dave\",\"role\":\"annotator\"}");
                assertEquals(503, down.code(), down.body());
                assertEquals("unavailable", down.error());
                String message = down.json().get("message").asText();
                assertTrue(message.startsWith("the database postgresql://postgres@127.0.0.1:" + port + "/postgres"
                        + " cannot be read or written"), message);
                assertFalse(message.contains("hunter2"), message);

                try (EmbeddedPostgres again = start(port)) {
                    assertEquals(201, a.post("/api/tokens", "{\"name\":\"dave\",\"role\":\"annotator\"}").code(),
                            "the pool opens new connections once the server is back");
                    String tokens = a.get("/api/tokens").body();
                    assertTrue(tokens.contains("carol") && tokens.contains("dave"), tokens);
                }
            });
        }
    }
}
