package quarry.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import quarry.core.DomainException;
import quarry.project.Json;

/** Reads a request's JSON body into a typed record, or refuses it naming the field at fault. */
final class Bodies {

    /** Largest JSON body; uploads (imports, batch predictions) stream and have their own limit. */
    static final long MAX_JSON_BYTES = 1 << 20;

    /** Strict about types: 3 is not the label "3", and "yes" is not true. */
    private static final ObjectMapper STRICT = strict();

    private Bodies() {
    }

    @SuppressWarnings("deprecation")
    private static ObjectMapper strict() {
        ObjectMapper m = Json.MAPPER.copy().configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false);
        for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float,
                CoercionInputShape.Boolean)) {
            m.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        return m;
    }

    static <T> T read(Context ctx, Class<T> type) {
        String raw = object(ctx);
        try {
            return STRICT.readValue(raw, type);
        } catch (UnrecognizedPropertyException e) {
            List<String> allowed = e.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
            throw new DomainException.InvalidInput("bad_request", "unknown field '" + e.getPropertyName()
                    + "'; allowed: " + allowed, Map.of("field", e.getPropertyName(), "allowed", allowed));
        } catch (MismatchedInputException e) {
            String field = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName()
                    : "[" + r.getIndex() + "]").collect(Collectors.joining("."));
            throw new DomainException.InvalidInput("bad_request", "field '" + field + "' has the wrong type: "
                    + e.getOriginalMessage().lines().findFirst().orElse(""), Map.of("field", field));
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "bad_json", "malformed JSON: " + e.getOriginalMessage(), null);
        }
    }

    /** The body as text, after the checks every JSON body gets: its size, UTF-8, an object. */
    private static String object(Context ctx) {
        if (ctx.contentLength() > MAX_JSON_BYTES) {
            drain(ctx);
            throw new ApiError(413, "too_large", "JSON bodies are limited to " + MAX_JSON_BYTES + " bytes",
                    Map.of("limitBytes", MAX_JSON_BYTES));
        }
        String raw = utf8(ctx.bodyAsBytes());
        if (raw.isBlank()) {
            throw new DomainException.InvalidInput("the request needs a JSON body");
        }
        if (raw.strip().charAt(0) != '{') {
            throw new DomainException.InvalidInput("the body must be a JSON object");
        }
        return raw;
    }

    /**
     * Another tool's payload (Label Studio's) as a JSON tree: it carries many fields Quarry does not
     * read, so unknown fields are not refused; what is read is checked where it is read.
     */
    static JsonNode tree(Context ctx) {
        String raw = object(ctx);
        try {
            return Json.MAPPER.readTree(raw);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "bad_json", "malformed JSON: " + e.getOriginalMessage(), null);
        }
    }

    /** The body as text; invalid UTF-8 is refused, as it is in imported files, never replaced. */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new DomainException.InvalidInput("bad_request", "the body is not valid UTF-8", Map.of());
        }
    }

    /**
     * Reads and drops an oversized body (up to a bound), so that the connection closes cleanly
     * after the 413: closing with unread bytes resets it, and the client may never see the reply.
     */
    private static void drain(Context ctx) {
        byte[] buffer = new byte[64 * 1024];
        long left = 16L << 20;
        try {
            InputStream in = ctx.bodyInputStream();
            for (int n = in.read(buffer); n > 0 && left > 0; n = in.read(buffer)) {
                left -= n;
            }
        } catch (IOException e) {
            // the client went away: nothing to answer
        }
    }
}
