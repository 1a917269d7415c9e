package quarry.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import quarry.cli.ProgressBar;
import quarry.data.DocumentImporter;
import quarry.data.ImportOptions;

/**
 * One project of many documents on one machine, end to end through a {@code serve} process with
 * a bounded heap: import → embed → index → first queue, each stage timed, the server's peak RSS,
 * and how the queue answers while embedding runs. Texts are made unique so that the embedding
 * cache cannot make it look cheap.
 */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "A project of many unique documents through a serve process with a bounded heap: "
                + "import, embedding, index and first queue timed, peak RSS, queue latency while embedding.")
public final class ScaleBenchCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long POLL_MILLIS = 2_000;

    @Option(names = "--documents", defaultValue = "1000000", description = "documents (default: ${DEFAULT-VALUE})")
    int documents;

    @Option(names = "--encoder", defaultValue = "all-minilm-l6-v2-q",
            description = "the project's encoder (default: ${DEFAULT-VALUE}, the fastest on a CPU)")
    String encoder;

    @Option(names = "--heap", defaultValue = "4g", description = "the server's -Xmx (default: ${DEFAULT-VALUE})")
    String heap;

    @Option(names = "--data", defaultValue = "../shared/data",
            description = "folder of the data sets whose sentences make the texts (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--write-texts", paramLabel = "FILE",
            description = "only write the unique texts to FILE (JSONL) and stop: for `embed` and `bench index --vectors`")
    Path writeTexts;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Option(names = "--timeout-minutes", defaultValue = "240",
            description = "give up after this long (default: ${DEFAULT-VALUE})")
    long timeoutMinutes;

    /** A moment of the run, seconds from the upload's start. */
    private record Sample(double at, String embedding, int embedded, String stage, long rssMiB) {
    }

    /** One queue request made while the run went on. */
    private record Ask(double at, boolean embedding, double millis, boolean answered) {
    }

    @Override
    public Integer call() throws Exception {
        if (documents < 1) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--documents must be at least 1, got " + documents);
        }
        if (writeTexts != null) {
            write(sentences(), writeTexts);
            System.err.printf(Locale.ROOT, "wrote %,d unique texts to %s%n", documents, writeTexts);
            return 0;
        }
        Path dir = Files.createTempDirectory("quarry-bench-scale");
        try {
            Path file = dir.resolve("documents.jsonl");
            List<String> bank = sentences();
            long made = System.nanoTime();
            write(bank, file);
            System.err.printf(Locale.ROOT, "made %,d unique texts from %,d sentences in %.1f s (%,d MB)%n",
                    documents, bank.size(), (System.nanoTime() - made) / 1e9, Files.size(file) >> 20);
            run(dir, file, bank.size());
        } finally {
            Folders.deleteTree(dir);
        }
        return 0;
    }

    /** Every distinct sentence of the data sets' train splits: the bank texts are made from. */
    private List<String> sentences() throws IOException, quarry.data.ImportException {
        Set<String> bank = new LinkedHashSet<>();
        for (String set : List.of("clinc150", "banking77", "goemotions")) {
            Path train = data.resolve(set).resolve("train.jsonl");
            if (Files.exists(train)) {
                DocumentImporter.read(train, ImportOptions.defaults()).documents().forEach(d -> bank.add(d.text()));
            }
        }
        if (bank.size() < 100) {
            throw new IllegalStateException("found " + bank.size() + " sentences under " + data
                    + ": give --data the folder of clinc150, banking77 and goemotions");
        }
        return new ArrayList<>(bank);
    }

    /**
     * Each text joins two sentences drawn at random (seeded), and the same text never comes twice:
     * 68k sentences give billions of pairs, so a million draws repeat a pair only a handful of times
     * and those are drawn again.
     */
    private void write(List<String> bank, Path file) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        Set<String> seen = new HashSet<>(documents * 2);
        ProgressBar bar = new ProgressBar(System.err, "texts", "texts");
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < documents; i++) {
                String text;
                do {
                    text = bank.get(random.nextInt(bank.size())) + " " + bank.get(random.nextInt(bank.size()));
                } while (!seen.add(text));
                out.write(JSON.writeValueAsString(Map.of("id", "d" + i, "text", text)));
                out.write('\n');
                if (i % 10_000 == 0) {
                    bar.update(i, documents);
                }
            }
        }
        bar.update(documents, documents);
    }

    private void run(Path dir, Path file, int bankSize) throws Exception {
        try (ServerProcesses sp = new ServerProcesses(dir, 1, null, List.of("-Xmx" + heap))) {
            long pid = sp.pid(0);
            String admin = sp.adminToken();
            RestClient server = new RestClient(sp.urls().get(0));
            String annotator = server.expect(admin, "POST", "/api/tokens", JSON.writeValueAsString(Map.of("name",
                    "bench", "role", "annotator"))).json().get("token").asText();
            List<String> labels = IntStream.range(0, 150).mapToObj(c -> "class-" + c).toList();
            server.expect(admin, "POST", "/api/projects", JSON.writeValueAsString(Map.of("name", "scale", "labels",
                    labels, "encoder", encoder, "members", List.of("bench"))));

            long start = System.nanoTime();
            List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
            List<Ask> asks = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean embedding = new AtomicBoolean(true);
            AtomicBoolean stop = new AtomicBoolean();
            Thread asker = new Thread(() -> ask(server, annotator, start, embedding, stop, asks), "bench-queue");
            asker.setDaemon(true);
            asker.start();

            RestClient.Reply upload = server.sendFile(admin, "POST", "/api/projects/scale/documents", file,
                    "application/x-ndjson");
            double imported = seconds(start);
            if (upload.status() / 100 != 2) {
                throw new IllegalStateException("import failed: " + upload.status() + " " + upload.body());
            }
            System.err.printf(Locale.ROOT, "imported %,d documents in %.1f s%n", documents, imported);

            ProgressBar bar = new ProgressBar(System.err, "embed+index", "docs");
            long deadline = System.nanoTime() + timeoutMinutes * 60_000_000_000L;
            Double embedded = null;
            Double indexed = null;
            int quiet = 0;
            while (indexed == null) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("gave up after " + timeoutMinutes + " minutes (import took "
                            + Math.round(imported) + " s, server peak RSS " + Memory.peakRssMiB(pid) + " MiB); last: "
                            + (samples.isEmpty() ? "nothing" : samples.get(samples.size() - 1)));
                }
                JsonNode p = server.expect(admin, "GET", "/api/projects/scale", null).json();
                String state = p.path("embedding").path("state").asText();
                int done = p.path("embedding").path("done").asInt();
                String stage = p.path("model").path("stage").path("name").asText("idle");
                double at = seconds(start);
                samples.add(new Sample(at, state, done, stage, Memory.rssMiB(pid)));
                if ("failed".equals(state)) {
                    throw new IllegalStateException("embedding failed: " + p.path("embedding"));
                }
                if (embedded == null && "done".equals(state) && done == documents) {
                    embedded = at;
                    embedding.set(false);
                }
                // The index catches up in rounds while embedding runs; it is done once no round has
                // indexed for three polls after the last document was embedded.
                quiet = embedded != null && !indexing(stage) ? quiet + 1 : 0;
                if (quiet == 3) {
                    indexed = samples.get(samples.size() - 3).at();
                }
                bar.update(done, documents);
                Thread.sleep(POLL_MILLIS);
            }
            double firstQueue = firstQueue(server, annotator, start);
            stop.set(true);
            asker.join(10_000);
            long peak = Memory.peakRssMiB(pid);
            report(bankSize, imported, embedded, indexed, firstQueue, peak, samples, asks);
        }
    }

    /** Asks for one item every two seconds and gives it back, timing each request. */
    private static void ask(RestClient server, String token, long start, AtomicBoolean embedding, AtomicBoolean stop,
            List<Ask> asks) {
        while (!stop.get()) {
            try {
                long t = System.nanoTime();
                RestClient.Reply r = server.send(token, "GET", "/api/projects/scale/queue?n=1", null);
                double millis = (System.nanoTime() - t) / 1e6;
                JsonNode items = r.status() == 200 ? r.json().path("items") : null;
                boolean answered = items != null && items.size() > 0;
                asks.add(new Ask(seconds(start), embedding.get(), millis, answered));
                if (answered) {
                    server.send(token, "DELETE", "/api/projects/scale/queue/" + items.get(0).get("id").asText(), null);
                }
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException e) {
                asks.add(new Ask(seconds(start), embedding.get(), Double.NaN, false));
            }
        }
    }

    /** Seconds from the start until a queue request after the index returns an item. */
    private double firstQueue(RestClient server, String token, long start) throws IOException, InterruptedException {
        while (true) {
            RestClient.Reply r = server.send(token, "GET", "/api/projects/scale/queue?n=10", null);
            if (r.status() == 200 && r.json().path("items").size() > 0) {
                return seconds(start);
            }
            Thread.sleep(200);
        }
    }

    private static boolean indexing(String stage) {
        return stage.equals("indexing") || stage.equals("densities");
    }

    private void report(int bankSize, double imported, double embedded, double indexed, double firstQueue, long peak,
            List<Sample> samples, List<Ask> asks) {
        double indexingSeen = 0;
        for (int i = 1; i < samples.size(); i++) {
            if (indexing(samples.get(i - 1).stage())) {
                indexingSeen += samples.get(i).at() - samples.get(i - 1).at();
            }
        }
        long maxRss = samples.stream().mapToLong(Sample::rssMiB).max().orElse(-1);
        System.out.println();
        System.out.printf(Locale.ROOT, "%s, %d cores, server -Xmx%s, encoder %s, %,d documents (two sentences of "
                + "%,d, unique)%n", LocalDate.now(), Runtime.getRuntime().availableProcessors(), heap, encoder,
                documents, bankSize);
        System.out.println();
        System.out.println("| stage | seconds | from the start (s) |");
        System.out.println("|---|---|---|");
        System.out.printf(Locale.ROOT, "| import (upload, check, store) | %.1f | %.1f |%n", imported, imported);
        System.out.printf(Locale.ROOT, "| embed (%.0f documents/s) | %.1f | %.1f |%n",
                documents / (embedded - imported), embedded - imported, embedded);
        System.out.printf(Locale.ROOT, "| index + densities after the last document was embedded | %.1f | %.1f |%n",
                indexed - embedded, indexed);
        System.out.printf(Locale.ROOT, "| index + densities in all, overlapping the embedding (2 s samples) | %.0f | |%n",
                indexingSeen);
        System.out.printf(Locale.ROOT, "| first queue after the index | %.1f | %.1f |%n", firstQueue - indexed,
                firstQueue);
        System.out.println();
        System.out.printf(Locale.ROOT, "server peak RSS %,d MiB (VmHWM; %,d MiB at most in 2 s samples)%n", peak,
                maxRss);
        List<Ask> during = asks.stream().filter(Ask::embedding).toList();
        double[] ms = during.stream().mapToDouble(Ask::millis).filter(m -> !Double.isNaN(m)).sorted().toArray();
        long answered = during.stream().filter(Ask::answered).count();
        System.out.printf(Locale.ROOT, "queue while embedding: %d requests, %d answered with an item, %d failed; "
                + "latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", during.size(), answered,
                during.size() - ms.length, percentile(ms, 0.5), percentile(ms, 0.99),
                ms.length == 0 ? Double.NaN : ms[ms.length - 1]);
    }

    private static double percentile(double[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
