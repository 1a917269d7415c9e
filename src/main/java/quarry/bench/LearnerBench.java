package quarry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import quarry.core.Pick;
import quarry.core.Progress;
import quarry.core.Vectors;
import quarry.index.VectorIndex;
import quarry.loop.SelfTraining;
import quarry.project.Pool;
import quarry.model.Head;
import quarry.model.HeadConfig;
import quarry.model.Targets;
import quarry.query.QueryContext;
import quarry.query.Strategies;

/**
 * Learner speed on synthetic pools: time and peak memory to score and select a batch for pools
 * of growing size, index build time, and head training time. Synthetic data has the shape of the
 * real thing (384-d unit vectors in overlapping class clusters), so timings carry over; accuracy
 * does not, and is measured on real data by the simulator.
 */
public final class LearnerBench {

    /**
     * @param poolSizes   unlabeled pool sizes to select from
     * @param classes     classes of the synthetic data and the head
     * @param batch       picks per selection
     * @param passes      MC dropout passes for BALD
     * @param labelCounts labeled set sizes for the training timings
     * @param indexMax    largest pool that gets a vector index (density-weighted + diverse)
     * @param seed        seed for data and models
     */
    public record Config(int[] poolSizes, int classes, int batch, int passes, int[] labelCounts, int indexMax,
            long seed) {
    }

    private static final int DIM = 384;
    private static final int SELECTION_LABELS = 2_000;
    private static final double TAU = 0.9;

    private final Config config;
    private final Consumer<String> log;
    private final List<String> indexTimes = new ArrayList<>();
    private final List<String> baldOverlap = new ArrayList<>();

    public LearnerBench(Config config, Consumer<String> log) {
        this.config = config;
        this.log = log;
    }

    public List<String> run(Path workDir) throws IOException {
        int labelPart = Math.max(SELECTION_LABELS, Arrays.stream(config.labelCounts()).max().orElse(0) + 10);
        int maxPool = Arrays.stream(config.poolSizes()).max().orElse(0);
        long start = System.nanoTime();
        SyntheticPool data = SyntheticPool.make(labelPart + maxPool, DIM, config.classes(), 1.0, config.seed());
        log.accept(String.format(Locale.ROOT, "made %d synthetic %d-d vectors over %d classes in %.1f s",
                labelPart + maxPool, DIM, config.classes(), seconds(start)));
        Vectors vectors = Vectors.of(data.vectors());
        List<String> names = IntStream.range(0, config.classes()).mapToObj(c -> "class-" + c).toList();

        List<String> out = new ArrayList<>();
        out.add("### Selecting a batch of " + config.batch() + " (" + config.classes() + " classes, head trained on "
                + SELECTION_LABELS + " labels)");
        out.add("");
        out.add("| pool | strategy | seconds | µs per document | peak RSS (MiB) | RSS before (MiB) |");
        out.add("|---|---|---|---|---|---|");
        int[] selectionRows = IntStream.range(0, SELECTION_LABELS).toArray();
        try (Head head = Head.train(vectors, selectionRows, targets(names, data.labels(), selectionRows),
                HeadConfig.defaults().withSeed(config.seed()), null, "synthetic")) {
            for (int size : config.poolSizes()) {
                int[] candidates = IntStream.range(labelPart, labelPart + size).toArray();
                QueryContext ctx = QueryContext.of(vectors, candidates).withLabeled(selectionRows).withHead(head)
                        .withSeed(config.seed()).withMcPasses(config.passes());
                out.add(row(size, "margin", () -> Strategies.byName("margin").select(ctx, config.batch())));
                List<List<Pick>> bald = new ArrayList<>();
                out.add(row(size, "bald (T=" + config.passes() + "), every candidate", () -> keep(bald,
                        Strategies.byName("bald", Strategies.Options.DEFAULTS.withMcShortlist(0))
                                .select(ctx, config.batch()))));
                if (size > Strategies.Options.MC_SHORTLIST) {
                    out.add(row(size, "bald (T=" + config.passes() + "), margin shortlist (default)",
                            () -> keep(bald, Strategies.byName("bald").select(ctx, config.batch()))));
                    log.accept(String.format(Locale.ROOT, "pool %d: %d of the %d BALD picks are the same with the "
                            + "shortlist", size, same(bald.get(0), bald.get(1)), config.batch()));
                    baldOverlap.add(String.format(Locale.ROOT, "| %,d | %d of %d |", size,
                            same(bald.get(0), bald.get(1)), config.batch()));
                }
                if (size <= config.indexMax()) {
                    Path dir = Files.createTempDirectory(workDir, "index");
                    try (VectorIndex index = VectorIndex.open(dir, DIM)) {
                        Pool.Indexed built = Pool.index(index, vectors, candidates, Progress.NONE, Progress.NONE);
                        double build = built.indexSeconds();
                        double density = built.densitySeconds();
                        log.accept(String.format(Locale.ROOT, "index of %d: build %.1f s, densities %.1f s", size,
                                build, density));
                        indexTimes.add(String.format(Locale.ROOT, "| %,d | %.1f | %.1f | %.1f |", size, build, density,
                                (build + density) * 100_000 / size));
                        QueryContext indexed = ctx.withIndex(index);
                        Strategies.Options diverse = Strategies.Options.DEFAULTS.withDiversity(TAU);
                        out.add(row(size, "density-margin + diverse (τ=" + TAU + ")",
                                () -> Strategies.byName("density-margin", diverse).select(indexed, config.batch())));
                    } finally {
                        Folders.deleteTree(dir);
                    }
                }
            }
        }
        if (!baldOverlap.isEmpty()) {
            out.add("");
            out.add("| pool | BALD picks the shortlist keeps |");
            out.add("|---|---|");
            out.addAll(baldOverlap);
        }
        out.add("");
        out.add("### Vector index (Lucene HNSW) build");
        out.add("");
        out.add("| pool | build (s) | densities, k=10 (s) | both, per 100k (s) |");
        out.add("|---|---|---|---|");
        out.addAll(indexTimes);
        if (Arrays.stream(config.labelCounts()).allMatch(n -> n <= 0)) {
            return out; // --labels 0: selection and index only
        }
        out.add("");
        out.addAll(training(vectors, data.labels(), names));
        out.add("");
        out.addAll(selfTraining(vectors, data.labels(), names, labelPart));
        return out;
    }

    /**
     * What self-training adds to a retrain: the supervised head's training on the labels, against
     * the step that pseudo-labels the pool and continues training on both, for each pool size.
     */
    private List<String> selfTraining(Vectors vectors, int[] labels, List<String> names, int labelPart) {
        List<String> out = new ArrayList<>();
        SelfTraining semi = SelfTraining.defaults();
        out.add("### Self-training step per retrain (defaults: weight " + semi.weight() + ", min confidence "
                + semi.minConfidence() + ", at most " + semi.maxPool() + " pool documents, " + semi.epochs()
                + " epochs; " + SELF_TRAINING_LABELS + " labels)");
        out.add("");
        out.add("| pool | supervised training (s) | self-training step (s) | step ÷ supervised |");
        out.add("|---|---|---|---|");
        HeadConfig headConfig = HeadConfig.defaults().withSeed(config.seed());
        int[] rows = IntStream.range(0, SELF_TRAINING_LABELS).toArray();
        for (int size : config.poolSizes()) {
            Vectors pool = prefix(vectors, labelPart + size);
            long t = System.nanoTime();
            try (Head head = Head.train(pool, rows, targets(names, labels, rows), headConfig, null, "synthetic")) {
                double supervised = seconds(t);
                t = System.nanoTime();
                try (Head refined = semi.refine(pool, rows, targets(names, labels, rows), head, headConfig,
                        "synthetic", config.seed())) {
                    double step = seconds(t);
                    log.accept(String.format(Locale.ROOT, "self-training, pool %d: supervised %.2f s, step %.2f s",
                            size, supervised, step));
                    out.add(String.format(Locale.ROOT, "| %,d | %.2f | %.2f | %.1f× |", size, supervised, step,
                            step / supervised));
                }
            }
        }
        return out;
    }

    private static final int SELF_TRAINING_LABELS = 1_500;

    /** The first {@code n} rows of {@code all}, without copying them. */
    private static Vectors prefix(Vectors all, int n) {
        return new Vectors() {
            @Override
            public int size() {
                return n;
            }

            @Override
            public int dimension() {
                return all.dimension();
            }

            @Override
            public float[] row(int i) {
                java.util.Objects.checkIndex(i, n);
                return all.row(i);
            }
        };
    }

    private List<String> training(Vectors vectors, int[] labels, List<String> names) {
        List<String> out = new ArrayList<>();
        out.add("### Head training (default MLP head, " + config.classes() + " classes)");
        out.add("");
        out.add("| labels | train (s) | warm retrain after 10 new labels (s) |");
        out.add("|---|---|---|");
        HeadConfig headConfig = HeadConfig.defaults().withSeed(config.seed());
        for (int n : config.labelCounts()) {
            int[] rows = IntStream.range(0, n).toArray();
            long t = System.nanoTime();
            try (Head head = Head.train(vectors, rows, targets(names, labels, rows), headConfig, null, "synthetic")) {
                double cold = seconds(t);
                int[] more = IntStream.range(0, n + 10).toArray();
                t = System.nanoTime();
                try (Head warm = Head.train(vectors, more, targets(names, labels, more), headConfig, head,
                        "synthetic")) {
                    double retrain = seconds(t);
                    log.accept(String.format(Locale.ROOT, "train %d labels: %.2f s, warm +10: %.2f s", n, cold,
                            retrain));
                    out.add(String.format(Locale.ROOT, "| %,d | %.2f | %.2f |", n, cold, retrain));
                }
            }
        }
        return out;
    }

    private interface Selection {
        List<Pick> run();
    }

    private String row(int size, String strategy, Selection selection) {
        System.gc();
        long before = Memory.rssMiB();
        Memory.resetPeak();
        long t = System.nanoTime();
        List<Pick> picks = selection.run();
        double s = seconds(t);
        long peak = Memory.peakRssMiB();
        if (picks.size() != config.batch()) {
            log.accept("warning: " + strategy + " picked " + picks.size() + " of " + config.batch());
        }
        log.accept(String.format(Locale.ROOT, "pool %d, %s: %.2f s", size, strategy, s));
        return String.format(Locale.ROOT, "| %,d | %s | %.2f | %.1f | %d | %d |", size, strategy, s, s * 1e6 / size,
                peak, before);
    }

    private static List<Pick> keep(List<List<Pick>> into, List<Pick> picks) {
        into.add(picks);
        return picks;
    }

    /** Picks two selections share. */
    private static long same(List<Pick> a, List<Pick> b) {
        java.util.Set<Integer> rows = new java.util.HashSet<>();
        a.forEach(p -> rows.add(p.row()));
        return b.stream().filter(p -> rows.contains(p.row())).count();
    }

    private static Targets targets(List<String> names, int[] labels, int[] rows) {
        int[][] classes = Arrays.stream(rows).mapToObj(r -> new int[] {labels[r]}).toArray(int[][]::new);
        return new Targets(names, false, classes);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
