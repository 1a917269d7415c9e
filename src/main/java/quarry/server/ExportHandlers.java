package quarry.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import quarry.core.DomainException;
import quarry.data.ImportOptions;
import quarry.project.Json;
import quarry.project.ProjectSession;
import quarry.project.Views;
import quarry.project.Workspace;
import quarry.store.Records.Annotation;
import quarry.store.Records.Doc;

/** Exports: labels (current, or the whole log) and the model's predictions, as JSONL or CSV. */
final class ExportHandlers {

    private final Workspace w;

    ExportHandlers(Workspace workspace) {
        this.w = workspace;
    }

    void labels(Context ctx) throws IOException {
        ProjectSession p = w.project(ctx.pathParam("project"));
        boolean csv = Params.csv(ctx);
        boolean log = Params.flag(ctx, "log");
        attachment(ctx, p, "labels", csv);
        try (Writer out = Params.writer(ctx)) {
            if (csv) {
                out.write(log ? "id,labels,annotator,created,skipped,undone\n" : "id,labels,annotator,created\n");
            }
            if (log) {
                // The whole log streams straight from the database to the client.
                w.store().annotations().forEach(p.project().id(), a -> write(out, labelLine(p, a, true, csv)));
                return;
            }
            // Current labels: only the latest per labeled document is held, never the log.
            Map<Integer, Annotation> current = new LinkedHashMap<>();
            w.store().annotations().forEach(p.project().id(), a -> {
                if (!a.undone() && !a.skipped()) {
                    current.remove(a.row());
                    current.put(a.row(), a);
                }
            });
            for (Annotation a : current.values()) {
                out.write(labelLine(p, a, false, csv));
            }
        }
    }

    private static void attachment(Context ctx, ProjectSession p, String what, boolean csv) {
        ctx.contentType(csv ? "text/csv" : "application/x-ndjson");
        ctx.header("Content-Disposition", "attachment; filename=\"" + p.project().name() + "-" + what + "."
                + (csv ? "csv" : "jsonl") + "\"");
    }

    private static String labelLine(ProjectSession p, Annotation a, boolean log, boolean csv) {
        if (csv) {
            // "None of these" is written as import reads it back; an empty cell would read as unlabeled.
            String labels = a.labels().isEmpty() && !a.skipped() ? ImportOptions.NO_LABELS : String.join("|", a.labels());
            return Csv.row(log
                    ? List.of(a.documentId(), labels, a.annotator(), a.created(),
                            Boolean.toString(a.skipped()), Boolean.toString(a.undone()))
                    : List.of(a.documentId(), labels, a.annotator(), a.created()));
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", a.documentId());
        boolean multi = p.project().multiLabel();
        line.put(multi ? "labels" : "label", multi ? a.labels() : (a.labels().isEmpty() ? null : a.labels().get(0)));
        line.put("annotator", a.annotator());
        line.put("created", a.created());
        if (log) {
            line.put("skipped", a.skipped());
            line.put("undone", a.undone());
        }
        return Json.write(line) + "\n";
    }

    private static void write(Writer out, String text) {
        try {
            out.write(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void predictions(Context ctx) throws IOException {
        ProjectSession p = w.project(ctx.pathParam("project"));
        if (p.modelStatus().version() == 0) {
            throw new DomainException.Conflict("project '" + p.project().name() + "' has no model yet");
        }
        boolean csv = Params.csv(ctx);
        attachment(ctx, p, "predictions", csv);
        try (Writer out = Params.writer(ctx)) {
            if (csv) {
                out.write("id,labels,confidence\n");
            }
            int size = p.embeddedCount();
            for (int from = 0; from < size; from += 1000) {
                int to = Math.min(size, from + 1000);
                List<String> ids = w.store().documents().list(p.project().id(), from, to - from).stream().map(Doc::id).toList();
                List<Views.TextPrediction> predictions = p.predictPool(from, to, ids);
                if (predictions == null) {
                    break;
                }
                for (Views.TextPrediction t : predictions) {
                    if (csv) {
                        out.write(Csv.row(List.of(t.id(), String.join("|", t.labels()),
                                Float.toString((float) t.top().get(0).probability()))));
                    } else {
                        out.write(Json.write(t));
                        out.write('\n');
                    }
                }
            }
        }
    }
}
