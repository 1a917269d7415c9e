package quarry.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import quarry.core.DomainException;
import quarry.data.Csv;
import quarry.data.ImportFormat;
import quarry.data.Interchange;
import quarry.data.ImportOptions;
import quarry.project.Json;
import quarry.project.ProjectSession;
import quarry.project.Views;
import quarry.project.Workspace;
import quarry.store.Records.Annotation;
import quarry.store.Records.Doc;
import quarry.store.Records.MachineLabel;

/** Exports: labels (current, or the whole log) and the model's predictions, as JSONL or CSV. */
final class ExportHandlers {

    /** The {@code source} of a label in every export: a person's, or the model's own. */
    static final String HUMAN = "human";
    static final String MACHINE = "machine";

    private final Workspace w;

    ExportHandlers(Workspace workspace) {
        this.w = workspace;
    }

    /**
     * Labels, each marked by its source: {@code human} (an annotation) or {@code machine} (a machine
     * label, with the model version that predicted it, its confidence and its batch). Current labels:
     * a person's where there is one, else a standing machine label. The log: every annotation, then
     * every machine label ever accepted, revoked ones marked.
     */
    void labels(Context ctx) throws IOException {
        ProjectSession p = w.project(ctx.pathParam("project"));
        ImportFormat format = Params.format(ctx, true);
        if (format.interchange()) {
            interchange(ctx, p, format);
            return;
        }
        boolean csv = format == ImportFormat.CSV;
        boolean log = Params.flag(ctx, "log");
        long id = p.project().id();
        attachment(ctx, p, "labels", csv);
        try (Writer out = Params.writer(ctx)) {
            if (csv) {
                out.write(log ? "id,labels,annotator,created,skipped,undone,source,model_version,confidence,batch,"
                        + "revoked,reason\n" : "id,labels,annotator,created,source,model_version,confidence,batch\n");
            }
            if (log) {
                // The whole log streams straight from the database to the client.
                w.store().annotations().forEach(id, a -> write(out, labelLine(p, a, true, csv)));
                w.store().machineLabels().forEach(id, true, m -> write(out, machineLine(p, m, true, csv)));
                return;
            }
            // Current labels: only the latest per labeled document is held, never the log.
            Map<Integer, Annotation> current = new LinkedHashMap<>();
            w.store().annotations().forEach(id, a -> {
                if (!a.undone() && !a.skipped()) {
                    current.remove(a.row());
                    current.put(a.row(), a);
                }
            });
            for (Annotation a : current.values()) {
                out.write(labelLine(p, a, false, csv));
            }
            // A person's label always wins: a machine label is exported only where there is none.
            w.store().machineLabels().forEach(id, false, m -> {
                if (!current.containsKey(m.row())) {
                    write(out, machineLine(p, m, false, csv));
                }
            });
        }
    }

    /**
     * Every document, in pool order, with its current label by a person (who, when) and the model's
     * prediction, in another tool's format. Machine labels are the model's: they go out as its
     * prediction, not as labels.
     */
    private void interchange(Context ctx, ProjectSession p, ImportFormat format) throws IOException {
        long id = p.project().id();
        Map<Integer, Annotation> current = new java.util.HashMap<>();
        w.store().annotations().forEach(id, a -> {
            if (!a.undone() && !a.skipped()) {
                current.put(a.row(), a);
            }
        });
        boolean model = p.modelStatus().version() > 0;
        String version = LabelStudioHandlers.modelVersion(p);
        ctx.contentType(Interchange.contentType(format));
        ctx.header("Content-Disposition", "attachment; filename=\"" + p.project().name() + "-"
                + format.name().toLowerCase() + "." + Interchange.extension(format) + "\"");
        Interchange.Schema schema = new Interchange.Schema(p.project().name(), p.project().labelNames(),
                p.project().multiLabel());
        try (Writer out = Params.writer(ctx)) {
            Interchange.Sink sink = Interchange.sink(format, schema, out);
            int size = w.store().documents().count(id);
            for (int from = 0; from < size; from += 1000) {
                List<Doc> docs = w.store().documents().list(id, from, 1000);
                List<Views.TextPrediction> predictions = model && from + docs.size() <= p.embeddedCount()
                        ? p.predictPool(from, from + docs.size(), docs.stream().map(Doc::id).toList()) : null;
                for (int i = 0; i < docs.size(); i++) {
                    Doc d = docs.get(i);
                    Annotation a = current.get(d.row());
                    Interchange.Suggestion s = predictions == null ? null
                            : LabelStudioHandlers.suggestion(p, predictions.get(i), version);
                    sink.write(new Interchange.Item(d.id(), d.text(), a == null ? List.of() : a.labels(), a != null,
                            a == null ? null : a.annotator(), a == null ? null : a.created(), s));
                }
            }
            sink.finish();
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
                            Boolean.toString(a.skipped()), Boolean.toString(a.undone()), HUMAN, "", "", "", "",
                            a.reason() == null ? "" : a.reason())
                    : List.of(a.documentId(), labels, a.annotator(), a.created(), HUMAN, "", "",
                            ""));
        }
        Map<String, Object> line = labelFields(p, a.documentId(), a.labels());
        line.put("annotator", a.annotator());
        line.put("created", a.created());
        if (log) {
            line.put("skipped", a.skipped());
            line.put("undone", a.undone());
            line.put("secondsOnItem", a.secondsOnItem());
        }
        if (log || a.reason() != null) {
            line.put("reason", a.reason());
        }
        line.put("source", HUMAN);
        return Json.write(line) + "\n";
    }

    private static String machineLine(ProjectSession p, MachineLabel m, boolean log, boolean csv) {
        String version = Integer.toString(m.modelVersion());
        String confidence = Double.toString(m.confidence());
        String batchId = Long.toString(m.batchId());
        if (csv) {
            String labels = m.labels().isEmpty() ? ImportOptions.NO_LABELS : String.join("|", m.labels());
            return Csv.row(log
                    ? List.of(m.documentId(), labels, "", m.created(), "false", "false", MACHINE, version, confidence,
                            batchId, m.revoked() == null ? "" : m.revoked(), "")
                    : List.of(m.documentId(), labels, "", m.created(), MACHINE, version, confidence, batchId));
        }
        Map<String, Object> line = labelFields(p, m.documentId(), m.labels());
        line.put("annotator", null);
        line.put("created", m.created());
        line.put("source", MACHINE);
        line.put("modelVersion", m.modelVersion());
        line.put("confidence", m.confidence());
        line.put("batch", m.batchId());
        line.put("acceptedBy", m.acceptedBy());
        if (log) {
            line.put("audit", m.auditRank() > 0);
            line.put("revoked", m.revoked());
        }
        return Json.write(line) + "\n";
    }

    private static Map<String, Object> labelFields(ProjectSession p, String documentId, List<String> labels) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", documentId);
        boolean multi = p.project().multiLabel();
        line.put(multi ? "labels" : "label", multi ? labels : (labels.isEmpty() ? null : labels.get(0)));
        return line;
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
