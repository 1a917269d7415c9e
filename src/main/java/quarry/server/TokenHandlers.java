package quarry.server;

import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import quarry.project.Access;
import quarry.project.Workspace;

/** {@code /api/tokens} and {@code /api/me}. */
final class TokenHandlers {

    private final Access access;
    private final Workspace workspace;

    TokenHandlers(Workspace workspace) {
        this.workspace = workspace;
        this.access = workspace.access();
    }

    void me(Context ctx) {
        Access.Caller c = Params.caller(ctx);
        ctx.json(Map.of("name", c.name(), "role", c.role().name().toLowerCase()));
    }

    void list(Context ctx) {
        ctx.json(access.tokens());
    }

    void create(Context ctx) {
        Requests.CreateToken body = Bodies.read(ctx, Requests.CreateToken.class);
        Access.Role role = body.checkedRole();
        List<String> projects = body.projects() == null ? List.of() : body.projects();
        projects.forEach(workspace::project); // an unknown project is a 404 before anything is made
        String token = access.create(body.name(), role);
        projects.forEach(p -> workspace.addMember(p, body.name()));
        ctx.status(201).json(Map.of("name", body.name(), "role", body.role(), "token", token, "projects", projects));
    }

    void delete(Context ctx) {
        access.delete(ctx.pathParam("name"));
        ctx.status(204);
    }
}
