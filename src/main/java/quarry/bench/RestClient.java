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
