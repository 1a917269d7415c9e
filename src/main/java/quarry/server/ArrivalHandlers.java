package quarry.server;

import io.javalin.http.Context;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import quarry.core.DomainException;
import quarry.project.ProjectSession;
import quarry.project.Workspace;

/** {@code /api/projects/{project}/arrivals} and {@code /upkeep}: new documents, their drift, what to label. */
final class ArrivalHandlers {

    private final Workspace w;
    private final long maxUpload;

    ArrivalHandlers(Workspace workspace, long maxUpload) {
        this.w = workspace;
        this.maxUpload = maxUpload;
    }

    /**
     * NDJSON in any number of chunks: spooled to disk as it comes (memory holds one buffer), then
     * checked line by line and stored as one batch, or nothing.
     */
    void arrive(Context ctx) throws Exception {
        ProjectSession p = w.project(ctx.pathParam("project"));
        Files.createDirectories(w.dir().resolve("uploads"));
        // A folder of its own, so errors name the line as "arrivals.ndjson:12: text: ..."
        Path folder = Files.createTempDirectory(w.dir().resolve("uploads"), "arrivals-");
        Path file = folder.resolve("arrivals.ndjson");
        try {
            try (InputStream in = new LimitedStream(ctx.bodyInputStream(), maxUpload)) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            ctx.status(202).json(w.importArrivals(p, file));
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(folder);
        }
    }

    void list(Context ctx) {
        ctx.json(w.project(ctx.pathParam("project")).arrivals());
    }

    void get(Context ctx) {
        String id = ctx.pathParam("id");
        long batch;
        try {
            batch = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new DomainException.InvalidInput("arrival batch id must be a number, got '" + id + "'");
        }
        ctx.json(w.project(ctx.pathParam("project")).arrival(batch));
    }

    void upkeep(Context ctx) {
        int n = Params.intParam(ctx, "n", 20, 1, 200);
        ctx.json(w.project(ctx.pathParam("project")).upkeep(n));
    }
}
