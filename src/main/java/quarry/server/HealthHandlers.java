package quarry.server;

import io.javalin.http.Context;
import java.util.Map;
import quarry.project.Workspace;
import quarry.store.Database;

/**
 * {@code /livez} and {@code /readyz}, for a load balancer or an orchestrator: public, and saying
 * nothing beyond the status (no paths, no database address, no version).
 */
final class HealthHandlers {

    private final Workspace w;

    HealthHandlers(Workspace workspace) {
        this.w = workspace;
    }

    /** The process serves requests: nothing else is checked, so a slow database never restarts it. */
    void live(Context ctx) {
        ctx.json(Map.of("status", "ok"));
    }

    /** The server can do its work: the workspace is open and its database readable and fully migrated. */
    void ready(Context ctx) {
        String reason = notReady();
        if (reason == null) {
            ctx.json(Map.of("status", "ready"));
        } else {
            ctx.status(503).json(Map.of("status", "unavailable", "reason", reason));
        }
    }

    private String notReady() {
        if (!w.isOpen()) {
            return "the workspace is closed";
        }
        int version;
        try {
            version = w.store().schemaVersion();
        } catch (RuntimeException e) {
            return "the database cannot be read";
        }
        if (version != Database.latestVersion()) {
            return "the database schema is at version " + version + " of " + Database.latestVersion();
        }
        return null;
    }
}
