package quarry.server;

import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import quarry.project.ProjectSession;
import quarry.project.Views;
import quarry.project.Workspace;

/** The labeling loop over HTTP: the queue and its leases, annotations, undo, the annotation log. */
final class AnnotationHandlers {

    private final Workspace w;

    AnnotationHandlers(Workspace workspace) {
        this.w = workspace;
    }

    void queue(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        int n = Params.intParam(ctx, "n", 1, 1, 50);
        queueReply(ctx, p, p.next(Params.caller(ctx).name(), n), Map.of());
    }

    private static void queueReply(Context ctx, ProjectSession p, List<Views.QueueItem> items,
            Map<String, Object> extra) {
        Map<String, Object> out = new LinkedHashMap<>(extra);
        out.put("items", items);
        out.put("model", p.modelStatus());
        out.put("embedding", p.embedding());
        out.put("labeled", p.labelCount());
        out.put("budget", p.settings().budget());
        ctx.json(out);
    }

    void importToQueue(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        Requests.QueueImport body = Bodies.read(ctx, Requests.QueueImport.class);
        body.check();
        ctx.json(p.importToQueue(body.ids(), Boolean.TRUE.equals(body.skipUnknown())));
    }

    void release(Context ctx) {
        w.project(ctx.pathParam("project")).release(Params.caller(ctx).name(), ctx.pathParam("id"));
        ctx.status(204);
    }

    void annotate(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        Requests.Annotate body = Bodies.read(ctx, Requests.Annotate.class);
        List<String> labels = body.checkedLabels();
        String annotator = Params.caller(ctx).name();
        ProjectSession.Annotated stored = p.annotate(annotator, body.document(), labels, body.requestId(),
                body.secondsOnItem());
        ctx.status(stored.stored() ? 201 : 200);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("annotation", stored.annotation());
        extra.put("replayed", !stored.stored());
        if (Params.flag(ctx, "next")) {
            queueReply(ctx, p, p.next(annotator, 1), extra);
        } else {
            ctx.json(extra);
        }
    }

    void undo(Context ctx) {
        ProjectSession.Undone u = w.project(ctx.pathParam("project")).undo(Params.caller(ctx).name());
        ctx.json(Map.of("undone", u.undone(), "document", u.document()));
    }

    void log(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        long after = Params.intParam(ctx, "after", 0, 0, Integer.MAX_VALUE);
        int limit = Params.intParam(ctx, "limit", 100, 1, 1000);
        ctx.json(Map.of("items", w.store().annotations().list(p.project().id(), after, limit)));
    }
}
