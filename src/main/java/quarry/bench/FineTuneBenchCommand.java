package quarry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import quarry.cli.ProgressBar;
import quarry.core.Document;
import quarry.core.Vectors;
import quarry.data.DocumentImporter;
import quarry.data.ImportOptions;
import quarry.encode.CachingEncoder;
import quarry.encode.DjlEncoder;
import quarry.encode.EncoderOptions;
import quarry.encode.Encoders;
import quarry.encode.ModelSpec;
import quarry.encode.tune.FineTuneProgress;
import quarry.encode.tune.FineTuneSettings;
import quarry.encode.tune.FineTuner;
import quarry.model.Head;
import quarry.model.HeadConfig;
import quarry.model.Targets;

@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = {"Fine-tunes an encoder on a seeded, class-balanced slice of a data set's train split (time "
                + "per epoch and in all), then trains the default head on that slice's frozen and tuned embeddings "
                + "and reports both accuracies on the evaluation split.",
            "The tuned encoder is written to a temporary models folder and removed afterwards; its vectors are "
                + "not cached. Label 'oos' is dropped (CLINC150's 150-way task)."})
final class FineTuneBenchCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "../shared/data/clinc150",
            description = "data set folder with train.jsonl and the evaluation split (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--eval", paramLabel = "SPLIT", defaultValue = "valid",
            description = "evaluation split (default: ${DEFAULT-VALUE}); choose settings on valid, never on test")
    String eval;

    @Option(names = "--encoder", paramLabel = "NAME", defaultValue = "all-minilm-l6-v2",
            description = "encoder to tune (default: ${DEFAULT-VALUE})")
    String encoder;

    @Option(names = "--labels", paramLabel = "N", defaultValue = "1000",
            description = "labeled train examples, about as many per class (0 = the whole train split) "
                    + "(default: ${DEFAULT-VALUE})")
    int labels;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "classify", description = "classify or contrastive")
    String mode;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "3")
    int epochs;

    @Option(names = "--pairs-per-example", paramLabel = "N", defaultValue = "4")
    int pairsPerExample;

    @Option(names = "--max-pairs", paramLabel = "N", defaultValue = "20000")
    int maxPairs;

    @Option(names = "--max-seconds", paramLabel = "S", defaultValue = "1800")
    double maxSeconds;

    @Option(names = "--learning-rate", paramLabel = "R", defaultValue = "2e-5")
    double learningRate;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "seed of the slice and the tune")
    long seed;

    @Option(names = "--head-seeds", paramLabel = "N", defaultValue = "3",
            description = "heads trained per embedding (seeds 1..N); the mean accuracy is reported")
    int headSeeds;

    @Override
    public Integer call() throws IOException {
        List<Document> train = read("train");
        List<Document> test = read(eval);
        List<String> names = new ArrayList<>(new TreeSet<>(train.stream().map(d -> d.labels().get(0)).toList()));
        Map<String, Integer> index = new HashMap<>();
        names.forEach(n -> index.put(n, index.size()));
        List<Document> slice = labels == 0 ? train : balanced(train, names.size(), labels, seed);
        List<String> texts = slice.stream().map(Document::text).toList();
        List<String> sliceLabels = slice.stream().map(d -> d.labels().get(0)).toList();
        List<String> testTexts = test.stream().map(Document::text).toList();
        int[] classOf = sliceLabels.stream().mapToInt(index::get).toArray();
        int[] testClass = test.stream().mapToInt(d -> index.get(d.labels().get(0))).toArray();
        System.out.printf(Locale.ROOT, "%s: %d labeled train texts (%d classes), %d %s texts; %d cores%n",
                data.getFileName(), slice.size(), names.size(), test.size(), eval,
                Runtime.getRuntime().availableProcessors());

        ModelSpec parent = Encoders.find(Encoders.modelsDir(), encoder);
        FineTuneSettings settings = FineTuneSettings.DEFAULTS.withMode(FineTuneSettings.Mode.parse(
                "--mode", mode)).withEpochs(epochs).withPairsPerExample(pairsPerExample)
                .withMaxPairs(maxPairs).withMaxSeconds(maxSeconds).withLearningRate(learningRate).withSeed(seed);
        Path models = Files.createTempDirectory("quarry-bench-finetune");
        try {
            Files.createSymbolicLink(models.resolve(parent.id()), parent.folder().toAbsolutePath());
            ProgressBar bar = new ProgressBar(System.err, "finetune", "steps");
            List<Double> epochEnds = new ArrayList<>();
            FineTuneProgress.Listener listener = p -> {
                bar.update(p.step(), p.totalSteps());
                if (p.step() % Math.max(1, p.totalSteps() / epochs) == 0) {
                    epochEnds.add(p.elapsedSeconds());
                }
            };
            long start = System.nanoTime();
            FineTuner.Result r = FineTuner.tune(parent, texts, sliceLabels, settings, models, "bench-tuned", listener);
            double total = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "tune: %d of %d steps, training %.1f s (%s per epoch), %.1f s with loading "
                    + "and export, on %s; held-in loss %.4f -> %.4f%s%n", r.steps(), r.plannedSteps(), r.seconds(),
                    perEpoch(epochEnds), total, r.device(), r.lossBefore(), r.lossAfter(),
                    (r.timedOut() ? " (stopped at the time limit)" : "")
                            + (r.skippedSteps() > 0 ? "; " + r.skippedSteps() + " steps skipped (gradient not finite)" : ""));

            float[][] frozenTrain;
            float[][] frozenTest;
            try (CachingEncoder frozen = Encoders.openCached(encoder, EncoderOptions.DEFAULTS)) {
                frozenTrain = frozen.encode(texts);
                frozenTest = frozen.encode(testTexts);
            }
            float[][] tunedTrain;
            float[][] tunedTest;
            long encodeStart = System.nanoTime();
            try (DjlEncoder tuned = DjlEncoder.load(ModelSpec.load(r.folder()), EncoderOptions.DEFAULTS)) {
                tunedTrain = tuned.encode(texts);
                tunedTest = tuned.encode(testTexts, new ProgressBar(System.err, "embed (tuned)", "texts"));
            }
            double encodeSeconds = (System.nanoTime() - encodeStart) / 1e9;
            // The parent on the same texts, uncached as the tuned copy was: the tuned graph is the
            // parent's with other weights, so the two should embed at the same speed.
            long parentStart = System.nanoTime();
            try (DjlEncoder p = DjlEncoder.load(parent, EncoderOptions.DEFAULTS)) {
                p.encode(texts);
                p.encode(testTexts);
            }
            double parentSeconds = (System.nanoTime() - parentStart) / 1e9;
            double frozenAccuracy = accuracy(frozenTrain, frozenTest, classOf, testClass, names);
            double tunedAccuracy = accuracy(tunedTrain, tunedTest, classOf, testClass, names);
            int embedded = texts.size() + testTexts.size();
            System.out.printf(Locale.ROOT, "tuned encoder embeds %d texts in %.1f s (%.0f texts/s); the parent, "
                    + "loaded the same way, in %.1f s (%.0f texts/s): %.2f× the parent's speed%n", embedded,
                    encodeSeconds, embedded / encodeSeconds, parentSeconds, embedded / parentSeconds,
                    parentSeconds / encodeSeconds);
            System.out.println();
            System.out.println("| data | labels | encoder | mode, epochs, pairs/example | tune time (per epoch) "
                    + "| loss before → after | head on frozen | head on tuned |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            System.out.printf(Locale.ROOT, "| %s (%s) | %d | %s | %s, %d, %d | %.0f s (%s) | %.4f → %.4f | %.2f%% | "
                    + "%.2f%% |%n", data.getFileName(), eval, slice.size(), encoder, mode, epochs, pairsPerExample,
                    r.seconds(), perEpoch(epochEnds), r.lossBefore(), r.lossAfter(), 100 * frozenAccuracy,
                    100 * tunedAccuracy);
            System.out.printf(Locale.ROOT, "%s, %d cores, seed %d, default head, mean of %d head seeds%n",
                    LocalDate.now(), Runtime.getRuntime().availableProcessors(), seed, headSeeds);
        } finally {
            Folders.deleteTree(models);
        }
        return 0;
    }

    private List<Document> read(String split) throws IOException {
        try {
            return DocumentImporter.read(data.resolve(split + ".jsonl"), ImportOptions.defaults()).documents()
                    .stream().filter(d -> d.labels().size() == 1 && !d.labels().get(0).equals("oos")).toList();
        } catch (quarry.data.ImportException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** A seeded shuffle, then at most ⌈n / classes⌉ per class, until {@code n}. */
    static List<Document> balanced(List<Document> all, int classes, int n, long seed) {
        List<Document> shuffled = new ArrayList<>(all);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = shuffled.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Document t = shuffled.get(i);
            shuffled.set(i, shuffled.get(j));
            shuffled.set(j, t);
        }
        int cap = (n + classes - 1) / classes;
        Map<String, Integer> taken = new HashMap<>();
        List<Document> out = new ArrayList<>(n);
        for (Document d : shuffled) {
            if (out.size() == n) {
                break;
            }
            if (taken.merge(d.labels().get(0), 1, Integer::sum) <= cap) {
                out.add(d);
            }
        }
        return out;
    }

    private double accuracy(float[][] trainVectors, float[][] testVectors, int[] classOf, int[] testClass,
            List<String> names) {
        Vectors x = Vectors.of(trainVectors);
        Vectors t = Vectors.of(testVectors);
        int[] rows = java.util.stream.IntStream.range(0, classOf.length).toArray();
        int[] testRows = java.util.stream.IntStream.range(0, testClass.length).toArray();
        double sum = 0;
        for (int s = 1; s <= headSeeds; s++) {
            try (Head head = Head.train(x, rows, Targets.singleLabel(names, classOf), HeadConfig.defaults().withSeed(s),
                    null, "bench")) {
                int[][] predicted = head.predict(t, testRows);
                int correct = 0;
                for (int i = 0; i < testClass.length; i++) {
                    correct += predicted[i][0] == testClass[i] ? 1 : 0;
                }
                sum += (double) correct / testClass.length;
            }
        }
        return sum / headSeeds;
    }

    private static String perEpoch(List<Double> ends) {
        List<String> out = new ArrayList<>();
        double previous = 0;
        for (double e : ends) {
            out.add(String.format(Locale.ROOT, "%.0f s", e - previous));
            previous = e;
        }
        return out.isEmpty() ? "-" : String.join(", ", out);
    }
}
