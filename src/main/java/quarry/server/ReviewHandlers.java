package quarry.server;

import io.javalin.http.Context;
import quarry.project.ProjectSession;
import quarry.project.Workspace;

/** Suspect labels: the queue, and a reviewer's decision on one. */
final class ReviewHandlers {

    private final Workspace w;

    ReviewHandlers(Workspace workspace) {
        this.w = workspace;
    }

    void suspects(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        int limit = Params.intParam(ctx, "limit", 50, 1, 1000);
        boolean flaggedOnly = !"false".equals(ctx.queryParam("flaggedOnly"));
        ctx.json(p.suspects(limit, flaggedOnly));
    }

    void decide(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        Requests.Review body = Bodies.read(ctx, Requests.Review.class);
        ctx.status(201).json(p.review(Params.caller(ctx).name(), ctx.pathParam("id"), body.decision(), body.label(),
                body.reason()));
    }
}
