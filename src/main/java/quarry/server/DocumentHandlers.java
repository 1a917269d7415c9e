package quarry.server;

import io.javalin.http.Context;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import quarry.data.ImportFormat;
import quarry.project.Access;
import quarry.project.ProjectSession;
import quarry.project.Workspace;
import quarry.store.Records.Doc;

/** {@code /api/projects/{project}/documents}: imports and reading documents. */
final class DocumentHandlers {

    private final Workspace w;
    private final long maxUpload;

    DocumentHandlers(Workspace workspace, long maxUpload) {
        this.w = workspace;
        this.maxUpload = maxUpload;
    }

    void importFile(Context ctx) throws Exception {
        ProjectSession p = w.project(ctx.pathParam("project"));
        ImportFormat format = ctx.queryParam("format") != null ? Params.format(ctx, true)
                : String.valueOf(ctx.contentType()).contains("csv") ? ImportFormat.CSV : ImportFormat.JSONL;
        Files.createDirectories(w.dir().resolve("uploads"));
        // A folder of its own, so the file keeps a plain name: errors say "upload.csv:12", ids "upload-12".
        Path folder = Files.createTempDirectory(w.dir().resolve("uploads"), "import-");
        Path file = folder.resolve("upload." + (format == ImportFormat.CSV ? "csv"
                : format == ImportFormat.LABELSTUDIO ? "json" : "jsonl"));
        try {
            try (InputStream in = new LimitedStream(ctx.bodyInputStream(), maxUpload)) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            int added = w.importDocuments(p, file, format);
            ctx.status(202).json(Map.of("added", added, "documents", w.store().documents().count(p.project().id()),
                    "embedding", p.embedding()));
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(folder);
        }
    }

    void list(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        int offset = Params.intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = Params.intParam(ctx, "limit", 100, 1, 1000);
        ctx.json(Map.of("offset", offset, "items", w.store().documents().list(p.project().id(), offset, limit)));
    }

    void get(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        Doc d = p.document(ctx.pathParam("id"));
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("id", d.id());
        out.put("row", d.row());
        out.put("text", d.text());
        out.put("labels", p.labels().labels(d.row()));
        // "labeled" tells "none of these" (labeled, no labels) from not labeled yet: both have labels [].
        out.put("labeled", p.labels().isLabeled(d.row()));
        // Admins only: an annotator may be auditing this document, blind to what the machine said.
        if (Params.caller(ctx).role() == Access.Role.ADMIN) {
            p.machineLabel(d.row()).ifPresent(m -> out.put("machineLabel", m));
        }
        ctx.json(out);
    }

}
