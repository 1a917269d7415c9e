package quarry.server;

import quarry.project.Workspace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javalin.testtools.JavalinTest;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.bench.LabelingDriver;
import quarry.core.Document;
import quarry.data.DocumentImporter;
import quarry.data.ImportOptions;
import quarry.store.Records.Annotation;

/** Eight annotators label 500 real CLINC150 documents at once while the model retrains. */
@Tag("integration")
@Tag("data")
class ConcurrencyTest {

    @TempDir
    Path dir;

    /** The workspace in {@code ws}: over SQLite here, over PostgreSQL in {@code PostgresConcurrencyServerTest}. */
    protected Workspace open(Path ws) {
        return Workspace.open(ws, false);
    }

    static List<Document> slice(int n) throws Exception {
        List<Document> all = DocumentImporter.read(Http.sharedData().resolve("clinc150/train.jsonl"),
                ImportOptions.defaults()).documents();
        List<Document> out = new ArrayList<>();
        for (int i = 0; out.size() < n; i += all.size() / n) {
            out.add(all.get(i));
        }
        return out;
    }

    @Test
    void eightAnnotatorsStoreEveryLabelOnceAndNeverShareAnItem() throws Exception {
        List<Document> docs = slice(520);
        Map<String, String> gold = new LinkedHashMap<>();
        docs.forEach(d -> gold.put(d.id(), d.labels().get(0)));
        List<String> labels = new ArrayList<>(new TreeSet<>(gold.values()));
        try (Workspace w = open(dir)) {
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                tokens.add(w.createToken("annotator" + i, "annotator"));
            }
            String admin = w.firstAdminToken();
            JavalinTest.test(Server.create(w, 1 << 26), (server, client) -> {
                Http a = new Http(client, admin);
                String schema = Http.JSON.writeValueAsString(labels);
                assertEquals(201, a.post("/api/projects", "{\"name\":\"clinc\",\"labels\":" + schema + "}").code());
                for (int i = 0; i < tokens.size(); i++) {
                    assertEquals(200, a.put("/api/projects/clinc/members/annotator" + i, "").code());
                }
                StringBuilder jsonl = new StringBuilder();
                for (Document d : docs) {
                    jsonl.append(Http.JSON.writeValueAsString(Map.of("id", d.id(), "text", d.text()))).append('\n');
                }
                assertEquals(202, a.upload("/api/projects/clinc/documents", "application/x-ndjson", jsonl.toString())
                        .code());
                Http.await("embedding", 120, () -> w.project("clinc").embedding().state().equals("done"));

                LabelingDriver.Result r = new LabelingDriver(URI.create(client.getOrigin()), "clinc", gold)
                        .run(tokens, 500);
                assertEquals(List.of(), r.failures());
                assertEquals(0, r.leasedTwice(), "an item was leased to two annotators");
                assertTrue(r.labelsStored() >= 500 && r.labelsStored() <= 507, "stored " + r.labelsStored());

                List<Annotation> log = w.store().annotations().list(w.project("clinc").project().id(), 0, 10_000);
                assertEquals(r.labelsStored(), log.size(), "every acknowledged label stored exactly once");
                assertEquals(log.size(), new HashSet<>(log.stream().map(Annotation::row).toList()).size(),
                        "no document labeled twice");
                for (Annotation x : log) {
                    assertEquals(gold.get(x.documentId()), x.labels().get(0));
                }
                // Labels reach the model: a retrain in the background takes in all of them.
                Http.await("a model trained on every label", 180, () -> w.store().models().list(w.project("clinc").project()
                        .id()).stream().anyMatch(m -> m.labelsUsed() >= 500));
            });
        }
    }
}
