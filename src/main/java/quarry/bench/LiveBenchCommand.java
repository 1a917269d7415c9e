package quarry.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import quarry.bench.LiveResult.Data;
import quarry.bench.LiveResult.Repeat;
import quarry.cli.ProgressBar;
import quarry.core.Document;
import quarry.core.QuarryException;
import quarry.core.Sampling;
import quarry.core.Vectors;
import quarry.data.DocumentImporter;
import quarry.data.ImportException;
import quarry.data.ImportOptions;
import quarry.encode.CachingEncoder;
import quarry.encode.EncoderOptions;
import quarry.encode.Encoders;
import quarry.index.VectorIndex;
import quarry.loop.LoopSettings;
import quarry.loop.Simulation;
import quarry.loop.StopSettings;
import quarry.model.HeadConfig;
import quarry.project.Pool;
import quarry.query.Strategies;

/**
 * Label efficiency measured through the real server: annotators label over REST while the
 * background trainer retrains every 10 labels and the queue serves a ranking that lags behind,
 * against the in-process simulator on the same pool, one batch per round.
 */
@Command(name = "live", mixinStandardHelpOptions = true,
        description = {"Label efficiency through the real server: annotators label over REST (leases, the ranked"
                + " queue, background retraining) on a data set's pool in file order; every model version is then"
                + " scored on the test split and on the pool still unlabeled, against the simulator's margin and"
                + " random runs on the same vectors.",
            "Prints markdown tables for docs/BENCHMARKS.md; uses the normal embedding cache."})
final class LiveBenchCommand implements Callable<Integer> {

    private static final long SEED = 42;
    private static final int SIMULATED_BATCH = 50;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "../shared/data/clinc150",
            description = "data set folder with train.jsonl (the pool) and test.jsonl (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--drop-label", split = ",", paramLabel = "L",
            description = "labels whose documents are left out, e.g. oos for CLINC150's 150-way task")
    Set<String> dropLabels = Set.of();

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "a seeded slice of this many pool"
            + " documents (kept in file order) and a third as many test documents; 0 = all (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--annotators", paramLabel = "N", defaultValue = "8", description = "(default: ${DEFAULT-VALUE})")
    int annotators;

    @Option(names = "--pace-ms", paramLabel = "MS", defaultValue = "1000", description = "how long an annotator holds"
            + " an item before posting its label; 0 = as fast as replies come (default: ${DEFAULT-VALUE})")
    long paceMillis;

    @Option(names = "--budget", paramLabel = "N", defaultValue = "1000",
            description = "labels to store in all, seed labels included (default: ${DEFAULT-VALUE})")
    int budget;

    @Option(names = "--seed-labels", paramLabel = "N", defaultValue = "0", description = "random gold labels imported"
            + " with the documents before labeling starts (default: ${DEFAULT-VALUE})")
    int seedLabels;

    @Option(names = "--repeats", paramLabel = "R", defaultValue = "1", description = "repeat r uses project seed 42+r"
            + " and a fresh workspace (default: ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--checkpoints", split = ",", paramLabel = "N", defaultValue = "300,600,1000",
            description = "label counts to report (default: ${DEFAULT-VALUE})")
    int[] checkpoints;

    @Option(names = "--out", paramLabel = "DIR", description = "also write results.json and summary.md here")
    Path out;

    @Option(names = "--baseline", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "also run the in-process simulator (margin and random) on the same pool (default: on)")
    boolean baseline;

    @Override
    public Integer call() throws Exception {
        if (annotators < 1 || repeats < 1 || paceMillis < 0 || seedLabels < 0 || seedLabels >= budget) {
            throw new QuarryException("need --annotators >= 1, --repeats >= 1, --pace-ms >= 0 and 0 <= --seed-labels"
                    + " < --budget");
        }
        List<Document> pool = read("train.jsonl");
        List<Document> test = read("test.jsonl");
        if (limit > 0) {
            pool = slice(pool, limit, SEED);
            test = slice(test, Math.max(1, limit / 3), SEED + 1);
        }
        if (budget > pool.size()) {
            throw new QuarryException("--budget " + budget + " is more than the pool's " + pool.size() + " documents");
        }
        List<String> schema = new ArrayList<>(new TreeSet<>(Stream.concat(pool.stream(), test.stream())
                .map(d -> d.labels().get(0)).toList()));
        Data d = encode(pool, test, schema);
        String heading = String.format(Locale.ROOT, "`quarry bench live` on %s: %d pool documents in file order, %d"
                + " test, %d labels; %d annotators, pace %d ms, budget %d, %d seed labels, %d repeat(s); project"
                + " defaults (margin, retrain every 10 labels)", data.getFileName(), pool.size(), test.size(),
                schema.size(), annotators, paceMillis, budget, seedLabels, repeats);
        System.out.println(heading);

        List<Repeat> runs = new ArrayList<>();
        Path indexDir = Files.createTempDirectory("quarry-bench-live-index");
        try (VectorIndex index = baseline ? VectorIndex.open(indexDir, d.poolVectors().dimension()) : null) {
            Simulation simulation = null;
            if (baseline) {
                Pool.index(index, d.poolVectors(), new ProgressBar(System.err, "index", "docs"),
                        new ProgressBar(System.err, "density", "docs"));
                simulation = new Simulation(split(d.poolVectors(), d.poolClass()),
                        split(d.testVectors(), d.testClass()), schema, false, index, Encoders.DEFAULT);
            }
            for (int r = 0; r < repeats; r++) {
                long seed = SEED + r;
                int[] seedRows = Sampling.sample(pool.size(), seedLabels, seed);
                LiveServerRun.Outcome live = LiveServerRun.run(d, seedRows, annotators, paceMillis, budget, seed);
                // The simulator runs after the server has stopped, so that neither slows the other.
                Simulation.Run margin = baseline ? simulate(simulation, LoopSettings.DEFAULT_STRATEGY, r) : null;
                Simulation.Run random = baseline ? simulate(simulation, "random", r) : null;
                runs.add(new Repeat(r, seed, live.trace(), live.versions(), margin, random));
                System.err.printf(Locale.ROOT, "repeat %d: %d labels in %.1f s, %d model versions%n", r,
                        live.trace().acks().size(), live.trace().seconds(), live.versions().size());
            }
        } finally {
            Folders.deleteTree(indexDir);
        }
        report(heading, runs);
        return 0;
    }

    private Simulation.Run simulate(Simulation simulation, String strategy, int repeat) {
        Strategies.Options options = strategy.equals("random") ? Strategies.Options.DEFAULTS
                : LoopSettings.defaults().options();
        // As `quarry simulate` with its defaults (head seed 42), but without cross-validation: only test accuracy is used.
        LoopSettings settings = LoopSettings.defaults().withStrategy(strategy, options)
                .withBatchSize(SIMULATED_BATCH).withHead(HeadConfig.defaults().withSeed(SEED))
                .withCrossValidation(0, 1).withStopping(StopSettings.defaults().withBudget(budget));
        long rounds = (long) Math.ceil(Math.max(0, budget - seedLabels) / (double) SIMULATED_BATCH) + 1;
        ProgressBar bar = new ProgressBar(System.err, "simulate " + strategy + " r" + repeat, "rounds");
        long[] done = {0};
        Simulation.Run run = simulation.run(settings, repeat, seedLabels, budget,
                p -> bar.update(Math.min(rounds - 1, ++done[0]), rounds));
        bar.update(rounds, rounds);
        return run;
    }

    /** What results.json holds: the settings, each repeat's figures and their means, and the raw repeats. */
    record Results(String data, Set<String> dropLabels, int limit, int annotators, long paceMillis, int budget,
            int seedLabels, int[] checkpoints, List<LiveReport.Summary> summaries, List<LiveReport.Point> mean,
            List<Repeat> repeats) {
    }

    private void report(String heading, List<Repeat> runs) throws Exception {
        List<LiveReport.Summary> summaries = runs.stream().map(r -> LiveReport.summarize(r, checkpoints)).toList();
        List<String> md = LiveReport.markdown(heading, runs, summaries, baseline);
        System.out.println();
        md.stream().skip(2).forEach(System.out::println); // the heading is printed already
        if (out != null) {
            Files.createDirectories(out);
            Files.write(out.resolve("summary.md"), md, StandardCharsets.UTF_8);
            Results results = new Results(data.toString(), dropLabels, limit, annotators, paceMillis, budget,
                    seedLabels, checkpoints, summaries, LiveReport.mean(summaries), runs);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(
                    out.resolve("results.json").toFile(), results);
            System.out.println("wrote " + out.resolve("summary.md") + " and results.json");
        }
    }

    private Data encode(List<Document> pool, List<Document> test, List<String> schema) {
        // The user's own cache: the server in each repeat finds the pool there and embeds nothing again.
        try (CachingEncoder encoder = Encoders.openCached(Encoders.DEFAULT, EncoderOptions.DEFAULTS)) {
            List<String> poolTexts = pool.stream().map(Document::text).toList();
            Vectors poolVectors = Vectors.of(encoder.encode(poolTexts,
                    new ProgressBar(System.err, "embed pool", "texts")));
            Vectors testVectors = Vectors.of(encoder.encode(test.stream().map(Document::text).toList(),
                    new ProgressBar(System.err, "embed test", "texts")));
            return new Data(pool.stream().map(Document::id).toList(), poolTexts, schema, classes(pool, schema),
                    poolVectors, classes(test, schema), testVectors);
        }
    }

    private List<Document> read(String name) throws IOException, ImportException {
        Path file = data.resolve(name);
        if (!Files.exists(file)) {
            throw new QuarryException(file + " is missing (--data DIR must hold train.jsonl and test.jsonl)");
        }
        List<Document> docs = DocumentImporter.read(file, ImportOptions.defaults()).documents().stream()
                .filter(d -> d.isLabeled() && d.labels().stream().noneMatch(dropLabels::contains)).toList();
        if (docs.stream().anyMatch(d -> d.labels().size() != 1)) {
            throw new QuarryException(file + " is multi-label: bench live scores single-label data sets only");
        }
        return docs;
    }

    /** A seeded random slice, kept in file order: a file sorted by label must stay sorted. */
    private static List<Document> slice(List<Document> docs, int n, long seed) {
        int[] rows = Sampling.sample(docs.size(), n, seed);
        Arrays.sort(rows);
        return Arrays.stream(rows).mapToObj(docs::get).toList();
    }

    private static int[] classes(List<Document> docs, List<String> schema) {
        return docs.stream().mapToInt(d -> schema.indexOf(d.labels().get(0))).toArray();
    }

    private static Simulation.Split split(Vectors vectors, int[] classes) {
        return new Simulation.Split(vectors, Arrays.stream(classes).mapToObj(c -> new int[] {c}).toArray(int[][]::new));
    }
}
