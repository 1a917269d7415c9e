package quarry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import quarry.core.Document;
import quarry.core.Neighbor;
import quarry.core.NeighbourIndex;
import quarry.core.Pick;
import quarry.core.Progress;
import quarry.core.Sampling;
import quarry.core.Vectors;
import quarry.data.DocumentImporter;
import quarry.data.ImportOptions;
import quarry.encode.CachingEncoder;
import quarry.encode.EncoderOptions;
import quarry.encode.Encoders;
import quarry.eval.DriftCheck;
import quarry.index.VectorIndex;
import quarry.model.Head;
import quarry.model.HeadConfig;
import quarry.model.Targets;
import quarry.query.QueryContext;
import quarry.query.QueryStrategy;
import quarry.query.Strategies;

@Command(name = "drift", mixinStandardHelpOptions = true,
        description = {"The drift simulation: a seeded choice of intents is held out as 'arriving later'. Wave 1 runs "
                + "the loop (default strategy) on the other intents' train documents to a budget; wave 2 releases "
                + "arrival batches: fresh documents of the known intents, then batches whose share of held-out "
                + "intents ramps up. Reports each drift signal's detection delay (and false alarms on a control "
                + "stream of fresh known documents only), and the labels the upkeep queue, random sampling of the "
                + "arrivals and labeling the whole wave need to recover 95%% of the accuracy before the wave.",
            "Accuracy before the wave: on the evaluation split's documents of the known intents. After: on all of "
                + "the split's intents. Label 'oos' is dropped."})
final class DriftBenchCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "../shared/data/clinc150")
    Path data;

    @Option(names = "--split", paramLabel = "NAME", defaultValue = "test",
            description = "evaluation split: valid (to choose settings) or test (default: ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--encoder", paramLabel = "NAME", defaultValue = Encoders.DEFAULT)
    String encoder;

    @Option(names = "--seeds", split = ",", paramLabel = "S,S", defaultValue = "1,2,3")
    long[] seeds;

    @Option(names = "--held-out", paramLabel = "N", defaultValue = "20")
    int heldOut;

    @Option(names = "--budget", paramLabel = "N", defaultValue = "1000", description = "wave-1 labels")
    int budget;

    @Option(names = "--round", paramLabel = "N", defaultValue = "50", description = "wave-1 batch per round")
    int round;

    @Option(names = "--fresh", paramLabel = "SHARE", defaultValue = "0.2",
            description = "share of the known intents' train documents kept back to arrive in wave 2")
    double fresh;

    @Option(names = "--arrival-batch", paramLabel = "N", defaultValue = "200")
    int arrivalBatch;

    @Option(names = "--calm-batches", paramLabel = "N", defaultValue = "3",
            description = "arrival batches of known intents only before the held-out ones start")
    int calmBatches;

    @Option(names = "--ramp", split = ",", paramLabel = "SHARE,SHARE", defaultValue = "0.05,0.1,0.2,0.3,0.4,0.5",
            description = "held-out share of each wave batch; the last repeats")
    double[] ramp;

    @Option(names = "--novelty", split = ",", paramLabel = "W,W", defaultValue = "" + Strategies.UPKEEP_NOVELTY,
            description = "upkeep novelty weights to compare (default: ${DEFAULT-VALUE})")
    double[] novelty;

    @Option(names = "--checkpoints", split = ",", paramLabel = "N,N",
            defaultValue = "20,40,60,80,100,120,140,160,180,200,250,300,350,400,500,600,800,1000",
            description = "wave-2 label counts at which each arm is retrained and scored")
    int[] checkpoints;

    @Option(names = "--plot", paramLabel = "FILE.svg", description = "write the mean recovery curves here")
    Path plot;

    @Option(names = "--curves", paramLabel = "FILE.tsv",
            description = "write every curve point here (arm, seed, labels, accuracy), to plot runs made apart")
    Path curvesFile;

    @Option(names = "--plot-from", split = ",", paramLabel = "FILE.tsv,...",
            description = "plot the mean of curves written by --curves into --plot, and run nothing")
    List<Path> plotFrom;

    private static final double RECOVER = 0.95;

    /** One arm's curve: wave-2 labels → accuracy on every intent. */
    record Curve(String arm, List<int[]> labels, List<Double> accuracy) {
    }

    @Override
    public Integer call() throws IOException {
        if (plotFrom != null) {
            Map<String, List<Curve>> read = new LinkedHashMap<>();
            Map<String, Curve> byRun = new LinkedHashMap<>();
            for (Path f : plotFrom) {
                for (String line : Files.readAllLines(f)) {
                    String[] c = line.split("\t");
                    Curve curve = byRun.computeIfAbsent(f + "\t" + c[0] + "\t" + c[1], k -> {
                        Curve fresh = new Curve(c[0], new ArrayList<>(), new ArrayList<>());
                        read.computeIfAbsent(c[0], a -> new ArrayList<>()).add(fresh);
                        return fresh;
                    });
                    curve.labels().add(new int[] {Integer.parseInt(c[2])});
                    curve.accuracy().add(Double.parseDouble(c[3]));
                }
            }
            Svg.recovery(plot, "Recovery after the wave (" + data.getFileName() + ", " + split + ", mean of "
                    + plotFrom.size() + " runs)", read);
            return 0;
        }
        if (!split.equals("valid") && !split.equals("test")) {
            throw new IllegalArgumentException("--split is valid or test, got '" + split + "'");
        }
        List<Document> train = read("train.jsonl");
        List<Document> eval = read(split + ".jsonl");
        List<String> names = new ArrayList<>(new TreeSet<>(train.stream().map(d -> d.labels().get(0)).toList()));
        if (heldOut < 1 || heldOut >= names.size()) {
            throw new IllegalArgumentException("--held-out must be in [1, " + (names.size() - 1) + "], got " + heldOut);
        }
        Map<String, Integer> classOf = new HashMap<>();
        names.forEach(n -> classOf.put(n, classOf.size()));
        int[] y = train.stream().mapToInt(d -> classOf.get(d.labels().get(0))).toArray();
        int[] yEval = eval.stream().mapToInt(d -> classOf.get(d.labels().get(0))).toArray();
        Vectors x;
        Vectors xEval;
        String encoderId;
        try (CachingEncoder e = Encoders.openCached(encoder, EncoderOptions.DEFAULTS)) {
            x = Vectors.of(e.encode(train.stream().map(Document::text).toList()));
            xEval = Vectors.of(e.encode(eval.stream().map(Document::text).toList()));
            encoderId = e.id();
        }
        System.out.printf(Locale.ROOT, "%s: %d train, %d %s, %d intents, %d held out, %s%n", data.getFileName(),
                y.length, yEval.length, split, names.size(), heldOut, encoder);
        List<String> detection = new ArrayList<>();
        List<String> recovery = new ArrayList<>();
        Map<String, List<Curve>> curves = new LinkedHashMap<>();
        for (long seed : seeds) {
            Run run = new Run(seed, x, y, xEval, yEval, names, encoderId, train);
            run.go(detection, recovery, curves);
        }
        System.out.println();
        System.out.println("| seed | signal | fires at wave batch | wave documents by then | held-out documents by then"
                + " | false alarms: calm batches | false alarms: control stream |");
        System.out.println("|---|---|---|---|---|---|---|");
        detection.forEach(System.out::println);
        System.out.println();
        System.out.println("| seed | accuracy before (known intents) | target (95%) | after the wave, no labels (all"
                + " intents) | arm | labels to target | accuracy at 200 labels |");
        System.out.println("|---|---|---|---|---|---|---|");
        recovery.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "%s, %d cores, %s split, seeds %s%n", LocalDate.now(),
                Runtime.getRuntime().availableProcessors(), split, Arrays.toString(seeds));
        if (curvesFile != null) {
            StringBuilder tsv = new StringBuilder();
            curves.forEach((arm, list) -> {
                for (int k = 0; k < list.size(); k++) {
                    Curve c = list.get(k);
                    for (int i = 0; i < c.labels().size(); i++) {
                        tsv.append(arm).append('\t').append(seeds[k]).append('\t').append(c.labels().get(i)[0])
                                .append('\t').append(c.accuracy().get(i)).append('\n');
                    }
                }
            });
            Files.writeString(curvesFile, tsv);
        }
        if (plot != null) {
            Svg.recovery(plot, "Recovery after the wave (" + data.getFileName() + ", " + split + ", mean of "
                    + seeds.length + " seeds)", curves);
        }
        return 0;
    }

    private List<Document> read(String file) throws IOException {
        try {
            return DocumentImporter.read(data.resolve(file), ImportOptions.defaults()).documents().stream()
                    .filter(d -> d.labels().size() == 1 && !d.labels().get(0).equals("oos")).toList();
        } catch (quarry.data.ImportException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** One seed: the held-out intents, the two waves and the arms. */
    private final class Run {
        private final long seed;
        private final Vectors x;
        private final int[] y;
        private final Vectors xEval;
        private final int[] yEval;
        private final List<String> names;
        private final String encoderId;
        private final List<Document> train;
        private final HeadConfig config;
        /** Pool row → train row. */
        private int[] order;

        Run(long seed, Vectors x, int[] y, Vectors xEval, int[] yEval, List<String> names, String encoderId,
                List<Document> train) {
            this.seed = seed;
            this.x = x;
            this.y = y;
            this.xEval = xEval;
            this.yEval = yEval;
            this.names = names;
            this.encoderId = encoderId;
            this.train = train;
            this.config = HeadConfig.defaults().withSeed(seed);
        }

        void go(List<String> detection, List<String> recovery, Map<String, List<Curve>> curves) throws IOException {
            Set<Integer> held = new HashSet<>();
            for (int c : Sampling.sample(names.size(), heldOut, seed)) {
                held.add(c);
            }
            int[] shuffled = Sampling.sample(y.length, y.length, seed + 1);
            List<Integer> pool = new ArrayList<>();
            List<Integer> freshRows = new ArrayList<>();
            List<Integer> heldRows = new ArrayList<>();
            int knownCount = (int) IntStream.of(y).filter(c -> !held.contains(c)).count();
            int keep = (int) Math.round(fresh * knownCount);
            for (int r : shuffled) {
                if (held.contains(y[r])) {
                    heldRows.add(r);
                } else if (freshRows.size() < keep) {
                    freshRows.add(r);
                } else {
                    pool.add(r);
                }
            }
            // Pool row order: wave-1 pool, then the fresh known documents, then the held-out ones.
            order = IntStream.concat(IntStream.concat(pool.stream().mapToInt(i -> i),
                    freshRows.stream().mapToInt(i -> i)), heldRows.stream().mapToInt(i -> i)).toArray();
            float[][] rowsOf = new float[order.length][];
            int[] truth = new int[order.length];
            for (int i = 0; i < order.length; i++) {
                rowsOf[i] = x.row(order[i]);
                truth[i] = y[order[i]];
            }
            Vectors all = Vectors.of(rowsOf);
            int n1 = pool.size();
            int freshStart = n1;
            int heldStart = n1 + freshRows.size();
            long start = System.nanoTime();
            Path dir = Files.createTempDirectory("quarry-drift-");
            try (VectorIndex index = VectorIndex.open(dir.resolve("index"), all.dimension())) {
                index.add(IntStream.range(0, all.size()).toArray(), all, Progress.NONE);
                index.refreshDensities(Progress.NONE);
                System.err.printf(Locale.ROOT, "seed %d: held out %s; indexed %d rows in %.0f s%n", seed,
                        held.stream().sorted().map(names::get).toList(), all.size(), (System.nanoTime() - start) / 1e9);
                int[] labeled = waveOne(all, truth, n1, index);
                int[] known = IntStream.range(0, yEval.length).filter(i -> !held.contains(yEval[i])).toArray();
                double before;
                double afterNoLabels;
                try (Head head = train(all, truth, labeled)) {
                    before = accuracy(head, known);
                    afterNoLabels = accuracy(head, IntStream.range(0, yEval.length).toArray());
                    // the drift stream: calm batches, then the ramp; and a control stream of known intents only
                    List<int[]> stream = stream(freshStart, heldStart, all.size());
                    List<int[]> control = new ArrayList<>();
                    for (int f = freshStart; f + arrivalBatch <= heldStart; f += arrivalBatch) {
                        control.add(IntStream.range(f, f + arrivalBatch).toArray());
                    }
                    detect(detection, all, head, index, n1, labeled, stream, control, heldStart);
                    int[] arrivals = stream.stream().flatMapToInt(IntStream::of).toArray();
                    double target = RECOVER * before;
                    curves.computeIfAbsent("95% of before", k -> new ArrayList<>()).add(new Curve("target",
                            List.of(new int[] {0}), List.of(target)));
                    for (double w : novelty) {
                        String arm = novelty.length == 1 ? "upkeep" : String.format(Locale.ROOT, "upkeep w=%.1f", w);
                        recover(recovery, curves, arm, Strategies.upkeep(w, Strategies.Options.DEFAULTS
                                .withDiversity(0.9)), all, truth, labeled, arrivals, index, head, before, target,
                                afterNoLabels);
                    }
                    recover(recovery, curves, "random", Strategies.byName("random"), all, truth, labeled, arrivals,
                            index, head, before, target, afterNoLabels);
                    int[] everything = IntStream.concat(IntStream.of(labeled), IntStream.of(arrivals)).toArray();
                    try (Head whole = train(all, truth, everything)) {
                        double acc = accuracy(whole, IntStream.range(0, yEval.length).toArray());
                        recovery.add(String.format(Locale.ROOT, "| %d | %.4f | %.4f | %.4f | whole wave | %d (%s) |"
                                + " – |", seed, before, target, afterNoLabels, arrivals.length, acc >= target
                                ? String.format(Locale.ROOT, "reaches %.4f", acc)
                                : String.format(Locale.ROOT, "only %.4f", acc)));
                        curves.computeIfAbsent("whole wave", k -> new ArrayList<>()).add(new Curve("whole wave",
                                List.of(new int[] {arrivals.length}), List.of(acc)));
                    }
                }
            } finally {
                Folders.deleteTree(dir);
            }
        }

        /** Wave 1: a random first batch, then the default strategy, to the budget. */
        private int[] waveOne(Vectors all, int[] truth, int n1, VectorIndex index) {
            QueryStrategy strategy = Strategies.byName(quarry.loop.LoopSettings.DEFAULT_STRATEGY,
                    Strategies.Options.DEFAULTS.withDiversity(0.9));
            List<Integer> labeled = new ArrayList<>();
            for (int r : Sampling.sample(n1, round, seed + 2)) {
                labeled.add(r);
            }
            int turn = 0;
            while (labeled.size() < budget) {
                int[] l = labeled.stream().mapToInt(i -> i).toArray();
                Set<Integer> taken = new HashSet<>(labeled);
                int[] candidates = IntStream.range(0, n1).filter(r -> !taken.contains(r)).toArray();
                try (Head head = train(all, truth, l)) {
                    int[] counts = new int[names.size()];
                    for (int r : l) {
                        counts[truth[r]]++;
                    }
                    QueryContext ctx = QueryContext.of(all, candidates).withLabeled(l).withHead(head).withIndex(
                            index).withLabelCounts(counts, 1).withSeed(seed * 1000 + turn++);
                    for (Pick p : strategy.select(ctx, Math.min(round, budget - labeled.size()))) {
                        labeled.add(p.row());
                    }
                }
            }
            return labeled.stream().mapToInt(i -> i).toArray();
        }

        /** Calm batches of fresh known documents, then batches whose held-out share follows the ramp. */
        private List<int[]> stream(int freshStart, int heldStart, int end) {
            List<int[]> batches = new ArrayList<>();
            int f = freshStart;
            int h = heldStart;
            for (int b = 0; ; b++) {
                double share = b < calmBatches ? 0 : ramp[Math.min(b - calmBatches, ramp.length - 1)];
                int nHeld = (int) Math.round(share * arrivalBatch);
                int nFresh = arrivalBatch - nHeld;
                if (f + nFresh > heldStart || h + nHeld > end) {
                    return batches;
                }
                batches.add(IntStream.concat(IntStream.range(f, f + nFresh), IntStream.range(h, h + nHeld)).toArray());
                f += nFresh;
                h += nHeld;
            }
        }

        private void detect(List<String> out, Vectors all, Head head, VectorIndex index, int n1, int[] labeled,
                List<int[]> stream, List<int[]> control, int heldStart) {
            List<String> signals = List.of(DriftCheck.EMBEDDING, DriftCheck.LOW_CONFIDENCE, DriftCheck.LABELS,
                    DriftCheck.NEW_REGIONS);
            Map<String, Integer> firstFire = new HashMap<>();
            Map<String, Integer> calmAlarms = new HashMap<>();
            int waveDocs = 0;
            int heldDocs = 0;
            Map<String, int[]> firedAt = new HashMap<>();
            for (int b = 0; b < stream.size(); b++) {
                DriftCheck.Report r = check(all, head, index, n1, labeled, stream, b);
                boolean wave = b >= calmBatches;
                if (wave) {
                    waveDocs += stream.get(b).length;
                    heldDocs += (int) IntStream.of(stream.get(b)).filter(row -> row >= heldStart).count();
                }
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "seed %d batch %d (%s):", seed, b,
                        wave ? "wave" : "calm"));
                for (String s : signals) {
                    boolean fired = r.fired(s);
                    line.append(' ').append(s).append(fired ? "=FIRE" : "=no");
                    if (fired && !wave) {
                        calmAlarms.merge(s, 1, Integer::sum);
                    }
                    if (fired && wave && !firstFire.containsKey(s)) {
                        firstFire.put(s, b - calmBatches + 1);
                        firedAt.put(s, new int[] {waveDocs, heldDocs});
                    }
                }
                System.err.println(line + " | " + r.summary());
            }
            Map<String, Integer> controlAlarms = new HashMap<>();
            for (int b = 0; b < control.size(); b++) {
                DriftCheck.Report r = check(all, head, index, n1, labeled, control, b);
                for (String s : signals) {
                    if (r.fired(s)) {
                        controlAlarms.merge(s, 1, Integer::sum);
                    }
                }
            }
            for (String s : signals) {
                Integer at = firstFire.get(s);
                out.add(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %d of %d | %d of %d |", seed, s,
                        at == null ? "never (of " + (stream.size() - calmBatches) + ")" : String.valueOf(at),
                        at == null ? "–" : String.valueOf(firedAt.get(s)[0]), at == null ? "–"
                                : String.valueOf(firedAt.get(s)[1]), calmAlarms.getOrDefault(s, 0), calmBatches,
                        controlAlarms.getOrDefault(s, 0), control.size()));
            }
        }

        /** Batch {@code b} of a stream against the wave-1 pool and the batches before it. */
        private DriftCheck.Report check(Vectors all, Head head, VectorIndex index, int n1, int[] labeled,
                List<int[]> stream, int b) {
            Set<Integer> released = new HashSet<>();
            List<Integer> before = new ArrayList<>();
            IntStream.range(0, n1).forEach(before::add);
            for (int i = 0; i < b; i++) {
                IntStream.of(stream.get(i)).forEach(before::add);
                IntStream.of(stream.get(i)).forEach(released::add);
            }
            int[] batch = stream.get(b);
            Set<Integer> arrivals = new HashSet<>(released);
            IntStream.of(batch).forEach(arrivals::add);
            IntPredicate visible = r -> r < n1 || arrivals.contains(r);
            return DriftCheck.check(all, before.stream().mapToInt(i -> i).toArray(), batch, head,
                    new Released(index, visible), labeled, r -> train.get(order[r]).text(), visible.and(r -> r >= n1),
                    DriftCheck.Settings.DEFAULTS, seed * 7919 + b);
        }

        private void recover(List<String> out, Map<String, List<Curve>> curves, String arm, QueryStrategy strategy,
                Vectors all, int[] truth, int[] labeled, int[] arrivals, VectorIndex index, Head start, double before,
                double target, double afterNoLabels) {
            List<Integer> picked = new ArrayList<>();
            List<int[]> labelsAt = new ArrayList<>();
            List<Double> acc = new ArrayList<>();
            labelsAt.add(new int[] {0});
            acc.add(afterNoLabels);
            Head head = null;
            Integer reached = null;
            double at200 = Double.NaN;
            try {
                for (int c : checkpoints) {
                    if (c > arrivals.length) {
                        break;
                    }
                    Set<Integer> taken = new HashSet<>(picked);
                    int[] candidates = IntStream.of(arrivals).filter(r -> !taken.contains(r)).toArray();
                    int[] l = IntStream.concat(IntStream.of(labeled), picked.stream().mapToInt(i -> i)).toArray();
                    QueryContext ctx = QueryContext.of(all, candidates).withLabeled(l).withHead(head == null ? start
                            : head).withIndex(index).withSeed(seed * 31 + c);
                    for (Pick p : strategy.select(ctx, c - picked.size())) {
                        picked.add(p.row());
                    }
                    if (head != null) {
                        head.close();
                    }
                    head = train(all, truth, IntStream.concat(IntStream.of(labeled), picked.stream().mapToInt(i -> i))
                            .toArray());
                    double a = accuracy(head, IntStream.range(0, yEval.length).toArray());
                    labelsAt.add(new int[] {c});
                    acc.add(a);
                    if (c == 200) {
                        at200 = a;
                    }
                    if (reached == null && a >= target) {
                        reached = c;
                    }
                    if (reached != null && c >= 200) {
                        break;
                    }
                }
            } finally {
                if (head != null) {
                    head.close();
                }
            }
            curves.computeIfAbsent(arm, k -> new ArrayList<>()).add(new Curve(arm, labelsAt, acc));
            String line = String.format(Locale.ROOT, "| %d | %.4f | %.4f | %.4f | %s | %s | %.4f |", seed, before,
                    target, afterNoLabels, arm, reached == null ? "not within " + Math.min(arrivals.length,
                            checkpoints[checkpoints.length - 1]) : String.valueOf(reached), at200);
            out.add(line);
            System.err.println(line);
        }

        private Head train(Vectors all, int[] truth, int[] rows) {
            int[][] classes = IntStream.of(rows).mapToObj(r -> new int[] {truth[r]}).toArray(int[][]::new);
            return Head.train(all, rows, new Targets(names, false, classes), config, null, encoderId);
        }

        private double accuracy(Head head, int[] rows) {
            int[][] predicted = head.predict(xEval, rows);
            int right = 0;
            for (int i = 0; i < rows.length; i++) {
                right += predicted[i][0] == yEval[rows[i]] ? 1 : 0;
            }
            return (double) right / rows.length;
        }
    }

    /** The index as it was when a batch arrived: rows released later are left out of every answer. */
    private record Released(NeighbourIndex index, IntPredicate visible) implements NeighbourIndex {

        @Override
        public List<Neighbor> nearest(float[] query, int k) {
            return index.nearest(query, 4 * k).stream().filter(n -> visible.test(n.row())).limit(k).toList();
        }

        @Override
        public List<Neighbor> neighbours(int row, int k) {
            return index.neighbours(row, 4 * k).stream().filter(n -> visible.test(n.row())).limit(k).toList();
        }

        @Override
        public float[] densities(int[] rows) {
            return index.densities(rows);
        }

        @Override
        public List<Integer> withinSimilarity(int row, float tau, int maxK) {
            return index.withinSimilarity(row, tau, maxK).stream().filter(visible::test).toList();
        }
    }
}
