package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.bench.LabelingDriver;
import quarry.bench.RestClient;
import quarry.core.Document;
import quarry.core.QuarryException;
import quarry.project.ProjectSession;
import quarry.project.Workspace;
import quarry.store.Records.Annotation;
import quarry.store.Records.ModelVersion;
import quarry.store.postgres.PostgresServer;

/**
 * Two servers, each with a workspace folder of its own, on one PostgreSQL database, as two
 * {@code serve} processes would run them: sixteen annotators split between them never get one
 * item twice, every acknowledged label is stored once, each server's label book and model see the
 * other's labels, and one server trains at a time; when it stops, the other takes over.
 */
@Tag("integration")
@Tag("data")
class PostgresSeveralServersTest {

    @TempDir
    Path dir;

    @Test
    void twoServersShareLeasesLabelsAndOneTrainer() throws Exception {
        List<Document> docs = ConcurrencyTest.slice(420);
        Map<String, String> gold = new LinkedHashMap<>();
        docs.forEach(d -> gold.put(d.id(), d.labels().get(0)));
        List<String> labels = new ArrayList<>(new TreeSet<>(gold.values()));
        String url = PostgresServer.databaseFor(dir.resolve("db"));

        Workspace w1 = Workspace.open(dir.resolve("a"), false, url);
        Workspace w2 = null;
        Server s1 = null;
        Server s2 = null;
        try {
            String admin = w1.firstAdminToken();
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                tokens.add(w1.createToken("annotator" + i, "annotator"));
            }
            w2 = Workspace.open(dir.resolve("b"), false, url);
            assertNull(w2.firstAdminToken(), "the database has its admin already");
            // One folder, one server: a second server on the same folder is refused, naming the fix.
            QuarryException busy = assertThrows(QuarryException.class,
                    () -> Workspace.open(dir.resolve("a"), false, url));
            assertTrue(busy.getMessage().contains("--data-dir"), busy.getMessage());

            s1 = Server.start(w1, "127.0.0.1", 0, 1 << 26);
            s2 = Server.start(w2, "127.0.0.1", 0, 1 << 26);
            URI u1 = URI.create("http://127.0.0.1:" + s1.port());
            URI u2 = URI.create("http://127.0.0.1:" + s2.port());
            RestClient rest = new RestClient(u1);
            rest.expect(admin, "POST", "/api/projects", Http.JSON.writeValueAsString(Map.of("name", "clinc",
                    "labels", labels)));
            for (int i = 0; i < tokens.size(); i++) {
                rest.expect(admin, "PUT", "/api/projects/clinc/members/annotator" + i, "");
            }
            StringBuilder jsonl = new StringBuilder();
            for (Document d : docs) {
                jsonl.append(Http.JSON.writeValueAsString(Map.of("id", d.id(), "text", d.text()))).append('\n');
            }
            rest.expect(admin, "POST", "/api/projects/clinc/documents", jsonl.toString());
            Workspace first = w1;
            Workspace second = w2;
            // The project and its documents reach the second server by themselves.
            Http.await("the project on the second server", 30, () -> second.projects().size() == 1);
            Http.await("embedding on both", 180, () -> first.project("clinc").embeddedCount() == docs.size()
                    && second.project("clinc").embeddedCount() == docs.size());
            ProjectSession p1 = first.project("clinc");
            ProjectSession p2 = second.project("clinc");
            // The second server's token check reads the tokens made on the first.
            assertEquals(200, new RestClient(u2).send(tokens.get(1), "GET", "/api/projects/clinc/queue?n=1", null)
                    .status());

            AtomicBoolean both = new AtomicBoolean();
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread watch = new Thread(() -> {
                while (sampling.get()) {
                    if (p1.trainsHere() && p2.trainsHere()) {
                        both.set(true);
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            watch.start();
            LabelingDriver.Result r = new LabelingDriver(List.of(u1, u2), "clinc", gold, 0, 0).run(tokens, 340);
            sampling.set(false);
            watch.join();

            assertEquals(List.of(), r.failures());
            assertEquals(0, r.leasedTwice(), "an item was leased to two annotators");
            long projectId = p1.project().id();
            List<Annotation> log = first.store().annotations().list(projectId, 0, 10_000);
            assertEquals(r.labelsStored(), log.size(), "every acknowledged label stored exactly once");
            assertEquals(new HashSet<>(r.acknowledged()), new HashSet<>(log.stream().map(Annotation::id).toList()),
                    "the log holds exactly the acknowledged labels");
            assertEquals(log.size(), new HashSet<>(log.stream().map(Annotation::row).toList()).size(),
                    "no document labeled twice");
            for (Annotation x : log) {
                assertEquals(gold.get(x.documentId()), x.labels().get(0));
            }
            // Each server's label book holds the other's labels too, within a poll or two.
            Http.await("every label on both servers", 10, () -> p1.labelCount() == log.size()
                    && p2.labelCount() == log.size());

            // One trainer: it published every version (numbered without gaps); the other serves them.
            assertFalse(both.get(), "both servers trained the project at once");
            Http.await("a model on every label", 180, () -> first.store().models().list(projectId).stream()
                    .anyMatch(m -> m.labelsUsed() >= log.size()));
            assertNotEquals(p1.trainsHere(), p2.trainsHere(), "exactly one server trains");
            List<Integer> numbers = first.store().models().list(projectId).stream().map(ModelVersion::version).toList();
            for (int i = 0; i < numbers.size(); i++) {
                assertEquals(i + 1, numbers.get(i), "versions " + numbers);
            }
            int latest = numbers.get(numbers.size() - 1);
            ProjectSession trainer = p1.trainsHere() ? p1 : p2;
            ProjectSession follower = trainer == p1 ? p2 : p1;
            Http.await("the follower serving the latest version", 10,
                    () -> follower.modelStatus().version() == latest);
            assertEquals(latest, follower.lastReport().version());

            // A batch job accepted by one server is cancelled through the other: it stops, and stays cancelled.
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 3 * 1024; i++) {
                batch.append(Http.JSON.writeValueAsString(Map.of("id", "b" + i,
                        "text", docs.get(i % docs.size()).text() + " #" + i))).append('\n');
            }
            String job = new RestClient(u1).expect(admin, "POST", "/api/projects/clinc/predictions", batch.toString())
                    .json().get("id").asText();
            new RestClient(u2).expect(admin, "DELETE", "/api/jobs/" + job, null);
            Thread.sleep(25_000); // longer than the whole job takes here when nothing stops it
            var cancelled = new RestClient(u1).expect(admin, "GET", "/api/jobs/" + job, null).json();
            assertEquals("cancelled", cancelled.get("state").asText(), cancelled.toString());
            assertTrue(cancelled.get("done").asLong() < 3 * 1024, cancelled.toString());

            // The trainer's server stops: the other takes the project over with the next labels.
            Workspace trainerWs = trainer == p1 ? w1 : w2;
            Server trainerServer = trainer == p1 ? s1 : s2;
            URI followerUrl = trainer == p1 ? u2 : u1;
            trainerServer.close();
            trainerWs.close();
            if (trainerWs == w1) {
                w1 = null;
                s1 = null;
            } else {
                w2 = null;
                s2 = null;
            }
            LabelingDriver.Result more = new LabelingDriver(List.of(followerUrl), "clinc", gold, 0, 0)
                    .run(tokens.subList(0, 4), 20);
            assertEquals(List.of(), more.failures());
            Http.await("the other server training", 60, follower::trainsHere);
            Workspace survivor = w1 != null ? w1 : w2;
            Http.await("a new version from the other server", 120, () -> survivor.store().models().latest(projectId)
                    > latest && follower.modelStatus().version() > latest);
            Set<Integer> rows = new HashSet<>();
            AtomicInteger all = new AtomicInteger();
            survivor.store().annotations().forEach(projectId, a -> {
                all.incrementAndGet();
                rows.add(a.row());
            });
            assertEquals(all.get(), rows.size(), "no document labeled twice after the takeover");
        } finally {
            if (s1 != null) {
                s1.close();
            }
            if (s2 != null) {
                s2.close();
            }
            if (w2 != null) {
                w2.close();
            }
            if (w1 != null) {
                w1.close();
            }
        }
    }
}
