package quarry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.Response;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test calls through JavalinTest's client with a token, parsed as JSON. */
final class Http {

    static final ObjectMapper JSON = new ObjectMapper();

    record Reply(int code, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON (" + code + "): " + body, e);
            }
        }

        /** The error code of a JSON error body, after checking it has all three fields. */
        String error() {
            JsonNode j = json();
            if (!j.has("error") || !j.has("message") || !j.has("details")) {
                throw new AssertionError("not an {error, message, details} body: " + body);
            }
            return j.get("error").asText();
        }
    }

    private final HttpClient client;
    private final String token;

    Http(HttpClient client, String token) {
        this.client = client;
        this.token = token;
    }

    Http as(String otherToken) {
        return new Http(client, otherToken);
    }

    Reply get(String path) {
        return reply(client.request(path, b -> auth(b).get()));
    }

    Reply getAuthorized(String path, String authorization) {
        return reply(client.request(path, b -> b.header("Authorization", authorization).get()));
    }

    /** A POST with this Authorization header instead of the token's Bearer one (null: none). */
    Reply postAuthorized(String path, String authorization, String body) {
        return reply(client.request(path, b -> {
            if (authorization != null) {
                b.header("Authorization", authorization);
            }
            b.header("Content-Type", "application/json").post(BodyPublishers.ofString(body));
        }));
    }

    /** Header {@code name} of the reply to a GET with this Authorization header (null: none), or null. */
    String headerAuthorized(String path, String authorization, String name) {
        Response r = client.request(path, b -> {
            if (authorization != null) {
                b.header("Authorization", authorization);
            }
            b.get();
        });
        java.util.List<String> values = r.headers().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    Reply post(String path, String body) {
        return reply(client.request(path, b -> auth(b).header("Content-Type", "application/json")
                .post(BodyPublishers.ofString(body))));
    }

    Reply put(String path, String body) {
        return reply(client.request(path, b -> auth(b).header("Content-Type", "application/json")
                .put(BodyPublishers.ofString(body))));
    }

    Reply upload(String path, String contentType, String body) {
        return reply(client.request(path, b -> auth(b).header("Content-Type", contentType)
                .post(BodyPublishers.ofString(body))));
    }

    Reply postBytes(String path, String contentType, byte[] body) {
        return reply(client.request(path, b -> auth(b).header("Content-Type", contentType)
                .post(BodyPublishers.ofByteArray(body))));
    }

    /** The value of header {@code name} on a GET reply, or null. */
    String header(String path, String name) {
        Response r = client.request(path, b -> auth(b).get());
        java.util.List<String> values = r.headers().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    Reply delete(String path) {
        return reply(client.request(path, b -> auth(b).delete(BodyPublishers.noBody())));
    }

    private io.javalin.testtools.Request.Builder auth(io.javalin.testtools.Request.Builder b) {
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    private static Reply reply(Response r) {
        return new Reply(r.code(), r.body().string());
    }

    static Path sharedData() {
        String property = System.getProperty("quarry.sharedData");
        Path dir = property != null ? Path.of(property) : Path.of("..", "shared", "data");
        if (!Files.isDirectory(dir)) {
            throw new AssertionError("shared data not found at " + dir.toAbsolutePath());
        }
        return dir;
    }

    /** Waits until {@code check} holds, polling; fails after {@code seconds}. */
    static void await(String what, int seconds, java.util.function.BooleanSupplier check) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (!check.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
