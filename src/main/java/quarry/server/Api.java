package quarry.server;

import io.javalin.http.Handler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import quarry.project.Access;

/** The API's route entry and the OpenAPI description generated from the route table. */
final class Api {

    private Api() {
    }

    /**
     * One endpoint: registered with Javalin and described in OpenAPI from the same entry, so the two
     * cannot drift apart.
     */
    record Route(String method, String path, Access.Role role, String summary, String body, Handler handler) {
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
            if (r.role() != Access.Role.PUBLIC) {
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
