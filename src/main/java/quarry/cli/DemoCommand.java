package quarry.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import quarry.core.Document;
import quarry.core.Vectors;
import quarry.encode.CachingEncoder;
import quarry.encode.EncoderOptions;
import quarry.encode.Encoders;
import quarry.loop.LoopSettings;
import quarry.loop.Simulation;
import quarry.model.HeadConfig;
import quarry.query.Strategies;

/**
 * The main job until the server lands: embed the demo data and simulate a short labeling session
 * on the real loop, with the data's own labels standing in for the annotator, comparing Quarry's
 * default strategy with labeling at random.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Embed the demo data (data/demo.jsonl) and simulate a short active-learning session: "
                + "Quarry's default strategy against random labeling, scored on a held-out third.")
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "FILE", description = "labeled JSONL or CSV (default: data/demo.jsonl)")
    Path data;

    @Option(names = "--seed-size", paramLabel = "N", defaultValue = "30", description = "random labels to start from")
    int seedSize;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "10", description = "labels asked per round")
    int batch;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "8")
    int rounds;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "random seed")
    long seed;

    @Option(names = "--encoder", paramLabel = "NAME", defaultValue = Encoders.DEFAULT)
    String encoderName;

    @Mixin
    ImportMixin importOptions;

    @Override
    public Integer call() {
        Path file = data != null ? data : Encoders.modelsDir().resolveSibling("data").resolve("demo.jsonl");
        // The demo is single-label: a document takes part with its (first) label; a row without
        // one (unlabeled, or "none of these") has nothing to teach it.
        List<Document> docs = new ArrayList<>(importOptions.read(file).stream().filter(d -> !d.labels().isEmpty()).toList());
        List<String> labels = new ArrayList<>(new TreeSet<>(docs.stream().map(d -> d.labels().get(0)).toList()));
        System.out.printf("demo: %d labeled documents over %d labels from %s%n", docs.size(), labels.size(), file);
        Collections.shuffle(docs, new Random(seed));
        List<Document> test = docs.subList(0, docs.size() / 3);
        List<Document> pool = docs.subList(docs.size() / 3, docs.size());

        Simulation.Split poolSplit;
        Simulation.Split testSplit;
        try (CachingEncoder encoder = Encoders.openCached(encoderName, EncoderOptions.DEFAULTS)) {
            ProgressBar bar = new ProgressBar(System.err, "embed", "texts");
            poolSplit = split(encoder, pool, labels, bar);
            testSplit = split(encoder, test, labels, quarry.core.Progress.NONE);
            System.out.printf("embedded with %s (%d-d); cache holds %d vectors%n", encoder.id(), encoder.dimension(),
                    encoder.cache().size());
        }
        Simulation simulation = new Simulation(poolSplit, testSplit, labels, false, null, encoderName);
        int budget = seedSize + rounds * batch;
        List<List<Simulation.Point>> curves = new ArrayList<>();
        for (String strategy : List.of(LoopSettings.DEFAULT_STRATEGY, "random")) {
            Strategies.Options options = strategy.equals("random") ? Strategies.Options.DEFAULTS
                    : LoopSettings.defaults().options();
            LoopSettings settings = LoopSettings.defaults().withStrategy(strategy, options).withBatchSize(batch)
                    .withHead(HeadConfig.defaults().withSeed(seed)).withCrossValidation(0, 1);
            curves.add(simulation.run(settings, 0, seedSize, budget, p -> { }).points());
        }
        System.out.println();
        System.out.printf("labels   accuracy (%s, diverse)   accuracy (random)%n", LoopSettings.DEFAULT_STRATEGY);
        for (int i = 0; i < curves.get(0).size() && i < curves.get(1).size(); i++) {
            System.out.printf(Locale.ROOT, "%6d   %25.1f%%   %17.1f%%%n", curves.get(0).get(i).labels(),
                    100 * curves.get(0).get(i).accuracy(), 100 * curves.get(1).get(i).accuracy());
        }
        System.out.println();
        System.out.println("Labels came from the data set itself, standing in for an annotator; accuracy is on a held-out "
                + "third. ./quarry simulate runs the same loop on full data sets.");
        return 0;
    }

    private static Simulation.Split split(CachingEncoder encoder, List<Document> docs, List<String> labels,
            quarry.core.Progress progress) {
        Vectors vectors = Vectors.of(encoder.encode(docs.stream().map(Document::text).toList(), progress));
        int[][] classes = docs.stream().map(d -> new int[] {labels.indexOf(d.labels().get(0))}).toArray(int[][]::new);
        return new Simulation.Split(vectors, classes);
    }
}
