package quarry.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import quarry.project.Json;

/**
 * Replies that Jetty makes itself, before a request reaches a route (a malformed request line, a
 * URI or headers too long), in the API's one error format: JSON {@code {error, message, details}}
 * in UTF-8 with the same security headers as every other reply, never an HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {

    static final String CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none';"
            + " frame-ancestors 'none'";

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) {
        HttpFields.Mutable headers = response.getHeaders();
        addHeaders(headers);
        response.write(true, body(code, message), callback);
    }

    /** Errors found while parsing, when there is no request yet (414, 431, a bad request line). */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        addHeaders(fields);
        return body(status, reason);
    }

    private static void addHeaders(HttpFields.Mutable headers) {
        headers.put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        headers.put("Content-Security-Policy", CSP);
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
    }

    static ByteBuffer body(int status, String reason) {
        String code = switch (status) {
            case 400 -> "bad_request";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "too_large";
            case 414 -> "uri_too_long";
            case 431 -> "headers_too_large";
            default -> "http_" + status;
        };
        String message = switch (status) {
            case 414 -> "the request URI is longer than the server accepts (8 KiB)";
            case 431 -> "the request headers are larger than the server accepts (8 KiB)";
            default -> reason == null || reason.isBlank() ? "HTTP " + status : reason;
        };
        return ByteBuffer.wrap(Json.write(Map.of("error", code, "message", message, "details", Map.of()))
                .getBytes(StandardCharsets.UTF_8));
    }
}
