package quarry.server;

import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    void metrics(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        List<Map<String, Object>> curve = new ArrayList<>();
        for (Views.Version v : p.versions()) {
            if (v.report().estimatedAccuracy() != null) {
                curve.add(Map.of("version", v.version(), "labels", v.labelsUsed(), "estimatedAccuracy",
                        v.report().estimatedAccuracy()));
            }
        }
        Views.Report last = p.lastReport();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("modelVersion", p.modelStatus().version());
        out.put("labels", p.labelCount());
        out.put("learningCurve", curve);
        out.put("estimatedAccuracy", last == null ? null : last.estimatedAccuracy());
        out.put("accuracyNote", last == null ? "no model yet" : last.accuracyNote());
        out.put("coverage", last == null ? null : last.coverage());
        out.put("perClass", last == null ? List.of() : last.weakestClasses());
        out.put("stopping", last == null ? null : last.stop());
        out.put("safeToAccept", last == null ? null : last.safeToAccept());
        ctx.json(out);
    }
}
