package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.Document;

/**
 * The server runs as its own process; labels are posted, the process is killed with SIGKILL
 * mid-stream, and after a restart every label the server acknowledged is there.
 */
@Tag("integration")
@Tag("data")
class CrashTest {

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    private record Server(Process process, URI base, String adminToken) {
    }

    private Server start() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("java.class.path")));
        for (String p : List.of("quarry.models", "quarry.home")) {
            if (System.getProperty(p) != null) {
                cmd.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        cmd.addAll(List.of("quarry.Main", "serve", "--port", "0", "--no-demo", "--data-dir", dir.toString()));
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String token = null;
        Pattern address = Pattern.compile("Quarry is running at (http://\\S+)");
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith("Admin token")) {
                token = line.substring(line.indexOf("qk_")).strip();
            }
            Matcher m = address.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> out.lines().forEach(l -> { }));
                drain.setDaemon(true);
                drain.start();
                return new Server(process, URI.create(m.group(1)), token);
            }
        }
        throw new AssertionError("the server exited with " + process.waitFor());
    }

    private HttpResponse<String> call(Server s, String token, String method, String path, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.base().resolve(path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyAcknowledgedLabelSurvivesSigkill() throws Exception {
        List<Document> docs = ConcurrencyTest.slice(200);
        List<String> labels = docs.stream().map(d -> d.labels().get(0)).distinct().sorted().toList();
        Server first = start();
        String admin = first.adminToken();
        Set<String> acknowledged = new HashSet<>();
        try {
            assertEquals(201, call(first, admin, "POST", "/api/projects", Http.JSON.writeValueAsString(
                    Map.of("name", "crash", "labels", labels))).statusCode());
            StringBuilder jsonl = new StringBuilder();
            for (Document d : docs) {
                jsonl.append(Http.JSON.writeValueAsString(Map.of("id", d.id(), "text", d.text()))).append('\n');
            }
            assertEquals(202, call(first, admin, "POST", "/api/projects/crash/documents", jsonl.toString())
                    .statusCode());
            // Labels keep coming from another thread while the process dies under them.
            Thread labeler = new Thread(() -> {
                for (Document d : docs) {
                    try {
                        HttpResponse<String> r = call(first, admin, "POST", "/api/projects/crash/annotations",
                                Http.JSON.writeValueAsString(Map.of("document", d.id(), "labels",
                                        List.of(d.labels().get(0)), "requestId", "req-" + d.id())));
                        if (r.statusCode() == 201) {
                            synchronized (acknowledged) {
                                acknowledged.add(d.id());
                            }
                        }
                    } catch (Exception e) {
                        return; // the server is gone
                    }
                }
            });
            labeler.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                synchronized (acknowledged) {
                    if (acknowledged.size() >= 40) {
                        break;
                    }
                }
                assertTrue(System.nanoTime() < deadline, "labels were not acknowledged in time");
                Thread.sleep(5);
            }
            first.process().destroyForcibly(); // SIGKILL on Linux: no shutdown hook runs
            assertEquals(137, first.process().waitFor(), "killed by SIGKILL");
            labeler.join();
        } finally {
            first.process().destroyForcibly();
        }

        Server second = start();
        try {
            JsonNode log = Http.JSON.readTree(call(second, admin, "GET", "/api/projects/crash/annotations?limit=1000",
                    null).body()).get("items");
            Set<String> stored = new HashSet<>();
            log.forEach(a -> stored.add(a.get("documentId").asText()));
            synchronized (acknowledged) {
                assertTrue(acknowledged.size() >= 40);
                assertTrue(stored.containsAll(acknowledged), "lost " + acknowledged.size() + " acknowledged: "
                        + acknowledged.stream().filter(x -> !stored.contains(x)).toList());
            }
            assertEquals(200, call(second, admin, "GET", "/api/projects/crash", null).statusCode());
        } finally {
            second.process().destroyForcibly();
            second.process().waitFor();
        }
    }
}
