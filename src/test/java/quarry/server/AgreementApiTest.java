package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.JavalinTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.eval.CohenKappa;
import quarry.eval.KrippendorffAlpha;
import quarry.project.Workspace;

/**
 * Overlap and agreement over HTTP: overlap documents go to two annotators one after another and
 * never to a third or twice to one; agreement figures; the disagreement queue and a reviewer
 * settling one; and every bad request refused with a clear 4xx and nothing stored. The same
 * tests run over PostgreSQL in {@code PostgresAgreementApiTest}.
 */
@Tag("integration")
class AgreementApiTest {

    static final String P = "/api/projects/agree";
    static final List<String> LABELS = List.of("billing", "shipping", "returns");

    @TempDir
    Path dir;

    /** The workspace in {@code ws}: over SQLite here, over PostgreSQL in {@code PostgresAgreementApiTest}. */
    protected Workspace open(Path ws) {
        return Workspace.open(ws, false);
    }

    /** Callers of one workspace: the admin, a reviewer, three annotators, and a reviewer who is no member. */
    record Team(Workspace w, Http admin, Http rita, Http alice, Http bob, Http carl, Http nina) {
    }

    interface Case {
        void run(Team t) throws Exception;
    }

    void run(Case c) {
        try (Workspace w = open(dir.resolve("ws"))) {
            String admin = w.firstAdminToken();
            String rita = w.createToken("rita", "reviewer");
            String alice = w.createToken("alice", "annotator");
            String bob = w.createToken("bob", "annotator");
            String carl = w.createToken("carl", "annotator");
            String nina = w.createToken("nina", "reviewer");
            JavalinTest.test(Server.create(w, 1 << 20), (server, client) -> {
                Http a = new Http(client, admin);
                c.run(new Team(w, a, a.as(rita), a.as(alice), a.as(bob), a.as(carl), a.as(nina)));
            });
        }
    }

    /** Project "agree": {@code docs} documents, each sent to two annotators, embedded. */
    static void project(Team t, int docs) throws Exception {
        Http.Reply made = t.admin().post("/api/projects", Http.JSON.writeValueAsString(Map.of("name", "agree",
                "labels", LABELS, "members", List.of("rita", "alice", "bob", "carl"), "settings", Map.of(
                        "overlapShare", 1.0, "overlapAnnotators", 2, "retrainEvery", 1000, "retrainSeconds", 3600))));
        assertEquals(201, made.code(), made.body());
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < docs; i++) {
            jsonl.append(Http.JSON.writeValueAsString(Map.of("id", "d" + i, "text", "customer message number " + i
                    + " about an order"))).append('\n');
        }
        Http.Reply imported = t.admin().upload(P + "/documents", "application/x-ndjson", jsonl.toString());
        assertEquals(202, imported.code(), imported.body());
        Http.await("embedding", 120, () -> t.w().project("agree").embeddedCount() == docs);
    }

    /** The next document leased to the caller, or null. */
    static String next(Http who) {
        Http.Reply q = who.get(P + "/queue?n=1");
        assertEquals(200, q.code(), q.body());
        JsonNode items = q.json().get("items");
        return items.isEmpty() ? null : items.get(0).get("id").asText();
    }

    static void label(Http who, String doc, String label) {
        Http.Reply r = who.post(P + "/annotations", "{\"document\": \"" + doc + "\", \"labels\": [\"" + label + "\"]}");
        assertEquals(201, r.code(), r.body());
    }

    @Test
    void overlapDocumentsGoToTwoAnnotatorsNeverAThirdAndNeverTwiceToOne() {
        run(t -> {
            project(t, 6);
            String first = next(t.alice());
            label(t.alice(), first, "billing");
            assertEquals(first, next(t.bob()), "a document waiting for a second annotator comes first");
            label(t.bob(), first, "shipping");
            Http.Reply carls = t.carl().get(P + "/queue?n=50");
            assertFalse(ids(carls).contains(first), "two annotators labeled it: not for a third " + carls.body());
            for (String id : ids(carls)) {
                assertEquals(204, t.carl().delete(P + "/queue/" + id).code(), "given back, for the others");
            }
            List<String> alices = labelAll(t.alice(), "billing");
            assertEquals(5, alices.size(), alices.toString());
            assertEquals(5, new HashSet<>(alices).size(), "never the same document twice: " + alices);
            assertFalse(alices.contains(first));
            List<String> bobs = labelAll(t.bob(), "billing");
            assertEquals(new HashSet<>(alices), new HashSet<>(bobs), "bob gets each of alice's, once");
            assertNull(next(t.carl()), "every document has its two annotators");
            assertNull(next(t.alice()));
            JsonNode agreement = t.rita().get(P + "/agreement").json();
            assertEquals(6, agreement.get("items").asInt());
            assertEquals(1.0, agreement.get("overlapped").asDouble());
            assertEquals(0, agreement.get("awaiting").asInt());
            assertEquals(1, agreement.get("disagreements").asInt());
        });
    }

    static List<String> ids(Http.Reply queue) {
        List<String> out = new ArrayList<>();
        queue.json().get("items").forEach(it -> out.add(it.get("id").asText()));
        return out;
    }

    /** Labels whatever the queue hands the annotator until it runs dry; the documents, in order. */
    private static List<String> labelAll(Http who, String label) {
        List<String> out = new ArrayList<>();
        for (String doc = next(who); doc != null && out.size() < 20; doc = next(who)) {
            out.add(doc);
            label(who, doc, label);
        }
        return out;
    }

    /** Bob's class for document {@code i}: alice's ({@code i % 3}) except on d1 and d4 ("returns") and d7 ("billing"). */
    static int bobs(int i) {
        return i == 7 ? 0 : i == 1 || i == 4 ? 2 : i % 3;
    }

    /** alice and bob label all 12 documents; bob differs on d1, d4, d7. */
    static void twoAnnotatorsLabel(Team t) {
        for (int i = 0; i < 12; i++) {
            String a = LABELS.get(i % 3);
            String b = LABELS.get(bobs(i));
            label(t.alice(), "d" + i, a);
            label(t.bob(), "d" + i, b);
        }
    }

    @Test
    void agreementFiguresAndAReviewerSettlingADisagreement() {
        run(t -> {
            project(t, 14);
            twoAnnotatorsLabel(t);
            label(t.carl(), "d12", "billing"); // one annotator only: no pair, not counted
            int[] a = new int[12];
            int[] b = new int[12];
            List<int[]> items = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                a[i] = i % 3;
                b[i] = bobs(i);
                items.add(new int[] {a[i], b[i]});
            }
            JsonNode all = t.rita().get(P + "/agreement").json();
            assertEquals("all", all.get("scope").asText());
            assertEquals(12, all.get("items").asInt());
            assertEquals(13, all.get("labeled").asInt());
            assertEquals(12 / 13.0, all.get("overlapped").asDouble(), 1e-9);
            assertEquals(KrippendorffAlpha.nominal(items, 3), all.get("alpha").asDouble(), 1e-9);
            assertEquals(0.75, all.get("agreement").asDouble(), 1e-9);
            assertEquals(10, all.get("minShared").asInt());
            JsonNode pair = all.get("pairs").get(0);
            assertEquals("alice", pair.get("a").asText());
            assertEquals("bob", pair.get("b").asText());
            assertEquals(12, pair.get("shared").asInt());
            assertEquals(CohenKappa.of(a, b, 3), pair.get("kappa").asDouble(), 1e-9);
            assertEquals(List.of("alice", "bob"), all.get("annotators").findValuesAsText("annotator"));
            assertEquals(3, all.get("disagreements").asInt());
            assertEquals(1, all.get("awaiting").asInt(), "carl's d12 waits for a second annotator");
            assertEquals(Set.copyOf(LABELS), Set.copyOf(all.get("labels").findValuesAsText("label")));
            JsonNode own = t.alice().get(P + "/agreement").json();
            assertEquals("own", own.get("scope").asText());
            assertEquals(List.of("alice"), own.get("annotators").findValuesAsText("annotator"),
                    "an annotator sees their own figures only");
            assertTrue(own.get("pairs").isEmpty());
            assertEquals(all.get("alpha").asDouble(), own.get("alpha").asDouble());

            JsonNode queue = t.rita().get(P + "/disagreements").json();
            assertEquals(3, queue.get("open").asInt());
            assertEquals(List.of("d1", "d4", "d7"), queue.get("items").findValuesAsText("document"));
            JsonNode d4 = queue.get("items").get(1);
            assertEquals(List.of("alice", "bob"), d4.get("labels").findValuesAsText("annotator"));
            assertEquals("[\"returns\"]", d4.get("current").toString(), "the latest label stands until settled");
            assertEquals(1, t.admin().get(P + "/disagreements?limit=1").json().get("items").size());

            Http.Reply settled = t.rita().post(P + "/disagreements/d4", "{\"label\": \"shipping\", \"reason\":"
                    + " \"asks where the parcel is\"}");
            assertEquals(201, settled.code(), settled.body());
            assertEquals("rita", settled.json().get("annotator").asText());
            assertEquals("review", settled.json().get("kind").asText());
            assertEquals(12, settled.json().size(), "the annotation's fields, nothing else: " + settled.body());
            assertEquals("asks where the parcel is", settled.json().get("reason").asText());
            assertEquals("[\"shipping\"]", t.admin().get(P + "/documents/d4").json().get("labels").toString());
            JsonNode after = t.rita().get(P + "/disagreements").json();
            assertEquals(List.of("d1", "d7"), after.get("items").findValuesAsText("document"));
            assertEquals(1, after.get("settled").asInt());
            JsonNode again = t.rita().get(P + "/agreement").json();
            assertEquals(all.get("alpha").asDouble(), again.get("alpha").asDouble(),
                    "a reviewer's decision is not an annotator's label");
            assertEquals(2, again.get("disagreements").asInt());
            assertEquals(1, again.get("settled").asInt());
            JsonNode log = t.admin().get(P + "/annotations?limit=1000").json().get("items");
            JsonNode last = log.get(log.size() - 1);
            assertEquals("d4", last.get("documentId").asText());
            assertEquals("rita", last.get("annotator").asText());
        });
    }

    @Test
    void badRequestsAreRefusedAndStoreNothing() {
        run(t -> {
            project(t, 14);
            twoAnnotatorsLabel(t);
            label(t.carl(), "d12", "billing");
            String before = t.admin().get(P + "/annotations?limit=1000").body();
            String ok = "{\"label\": \"shipping\", \"reason\": \"r\"}";
            expect(404, "not_found", t.rita().post(P + "/disagreements/nope", ok));
            Http.Reply agreed = t.rita().post(P + "/disagreements/d0", ok);
            expect(409, "not_in_disagreement", agreed);
            assertTrue(agreed.json().get("message").asText().contains("its 2 annotators agree"), agreed.body());
            Http.Reply single = t.rita().post(P + "/disagreements/d12", ok);
            expect(409, "not_in_disagreement", single);
            assertTrue(single.json().get("message").asText().contains("1 annotator"), single.body());
            expect(409, "not_in_disagreement", t.rita().post(P + "/disagreements/d13", ok));
            Http.Reply unknown = t.rita().post(P + "/disagreements/d1", "{\"label\": \"nope\", \"reason\": \"r\"}");
            expect(400, "unknown_label", unknown);
            assertEquals("nope", unknown.json().get("details").get("label").asText());
            expect(400, "bad_request", t.rita().post(P + "/disagreements/d1", "{\"reason\": \"r\"}"));
            expect(400, "bad_request", t.rita().post(P + "/disagreements/d1", "{\"labels\": [\"billing\","
                    + " \"returns\"], \"reason\": \"r\"}"));
            expect(400, "bad_request", t.rita().post(P + "/disagreements/d1", "{\"label\": \"billing\", \"labels\":"
                    + " [\"billing\"], \"reason\": \"r\"}"));
            Http.Reply noReason = t.rita().post(P + "/disagreements/d1", "{\"label\": \"billing\"}");
            expect(400, "bad_request", noReason);
            assertEquals("reason", noReason.json().get("details").get("field").asText());
            expect(400, "bad_request", t.rita().post(P + "/disagreements/d1", "{\"label\": \"billing\", \"reason\":"
                    + " \"two\\nlines\"}"));
            expect(400, "bad_request", t.rita().post(P + "/disagreements/d1", "{\"label\": 3, \"reason\": \"r\"}"));
            expect(400, "bad_request", t.rita().post(P + "/disagreements/d1", "{\"label\": \"billing\", \"reason\":"
                    + " \"r\", \"extra\": 1}"));
            expect(400, "bad_json", t.rita().post(P + "/disagreements/d1", "{not json"));
            expect(400, "bad_request", t.rita().get(P + "/disagreements?limit=0"));
            Http.Reply annotator = t.alice().post(P + "/disagreements/d1", ok);
            expect(403, "forbidden", annotator);
            assertTrue(annotator.json().get("message").asText().contains("reviewer"), annotator.body());
            expect(403, "forbidden", t.alice().get(P + "/disagreements"));
            expect(404, "not_found", t.nina().post(P + "/disagreements/d1", ok));
            expect(404, "not_found", t.nina().get(P + "/disagreements"));
            expect(404, "not_found", t.nina().get(P + "/agreement"));
            assertEquals(before, t.admin().get(P + "/annotations?limit=1000").body(), "nothing was stored");
            assertEquals("[\"returns\"]", t.admin().get(P + "/documents/d1").json().get("labels").toString());
            assertEquals(201, t.rita().post(P + "/disagreements/d1", ok).code(), "the good request still works");
            expect(409, "not_in_disagreement", t.rita().post(P + "/disagreements/d1", ok));

            // Settings: out of range, and overlap on a multi-label project, make no project.
            for (String settings : List.of("{\"overlapShare\": 1.5}", "{\"overlapShare\": -0.1}",
                    "{\"overlapAnnotators\": 1}", "{\"overlapAnnotators\": 11}", "{\"overlapShare\": \"half\"}")) {
                expect(400, "bad_request", t.admin().post("/api/projects", "{\"name\": \"bad\", \"labels\": [\"a\","
                        + " \"b\"], \"settings\": " + settings + "}"));
            }
            Http.Reply multi = t.admin().post("/api/projects", "{\"name\": \"bad\", \"multiLabel\": true, \"labels\":"
                    + " [\"a\", \"b\"], \"settings\": {\"overlapShare\": 0.2}}");
            expect(400, "bad_request", multi);
            assertEquals("overlapShare", multi.json().get("details").get("field").asText());
            expect(404, "not_found", t.admin().get("/api/projects/bad"));
            assertEquals(201, t.admin().post("/api/projects", "{\"name\": \"multi\", \"multiLabel\": true,"
                    + " \"labels\": [\"a\", \"b\"]}").code());
            expect(409, "agreement_multilabel", t.admin().get("/api/projects/multi/agreement"));
            expect(409, "agreement_multilabel", t.admin().get("/api/projects/multi/disagreements"));
        });
    }

    static void expect(int status, String error, Http.Reply reply) {
        assertEquals(status, reply.code(), reply.body());
        assertEquals(error, reply.error(), reply.body());
    }
}
