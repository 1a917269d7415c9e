package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.JavalinTest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.project.Workspace;
import quarry.store.Records.Annotation;

/**
 * Cost accounting over HTTP: time on item sent with annotations (checked, optional, kept), the
 * cost settings (admins only, checked, stored), and the figures in the metrics.
 */
@Tag("integration")
class CostApiTest {

    @TempDir
    Path dir;

    /** The workspace in {@code ws}: over SQLite here, over PostgreSQL in {@code PostgresCostApiTest}. */
    protected Workspace open(Path ws) {
        return Workspace.open(ws, false);
    }

    interface Case {
        void run(Workspace w, Http admin) throws Exception;
    }

    private void run(Case c) {
        try (Workspace w = open(dir.resolve("ws"))) {
            JavalinTest.test(Server.create(w, 1 << 20), (server, client) -> {
                Http a = new Http(client, w.firstAdminToken());
                assertEquals(201, a.post("/api/projects", "{\"name\":\"p\",\"labels\":[\"x\",\"y\"]}").code());
                assertEquals(202, a.upload("/api/projects/p/documents", "application/x-ndjson",
                        "{\"id\":\"d1\",\"text\":\"one\"}\n{\"id\":\"d2\",\"text\":\"two\"}\n"
                                + "{\"id\":\"d3\",\"text\":\"three\"}\n{\"id\":\"d4\",\"text\":\"four\"}\n").code());
                c.run(w, a);
            });
        }
    }

    private static List<Annotation> stored(Workspace w) {
        return w.store().annotations().list(w.project("p").project().id(), 0, 100);
    }

    private static String label(String doc, String seconds) {
        return "{\"document\":\"" + doc + "\",\"labels\":[\"x\"]" + (seconds == null ? "" : ",\"secondsOnItem\":"
                + seconds) + "}";
    }

    @Test
    void timeOnItemIsKeptCheckedAndOptional() {
        run((w, a) -> {
            Http.Reply timed = a.post("/api/projects/p/annotations", label("d1", "12.5"));
            assertEquals(201, timed.code(), timed.body());
            assertEquals(12.5, timed.json().get("annotation").get("secondsOnItem").asDouble());
            assertEquals(201, a.post("/api/projects/p/annotations", label("d2", null)).code(), "an older client");
            for (String bad : List.of("-1", "3600.5", "1e9", "\"12\"", "true", "[3]", "{\"s\":3}")) {
                Http.Reply r = a.post("/api/projects/p/annotations", label("d3", bad));
                assertEquals(400, r.code(), bad + ": " + r.body());
                assertEquals("secondsOnItem", r.json().get("details").get("field").asText(), bad + ": " + r.body());
                assertTrue(r.json().get("message").asText().contains("secondsOnItem"), r.body());
            }
            assertEquals(2, stored(w).size(), "nothing stored by a refused request");
            assertEquals(201, a.post("/api/projects/p/annotations", label("d3", "3600")).code(), "the upper bound");
            assertEquals(201, a.post("/api/projects/p/annotations", "{\"document\":\"d4\",\"skip\":true,"
                    + "\"secondsOnItem\":0}").code(), "a skip takes time too; 0 is allowed");
            List<Annotation> log = stored(w);
            assertEquals(List.of(12.5, 3600.0, 0.0), log.stream().map(Annotation::secondsOnItem)
                    .filter(java.util.Objects::nonNull).toList());
            assertEquals(null, log.get(1).secondsOnItem(), "not measured: null, never 0");
            String export = a.get("/api/projects/p/export/labels?log=true").body();
            assertTrue(export.contains("\"secondsOnItem\":12.5"), export);
        });
    }

    @Test
    void costSettingsAreAdminsOnlyCheckedStoredAndReported() {
        run((w, a) -> {
            Http ann = a.as(w.createToken("ann", "annotator", "p"));
            assertEquals(403, ann.put("/api/projects/p/cost/settings", "{\"currency\":\"EUR\",\"hourlyRate\":36}")
                    .code());
            String[][] bad = {
                {"{\"currency\":\"EUR\",\"hourlyRate\":36,\"costPerLabel\":1}", "costPerLabel"},
                {"{\"currency\":\"eur\",\"hourlyRate\":36}", "currency"},
                {"{\"hourlyRate\":36}", "currency"},
                {"{\"currency\":\"EUR\",\"hourlyRate\":-3}", "hourlyRate"},
                {"{\"currency\":\"EUR\",\"hourlyRate\":\"36\"}", "hourlyRate"},
                {"{\"currency\":\"EUR\",\"hourlyRate\":36,\"extra\":1}", "extra"},
                {"{\"randomRatio\":2,\"randomRatioSource\":\"\\u0007\"}", "randomRatioSource"},
            };
            for (String[] b : bad) {
                Http.Reply r = a.put("/api/projects/p/cost/settings", b[0]);
                assertEquals(400, r.code(), b[0] + ": " + r.body());
                assertEquals(b[1], r.json().get("details").get("field").asText(), b[0] + ": " + r.body());
            }
            assertTrue(a.get("/api/projects/p").json().get("settings").get("cost").get("hourlyRate").isNull(),
                    "nothing changed by a refused request");

            Http.Reply ok = a.put("/api/projects/p/cost/settings", "{\"currency\":\"EUR\",\"hourlyRate\":36}");
            assertEquals(200, ok.code(), ok.body());
            assertTrue(w.store().projects().find("p").orElseThrow().settings().contains("\"hourlyRate\":36.0"),
                    "stored with the project");
            // Two labels and a skip, 10, 30 and 20 seconds: the median is 20 s, 0.20 EUR at 36 an hour.
            assertEquals(201, ann.post("/api/projects/p/annotations", label("d1", "10")).code());
            assertEquals(201, ann.post("/api/projects/p/annotations", label("d2", "30")).code());
            assertEquals(201, ann.post("/api/projects/p/annotations", "{\"document\":\"d3\",\"skip\":true,"
                    + "\"secondsOnItem\":20}").code());
            JsonNode cost = ann.get("/api/projects/p/metrics").json().get("cost");
            assertEquals("hourly", cost.get("basis").asText());
            assertEquals("EUR", cost.get("currency").asText());
            assertEquals(20, cost.get("secondsPerLabel").get("value").asDouble(), 1e-9);
            assertEquals(0.2, cost.get("costPerLabel").get("value").asDouble(), 1e-9);
            assertEquals(60 * 36 / 3600.0, cost.get("moneySpent").get("value").asDouble(), 1e-9);
            assertTrue(cost.get("costPerLabel").get("source").asText().contains("median"), cost.toString());
            assertTrue(cost.get("labelsSaved").get("value").isNull(), "no random curve, no stored ratio");
            assertTrue(cost.get("labelsSaved").get("unavailable").asText().contains("randomRatio"), cost.toString());
            assertFalse(cost.get("costPerAccuracyPoint").get("unavailable").isNull(), "no learning curve yet");

            // A fixed price per label replaces the hourly rate; {} clears the settings.
            JsonNode perLabel = a.put("/api/projects/p/cost/settings", "{\"currency\":\"USD\",\"costPerLabel\":0.5,"
                    + "\"randomRatio\":2.5,\"randomRatioSource\":\"<b>simulate</b> clinc150\"}").json();
            assertEquals("perLabel", perLabel.get("report").get("basis").asText());
            assertEquals(1.0, perLabel.get("report").get("moneySpent").get("value").asDouble(), 1e-9,
                    "2 labels at 0.5; the skip is free");
            assertTrue(perLabel.get("report").get("ratioToRandom").get("source").asText()
                    .contains("<b>simulate</b> clinc150"), "kept as given; the page shows it as text");
            assertEquals(200, a.put("/api/projects/p/cost/settings", "{}").code());
            assertEquals("none", a.get("/api/projects/p/metrics").json().get("cost").get("basis").asText());
        });
    }
}
