package quarry.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import quarry.core.Document;
import quarry.data.DocumentImporter;
import quarry.data.ImportOptions;
import quarry.encode.DjlEncoder;
import quarry.djl.DjlSettings;
import quarry.encode.EncoderOptions;
import quarry.encode.Encoders;
import quarry.server.Server;
import quarry.project.Workspace;

/**
 * Server speed: label → next item latency with concurrent annotators while the model retrains, and
 * batch prediction throughput through REST against the encoder's own, in one process.
 */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Label -> next item latency (p50/p99) with concurrent annotators while retraining runs, and"
                + " batch prediction throughput through REST against the encoder's own throughput.")
final class ServerBenchCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "../shared/data/clinc150",
            description = "data set folder with train.jsonl and test.jsonl (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--pool", paramLabel = "N", defaultValue = "3000", description = "pool documents from train")
    int poolSize;

    @Option(names = "--annotators", paramLabel = "N", defaultValue = "8")
    int annotators;

    @Option(names = "--labels", paramLabel = "N", defaultValue = "600", description = "labels to post in all")
    int labels;

    @Option(names = "--think-ms", paramLabel = "MS", defaultValue = "0,250", split = ",",
            description = "annotator pause before each label; one run per value (default: ${DEFAULT-VALUE})")
    List<Long> thinkMillis;

    @Option(names = "--predict", paramLabel = "N", defaultValue = "2000", description = "texts from test to predict")
    int predictCount;

    @Option(names = "--db", paramLabel = "URL", description = "an empty PostgreSQL database to run on, as serve --db"
            + " takes it (default: SQLite in a temporary workspace)")
    String db;

    @Option(names = "--servers", paramLabel = "N", defaultValue = "0",
            description = "run N serve processes on --db (one on SQLite without --db) instead of a server in this"
                    + " process; annotators are paced to --rate and split between them, and the run reports double"
                    + " leases and lost or duplicated labels (default: ${DEFAULT-VALUE}, in-process)")
    int servers;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "30",
            description = "with --servers: labels a second in all (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--kill-after-s", paramLabel = "S",
            description = "with --servers 2 or more: SIGKILL the second server this many seconds into labeling")
    Double killAfter;

    @Override
    public Integer call() throws Exception {
        if (servers > 0) {
            return severalServers();
        }
        DjlSettings.apply(); // keeps DJL's native libraries where they are before the cache moves
        Path tmp = Files.createTempDirectory("quarry-bench-server");
        // A fresh embedding cache, so that nothing predicted below is served from an earlier run.
        System.setProperty("quarry.home", tmp.resolve("home").toString());
        List<Document> train = DocumentImporter.read(data.resolve("train.jsonl"), ImportOptions.defaults()).documents();
        List<Document> pool = Slices.evenly(train, poolSize);
        List<String> texts = DocumentImporter.read(data.resolve("test.jsonl"), ImportOptions.defaults()).documents()
                .stream().limit(predictCount).map(Document::text).toList();
        Map<String, String> gold = new LinkedHashMap<>();
        pool.forEach(d -> gold.put(d.id(), d.labels().get(0)));
        List<String> schema = gold.values().stream().distinct().sorted().toList();

        try (Workspace w = Workspace.open(tmp.resolve("ws"), false, db)) {
            System.out.println("database: " + w.store().database());
            Server app = Server.start(w, "127.0.0.1", 0, 1L << 30);
            try {
                URI base = URI.create("http://localhost:" + app.port());
                RestClient rest = new RestClient(base);
                String admin = w.firstAdminToken();
                List<String> tokens = new ArrayList<>();
                for (int i = 0; i < annotators; i++) {
                    tokens.add(w.createToken("bench" + i, "annotator"));
                }
                rest.expect(admin, "POST", "/api/projects",
                        JSON.writeValueAsString(Map.of("name", "bench", "labels", schema)));
                for (int i = 0; i < annotators; i++) {
                    w.addMember("bench", "bench" + i);
                }
                StringBuilder jsonl = new StringBuilder();
                for (Document d : pool) {
                    jsonl.append(JSON.writeValueAsString(Map.of("id", d.id(), "text", d.text()))).append('\n');
                }
                rest.expect(admin, "POST", "/api/projects/bench/documents", jsonl.toString());
                rest.awaitEmbedded(admin, "/api/projects/bench");
                System.err.println();
                System.out.printf(Locale.ROOT, "pool: %d documents, %d labels; %d annotators, retrain every 10 labels%n",
                        pool.size(), schema.size(), annotators);
                int target = 0;
                for (long think : thinkMillis) {
                    target += labels;
                    LabelingDriver.Result r = new LabelingDriver(base, "bench", gold, think).run(tokens, target);
                    if (!r.failures().isEmpty() || r.leasedTwice() > 0) {
                        throw new IllegalStateException("labeling failed: " + r.failures() + ", leased twice: "
                                + r.leasedTwice());
                    }
                    System.out.printf(Locale.ROOT, "label -> next item, think %d ms: p50 %.1f ms, p99 %.1f ms, max %.1f"
                            + " ms over %d labels (%.1f labels/s); model versions seen %d%n", think,
                            r.percentileMicros(0.5) / 1000.0, r.percentileMicros(0.99) / 1000.0,
                            r.percentileMicros(1.0) / 1000.0, r.latenciesMicros().length,
                            r.latenciesMicros().length / r.seconds(), r.modelVersions());
                }
                System.out.printf(Locale.ROOT, "models trained meanwhile: %d%n",
                        rest.expect(admin, "GET", "/api/projects/bench/model", null).json().get("version").asInt());
                // Predictions are timed with the trainer idle: the last labels' retrain must not compete.
                rest.awaitTrained(admin, "/api/projects/bench", 120_000);

                double before = encoderRate(texts);
                StringBuilder input = new StringBuilder();
                for (int i = 0; i < texts.size(); i++) {
                    input.append(JSON.writeValueAsString(Map.of("id", "t" + i, "text", texts.get(i)))).append('\n');
                }
                long t0 = System.nanoTime();
                String job = rest.expect(admin, "POST", "/api/projects/bench/predictions", input.toString()).json()
                        .get("id").asText();
                while (!rest.expect(admin, "GET", "/api/jobs/" + job, null).json().get("state").asText()
                        .matches("done|failed|cancelled")) {
                    Thread.sleep(20);
                }
                long lines = rest.expect(admin, "GET", "/api/jobs/" + job + "/results.jsonl", null).body().lines().count();
                double restRate = lines / ((System.nanoTime() - t0) / 1e9);
                // The encoder alone, before and after the REST run, so that drift on a shared machine shows.
                double after = encoderRate(texts);
                double encoderRate = (before + after) / 2;
                System.out.printf(Locale.ROOT, "encoder alone: %.0f texts/s before, %.0f after%n", before, after);
                System.out.printf(Locale.ROOT, "batch prediction: encoder alone %.0f texts/s; REST job (upload, embed,"
                        + " predict, read results) %.0f texts/s = %.2fx the encoder (%d texts)%n", encoderRate, restRate,
                        restRate / encoderRate, lines);
            } finally {
                app.close();
            }
        }
        return 0;
    }

    /**
     * Label → next item latency, double leases and lost or duplicated labels with the annotators
     * split between {@code servers} serve processes on one database, one of them killed midway.
     */
    private int severalServers() throws Exception {
        if (servers > 1 && db == null) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--servers " + servers
                    + " needs --db postgresql://…: a SQLite workspace belongs to one server");
        }
        List<Document> pool = Slices.evenly(DocumentImporter.read(data.resolve("train.jsonl"), ImportOptions.defaults())
                .documents(), poolSize);
        Map<String, String> gold = new LinkedHashMap<>();
        pool.forEach(d -> gold.put(d.id(), d.labels().get(0)));
        List<String> schema = gold.values().stream().distinct().sorted().toList();
        Path tmp = Files.createTempDirectory("quarry-bench-servers");
        try (ServerProcesses sp = new ServerProcesses(tmp, servers, db)) {
            System.out.println("database: " + (db == null ? "SQLite" : quarry.store.postgres.PostgresUrl.parse(db))
                    + "; " + sp);
            String admin = sp.adminToken();
            if (admin == null) {
                throw new IllegalStateException("the first server printed no admin token: give an empty database");
            }
            RestClient first = new RestClient(sp.urls().get(0));
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < annotators; i++) {
                tokens.add(first.expect(admin, "POST", "/api/tokens", JSON.writeValueAsString(Map.of("name",
                        "bench" + i, "role", "annotator"))).json().get("token").asText());
            }
            first.expect(admin, "POST", "/api/projects", JSON.writeValueAsString(Map.of("name", "bench", "labels",
                    schema)));
            for (int i = 0; i < annotators; i++) {
                first.expect(admin, "PUT", "/api/projects/bench/members/bench" + i, "");
            }
            StringBuilder jsonl = new StringBuilder();
            for (Document d : pool) {
                jsonl.append(JSON.writeValueAsString(Map.of("id", d.id(), "text", d.text()))).append('\n');
            }
            first.expect(admin, "POST", "/api/projects/bench/documents", jsonl.toString());
            for (URI url : sp.urls()) {
                RestClient server = new RestClient(url);
                // The others learn of the project within a couple of seconds.
                while (server.send(admin, "GET", "/api/projects/bench", null).status() == 404) {
                    Thread.sleep(200);
                }
                server.awaitEmbedded(admin, "/api/projects/bench");
            }
            System.err.println();
            long period = Math.round(annotators * 1000 / rate);
            System.out.printf(Locale.ROOT, "pool: %d documents, %d labels; %d annotators over %d server(s), %.0f"
                    + " labels/s in all (each labels every %d ms), retrain every 10 labels%n", pool.size(),
                    schema.size(), annotators, servers, rate, period);
            Thread killer = null;
            long[] killedAt = {0};
            if (killAfter != null && servers > 1) {
                killer = new Thread(() -> {
                    try {
                        Thread.sleep(Math.round(killAfter * 1000));
                        sp.kill(1);
                        killedAt[0] = System.currentTimeMillis();
                        System.err.printf(Locale.ROOT, "%nkilled server 1 (SIGKILL)%n");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "bench-killer");
                killer.start();
            }
            LabelingDriver.Result r = new LabelingDriver(sp.urls(), "bench", gold, 0, period).run(tokens, labels);
            if (killer != null) {
                killer.interrupt();
                killer.join();
            }
            ServerProcesses.Audit audit = ServerProcesses.audit(first, admin, "/api/projects/bench", r.acknowledged());
            System.out.printf(Locale.ROOT, "label -> next item: p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d replies"
                    + " (%.1f labels/s); %d label(s) resent to another server after theirs died%n",
                    r.percentileMicros(0.5) / 1000.0, r.percentileMicros(0.99) / 1000.0,
                    r.percentileMicros(1.0) / 1000.0, r.latenciesMicros().length, r.labelsStored() / r.seconds(),
                    r.resent());
            System.out.printf(Locale.ROOT, "killed: %s; failures: %s%n", killedAt[0] == 0 ? "none" : "server 1 at "
                    + Math.round(killAfter) + " s", r.failures().isEmpty() ? "none" : r.failures());
            System.out.printf(Locale.ROOT, "double leases %d; acknowledged labels %d, stored %d: lost %d, duplicated %d,"
                    + " stored but never acknowledged %d%n", r.leasedTwice(), r.acknowledged().size(), audit.stored(),
                    audit.lost(), audit.duplicated(), audit.unacknowledged());
        } finally {
            Folders.deleteTree(tmp);
        }
        return 0;
    }

    private static double encoderRate(List<String> texts) {
        try (DjlEncoder encoder = DjlEncoder.load(Encoders.find(Encoders.modelsDir(), Encoders.DEFAULT),
                EncoderOptions.DEFAULTS)) {
            encoder.encode(texts.subList(0, Math.min(256, texts.size())), quarry.core.Progress.NONE);
            long t0 = System.nanoTime();
            encoder.encode(texts, quarry.core.Progress.NONE);
            return texts.size() / ((System.nanoTime() - t0) / 1e9);
        }
    }
}
