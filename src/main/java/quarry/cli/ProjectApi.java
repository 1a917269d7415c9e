package quarry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;
import quarry.core.QuarryException;
import quarry.project.Json;

/**
 * The options and calls of a command that talks to one project of a running server over its REST
 * API. The token comes from a file or the environment, never from the command line, where other
 * users of the machine could read it in the process list.
 */
public final class ProjectApi {

    static final String TOKEN_VARIABLE = "QUARRY_TOKEN";

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:7070/",
            description = "the server (default ${DEFAULT-VALUE})")
    URI url;

    @Option(names = "--project", paramLabel = "NAME", required = true, description = "the project")
    String project;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "a file holding the API token (default: the " + TOKEN_VARIABLE + " environment variable)")
    Path tokenFile;

    /** The project's API path, {@code /api/projects/<name>}, plus {@code rest}. */
    String path(String rest) {
        return "api/projects/" + URLEncoder.encode(project, StandardCharsets.UTF_8).replace("+", "%20") + rest;
    }

    /** Sends a request (body: JSON, or null for none) and returns the reply's JSON; an error reply throws, naming it. */
    JsonNode call(String method, String path, String body) {
        HttpRequest.Builder b = request(path);
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> reply = send(b, HttpResponse.BodyHandlers.ofString());
        JsonNode json = parse(reply.body());
        if (reply.statusCode() >= 400) {
            throw failure(reply.statusCode(), json, reply.body());
        }
        return json;
    }

    /** GETs {@code path} and hands the body of a successful reply to {@code read}; an error reply throws, naming it. */
    <T> T download(String path, java.util.function.Function<java.io.InputStream, T> read) {
        HttpResponse<java.io.InputStream> reply = send(request(path).GET(), HttpResponse.BodyHandlers.ofInputStream());
        try (java.io.InputStream in = reply.body()) {
            if (reply.statusCode() >= 400) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                throw failure(reply.statusCode(), parse(body), body);
            }
            return read.apply(in);
        } catch (IOException e) {
            throw new QuarryException("reading the reply of " + url + " failed: " + e, e);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base().resolve(path)).timeout(Duration.ofMinutes(5))
                .header("Authorization", "Bearer " + token());
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) {
        try {
            return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(request.build(), handler);
        } catch (ConnectException e) {
            throw new QuarryException("cannot reach " + url + ": is 'quarry serve' running there?", e);
        } catch (IOException e) {
            throw new QuarryException("calling " + url + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuarryException("interrupted", e);
        }
    }

    private static QuarryException failure(int status, JsonNode json, String body) {
        String message = json != null && json.hasNonNull("message") ? json.get("message").asText() : body;
        String code = json != null && json.hasNonNull("error") ? " " + json.get("error").asText() : "";
        return new QuarryException("HTTP " + status + code + ": " + printable(message));
    }

    private URI base() {
        String s = url.toString();
        if (!s.startsWith("http://") && !s.startsWith("https://")) {
            throw new QuarryException("--url must be an http:// or https:// address, got '" + printable(s) + "'");
        }
        return URI.create(s.endsWith("/") ? s : s + "/");
    }

    private String token() {
        String token;
        if (tokenFile != null) {
            try {
                token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new QuarryException("cannot read the token file " + tokenFile + ": " + e.getMessage(), e);
            }
        } else {
            token = System.getenv(TOKEN_VARIABLE);
        }
        if (token == null || token.isBlank()) {
            throw new QuarryException("no API token: set " + TOKEN_VARIABLE + " or pass --token-file (the server"
                    + " prints an admin token on its first start)");
        }
        if (token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new QuarryException("the API token holds a space or a character outside printable ASCII");
        }
        return token;
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? null : Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** Text from the server as the terminal may show it: control characters (escapes, say) become '?'. */
    static String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c)
                || Character.getType(c) == Character.FORMAT ? '?' : c));
        return out.toString();
    }
}
