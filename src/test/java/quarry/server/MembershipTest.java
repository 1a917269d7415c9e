package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.JavalinTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.project.Workspace;

/** Annotators and reviewers see only the projects they belong to; admins see all and manage membership. */
@Tag("integration")
class MembershipTest {

    @TempDir
    Path dir;

    @Test
    void membersSeeTheirProjectsAndNothingElse() throws Exception {
        try (Workspace w = Workspace.open(dir.resolve("ws"), false)) {
            String admin = w.firstAdminToken();
            JavalinTest.test(Server.create(w, 1 << 20), (server, client) -> {
                Http a = new Http(client, admin);
                Http.Reply made = a.post("/api/tokens", "{\"name\":\"alice\",\"role\":\"annotator\"}");
                assertEquals(201, made.code(), made.body());
                Http al = a.as(made.json().get("token").asText());
                assertEquals(201, a.post("/api/projects", "{\"name\":\"mine\",\"labels\":[\"a\",\"b\"],"
                        + "\"members\":[\"alice\"]}").code());
                assertEquals(201, a.post("/api/projects", "{\"name\":\"theirs\",\"labels\":[\"a\",\"b\"]}").code());

                assertEquals(List.of("mine"), names(al.get("/api/projects").json()));
                assertEquals(List.of("mine", "theirs"), names(a.get("/api/projects").json()), "admins see all");
                Http.Reply hidden = al.get("/api/projects/theirs");
                assertEquals(404, hidden.code(), hidden.body());
                assertEquals(al.get("/api/projects/nope").json().get("message").asText().replace("nope", "theirs"),
                        hidden.json().get("message").asText(), "a project one may not see reads as one that is not there");
                assertEquals(404, al.get("/api/projects/theirs/queue").code());
                assertEquals(404, al.post("/api/projects/theirs/annotations", "{\"document\":\"x\",\"labels\":[\"a\"]}")
                        .code());
                assertEquals(200, al.get("/api/projects/mine/queue").code());

                assertEquals(403, al.put("/api/projects/theirs/members/alice", "").code(), "admins manage membership");
                Http.Reply added = a.put("/api/projects/theirs/members/alice", "");
                assertEquals(200, added.code(), added.body());
                assertEquals("[\"alice\"]", added.body());
                assertEquals(List.of("mine", "theirs"), names(al.get("/api/projects").json()));
                assertEquals(200, al.get("/api/projects/theirs").code());
                assertEquals(200, a.delete("/api/projects/theirs/members/alice").code());
                assertEquals(404, al.get("/api/projects/theirs").code());
                assertEquals(404, a.delete("/api/projects/theirs/members/alice").code(), "not a member any more");
                assertEquals(404, a.put("/api/projects/theirs/members/nobody", "").code());

                // Bad names are refused before anything is made.
                Http.Reply badMember = a.post("/api/projects", "{\"name\":\"x\",\"labels\":[\"a\",\"b\"],"
                        + "\"members\":[\"nobody\"]}");
                assertEquals(400, badMember.code(), badMember.body());
                assertEquals(404, a.get("/api/projects/x").code(), "no project was made");
                Http.Reply badProject = a.post("/api/tokens", "{\"name\":\"bob\",\"role\":\"reviewer\","
                        + "\"projects\":[\"nope\"]}");
                assertEquals(404, badProject.code(), badProject.body());
                assertTrue(a.get("/api/tokens").json().findValuesAsText("name").stream().noneMatch("bob"::equals),
                        "no token was made");
                Http.Reply bob = a.post("/api/tokens", "{\"name\":\"bob\",\"role\":\"reviewer\",\"projects\":[\"theirs\"]}");
                assertEquals(201, bob.code(), bob.body());
                assertEquals(List.of("theirs"), names(a.as(bob.json().get("token").asText()).get("/api/projects").json()));
                assertEquals("[\"bob\"]", a.get("/api/projects/theirs/members").body());
                assertEquals(204, a.delete("/api/tokens/bob").code());
                assertEquals("[]", a.get("/api/projects/theirs/members").body(), "a deleted token's memberships go");
            });
        }
    }

    private static List<String> names(JsonNode projects) {
        List<String> out = new ArrayList<>();
        projects.forEach(p -> out.add(p.get("name").asText()));
        return out;
    }
}
