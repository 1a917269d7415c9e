package quarry.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Calls a Quarry server's API with a token, the way benchmarks drive it. Thread-safe. */
public final class RestClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A reply: its status and raw body. */
    public record Reply(int status, String body) {
        public JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private final URI base;

    public RestClient(URI base) {
        this.base = base;
    }

    /** Sends {@code body} (null for none) and returns whatever status comes back. */
    public Reply send(String token, String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + token);
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    /** Streams {@code file} as the body (a large import need not fit in memory). */
    public Reply sendFile(String token, String method, String path, java.nio.file.Path file, String contentType)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofFile(file)).build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    /**
     * Waits until every document of the project at {@code projectPath} (e.g. /api/projects/x) is
     * embedded, with a progress bar on stderr; fails when embedding failed.
     */
    public void awaitEmbedded(String token, String projectPath) throws IOException, InterruptedException {
        quarry.cli.ProgressBar bar = new quarry.cli.ProgressBar(System.err, "embed pool", "texts");
        while (true) {
            JsonNode p = expect(token, "GET", projectPath, null).json();
            JsonNode e = p.get("embedding");
            if (e.get("state").asText().equals("failed")) {
                throw new IllegalStateException("embedding failed: " + e.path("error").asText());
            }
            // An import's first replies may still describe the previous state: wait for this one's total.
            long total = e.get("total").asLong();
            bar.update(e.get("done").asLong(), Math.max(1, total));
            if (e.get("state").asText().equals("done") && total == p.get("documents").asLong()) {
                return;
            }
            Thread.sleep(200);
        }
    }

    /** Waits until the trainer has taken every label: true, or false when {@code millis} passed first. */
    public boolean awaitTrained(String token, String projectPath, long millis) throws IOException,
            InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            JsonNode m = expect(token, "GET", projectPath + "/model", null).json();
            if (!m.get("training").asBoolean() && m.get("labelsSinceTraining").asInt() == 0) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    /** A call that must succeed: anything but 2xx fails, naming the path and the server's reply. */
    public Reply expect(String token, String method, String path, String body) throws IOException,
            InterruptedException {
        Reply r = send(token, method, path, body);
        if (r.status() >= 300) {
            throw new IllegalStateException(method + " " + path + ": " + r.status() + " " + r.body());
        }
        return r;
    }
}
