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
            double estimatedAccuracy, double poolEstimate, double trainSeconds, double selectSeconds, List<String> firing) {
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
        long seed = settings.seed() + 1000L * repeat;
        LoopSettings seeded = settings.withHead(settings.head().withSeed(seed));
        List<Point> points = new ArrayList<>();
        try (ActiveLoop loop = new ActiveLoop(pool.vectors(), labelNames, multiLabel, index, seeded, encoderId)) {
            for (int row : Sampling.sample(pool.vectors().size(), Math.min(seedSize, budget), seed)) {
                loop.label(row, pool.classes()[row]);
            }
            while (true) {
                RoundReport report = loop.round();
                if (loop.head() != null) {
                    Point point = evaluate(loop.head(), report.round(), report.labelsUsed(),
                            report.estimatedAccuracy(), report.poolEstimate() == null ? Double.NaN
                                    : report.poolEstimate().accuracy(), report.trainSeconds(), report.selectSeconds(),
                            report.stop().signals().stream().filter(StopSignal::fire).map(StopSignal::criterion)
                                    .toList());
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
                }
            }
        }
    }

    private Point evaluate(Head head, int round, int labels, double estimated, double onPool, double trainSeconds,
            double selectSeconds, List<String> firing) {
        int[] rows = new int[test.vectors().size()];
        Arrays.setAll(rows, i -> i);
        if (multiLabel) {
            MultiLabelMetrics m = multiLabelMetrics(head, rows);
            return new Point(round, labels, m.subsetAccuracy(), m.macroF1(), m.microF1(), estimated, onPool, trainSeconds,
                    selectSeconds, firing);
        }
        SingleLabelMetrics m = singleLabelMetrics(head, rows);
        return new Point(round, labels, m.accuracy(), m.macroF1(), Double.NaN, estimated, onPool, trainSeconds, selectSeconds,
                firing);
    }

    private SingleLabelMetrics singleLabelMetrics(Head head, int[] rows) {
        int[] truth = Arrays.stream(rows).map(r -> test.classes()[r][0]).toArray();
        int[] predicted = Arrays.stream(head.predict(test.vectors(), rows)).mapToInt(p -> p[0]).toArray();
        return Metrics.singleLabel(truth, predicted, labelNames.size());
    }

    private MultiLabelMetrics multiLabelMetrics(Head head, int[] rows) {
        int[][] predicted = head.predict(test.vectors(), rows);
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
        return multiLabel ? multiLabelMetrics(head, rows).perLabel().stream().mapToDouble(c -> c.f1()).toArray()
                : singleLabelMetrics(head, rows).f1ByClass();
    }
}
