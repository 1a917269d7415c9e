package quarry.server;

import io.javalin.http.Context;
import java.util.Map;
import quarry.project.Access;

/** {@code /api/tokens} and {@code /api/me}. */
final class TokenHandlers {

    private final Access access;

    TokenHandlers(Access access) {
        this.access = access;
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
        String token = access.create(body.name(), role);
        ctx.status(201).json(Map.of("name", body.name(), "role", body.role(), "token", token));
    }

    void delete(Context ctx) {
        access.delete(ctx.pathParam("name"));
        ctx.status(204);
    }
}
