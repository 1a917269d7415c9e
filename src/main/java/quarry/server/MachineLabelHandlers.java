package quarry.server;

import io.javalin.http.Context;
import java.util.Map;
import quarry.core.DomainException;
import quarry.project.ProjectSession;
import quarry.project.Workspace;

/** Machine labels: accept the model's confident predictions, revoke them, their audits and settings. */
final class MachineLabelHandlers {

    private final Workspace w;

    MachineLabelHandlers(Workspace workspace) {
        this.w = workspace;
    }

    void status(Context ctx) {
        ctx.json(w.project(ctx.pathParam("project")).machineLabels());
    }

    void accept(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        ctx.status(201).json(p.acceptMachineLabels(Params.caller(ctx).name()));
    }

    void revokeAll(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        ctx.json(p.revokeMachineLabels(null, Params.caller(ctx).name()));
    }

    void revokeBatch(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        ctx.json(p.revokeMachineLabels(batchId(ctx.pathParam("batch")), Params.caller(ctx).name()));
    }

    void settings(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        Requests.MachineSettings body = Bodies.read(ctx, Requests.MachineSettings.class);
        body.check();
        ctx.json(p.updateMachineSettings(body.trainOnMachineLabels(), body.auditShare(), body.auditMin(),
                body.auditMax()));
    }

    private static long batchId(String raw) {
        try {
            long id = Long.parseLong(raw);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new DomainException.InvalidInput("bad_request", "a batch id is a whole number above 0, got '" + raw
                + "'", Map.of("parameter", "batch"));
    }
}
