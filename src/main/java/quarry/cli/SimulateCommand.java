package quarry.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import quarry.core.Document;
import quarry.core.Home;
import quarry.core.QuarryException;
import quarry.core.Vectors;
import quarry.encode.CachingEncoder;
import quarry.encode.Encoders;
import quarry.encode.tune.FineTuneSettings;
import quarry.eval.CostAccounting;
import quarry.eval.LearningCurve;
import quarry.index.VectorIndex;
import quarry.project.Pool;
import quarry.loop.LoopSettings;
import quarry.loop.Simulation;
import quarry.loop.StopCriterion;
import quarry.loop.Stopping;
import quarry.model.HeadConfig;
import quarry.query.Strategies;

@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Simulate labeling with a data set's own labels as the annotator, scoring every round on its "
                + "test split: learning curves, labels needed to reach 90/95/98%% of the full-data accuracy "
                + "against random sampling, and when each stopping criterion fired.",
            "DIR holds train.jsonl and test.jsonl (and valid.jsonl for --eval valid). Runs already in --out are "
                + "reused, so an interrupted simulation resumes."})
public final class SimulateCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "data set folder")
    Path data;

    @Option(names = "--strategy", split = ",", paramLabel = "S1,S2", defaultValue = "random,margin,default",
            description = {"strategies to compare (default: ${DEFAULT-VALUE}); see README for all. 'default' is what "
                + "a new project gets (strategy, diversity and self-training: --diversity, --class-balanced and "
                + "--self-training do not apply to it). Coverage strategies (and so 'default') start from no "
                + "labels whatever --seed-size says.",
                "A name may end in :st or :plain to train with or without self-training on the pool, whatever "
                + "--self-training says."})
    List<String> strategies;

    @Option(names = "--self-training", defaultValue = "on", paramLabel = "on|off", description = "the head also learns "
            + "from the unlabeled pool (pseudo-labels; see README) (default: ${DEFAULT-VALUE})")
    String selfTraining;

    @Option(names = "--seed-size", defaultValue = "150", description = "random labels to start from (default: "
            + "${DEFAULT-VALUE}; 0 = the strategy's cold start)")
    int seedSize;

    @Option(names = "--batch", defaultValue = "50", description = "labels per round (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--budget", defaultValue = "2000", description = "labels to stop at (default: ${DEFAULT-VALUE})")
    int budget;

    @Option(names = "--repeats", defaultValue = "3", description = "runs per strategy, seeds 0..R-1")
    int repeats;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where results go")
    Path out;

    @Option(names = "--eval", defaultValue = "test", description = "split to score on: test or valid")
    String evalSplit;

    @Option(names = "--drop-label", split = ",", paramLabel = "L", description = "labels whose documents are "
            + "left out, e.g. oos for CLINC150's 150-way task")
    Set<String> dropLabels = Set.of();

    @Option(names = "--limit", defaultValue = "0", description = "use a seeded random slice of this many pool "
            + "documents (and a third as many test documents); 0 = all")
    int limit;

    @Option(names = "--head", defaultValue = "MLP", description = "MLP or LINEAR (default: ${DEFAULT-VALUE})")
    HeadConfig.Kind headKind;

    @Option(names = "--diversity", defaultValue = "0.9", description = "diversity τ for every strategy but random "
            + "(NaN = off) (default: ${DEFAULT-VALUE})")
    double tau;

    @Option(names = "--class-balanced", description = "predicted classes take turns in every batch, fewest labels "
            + "first (every strategy but random)")
    boolean classBalanced;

    @Option(names = "--density-beta", defaultValue = "1.0", description = "exponent of density for the density "
            + "strategies (default: ${DEFAULT-VALUE})")
    double densityBeta;

    @Option(names = "--explore-ratio", defaultValue = "0.2", description = "share of a hybrid batch that explores "
            + "(hybrid, ml-hybrid) (default: ${DEFAULT-VALUE})")
    double exploreRatio;

    @Option(names = "--mc-shortlist", defaultValue = "" + Strategies.Options.MC_SHORTLIST, description = "BALD and "
            + "variation ratio score only this many candidates (or a tenth of the pool if more), the smallest "
            + "margins first; 0 scores all (default: ${DEFAULT-VALUE})")
    int mcShortlist;

    @Option(names = "--cv-every", defaultValue = "4", description = "estimate accuracy from the labels every N rounds "
            + "(5-fold cross-validation; 0 = never) (default: ${DEFAULT-VALUE})")
    int cvEvery;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Option(names = "--finetune-at", paramLabel = "N1,N2", split = ",", description = "fine-tune the encoder on the "
            + "labels when they first reach each count and re-embed the pool; later rounds also report the head "
            + "served on the tuned embeddings (self-trained on the re-embedded pool). Single-label data, ONNX encoders")
    List<Integer> finetuneAt = new ArrayList<>();

    @Option(names = "--finetune-selection", defaultValue = "tuned", description = "after a fine-tune, select on the "
            + "tuned embeddings (tuned: the loop moves to them, as the server does) or keep selecting on the frozen "
            + "ones (frozen) (default: ${DEFAULT-VALUE})")
    String finetuneSelection;

    @Option(names = "--finetune-mode", defaultValue = "classify", description = "classify or contrastive "
            + "(default: ${DEFAULT-VALUE})")
    String finetuneMode;

    @Option(names = "--finetune-epochs", defaultValue = "-1", description = "epochs per fine-tune (default: the "
            + "fine-tuner's own)")
    int finetuneEpochs;

    @Option(names = "--finetune-seconds", defaultValue = "600", description = "time limit of each fine-tune "
            + "(default: ${DEFAULT-VALUE})")
    double finetuneSeconds;

    @Option(names = "--encoder", defaultValue = Encoders.DEFAULT)
    String encoderName;

    @Option(names = "--hourly-rate", paramLabel = "MONEY", description = "cost accounting: money per hour of "
            + "labeling (default: " + DEFAULT_HOURLY_RATE + " unless --cost-per-label is given)")
    Double hourlyRate;

    @Option(names = "--cost-per-label", paramLabel = "MONEY", description = "cost accounting: a fixed price per "
            + "label instead of an hourly rate")
    Double costPerLabel;

    @Option(names = "--seconds-per-label", defaultValue = "20", description = "cost accounting: time on item "
            + "assumed per label (default: ${DEFAULT-VALUE})")
    double secondsPerLabel;

    @Option(names = "--currency", defaultValue = "USD", description = "cost accounting: ISO 4217 code of the rate "
            + "(default: ${DEFAULT-VALUE})")
    String currency;

    @Mixin
    ImportMixin importOptions;

    /** Whether the data set is multi-label ('default' then means the multi-label default). */
    private boolean multiLabel;

    /** --finetune-at's fine-tuner; null without it. */
    private SimulationTuning tuning;

    private static final String DEFAULT_HOURLY_RATE = "30";
    private static final double[] SHARES = {0.90, 0.95, 0.98};
    private static final int[] CHECKPOINTS = {150, 300, 600, 1000, 1500, 2000, 3000};

    @Override
    public Integer call() throws IOException {
        if (!selfTraining.equals("on") && !selfTraining.equals("off")) {
            throw new QuarryException("--self-training must be on or off, got '" + selfTraining + "'");
        }
        if (mcShortlist < 0) {
            throw new QuarryException("--mc-shortlist must be 0 (score every candidate) or more, got " + mcShortlist);
        }
        for (String s : strategies) {
            Strategies.byName(baseName(s));
        }
        CostAccounting.Settings rates = costSettings(); // checked before anything runs
        Files.createDirectories(out.resolve("runs"));
        List<Document> train = read("train.jsonl");
        List<Document> test;
        if (evalSplit.equals("valid") && !Files.exists(data.resolve("valid.jsonl"))) {
            // No valid split (Banking77): hold out a seeded share of train, so settings are still
            // chosen on data the test split never sees.
            List<Document> shuffled = new ArrayList<>(train);
            java.util.Collections.shuffle(shuffled, new java.util.Random(HOLDOUT_SEED));
            int held = (int) Math.round(shuffled.size() * HOLDOUT_SHARE);
            test = List.copyOf(shuffled.subList(0, held));
            train = List.copyOf(shuffled.subList(held, shuffled.size()));
            System.out.printf(Locale.ROOT, "no valid.jsonl: holding out %d of train.jsonl's documents as valid%n", held);
        } else {
            test = read(evalSplit + ".jsonl");
        }
        if (limit > 0) {
            train = slice(train, limit, seed);
            test = slice(test, Math.max(1, limit / 3), seed + 1);
        }
        List<String> labels = new ArrayList<>(new TreeSet<>(train.stream().flatMap(d -> d.labels().stream()).toList()));
        multiLabel = train.stream().anyMatch(d -> d.labels().size() != 1)
                || test.stream().anyMatch(d -> d.labels().size() != 1);
        // Checked before anything is embedded, so a bad --finetune-at fails in seconds.
        tuning = finetuneAt.isEmpty() ? null : tuning(train, test);
        System.out.printf("%s: %d pool and %d %s documents over %d labels%s%n", data.getFileName(), train.size(),
                test.size(), evalSplit, labels.size(), multiLabel ? " (multi-label)" : "");

        Vectors poolVectors;
        Vectors testVectors;
        float[][] poolRows = null;
        float[][] testRows = null;
        // "a+b" concatenates two encoders' embeddings (each unit length, so each counts alike).
        for (String name : encoderName.split("\\+")) {
            try (CachingEncoder encoder = Encoders.openCached(name, quarry.encode.EncoderOptions.DEFAULTS)) {
                poolRows = concat(poolRows, encoder.encode(texts(train), new ProgressBar(System.err, "embed pool", "texts")));
                testRows = concat(testRows, encoder.encode(texts(test), new ProgressBar(System.err, "embed test", "texts")));
            }
        }
        poolVectors = Vectors.of(normalised(poolRows));
        testVectors = Vectors.of(normalised(testRows));
        Simulation.Split pool = new Simulation.Split(poolVectors, classes(train, labels));
        Simulation.Split eval = new Simulation.Split(testVectors, classes(test, labels));
        HeadConfig head = HeadConfig.defaults().withKind(headKind).withSeed(seed);

        Path indexDir = Home.dir().resolve("index").resolve(data.toAbsolutePath().normalize().getFileName() + "-"
                + encoderName + "-" + train.size() + "-" + Integer.toHexString(texts(train).hashCode()));
        try (VectorIndex index = VectorIndex.open(indexDir, poolVectors.dimension())) {
            if (index.size() < poolVectors.size()) {
                Pool.index(index, poolVectors, new ProgressBar(System.err, "index", "docs"),
                        new ProgressBar(System.err, "density", "docs"));
            }
            Simulation simulation = new Simulation(pool, eval, labels, multiLabel, index, encoderName);
            Simulation.Point ceiling = fullData(simulation, head);
            System.out.printf(Locale.ROOT, "full-data %s: %.2f%% (%d labels)%n", multiLabel ? "subset accuracy"
                    : "accuracy", 100 * ceiling.accuracy(), ceiling.labels());
            Map<String, List<Simulation.Run>> runs = runAll(simulation, head);
            report(runs, ceiling, labels, multiLabel, rates);
        }
        return 0;
    }

    private Simulation.Point fullData(Simulation simulation, HeadConfig head) throws IOException {
        Path file = out.resolve("runs").resolve("full-data.json");
        ObjectMapper json = new ObjectMapper();
        if (Files.exists(file)) {
            return json.readValue(file.toFile(), Simulation.Point.class);
        }
        Simulation.Point ceiling = simulation.fullData(head);
        json.writeValue(file.toFile(), ceiling);
        return ceiling;
    }

    /** Fine-tuning for --finetune-at, checked before any run starts. */
    private SimulationTuning tuning(List<Document> train, List<Document> test) {
        if (multiLabel) {
            throw new QuarryException("--finetune-at needs single-label data: the fine-tuner pairs documents by one label");
        }
        if (encoderName.contains("+")) {
            throw new QuarryException("--finetune-at fine-tunes one encoder; --encoder names two ('" + encoderName + "')");
        }
        int previous = 0;
        for (int n : finetuneAt) {
            if (n <= previous || n > budget) {
                throw new QuarryException("--finetune-at: label counts must rise and be within the budget (" + budget
                        + "), got " + finetuneAt);
            }
            previous = n;
        }
        selection(); // a bad --finetune-selection fails here, before anything is embedded
        FineTuneSettings settings = FineTuneSettings.DEFAULTS.withMaxSeconds(finetuneSeconds);
        settings = settings.withMode(FineTuneSettings.Mode.parse("--finetune-mode", finetuneMode));
        if (finetuneEpochs > 0) {
            settings = settings.withEpochs(finetuneEpochs);
        }
        quarry.encode.ModelSpec parent = Encoders.find(Encoders.modelsDir(), encoderName);
        if (!parent.weights().getFileName().toString().equals(quarry.encode.ModelSpec.ONNX)) {
            throw new QuarryException("--finetune-at: only ONNX encoders can be fine-tuned; '" + encoderName + "' is "
                    + parent.weights().getFileName());
        }
        return new SimulationTuning(parent, texts(train),
                train.stream().map(d -> d.labels().get(0)).toList(), texts(test), settings,
                out.resolve("tuned-encoders"));
    }

    private Simulation.Selection selection() {
        try {
            return Simulation.Selection.parse("--finetune-selection", finetuneSelection);
        } catch (IllegalArgumentException e) {
            throw new QuarryException(e.getMessage());
        }
    }

    private Map<String, List<Simulation.Run>> runAll(Simulation simulation, HeadConfig head) throws IOException {
        ObjectMapper json = new ObjectMapper();
        int roundsPerRun = (int) Math.ceil(Math.max(0, budget - seedSize) / (double) batch) + 1;
        long total = (long) roundsPerRun * strategies.size() * repeats;
        ProgressBar bar = new ProgressBar(System.err, "simulate", "rounds");
        AtomicLong done = new AtomicLong();
        Map<String, List<Simulation.Run>> runs = new LinkedHashMap<>();
        for (String strategy : strategies) {
            LoopSettings settings = settings(strategy, head);
            // Coverage strategies choose the first labels themselves, as a new project does.
            int seeds = settings.strategy().startsWith("coverage") ? 0 : seedSize;
            for (int r = 0; r < repeats; r++) {
                Path file = out.resolve("runs").resolve(String.format(Locale.ROOT, "%s-s%d-b%d-n%d%s-r%d.json",
                        strategy.replace(':', '-'), seeds, batch, budget, tuning == null ? ""
                                : "-ft" + finetuneAt.stream().map(String::valueOf).collect(Collectors.joining("_"))
                                        + "-" + selection().name().toLowerCase(Locale.ROOT), r));
                Simulation.Run run;
                if (Files.exists(file)) {
                    run = json.readValue(file.toFile(), Simulation.Run.class);
                    done.addAndGet(roundsPerRun);
                } else {
                    run = simulation.run(settings, r, seeds, budget,
                            p -> bar.update(Math.min(total - 1, done.incrementAndGet()), total),
                            finetuneAt.stream().mapToInt(Integer::intValue).toArray(), tuning, selection());
                    json.writeValue(file.toFile(), run);
                }
                runs.computeIfAbsent(strategy, k -> new ArrayList<>()).add(run);
            }
        }
        bar.update(total, total);
        return runs;
    }

    private static final String DEFAULT = "default";
    private static final long HOLDOUT_SEED = 7;
    private static final double HOLDOUT_SHARE = 0.15;

    private static float[][] concat(float[][] a, float[][] b) {
        if (a == null) {
            return b;
        }
        float[][] out = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = Arrays.copyOf(a[i], a[i].length + b[i].length);
            System.arraycopy(b[i], 0, out[i], a[i].length, b[i].length);
        }
        return out;
    }

    static float[][] normalised(float[][] rows) {
        for (float[] row : rows) {
            double norm = 0;
            for (float v : row) {
                norm += v * v;
            }
            float scale = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0;
            for (int d = 0; d < row.length; d++) {
                row[d] *= scale;
            }
        }
        return rows;
    }

    /** The loop settings for a strategy as named on the command line (see --strategy). */
    private LoopSettings settings(String spec, HeadConfig head) {
        LoopSettings common = LoopSettings.defaults().withBatchSize(batch).withHead(head)
                .withCrossValidation(cvEvery == 0 ? 0 : 5, Math.max(1, cvEvery))
                .withStopping(quarry.loop.StopSettings.defaults().withBudget(budget));
        if (spec.equals(DEFAULT) && !multiLabel) {
            return common;
        }
        String name = baseName(spec);
        boolean st = spec.endsWith(":st") || !spec.endsWith(":plain") && selfTraining.equals("on");
        Strategies.Options options = name.equals("random") ? Strategies.Options.DEFAULTS
                : Strategies.Options.DEFAULTS.withDiversity(tau).withClassBalanced(classBalanced)
                        .withDensityBeta(densityBeta).withExploreRatio(exploreRatio).withMcShortlist(mcShortlist);
        return common.withStrategy(name, options).withSelfTraining(st ? quarry.loop.SelfTraining.defaults()
                : quarry.loop.SelfTraining.OFF);
    }

    /** The strategy of a --strategy entry: less any :st or :plain, and 'default' resolved. */
    private String baseName(String spec) {
        if (spec.equals(DEFAULT)) {
            return LoopSettings.defaultStrategy(multiLabel);
        }
        return spec.endsWith(":st") || spec.endsWith(":plain") ? spec.substring(0, spec.lastIndexOf(':')) : spec;
    }

    /** The rates of --hourly-rate or --cost-per-label, checked; the hourly default when neither is given. */
    private CostAccounting.Settings costSettings() {
        if (!(secondsPerLabel > 0 && secondsPerLabel <= CostAccounting.MAX_SECONDS_ON_ITEM)) {
            throw new QuarryException("--seconds-per-label must be above 0 and at most "
                    + (int) CostAccounting.MAX_SECONDS_ON_ITEM + ", got " + secondsPerLabel);
        }
        Double hourly = hourlyRate == null && costPerLabel == null ? Double.valueOf(DEFAULT_HOURLY_RATE) : hourlyRate;
        try {
            return new CostAccounting.Settings(currency, hourly, costPerLabel, null, null).checked();
        } catch (quarry.core.DomainException e) {
            // name the options, not the API's fields
            throw new QuarryException(e.getMessage().replace("cost settings: ", "").replace("hourlyRate", "--hourly-rate")
                    .replace("costPerLabel", "--cost-per-label").replace("currency", "--currency"));
        }
    }

    private void report(Map<String, List<Simulation.Run>> runs, Simulation.Point ceiling, List<String> labels,
            boolean multiLabel, CostAccounting.Settings rates) throws IOException {
        Map<String, LearningCurve> mean = new LinkedHashMap<>();
        try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(out.resolve("curves.csv"),
                StandardCharsets.UTF_8))) {
            csv.println("strategy,repeat,round,labels,accuracy,macro_f1,micro_f1,estimated_accuracy,pool_estimate,train_s,"
                    + "select_s,stop_criteria_firing");
            for (Map.Entry<String, List<Simulation.Run>> e : runs.entrySet()) {
                List<LearningCurve> curves = new ArrayList<>();
                for (Simulation.Run run : e.getValue()) {
                    for (Simulation.Point p : run.points()) {
                        csv.printf(Locale.ROOT, "%s,%d,%d,%d,%.5f,%.5f,%.5f,%.5f,%.5f,%.3f,%.3f,%s%n", e.getKey(),
                                run.repeat(), p.round(), p.labels(), p.accuracy(), p.macroF1(), p.microF1(),
                                p.estimatedAccuracy(), p.poolEstimate(), p.trainSeconds(), p.selectSeconds(), String.join(";", p.firing()));
                    }
                    curves.add(curve(run));
                }
                mean.put(e.getKey(), LearningCurve.mean(curves));
            }
        }
        String metric = multiLabel ? "subset accuracy" : "accuracy";
        Plots.learningCurves(out.resolve("learning-curves.png"), data.getFileName() + ": test " + metric
                + " (mean of " + repeats + " runs)", metric, mean, ceiling.accuracy());

        List<String> md = new ArrayList<>();
        md.add(String.format(Locale.ROOT, "Full-data %s (same head, all %d pool labels): **%.2f%%**", metric,
                ceiling.labels(), 100 * ceiling.accuracy()));
        md.add("");
        md.addAll(checkpoints(metric, mean));
        md.add("");
        if (multiLabel) {
            // Subset accuracy alone hides how many labels are right; micro-F1 counts them.
            Map<String, LearningCurve> micro = new LinkedHashMap<>();
            runs.forEach((strategy, list) -> micro.put(strategy,
                    LearningCurve.mean(list.stream().map(run -> curve(run, Simulation.Point::microF1)).toList())));
            md.add(String.format(Locale.ROOT, "Full-data micro-F1: **%.2f%%**", 100 * ceiling.microF1()));
            md.add("");
            md.addAll(checkpoints("micro-F1", micro));
            md.add("");
        }
        if (tuning != null) {
            // A head on the fine-tuned encoder's embeddings of the same labels; points before the first fine-tune have none.
            Map<String, LearningCurve> tuned = new LinkedHashMap<>();
            runs.forEach((strategy, list) -> tuned.put(strategy, LearningCurve.mean(list.stream()
                    .map(SimulateCommand::tunedCurve).toList())));
            md.add("The head served after the encoder is fine-tuned at " + finetuneAt + " labels (" + finetuneMode
                    + "; selection on the " + selection().name().toLowerCase(Locale.ROOT) + " embeddings; the head on "
                    + "the tuned ones, self-trained on the re-embedded pool as the loop's settings say):");
            md.add("");
            md.addAll(checkpoints(metric + " (fine-tuned)", tuned));
            md.add("");
        }
        // The baseline is labeling at random with the plain supervised head, when that ran.
        String baseline = mean.containsKey("random:plain") ? "random:plain" : "random";
        md.add("Labels to reach a share of the full-data " + metric + " (mean curve; × = " + baseline
                + "'s labels ÷ the strategy's; – = not reached within the budget):");
        md.add("");
        md.add("| strategy | 90% | 95% | 98% |");
        md.add("|---|---|---|---|");
        LearningCurve random = mean.get(baseline);
        for (Map.Entry<String, LearningCurve> e : mean.entrySet()) {
            StringBuilder row = new StringBuilder("| " + e.getKey() + " |");
            for (double share : SHARES) {
                OptionalDouble n = e.getValue().labelsToReachShare(share, ceiling.accuracy());
                OptionalDouble r = random == null ? OptionalDouble.empty()
                        : random.labelsToReachShare(share, ceiling.accuracy());
                OptionalDouble ratio = LearningCurve.timesFewer(r, n);
                row.append(n.isPresent() ? String.format(Locale.ROOT, " %,.0f", n.getAsDouble()) : " –");
                row.append(ratio.isPresent() && !e.getKey().equals(baseline)
                        ? String.format(Locale.ROOT, " (%.2f×)", ratio.getAsDouble()) : "").append(" |");
            }
            md.add(row.toString());
        }
        md.add("");
        Map<String, CostAccounting.Report> costs = new LinkedHashMap<>();
        md.addAll(costTable(mean, baseline, rates, evalSplit + " " + metric, costs));
        md.add("");
        md.addAll(stoppingTable(runs));
        Files.write(out.resolve("summary.md"), md, StandardCharsets.UTF_8);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("data", data.toString());
        results.put("labels", labels);
        results.put("seedSize", seedSize);
        results.put("batch", batch);
        results.put("budget", budget);
        results.put("repeats", repeats);
        results.put("fullData", ceiling);
        results.put("cost", costs);
        results.put("runs", runs);
        json.writeValue(out.resolve("results.json").toFile(), results);
        md.forEach(System.out::println);
        System.out.println("wrote " + out.resolve("summary.md") + ", results.json, curves.csv, learning-curves.png");
    }

    /**
     * What each strategy's labels cost and, against the random baseline when it ran, what it saved
     * to reach the accuracy both reach (see {@link CostAccounting#simulated}); fills {@code reports}.
     */
    private List<String> costTable(Map<String, LearningCurve> mean, String baseline, CostAccounting.Settings rates,
            String accuracyName, Map<String, CostAccounting.Report> reports) {
        LearningCurve random = mean.get(baseline);
        String money = rates.currency();
        List<String> md = new ArrayList<>();
        md.add("Cost (" + (rates.hourlyRate() != null ? fmt(rates.hourlyRate()) + " " + money + " an hour, "
                + fmt(secondsPerLabel) + " s a label" : fmt(rates.costPerLabel()) + " " + money + " a label, "
                + fmt(secondsPerLabel) + " s a label for the hours") + "; mean curves; saved = against " + baseline
                + " to reach the " + accuracyName + " both reach, the lower of their final ones"
                + (random == null ? "; – = no random run (add random:plain to --strategy)" : "") + "):");
        md.add("");
        md.add("| strategy | labels | " + money + " per label | " + money + " spent | hours | points gained | " + money
                + " per point | target % | × fewer than random | labels saved | hours saved | " + money + " saved |");
        md.add("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Map.Entry<String, LearningCurve> e : mean.entrySet()) {
            // The baseline against itself saves nothing, and says so (1.00×, 0).
            CostAccounting.Report r = CostAccounting.simulated(rates, secondsPerLabel, e.getValue(), random,
                    accuracyName);
            reports.put(e.getKey(), r);
            md.add("| " + e.getKey() + " | " + e.getValue().points().get(e.getValue().size() - 1).labels() + " | "
                    + cell(r.costPerLabel(), "%.3f") + " | " + cell(r.moneySpent(), "%,.2f") + " | "
                    + cell(r.hoursSpent(), "%.2f") + " | " + cell(r.accuracyGained(), "%.1f") + " | "
                    + cell(r.costPerAccuracyPoint(), "%.2f") + " | " + cell(r.targetAccuracy(), "%.1f") + " | "
                    + cell(r.ratioToRandom(), "%.2f×") + " | " + cell(r.labelsSaved(), "%,.0f") + " | "
                    + cell(r.hoursSaved(), "%.2f") + " | " + cell(r.moneySaved(), "%,.2f") + " |");
        }
        md.add("");
        md.add("A live project has no random curve of its own: store the × of a run like this as its randomRatio"
                + " (PUT /api/projects/{p}/cost/settings) to see its savings estimated.");
        return md;
    }

    private static String cell(CostAccounting.Figure f, String format) {
        return f.known() ? String.format(Locale.ROOT, format, f.value()) : "–";
    }

    private static String fmt(double x) {
        return x == Math.rint(x) ? String.format(Locale.ROOT, "%.0f", x) : String.format(Locale.ROOT, "%s", x);
    }

    /**
     * For each criterion: mean labels at which it first fired, against where the evaluation curve
     * flattened; then the labels and accuracy at the loop's first "stop now" verdict.
     */
    private List<String> stoppingTable(Map<String, List<Simulation.Run>> runs) {
        quarry.loop.StopSettings settings = quarry.loop.StopSettings.defaults().withBudget(budget);
        List<String> md = new ArrayList<>();
        md.add("Stopping criteria (defaults): labels at which each first fired, against the labels where the "
                + evalSplit + " curve really flattened (no later round gains more than 1% of the final score); mean "
                + "over runs, – = never fired. \"stop now\": the loop's first verdict with the default criteria it stops "
                + "on (" + String.join(", ", settings.stopOn().stream().map(StopCriterion::id).sorted().toList())
                + "), with the " + evalSplit + " accuracy there:");
        md.add("");
        StringBuilder header = new StringBuilder("| strategy | flattened |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (StopCriterion c : StopCriterion.values()) {
            header.append(' ').append(c.id()).append(" |");
            rule.append("---|");
        }
        md.add(header.append(" stop now |").toString());
        md.add(rule.append("---|").toString());
        for (Map.Entry<String, List<Simulation.Run>> e : runs.entrySet()) {
            StringBuilder row = new StringBuilder("| " + e.getKey() + " |");
            double flattened = e.getValue().stream().mapToDouble(run -> {
                double[] scores = run.points().stream().mapToDouble(Simulation.Point::accuracy).toArray();
                return scores.length == 0 ? Double.NaN : run.points().get(Stopping.flattenedRound(scores)).labels();
            }).average().orElse(Double.NaN);
            row.append(String.format(Locale.ROOT, " %,.0f |", flattened));
            for (StopCriterion c : StopCriterion.values()) {
                List<Integer> fired = new ArrayList<>();
                for (Simulation.Run run : e.getValue()) {
                    OptionalInt round = Stopping.firstRoundFired(run.stopHistory(), c, settings);
                    round.ifPresent(t -> fired.add(run.stopHistory().get(t).labelsUsed()));
                }
                row.append(firedCell(fired, e.getValue().size()));
            }
            List<Integer> stopped = new ArrayList<>();
            double accuracy = 0;
            for (Simulation.Run run : e.getValue()) {
                OptionalInt round = Stopping.firstRoundStopped(run.stopHistory(), settings);
                if (round.isPresent()) {
                    int labels = run.stopHistory().get(round.getAsInt()).labelsUsed();
                    // rounds without a model (a cold start) have no point, so match on labels
                    OptionalDouble at = run.points().stream().filter(p -> p.labels() == labels)
                            .mapToDouble(Simulation.Point::accuracy).findFirst();
                    if (at.isPresent()) {
                        stopped.add(labels);
                        accuracy += at.getAsDouble();
                    }
                }
            }
            row.append(stopped.isEmpty() ? " – |" : firedCell(stopped, e.getValue().size()).replace(" |",
                    String.format(Locale.ROOT, ", %.1f%% |", 100 * accuracy / stopped.size())));
            md.add(row.toString());
        }
        return md;
    }

    private static String firedCell(List<Integer> fired, int runs) {
        return fired.isEmpty() ? " – |" : String.format(Locale.ROOT, " %,.0f (%d/%d) |",
                fired.stream().mapToInt(Integer::intValue).average().orElse(0), fired.size(), runs);
    }

    /** A table of each strategy's mean curve at the checkpoints within the budget. */
    private List<String> checkpoints(String metric, Map<String, LearningCurve> mean) {
        List<String> md = new ArrayList<>();
        StringBuilder header = new StringBuilder("| " + metric + " % | ");
        StringBuilder rule = new StringBuilder("|---|");
        for (int c : CHECKPOINTS) {
            if (c <= budget) {
                header.append(c).append(" | ");
                rule.append("---|");
            }
        }
        md.add(header.toString().trim());
        md.add(rule.toString());
        for (Map.Entry<String, LearningCurve> e : mean.entrySet()) {
            StringBuilder row = new StringBuilder("| " + e.getKey() + " | ");
            for (int c : CHECKPOINTS) {
                if (c <= budget) {
                    double v = e.getValue().points().isEmpty() || c < e.getValue().points().get(0).labels() ? Double.NaN
                            : e.getValue().scoreAt(c);
                    row.append(Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f", 100 * v)).append(" | ");
                }
            }
            md.add(row.toString().trim());
        }
        return md;
    }

    private static LearningCurve tunedCurve(Simulation.Run run) {
        List<Simulation.Point> tuned = run.points().stream().filter(p -> p.tunedAccuracy() != null).toList();
        return LearningCurve.of(tuned.stream().mapToInt(Simulation.Point::labels).toArray(),
                tuned.stream().mapToDouble(Simulation.Point::tunedAccuracy).toArray());
    }

    private static LearningCurve curve(Simulation.Run run) {
        return curve(run, Simulation.Point::accuracy);
    }

    private static LearningCurve curve(Simulation.Run run, java.util.function.ToDoubleFunction<Simulation.Point> score) {
        int[] labels = run.points().stream().mapToInt(Simulation.Point::labels).toArray();
        double[] scores = run.points().stream().mapToDouble(score).toArray();
        return LearningCurve.of(labels, scores);
    }

    private List<Document> read(String name) {
        Path file = data.resolve(name);
        if (!Files.exists(file)) {
            throw new QuarryException(file + " is missing (--data DIR must hold train.jsonl and " + evalSplit
                    + ".jsonl)");
        }
        return importOptions.read(file).stream()
                .filter(d -> d.isLabeled() && d.labels().stream().noneMatch(dropLabels::contains)).toList();
    }

    private static List<Document> slice(List<Document> docs, int n, long seed) {
        if (n >= docs.size()) {
            return docs;
        }
        List<Document> copy = new ArrayList<>(docs);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            java.util.Collections.swap(copy, i, i + random.nextInt(copy.size() - i));
        }
        return copy.subList(0, n);
    }

    private static List<String> texts(List<Document> docs) {
        return docs.stream().map(Document::text).toList();
    }

    private static int[][] classes(List<Document> docs, List<String> labels) {
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            index.put(labels.get(i), i);
        }
        return docs.stream().map(d -> d.labels().stream().mapToInt(l -> {
            Integer c = index.get(l);
            if (c == null) {
                throw new QuarryException("label '" + l + "' of document " + d.id() + " does not occur in train.jsonl");
            }
            return c;
        }).toArray()).toArray(int[][]::new);
    }
}
