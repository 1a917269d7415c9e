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
     * so far and the whole pool is re-embedded with it. What happens next is the {@link Selection}.
     */
    public interface Tuning {

        /** Fine-tunes on these pool rows (labeling order), seeded; the result embeds with the tuned encoder. */
        Tuned tune(int[] labeledRows, long seed);
    }

    /**
     * Where the loop selects after a fine-tune. Either way every later point reports, as its tuned
     * accuracy, the head a server would serve: trained on the tuned embeddings, self-trained on the
     * re-embedded pool as the loop's settings say.
     */
    public enum Selection {
        /** Selection stays on the frozen embeddings; a second head on the tuned ones is scored beside. */
        FROZEN,
        /** The loop moves to the tuned embeddings (and a new vector index), as the server does. */
        TUNED;

        public static Selection parse(String option, String value) {
            for (Selection s : values()) {
                if (s.name().equalsIgnoreCase(value)) {
                    return s;
                }
            }
            throw new IllegalArgumentException(option + " is frozen or tuned, got '" + value + "'");
        }
    }

    /** A fine-tuned encoder's embeddings of the pool and the held-out split. */
    public interface Tuned extends AutoCloseable {

        /** Every pool row, embedded by the tuned encoder (unit length), in pool order. */
        Vectors pool();

        /** A vector index over {@link #pool()} with densities (built on first call). */
        VectorIndex index();

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
        return run(settings, repeat, seedSize, budget, progress, new int[0], null, Selection.FROZEN);
    }

    /**
     * As {@link #run(LoopSettings, int, int, int, Consumer)}, fine-tuning with {@code tuning} the
     * first time the labels reach each of {@code tuneAt} (ascending), and selecting after that as
     * {@code selection} says.
     */
    public Run run(LoopSettings settings, int repeat, int seedSize, int budget, Consumer<Point> progress, int[] tuneAt,
            Tuning tuning, Selection selection) {
        long seed = settings.seed() + 1000L * repeat;
        LoopSettings seeded = settings.withHead(settings.head().withSeed(seed));
        List<Point> points = new ArrayList<>();
        List<Integer> labeled = new ArrayList<>();
        int nextTune = 0;
        Tuned tuned = null;
        ActiveLoop loop = new ActiveLoop(pool.vectors(), labelNames, multiLabel, index, seeded, encoderId);
        try {
            for (int row : Sampling.sample(pool.vectors().size(), Math.min(seedSize, budget), seed)) {
                loop.label(row, pool.classes()[row]);
                labeled.add(row);
            }
            while (true) {
                RoundReport report = loop.round();
                if (loop.head() != null) {
                    int[] used = labeled.stream().mapToInt(Integer::intValue).limit(report.labelsUsed()).toArray();
                    if (tuning != null && nextTune < tuneAt.length && used.length >= tuneAt[nextTune]) {
                        if (tuned != null) {
                            tuned.close();
                        }
                        tuned = tuning.tune(used, seed);
                        while (nextTune < tuneAt.length && used.length >= tuneAt[nextTune]) {
                            nextTune++;
                        }
                        if (selection == Selection.TUNED) {
                            // As the server does: the loop moves to the re-embedded pool with its labels,
                            // and this round runs again there (a new head, new picks).
                            ActiveLoop moved = new ActiveLoop(tuned.pool(), labelNames, multiLabel, tuned.index(),
                                    seeded, tuned.encoderId());
                            loop.close();
                            loop = moved;
                            for (int row : labeled) {
                                loop.label(row, pool.classes()[row]);
                            }
                            report = loop.round();
                        }
                    }
                    boolean moved = tuned != null && selection == Selection.TUNED;
                    Point point = evaluate(loop.head(), moved ? tuned.test() : test.vectors(), report);
                    if (tuned != null) {
                        point = point.withTuned(moved ? point.accuracy() : servedOnTuned(tuned, used, seeded, seed));
                    }
                    points.add(point);
                    progress.accept(point);
                }
                if (loop.labeledCount() >= budget || report.picks().isEmpty()) {
                    boolean moved = tuned != null && selection == Selection.TUNED;
                    double[] perClass = loop.head() == null ? new double[0]
                            : perClassF1(loop.head(), moved ? tuned.test() : test.vectors());
                    return new Run(settings.strategy(), repeat, seed, points, perClass, loop.stopHistory());
                }
                int room = budget - loop.labeledCount();
                for (Pick pick : report.picks().subList(0, Math.min(room, report.picks().size()))) {
                    loop.label(pick.row(), pool.classes()[pick.row()]);
                    labeled.add(pick.row());
                }
            }
        } finally {
            loop.close();
            if (tuned != null) {
                tuned.close();
            }
        }
    }

    /**
     * The head a server would serve after a fine-tune while selection stays frozen: trained from
     * scratch on the tuned embeddings of the labels so far, then self-trained on the re-embedded
     * pool as the loop's settings say.
     */
    private double servedOnTuned(Tuned tuned, int[] rows, LoopSettings settings, long seed) {
        int[][] classes = Arrays.stream(rows).mapToObj(r -> pool.classes()[r]).toArray(int[][]::new);
        Targets y = new Targets(labelNames, multiLabel, classes);
        try (Head supervised = Head.train(tuned.pool(), rows, y, settings.head(), null, tuned.encoderId())) {
            if (!settings.selfTraining().appliesTo(rows.length, multiLabel)) {
                return score(supervised, tuned.test()).accuracy();
            }
            try (Head served = settings.selfTraining().refine(tuned.pool(), rows, y, supervised, settings.head(),
                    tuned.encoderId(), seed)) {
                return score(served, tuned.test()).accuracy();
            }
        }
    }

    private Point evaluate(Head head, Vectors x, RoundReport report) {
        Scores m = score(head, x);
        return new Point(report.round(), report.labelsUsed(), m.accuracy(), m.macroF1(), m.microF1(),
                report.estimatedAccuracy(), report.poolEstimate() == null ? Double.NaN
                        : report.poolEstimate().accuracy(), report.trainSeconds(), report.selectSeconds(),
                report.stop().signals().stream().filter(StopSignal::fire).map(StopSignal::criterion).toList(), null);
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

    private double[] perClassF1(Head head, Vectors x) {
        int[] rows = new int[x.size()];
        Arrays.setAll(rows, i -> i);
        return multiLabel ? multiLabelMetrics(head, x, rows).perLabel().stream().mapToDouble(c -> c.f1())
                .toArray() : singleLabelMetrics(head, x, rows).f1ByClass();
    }
}
