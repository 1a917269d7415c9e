package quarry.server;

import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import quarry.encode.Encoders;
import quarry.loop.LoopSettings;
import quarry.project.ProjectSession;
import quarry.project.ProjectSettings;
import quarry.project.Workspace;
import quarry.query.Strategies;

/** {@code /api/projects}, and what a client needs to create one: encoders and strategies. */
final class ProjectHandlers {

    private final Workspace w;

    ProjectHandlers(Workspace workspace) {
        this.w = workspace;
    }

    void health(Context ctx) {
        ctx.json(Map.of("status", "ok", "version", Server.VERSION));
    }

    void encoders(Context ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Encoders.Installed e : Encoders.list(Encoders.modelsDir())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", e.name());
            m.put("ok", e.ok());
            m.put("problem", e.problem());
            out.add(m);
        }
        ctx.json(out);
    }

    void strategies(Context ctx) {
        ctx.json(Map.of("default", ProjectSettings.DEFAULTS.strategy(),
                "multiLabelDefault", LoopSettings.defaultStrategy(true), "strategies", Strategies.names()));
    }

    void list(Context ctx) {
        ctx.json(w.projects(Params.caller(ctx)).stream().map(this::summary).toList());
    }

    void get(Context ctx) {
        ProjectSession p = w.project(ctx.pathParam("project"));
        Map<String, Object> out = summary(p);
        out.put("labels", p.project().labels());
        out.put("settings", p.settings());
        ctx.json(out);
    }

    private Map<String, Object> summary(ProjectSession p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", p.project().name());
        out.put("multiLabel", p.project().multiLabel());
        out.put("encoder", p.encoder().id());
        out.put("labelCount", p.project().labels().size());
        out.put("documents", w.store().documents().count(p.project().id()));
        out.put("labeled", p.labelCount());
        out.put("embedding", p.embedding());
        out.put("model", p.modelStatus());
        out.put("created", p.project().created());
        return out;
    }

    void create(Context ctx) {
        Requests.CreateProject body = Bodies.read(ctx, Requests.CreateProject.class);
        String name = Requests.required("name", body.name());
        List<String> members = body.members() == null ? List.of() : body.members();
        java.util.Set<String> tokens = new java.util.HashSet<>();
        w.access().tokens().forEach(t -> tokens.add(t.name()));
        for (String m : members) {
            if (!tokens.contains(m)) { // checked before anything is made
                throw new quarry.core.DomainException.InvalidInput("bad_request", "field 'members': no token named '"
                        + m + "'", java.util.Map.of("field", "members"));
            }
        }
        ProjectSession p = w.createProject(name, body.isMultiLabel(), body.encoder(), body.checkedLabels(),
                body.settings());
        members.forEach(m -> w.addMember(name, m));
        ctx.status(201).json(summary(p));
    }

    void members(Context ctx) {
        ctx.json(w.members(ctx.pathParam("project")));
    }

    void addMember(Context ctx) {
        ctx.json(w.addMember(ctx.pathParam("project"), ctx.pathParam("name")));
    }

    void removeMember(Context ctx) {
        ctx.json(w.removeMember(ctx.pathParam("project"), ctx.pathParam("name")));
    }

    void delete(Context ctx) {
        w.deleteProject(ctx.pathParam("project"));
        ctx.status(204);
    }
}
