package quarry.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Handler;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The API's route table, its JSON, and the OpenAPI description generated from the table. */
final class Api {

    /** NaN and infinities (a metric not estimated yet) go out as JSON null, never as the string "NaN". */
    static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .registerModule(new com.fasterxml.jackson.databind.module.SimpleModule("finite-numbers")
                    .addSerializer(Double.class, new FiniteNumber<>(Double.class))
                    .addSerializer(Double.TYPE, new FiniteNumber<>(Double.TYPE))
                    .addSerializer(Float.class, new FiniteNumber<>(Float.class))
                    .addSerializer(Float.TYPE, new FiniteNumber<>(Float.TYPE)));

    private static final class FiniteNumber<T extends Number>
            extends com.fasterxml.jackson.databind.ser.std.StdSerializer<T> {
        FiniteNumber(Class<T> type) {
            super(type);
        }

        @Override
        public void serialize(T v, com.fasterxml.jackson.core.JsonGenerator g,
                com.fasterxml.jackson.databind.SerializerProvider p) throws IOException {
            if (v == null || Double.isNaN(v.doubleValue()) || Double.isInfinite(v.doubleValue())) {
                g.writeNull();
            } else if (v instanceof Float f) {
                g.writeNumber(f); // keeps the float's own short form: 0.1, not 0.10000000149011612
            } else {
                g.writeNumber(v.doubleValue());
            }
        }
    }

    private Api() {
    }

    /**
     * One endpoint: registered with Javalin and described in OpenAPI from the same entry, so the two
     * cannot drift apart.
     */
    record Route(String method, String path, Auth.Role role, String summary, String body, Handler handler) {
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "bad_json", "the body is not the JSON expected: " + e.getOriginalMessage(),
                    Map.of("expected", type.getSimpleName()));
        }
    }

    static ProjectSettings readSettings(String json) {
        return read(json, ProjectSettings.class).complete();
    }

    /** An upload stream that fails with 413 once more than {@code max} bytes have come. */
    static final class LimitedStream extends FilterInputStream {
        private final long max;
        private long count;

        LimitedStream(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(long n) {
            count += n;
            if (count > max) {
                throw new ApiError(413, "too_large", "the body is larger than the limit of " + max + " bytes",
                        Map.of("limitBytes", max));
            }
        }
    }

    private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");

    /** OpenAPI 3.0 for the routes. */
    static Map<String, Object> openApi(List<Route> routes, String version) {
        Map<String, Object> paths = new LinkedHashMap<>();
        for (Route r : routes) {
            @SuppressWarnings("unchecked")
            Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(r.path(), p -> new LinkedHashMap<>());
            Map<String, Object> op = new LinkedHashMap<>();
            op.put("summary", r.summary());
            op.put("operationId", r.method().toLowerCase() + r.path().replaceAll("[^A-Za-z0-9]+", "_"));
            List<Object> params = new ArrayList<>();
            Matcher m = PARAM.matcher(r.path());
            while (m.find()) {
                params.add(Map.of("name", m.group(1), "in", "path", "required", true, "schema", Map.of("type",
                        "string")));
            }
            if (!params.isEmpty()) {
                op.put("parameters", params);
            }
            if (r.body() != null) {
                op.put("requestBody", Map.of("required", true, "content", Map.of(r.body(), Map.of("schema",
                        Map.of("type", r.body().equals("application/json") ? "object" : "string")))));
            }
            if (r.role() != Auth.Role.PUBLIC) {
                op.put("security", List.of(Map.of("token", List.of())));
                op.put("x-role", r.role().name().toLowerCase());
            }
            Map<String, Object> error = Map.of("description", "error", "content", Map.of("application/json",
                    Map.of("schema", Map.of("$ref", "#/components/schemas/Error"))));
            Map<String, Object> responses = new LinkedHashMap<>();
            responses.put("200", Map.of("description", "success"));
            responses.put("default", error);
            op.put("responses", responses);
            item.put(r.method().toLowerCase(), op);
        }
        Map<String, Object> errorSchema = Map.of("type", "object", "required", List.of("error", "message", "details"),
                "properties", Map.of("error", Map.of("type", "string"), "message", Map.of("type", "string"),
                        "details", Map.of()));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.0.3");
        doc.put("info", Map.of("title", "Quarry workbench API", "version", version, "description",
                "Active learning for text classification. Every error is JSON {error, message, details}."));
        doc.put("paths", paths);
        doc.put("components", Map.of("securitySchemes", Map.of("token", Map.of("type", "http", "scheme", "bearer")),
                "schemas", Map.of("Error", errorSchema)));
        return doc;
    }
}
