package quarry.loop;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import quarry.core.Pick;
import quarry.core.Sampling;
import quarry.core.Vectors;
import quarry.eval.Metrics;
import quarry.eval.MultiLabelMetrics;
import quarry.eval.SingleLabelMetrics;
import quarry.index.VectorIndex;
import quarry.model.Head;
import quarry.model.HeadConfig;
import quarry.model.Targets;

/**
 * Runs the loop with a data set's own labels standing in for the annotator, and scores every
 * round on a held-out split the loop never sees.
 */
public final class Simulation {

    /** A labeled split: vectors and the class indexes of each row. */
    public record Split(Vectors vectors, int[][] classes) {
    }

    /**
     * One round as measured on the held-out split, beside the loop's own estimates
     * ({@code estimatedAccuracy}: cross-validated on the labels; {@code poolEstimate}: on the
     * unlabeled pool; NaN when not estimated).
     */
    public record Point(int round, int labels, double accuracy, double macroF1, double microF1,
            double estimatedAccuracy, double poolEstimate, double trainSeconds, double selectSeconds, List<String> firing,
            Double tunedAccuracy) {

        /** This point with the accuracy of a head on a fine-tuned encoder's embeddings (see {@link Tuning}). */
        Point withTuned(double tuned) {
            return new Point(round, labels, accuracy, macroF1, microF1, estimatedAccuracy, poolEstimate, trainSeconds,
                    selectSeconds, firing, tuned);
        }
    }

    /**
     * Fine-tuning inside a simulation: at set label counts the encoder is fine-tuned on the labels
     * so far, and every later point also reports a head trained on the tuned encoder's embeddings
     * of the same labels. Selection stays on the frozen embeddings (the pool is not re-embedded).
     */
    public interface Tuning {

        /** Fine-tunes on these pool rows (labeling order), seeded; the result embeds with the tuned encoder. */
        Tuned tune(int[] labeledRows, long seed);
    }

    /** A fine-tuned encoder's embeddings: pool rows on demand, the held-out split whole. */
    public interface Tuned extends AutoCloseable {

        /** Unit-length embeddings of these pool rows, in order. */
        float[][] embedPool(int[] rows);

        /** The held-out split, embedded (unit length). */
        Vectors test();

        /** The tuned encoder's id (provenance of the heads trained on it). */
        String encoderId();

        @Override
        void close();
    }

    /** One run: a strategy with one seed. */
    public record Run(String strategy, int repeat, long seed, List<Point> points, double[] finalPerClassF1,
            List<StopRound> stopHistory) {
    }

    private final Split pool;
    private final Split test;
    private final List<String> labelNames;
    private final boolean multiLabel;
    private final VectorIndex index;
    private final String encoderId;

    public Simulation(Split pool, Split test, List<String> labelNames, boolean multiLabel, VectorIndex index,
            String encoderId) {
        this.pool = pool;
        this.test = test;
        this.labelNames = List.copyOf(labelNames);
        this.multiLabel = multiLabel;
        this.index = index;
        this.encoderId = encoderId;
    }

    /** Accuracy (subset accuracy for multi-label) of the head trained on every pool label: the ceiling. */
    public Point fullData(HeadConfig config) {
        int[] rows = new int[pool.vectors().size()];
        Arrays.setAll(rows, i -> i);
        long start = System.nanoTime();
        try (Head head = Head.train(pool.vectors(), rows, new Targets(labelNames, multiLabel, pool.classes()), config,
                null, encoderId)) {
            double trainSeconds = (System.nanoTime() - start) / 1e9;
            return evaluate(head, 0, rows.length, Double.NaN, Double.NaN, trainSeconds, 0, List.of());
        }
    }

    /**
     * Runs one strategy from {@code seedSize} random labels (none: the strategy's cold start picks
     * the first batch) until {@code budget} labels.
     */
    public Run run(LoopSettings settings, int repeat, int seedSize, int budget, Consumer<Point> progress) {
        return run(settings, repeat, seedSize, budget, progress, new int[0], null);
    }

    /**
     * As {@link #run(LoopSettings, int, int, int, Consumer)}, fine-tuning with {@code tuning} the
     * first time the labels reach each of {@code tuneAt} (ascending).
     */
    public Run run(LoopSettings settings, int repeat, int seedSize, int budget, Consumer<Point> progress, int[] tuneAt,
            Tuning tuning) {
        long seed = settings.seed() + 1000L * repeat;
        LoopSettings seeded = settings.withHead(settings.head().withSeed(seed));
        List<Point> points = new ArrayList<>();
        List<Integer> labeled = new ArrayList<>();
        TunedHeads tuned = new TunedHeads(seeded.head());
        int nextTune = 0;
        try (tuned; ActiveLoop loop = new ActiveLoop(pool.vectors(), labelNames, multiLabel, index, seeded, encoderId)) {
            for (int row : Sampling.sample(pool.vectors().size(), Math.min(seedSize, budget), seed)) {
                loop.label(row, pool.classes()[row]);
                labeled.add(row);
            }
            while (true) {
                RoundReport report = loop.round();
                if (loop.head() != null) {
                    Point point = evaluate(loop.head(), report.round(), report.labelsUsed(),
                            report.estimatedAccuracy(), report.poolEstimate() == null ? Double.NaN
                                    : report.poolEstimate().accuracy(), report.trainSeconds(), report.selectSeconds(),
                            report.stop().signals().stream().filter(StopSignal::fire).map(StopSignal::criterion)
                                    .toList());
                    int[] used = labeled.stream().mapToInt(Integer::intValue).limit(report.labelsUsed()).toArray();
                    if (tuning != null && nextTune < tuneAt.length && used.length >= tuneAt[nextTune]) {
                        tuned.replace(tuning.tune(used, seed));
                        while (nextTune < tuneAt.length && used.length >= tuneAt[nextTune]) {
                            nextTune++;
                        }
                    }
                    if (tuned.active()) {
                        point = point.withTuned(tuned.accuracy(used));
                    }
                    points.add(point);
                    progress.accept(point);
                }
                if (loop.labeledCount() >= budget || report.picks().isEmpty()) {
                    double[] perClass = loop.head() == null ? new double[0] : perClassF1(loop.head());
                    return new Run(settings.strategy(), repeat, seed, points, perClass, loop.stopHistory());
                }
                int room = budget - loop.labeledCount();
                for (Pick pick : report.picks().subList(0, Math.min(room, report.picks().size()))) {
                    loop.label(pick.row(), pool.classes()[pick.row()]);
                    labeled.add(pick.row());
                }
            }
        }
    }

    /**
     * Heads on the latest fine-tuned encoder's embeddings: supervised only (self-training would
     * need the whole pool re-embedded), trained from scratch with the loop's head settings.
     */
    private final class TunedHeads implements AutoCloseable {
        private final HeadConfig config;
        private final java.util.Map<Integer, float[]> embedded = new java.util.HashMap<>();
        private Tuned current;

        TunedHeads(HeadConfig config) {
            this.config = config;
        }

        void replace(Tuned next) {
            close();
            embedded.clear();
            current = next;
        }

        boolean active() {
            return current != null;
        }

        double accuracy(int[] rows) {
            int[] missing = Arrays.stream(rows).filter(r -> !embedded.containsKey(r)).toArray();
            if (missing.length > 0) {
                float[][] x = current.embedPool(missing);
                for (int i = 0; i < missing.length; i++) {
                    embedded.put(missing[i], x[i]);
                }
            }
            float[][] x = new float[rows.length][];
            int[][] classes = new int[rows.length][];
            for (int i = 0; i < rows.length; i++) {
                x[i] = embedded.get(rows[i]);
                classes[i] = pool.classes()[rows[i]];
            }
            int[] all = new int[rows.length];
            Arrays.setAll(all, i -> i);
            try (Head head = Head.train(Vectors.of(x), all, new Targets(labelNames, multiLabel, classes), config, null,
                    current.encoderId())) {
                return score(head, current.test()).accuracy();
            }
        }

        @Override
        public void close() {
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }

    private Point evaluate(Head head, int round, int labels, double estimated, double onPool, double trainSeconds,
            double selectSeconds, List<String> firing) {
        Scores m = score(head, test.vectors());
        return new Point(round, labels, m.accuracy(), m.macroF1(), m.microF1(), estimated, onPool, trainSeconds,
                selectSeconds, firing, null);
    }

    /** Accuracy (subset accuracy for multi-label), macro-F1 and micro-F1 (NaN for single-label). */
    private record Scores(double accuracy, double macroF1, double microF1) {
    }

    /** Scores a head on the held-out split as embedded in {@code x} (the frozen vectors, or a tuned encoder's). */
    private Scores score(Head head, Vectors x) {
        int[] rows = new int[x.size()];
        Arrays.setAll(rows, i -> i);
        if (multiLabel) {
            MultiLabelMetrics m = multiLabelMetrics(head, x, rows);
            return new Scores(m.subsetAccuracy(), m.macroF1(), m.microF1());
        }
        SingleLabelMetrics m = singleLabelMetrics(head, x, rows);
        return new Scores(m.accuracy(), m.macroF1(), Double.NaN);
    }

    private SingleLabelMetrics singleLabelMetrics(Head head, Vectors x, int[] rows) {
        int[] truth = Arrays.stream(rows).map(r -> test.classes()[r][0]).toArray();
        int[] predicted = Arrays.stream(head.predict(x, rows)).mapToInt(p -> p[0]).toArray();
        return Metrics.singleLabel(truth, predicted, labelNames.size());
    }

    private MultiLabelMetrics multiLabelMetrics(Head head, Vectors x, int[] rows) {
        int[][] predicted = head.predict(x, rows);
        boolean[][] truthMatrix = new boolean[rows.length][labelNames.size()];
        boolean[][] predictedMatrix = new boolean[rows.length][labelNames.size()];
        for (int i = 0; i < rows.length; i++) {
            for (int c : test.classes()[rows[i]]) {
                truthMatrix[i][c] = true;
            }
            for (int c : predicted[i]) {
                predictedMatrix[i][c] = true;
            }
        }
        return Metrics.multiLabel(truthMatrix, predictedMatrix);
    }

    private double[] perClassF1(Head head) {
        int[] rows = new int[test.vectors().size()];
        Arrays.setAll(rows, i -> i);
        return multiLabel ? multiLabelMetrics(head, test.vectors(), rows).perLabel().stream().mapToDouble(c -> c.f1())
                .toArray() : singleLabelMetrics(head, test.vectors(), rows).f1ByClass();
    }
}
