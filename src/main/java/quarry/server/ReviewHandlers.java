package quarry.server;

import io.javalin.http.Context;
import quarry.project.Access;
import quarry.project.ProjectSession;
import quarry.project.Workspace;

/** Suspect labels and disagreements: the queues, a reviewer's decision on one, and agreement figures. */
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

    /** Reviewers and admins see every annotator's figures; an annotator sees their own. */
    void agreement(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        Access.Caller caller = Params.caller(ctx);
        ctx.json(p.agreement(caller.name(), caller.role().allows(Access.Role.REVIEWER)));
    }

    void disagreements(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        ctx.json(p.disagreements(Params.intParam(ctx, "limit", 50, 1, 1000)));
    }

    void settle(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        Requests.Settle body = Bodies.read(ctx, Requests.Settle.class);
        ctx.status(201).json(p.settle(Params.caller(ctx).name(), ctx.pathParam("id"), body.checkedLabels(),
                body.reason()));
    }
}
