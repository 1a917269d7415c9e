package quarry.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import quarry.bundle.BundleManifest;
import quarry.bundle.ModelBundle;
import quarry.core.Trees;
import quarry.eval.CostAccounting;
import quarry.eval.PoolEstimate;
import quarry.project.FineTuneJobs;
import quarry.project.ProjectSession;
import quarry.project.Views;
import quarry.project.Workspace;

/** The model: status, saved versions with their provenance, retraining, metrics. */
final class ModelHandlers {

    private final Workspace w;

    ModelHandlers(Workspace workspace) {
        this.w = workspace;
    }

    void status(Context ctx) {
        ctx.json(w.project(ctx.pathParam("project")).modelStatus());
    }

    void versions(Context ctx) {
        ctx.json(w.project(ctx.pathParam("project")).versions());
    }

    void retrain(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        p.retrainNow();
        ctx.status(202).json(p.modelStatus());
    }

    /**
     * The serving model as a zipped bundle ({@link ModelBundle}). It is written to a folder under
     * {@code uploads/} first (removed after, or at the next start after a crash), then streamed.
     */
    void bundle(Context ctx) throws IOException {
        ProjectSession p = w.project(ctx.pathParam("project"));
        Files.createDirectories(w.dir().resolve("uploads"));
        Path folder = Files.createTempDirectory(w.dir().resolve("uploads"), "bundle-");
        try {
            Path dir = folder.resolve("bundle");
            BundleManifest m = p.exportModel(dir);
            ctx.contentType("application/zip");
            ctx.header("Content-Disposition", "attachment; filename=\"" + p.project().name() + "-v" + m.modelVersion()
                    + ".zip\"");
            try (OutputStream out = ctx.outputStream()) {
                ModelBundle.zip(dir, out);
            }
        } finally {
            Trees.delete(folder);
        }
    }

    void fineTuneStatus(Context ctx) {
        ctx.json(w.fineTunes().status(w.project(ctx.pathParam("project"))));
    }

    void fineTune(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        // The body is optional: none means the defaults.
        FineTuneJobs.Request body = ctx.body().isBlank() ? null : Bodies.read(ctx, FineTuneJobs.Request.class);
        ctx.status(202).json(w.fineTunes().start(p, body, Params.caller(ctx).name()));
    }

    void cancelFineTune(Context ctx) {
        ctx.json(w.fineTunes().cancel(w.project(ctx.pathParam("project"))));
    }

    void metrics(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        List<Map<String, Object>> curve = new ArrayList<>();
        for (Views.CurvePoint c : p.learningCurve()) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("version", c.version());
            point.put("labels", c.labels());
            point.put("estimatedAccuracy", c.estimatedAccuracy());
            PoolEstimate pe = c.pool();
            point.put("poolAccuracy", pe == null ? null : pe.accuracy());
            point.put("poolLow", pe == null ? null : pe.low());
            point.put("poolHigh", pe == null ? null : pe.high());
            curve.add(point);
        }
        Views.Report last = p.lastReport();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("modelVersion", p.modelStatus().version());
        out.put("labels", p.labelCount());
        out.put("learningCurve", curve);
        out.put("estimatedAccuracy", last == null ? null : last.estimatedAccuracy());
        out.put("accuracyNote", last == null ? "no model yet" : last.accuracyNote());
        out.put("poolEstimate", last == null ? null : last.poolEstimate());
        out.put("coverage", last == null ? null : last.coverage());
        out.put("perClass", last == null ? List.of() : last.weakestClasses());
        out.put("stopping", last == null ? null : last.stop());
        out.put("safeToAccept", last == null ? null : last.safeToAccept());
        out.put("cost", p.cost());
        ctx.json(out);
    }

    void costSettings(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        CostAccounting.Settings body = Bodies.read(ctx, CostAccounting.Settings.class);
        ctx.json(Map.of("cost", p.updateCostSettings(body), "report", p.cost()));
    }
}
