package quarry.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import quarry.core.DomainException;
import quarry.project.Access;
import quarry.project.Json;
import quarry.project.ProjectSession;
import quarry.project.Views;
import quarry.project.Workspace;
import quarry.store.Records.Job;

/** Predictions: a few texts now, or a batch job whose results are read page by page. */
final class PredictionHandlers {

    private final Workspace w;
    private final long maxUpload;

    PredictionHandlers(Workspace workspace, long maxUpload) {
        this.w = workspace;
        this.maxUpload = maxUpload;
    }

    void predict(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        Requests.Predict body = Bodies.read(ctx, Requests.Predict.class);
        body.check();
        ctx.json(Map.of("modelVersion", p.modelStatus().version(), "predictions",
                p.predict(body.idsOrPositions(), body.texts())));
    }

    void submit(Context ctx) throws IOException {
        ProjectSession p = w.project(ctx.pathParam("project"));
        Job job = w.jobs().submit(p, new LimitedStream(ctx.bodyInputStream(), maxUpload), Params.caller(ctx).name());
        ctx.status(202).json(job);
    }

    void list(Context ctx) {
        Access.Caller c = Params.caller(ctx);
        ctx.json(w.store().jobs().list(w.project(ctx.pathParam("project")).project().id()).stream()
                .filter(j -> c.role() == Access.Role.ADMIN || c.name().equals(j.owner())).toList());
    }

    void get(Context ctx) {
        ctx.json(visibleJob(ctx));
    }

    void cancel(Context ctx) {
        Job j = visibleJob(ctx);
        if (!w.jobs().cancel(j)) {
            throw new DomainException.Conflict("job " + j.id() + " has already finished (" + j.state() + ")");
        }
        ctx.status(202).json(job(j.id()));
    }

    void results(Context ctx) {
        Job j = visibleJob(ctx);
        long offset = Params.intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = Params.intParam(ctx, "limit", 100, 1, 1000);
        List<Object> items = new ArrayList<>();
        for (String line : w.store().jobs().results(j.id(), offset, limit)) {
            items.add(Json.readStored(line, Views.TextPrediction.class));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("job", j);
        out.put("offset", offset);
        out.put("items", items);
        out.put("nextOffset", offset + items.size() < j.done() || !j.state().matches("done|failed|cancelled")
                ? offset + items.size() : null);
        ctx.json(out);
    }

    void resultsStream(Context ctx) throws IOException {
        Job j = visibleJob(ctx);
        ctx.contentType("application/x-ndjson");
        try (Writer out = Params.writer(ctx)) {
            for (long offset = 0;; ) {
                List<String> page = w.store().jobs().results(j.id(), offset, 1000);
                for (String line : page) {
                    out.write(line);
                    out.write('\n');
                }
                if (page.size() < 1000) {
                    break;
                }
                offset += page.size();
            }
        }
    }

    private Job job(String id) {
        return w.store().jobs().find(id).orElseThrow(() -> new DomainException.NotFound("no job '" + id + "'"));
    }

    /** A job the caller may see: admins see every job, annotators their own. */
    private Job visibleJob(Context ctx) {
        Job j = job(ctx.pathParam("job"));
        Access.Caller c = Params.caller(ctx);
        if (c.role() != Access.Role.ADMIN && !c.name().equals(j.owner())) {
            throw new DomainException.Forbidden("job " + j.id() + " belongs to '" + j.owner() + "'");
        }
        return j;
    }
}
