package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.project.Workspace;

/**
 * {@code /metrics} parses as Prometheus text (read by a strict parser written here), moves with
 * labels and models, and lets only an admin token or the scrape token in.
 */
@Tag("integration")
class MetricsTest {

    private static final String SCRAPE_TOKEN = "scrape-0123456789abcdef";

    @TempDir
    static Path dir;
    static Workspace workspace;
    static String admin;
    static String alice;

    @BeforeAll
    static void open() throws Exception {
        workspace = Workspace.open(dir.resolve("ws"), true);
        admin = workspace.firstAdminToken();
        alice = workspace.createToken("alice", "annotator", Workspace.DEMO);
        Http.await("the demo project's first model", 300,
                () -> workspace.project(Workspace.DEMO).modelStatus().version() >= 1);
    }

    @AfterAll
    static void close() {
        workspace.close();
    }

    @Test
    void metricsParseAsPrometheusTextAndMoveWithLabelsAndModels() {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        JavalinTest.test(Server.create(workspace, 1 << 20, SCRAPE_TOKEN, lines::add), (server, client) -> {
            Http a = new Http(client, admin);
            assertEquals(200, a.get("/api/projects/demo").code());
            Http scraper = a.as(SCRAPE_TOKEN);
            Response first = client.request(Metrics.PATH, b -> b.header("Authorization", "Bearer " + SCRAPE_TOKEN)
                    .get());
            assertEquals(200, first.code());
            assertTrue(first.headers().get("Content-Type").get(0).startsWith("text/plain; version=0.0.4"),
                    first.headers().toString());
            Exposition before = Exposition.parse(first.body().string());
            double labels = before.value("quarry_labels_stored_total", Map.of("project", "demo"));
            double version = before.value("quarry_model_version", Map.of("project", "demo"));
            assertTrue(version >= 1, "version " + version);
            assertTrue(before.value("quarry_documents", Map.of("project", "demo")) > 0);
            assertTrue(before.has("quarry_jobs", Map.of("kind", "predict", "state", "running")));
            assertTrue(before.has("quarry_retrain_seconds_count", Map.of("project", "demo")));
            assertTrue(before.has("quarry_pool_unlabeled", Map.of("project", "demo")));
            assertTrue(before.has("quarry_queue_ranked", Map.of("project", "demo")));
            // Latency by route template and status class; the project's name never appears as a path.
            assertTrue(before.value("quarry_http_requests_seconds_count", Map.of("route", "/api/projects/{project}",
                    "method", "GET", "status", "2xx")) >= 1, before.families.keySet().toString());
            for (Exposition.Sample s : before.samples) {
                String route = s.labels().get("route");
                assertTrue(route == null || !route.contains("demo"), "raw path as a label: " + s);
            }

            // A stored label moves the counter; a retrain moves the model version.
            JsonNode next = a.as(alice).get("/api/projects/demo/queue?n=1").json();
            String doc = next.get("items").get(0).get("id").asText();
            String label = workspace.project(Workspace.DEMO).project().labelNames().get(0);
            Http.Reply stored = a.as(alice).post("/api/projects/demo/annotations", "{\"document\":\"" + doc
                    + "\",\"labels\":[\"" + label + "\"]}");
            assertTrue(stored.code() == 200 || stored.code() == 201, stored.body());
            Exposition afterLabel = Exposition.parse(scraper.get(Metrics.PATH).body());
            assertEquals(labels + 1, afterLabel.value("quarry_labels_stored_total", Map.of("project", "demo")));
            assertEquals(202 / 100, a.post("/api/projects/demo/model/retrain", "").code() / 100);
            Http.await("a new model version", 120,
                    () -> workspace.project(Workspace.DEMO).modelStatus().version() > version);
            Exposition afterRetrain = Exposition.parse(scraper.get(Metrics.PATH).body());
            assertTrue(afterRetrain.value("quarry_model_version", Map.of("project", "demo")) > version);
            assertTrue(afterRetrain.value("quarry_retrain_seconds_count", Map.of("project", "demo")) >= 1);

            // Who may scrape: an admin token or the scrape token; nobody else.
            assertEquals(200, a.get(Metrics.PATH).code());
            assertEquals(401, a.as(null).get(Metrics.PATH).code());
            assertEquals(401, a.as("scrape-wrong").get(Metrics.PATH).code());
            assertEquals(403, a.as(alice).get(Metrics.PATH).code());
            assertTrue(lines.stream().anyMatch(l -> l.contains("route=/metrics") && l.contains(
                    "caller=\"(metrics token)\"")), lines.toString());
        });
    }

    @Test
    void theParserRefusesWhatIsNotPrometheusText() {
        String ok = "# HELP x_total things\n# TYPE x_total counter\nx_total{a=\"b\"} 1.0\n";
        assertEquals(1.0, Exposition.parse(ok).value("x_total", Map.of("a", "b")));
        assertThrows(AssertionError.class, () -> Exposition.parse("y 1\n"), "undeclared family");
        assertThrows(AssertionError.class, () -> Exposition.parse("# TYPE y gauge\ny{a=b} 1\n"), "unquoted");
        assertThrows(AssertionError.class, () -> Exposition.parse("# TYPE y gauge\ny one\n"), "bad value");
        assertThrows(AssertionError.class, () -> Exposition.parse("# TYPE y gauge\ny 1"), "no final newline");
        assertThrows(AssertionError.class, () -> Exposition.parse("# TYPE y gauge\ny 1\ny 2\n"), "duplicate series");
        assertThrows(AssertionError.class, () -> Exposition.parse("# TYPE y histogram\ny_bucket 1\n"), "no le");
        assertThrows(AssertionError.class, () -> Exposition.parse("# TYPE y gauge\n# TYPE y gauge\n"), "two TYPEs");
        assertThrows(AssertionError.class, () -> Exposition.parse("# TYPE y gauge\ny 1\n# TYPE z gauge\nz 1\ny{a=\"1\"}"
                + " 2\n"), "family not contiguous");
        assertThrows(AssertionError.class, () -> Exposition.parse("# TYPE y gauge\ny{a=\"\\q\"} 1\n"), "bad escape");
        assertThrows(AssertionError.class, () -> Exposition.parse("# TYPE 1y gauge\n"), "bad name");
    }

    /**
     * A strict reader of Prometheus's text exposition format (0.0.4): HELP and TYPE lines, each
     * family declared once and before its samples, which come together; metric and label names,
     * quoted and escaped label values, float values; the suffixes each type allows; no series
     * twice; a newline after the last line.
     */
    record Exposition(Map<String, String> families, List<Sample> samples) {

        record Sample(String name, Map<String, String> labels, double value) {
        }

        private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
        private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
        private static final Pattern VALUE = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?|NaN|[+-]Inf");
        private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

        static Exposition parse(String text) {
            if (!text.isEmpty() && !text.endsWith("\n")) {
                throw new AssertionError("the exposition must end with a newline");
            }
            Map<String, String> types = new LinkedHashMap<>();
            Set<String> helps = new HashSet<>();
            Set<String> finished = new HashSet<>();
            Set<String> series = new HashSet<>();
            List<Sample> samples = new ArrayList<>();
            String open = null;
            int n = 0;
            String body = text.isEmpty() ? "" : text.substring(0, text.length() - 1);
            for (String line : body.isEmpty() ? new String[0] : body.split("\n", -1)) {
                n++;
                String where = "line " + n + " '" + line + "': ";
                if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                    String[] parts = line.substring(7).split(" ", 2);
                    String family = parts[0];
                    need(NAME.matcher(family).matches(), where + "bad metric name");
                    if (line.startsWith("# HELP ")) {
                        need(helps.add(family), where + "second HELP");
                        need(parts.length == 2 && validHelp(parts[1]), where + "bad HELP text");
                    } else {
                        need(parts.length == 2 && TYPES.contains(parts[1]), where + "unknown type");
                        need(!types.containsKey(family), where + "second TYPE");
                        types.put(family, parts[1]);
                    }
                    if (open != null && !open.equals(family)) {
                        finished.add(open);
                    }
                    need(!finished.contains(family), where + "family declared after its samples");
                    open = family;
                    continue;
                }
                if (line.startsWith("#")) {
                    continue; // a comment
                }
                need(!line.isEmpty(), where + "empty line");
                Sample s = sample(line, where);
                String family = familyOf(s, types);
                need(family != null, where + "sample of an undeclared family");
                need(!finished.contains(family), where + "samples of " + family + " are not together");
                if (open != null && !open.equals(family)) {
                    finished.add(open);
                }
                open = family;
                checkSuffix(types.get(family), family, s, where);
                need(series.add(s.name() + new java.util.TreeMap<>(s.labels())), where + "series given twice");
                samples.add(s);
            }
            return new Exposition(types, samples);
        }

        private static boolean validHelp(String help) {
            for (int i = 0; i < help.length(); i++) {
                if (help.charAt(i) == '\\') {
                    i++;
                    if (i >= help.length() || (help.charAt(i) != '\\' && help.charAt(i) != 'n')) {
                        return false;
                    }
                }
            }
            return true;
        }

        private static Sample sample(String line, String where) {
            int i = 0;
            while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
                i++;
            }
            String name = line.substring(0, i);
            need(NAME.matcher(name).matches(), where + "bad metric name");
            Map<String, String> labels = new LinkedHashMap<>();
            if (i < line.length() && line.charAt(i) == '{') {
                i++;
                while (line.charAt(i) != '}') {
                    int eq = line.indexOf('=', i);
                    need(eq > i, where + "label without '='");
                    String label = line.substring(i, eq);
                    need(LABEL_NAME.matcher(label).matches(), where + "bad label name '" + label + "'");
                    need(eq + 1 < line.length() && line.charAt(eq + 1) == '"', where + "unquoted label value");
                    StringBuilder value = new StringBuilder();
                    int j = eq + 2;
                    while (true) {
                        need(j < line.length(), where + "unterminated label value");
                        char c = line.charAt(j);
                        if (c == '"') {
                            break;
                        }
                        if (c == '\\') {
                            need(j + 1 < line.length(), where + "dangling escape");
                            char e = line.charAt(j + 1);
                            need(e == '\\' || e == '"' || e == 'n', where + "bad escape \\" + e);
                            value.append(e == 'n' ? '\n' : e);
                            j += 2;
                        } else {
                            value.append(c);
                            j++;
                        }
                    }
                    need(labels.put(label, value.toString()) == null, where + "label twice");
                    i = j + 1;
                    need(i < line.length(), where + "unterminated label set");
                    if (line.charAt(i) == ',') {
                        i++;
                    } else {
                        need(line.charAt(i) == '}', where + "expected ',' or '}'");
                    }
                }
                i++;
            }
            need(i < line.length() && line.charAt(i) == ' ', where + "no space before the value");
            String[] rest = line.substring(i + 1).split(" ", -1);
            need(rest.length == 1 || rest.length == 2, where + "expected a value and an optional timestamp");
            need(VALUE.matcher(rest[0]).matches(), where + "bad value '" + rest[0] + "'");
            if (rest.length == 2) {
                need(rest[1].matches("-?\\d+"), where + "bad timestamp");
            }
            double value = rest[0].endsWith("Inf") ? (rest[0].startsWith("-") ? Double.NEGATIVE_INFINITY
                    : Double.POSITIVE_INFINITY) : Double.parseDouble(rest[0]);
            return new Sample(name, labels, value);
        }

        private static final Map<String, List<String>> SUFFIXES = Map.of("counter", List.of("", "_total", "_created"),
                "gauge", List.of(""), "untyped", List.of(""), "histogram", List.of("_bucket", "_sum", "_count",
                        "_created"), "summary", List.of("", "_sum", "_count", "_created"));

        private static String familyOf(Sample s, Map<String, String> types) {
            for (String family : types.keySet()) {
                for (String suffix : SUFFIXES.get(types.get(family))) {
                    if (s.name().equals(family + suffix)) {
                        return family;
                    }
                }
            }
            return null;
        }

        private static void checkSuffix(String type, String family, Sample s, String where) {
            if (type.equals("histogram") && s.name().equals(family + "_bucket")) {
                need(s.labels().containsKey("le"), where + "a bucket without 'le'");
            }
            if (type.equals("summary") && s.name().equals(family)) {
                need(s.labels().containsKey("quantile"), where + "a quantile without 'quantile'");
            }
        }

        private static void need(boolean ok, String problem) {
            if (!ok) {
                throw new AssertionError(problem);
            }
        }

        boolean has(String name, Map<String, String> labels) {
            return find(name, labels) != null;
        }

        double value(String name, Map<String, String> labels) {
            Sample s = find(name, labels);
            if (s == null) {
                throw new AssertionError("no sample " + name + labels + " among " + samples.size());
            }
            return s.value();
        }

        private Sample find(String name, Map<String, String> labels) {
            Map<String, String> want = new HashMap<>(labels);
            for (Sample s : samples) {
                if (s.name().equals(name) && s.labels().entrySet().containsAll(want.entrySet())) {
                    return s;
                }
            }
            return null;
        }
    }
}
