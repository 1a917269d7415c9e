package quarry.loop;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import quarry.core.Pick;
import quarry.core.Sampling;
import quarry.core.Vectors;
import quarry.eval.AcceptThreshold;
import quarry.eval.ClassMetrics;
import quarry.eval.CrossValidation;
import quarry.eval.Metrics;
import quarry.eval.PoolAccuracy;
import quarry.eval.PoolEstimate;
import quarry.eval.SafeToAccept;
import quarry.eval.SingleLabelMetrics;
import quarry.index.VectorIndex;
import quarry.model.Committee;
import quarry.model.Head;
import quarry.model.Targets;
import quarry.query.ColdStart;
import quarry.query.QueryContext;
import quarry.query.QueryStrategy;
import quarry.query.Strategies;
import quarry.query.Uncertainty;

/**
 * The active-learning loop, one implementation for the server and the simulator: labels come in
 * through {@link #label}; each {@link #round} retrains the head (warm-started from the last one),
 * scores the unlabeled pool, selects the next batch and reports metrics and stopping criteria.
 * Thread-safe: rounds and labels are serialised.
 */
public final class ActiveLoop implements AutoCloseable {

    private Vectors pool;
    private final List<String> labelNames;
    private final boolean multiLabel;
    private final VectorIndex index;
    private final LoopSettings settings;
    private final String encoderId;
    private final QueryStrategy strategy;
    /** Pool rows whose predictions the stopping criteria follow, ascending; grows with the pool. */
    private int[] stopSet;
    /** Labeled rows in the order they were labeled, with their classes. */
    private final Map<Integer, int[]> labels = new LinkedHashMap<>();
    /**
     * Labeled rows that train the head but never judge it: machine labels, the model's own
     * predictions, would only flatter the estimates (and so the safe-to-accept threshold).
     */
    private final Set<Integer> trainOnly = new HashSet<>();
    private final List<RoundReport> reports = new ArrayList<>();
    private final List<StopRound> stopHistory = new ArrayList<>();
    /** The head served and ranked with: {@link #supervised}, refined on the pool when self-training is on. */
    private Head head;
    /** The head trained on people's labels alone; the next round warm-starts from it. */
    private Head supervised;
    private Committee committee;
    /** The last cross-validation's calibration, for the pool estimate of rounds that skip it (single-label). */
    private PoolAccuracy.Calibrated calibration;
    /** The labeled rows the last {@link #rank} trained on, until {@link #assess} reports on them. */
    private int[] rankedRows;
    private int modelVersion;

    /**
     * @param index the pool's vector index for density and diversity, or null
     */
    public ActiveLoop(Vectors pool, List<String> labelNames, boolean multiLabel, VectorIndex index,
            LoopSettings settings, String encoderId) {
        if (labelNames.size() < 2) {
            throw new IllegalArgumentException("a label schema needs at least 2 labels, got " + labelNames);
        }
        this.pool = pool;
        this.labelNames = List.copyOf(labelNames);
        this.multiLabel = multiLabel;
        this.index = index;
        this.settings = settings;
        this.encoderId = encoderId;
        this.strategy = Strategies.byName(settings.strategy(), settings.options());
        int[] stop = Sampling.sample(pool.size(), settings.stopSetSize(), settings.seed() ^ 0x5DEECE66DL);
        Arrays.sort(stop);
        this.stopSet = stop;
    }

    /**
     * The pool grew (documents were imported into a running project): later rounds score the bigger
     * pool, and the head, its warm start, the labels and the stopping history carry on. The stop set
     * grows by the same share of the new rows as it holds of the old ones (at least up to its
     * configured size); κ then compares rounds on the rows both saw.
     *
     * @param bigger the pool as it is now; its first rows must be the old pool's
     */
    public synchronized void grow(Vectors bigger) {
        int old = pool.size();
        if (bigger.size() < old || bigger.dimension() != pool.dimension() && old > 0) {
            throw new IllegalArgumentException("a pool only grows: " + old + " rows of dimension " + pool.dimension()
                    + " cannot become " + bigger.size() + " of dimension " + bigger.dimension());
        }
        int added = bigger.size() - old;
        if (added > 0) {
            int share = old == 0 ? 0 : (int) Math.round((double) added * stopSet.length / old);
            int take = Math.min(added, Math.max(share, settings.stopSetSize() - stopSet.length));
            int[] fresh = Sampling.sample(added, take, settings.seed() ^ 0x5DEECE66DL ^ old);
            int[] grown = Arrays.copyOf(stopSet, stopSet.length + fresh.length);
            for (int i = 0; i < fresh.length; i++) {
                grown[stopSet.length + i] = old + fresh[i];
            }
            Arrays.sort(grown);
            stopSet = grown;
        }
        pool = bigger;
    }

    /** Replaces every label at once with the given rows' class indexes (a snapshot of the label book). */
    public synchronized void relabel(Map<Integer, int[]> current) {
        relabel(current, Set.of());
    }

    /**
     * Replaces every label at once, as {@link #relabel(Map)}; the labels of {@code trainOnlyRows}
     * train the head but are left out of cross-validation's held-out folds.
     */
    public synchronized void relabel(Map<Integer, int[]> current, Set<Integer> trainOnlyRows) {
        trainOnly.clear();
        trainOnlyRows.stream().filter(current::containsKey).forEach(trainOnly::add);
        labels.keySet().retainAll(current.keySet());
        for (Map.Entry<Integer, int[]> e : current.entrySet()) {
            int[] had = labels.get(e.getKey());
            if (had == null || !Arrays.equals(had, e.getValue())) {
                label(e.getKey(), e.getValue());
            }
        }
    }

    /** Records (or replaces) the labels of pool row {@code row}, as class indexes of the schema. */
    public synchronized void label(int row, int... classes) {
        if (row < 0 || row >= pool.size()) {
            throw new IllegalArgumentException("row " + row + " is outside the pool of " + pool.size());
        }
        if (!multiLabel && classes.length != 1) {
            throw new IllegalArgumentException("single-label data takes exactly one class, got "
                    + Arrays.toString(classes) + " for row " + row);
        }
        for (int c : classes) {
            if (c < 0 || c >= labelNames.size()) {
                throw new IllegalArgumentException("class " + c + " is outside the schema of " + labelNames.size()
                        + " labels (row " + row + ")");
            }
        }
        labels.remove(row);
        labels.put(row, classes.clone());
    }

    public synchronized void unlabel(int row) {
        labels.remove(row);
        trainOnly.remove(row);
    }

    public synchronized int labeledCount() {
        return labels.size();
    }

    public synchronized Head head() {
        return head;
    }

    /** What the stopping criteria saw, round by round. */
    public synchronized List<StopRound> stopHistory() {
        return List.copyOf(stopHistory);
    }

    public synchronized List<RoundReport> reports() {
        return List.copyOf(reports);
    }

    public synchronized Vectors pool() {
        return pool;
    }

    public List<String> labelNames() {
        return labelNames;
    }

    /**
     * The part of a round that changes what is picked: the head retrained on the labels so far, and
     * the next picks, best first. The server hands these out before {@link #assess} runs, so the
     * queue never waits for the report.
     *
     * @param labelsUsed the labels the head was trained on
     */
    public record Ranked(int round, int labelsUsed, List<Pick> picks, double trainSeconds, double selectSeconds,
            int modelVersion) {
        public Ranked {
            picks = List.copyOf(picks);
        }
    }

    /** Retrains on the labels so far, picks the next batch, then reports on the round. */
    public synchronized RoundReport round() {
        return assess(rank(settings.batchSize()), true);
    }

    /**
     * Retrains on the labels so far and ranks the unlabeled pool: its {@code depth} best picks (at
     * least a batch), kept diverse as the strategy keeps a batch diverse, so the first batch of a
     * deeper ranking is the batch {@link #round} would pick. Before there is a model, the cold start
     * picks one batch. Call {@link #assess} before the next label or rank.
     */
    public synchronized Ranked rank(int depth) {
        int round = reports.size();
        int[] rows = labels.keySet().stream().mapToInt(Integer::intValue).toArray();
        long start = System.nanoTime();
        train(rows, roundSeed(settings, round));
        double trainSeconds = seconds(start);
        start = System.nanoTime();
        int n = head == null ? settings.batchSize() : Math.max(settings.batchSize(), depth);
        List<Pick> picks = strategy.select(context(rows, round), n);
        rankedRows = rows;
        return new Ranked(round, rows.length, picks, trainSeconds, seconds(start), modelVersion);
    }

    /**
     * The part of a round that only reports, on the head {@link #rank} trained: the stopping
     * statistics and, when {@code estimate} is set (and this is an estimating round), the
     * cross-validated estimates, which train {@code cvFolds} more heads.
     */
    public synchronized RoundReport assess(Ranked ranked, boolean estimate) {
        int[] rows = rankedRows;
        if (rows == null || ranked.round() != reports.size()) {
            throw new IllegalStateException("assess the round that was just ranked (round " + reports.size() + ", got "
                    + ranked.round() + ")");
        }
        rankedRows = null;
        Estimate e = estimate && ranked.round() % settings.cvEvery() == 0 ? estimate(rows) : Estimate.NONE;
        PoolEstimate onPool = e.pool();
        if (e == Estimate.NONE && calibration != null && head != null) {
            // No cross-validation this round: this head's own pool predictions, through the last
            // calibration, keep the pool estimate current for one pass over the pool.
            onPool = calibration.on(poolConfidence(head, unlabeled(rows)));
        }
        int[] stopPredictions = null;
        double meanUncertainty = Double.NaN;
        double maxUncertainty = Double.NaN;
        if (head != null && stopSet.length > 0) {
            float[][] p = head.probabilities(pool, stopSet);
            stopPredictions = new int[stopSet.length];
            meanUncertainty = 0;
            maxUncertainty = 0;
            for (int i = 0; i < p.length; i++) {
                stopPredictions[i] = Uncertainty.argmax(p[i]);
                double u = 1 - p[i][stopPredictions[i]];
                meanUncertainty += u / p.length;
                maxUncertainty = Math.max(maxUncertainty, u);
            }
        }
        stopHistory.add(new StopRound(rows.length, stopPredictions, meanUncertainty, maxUncertainty,
                e.accuracy(), stopPredictions == null ? null : stopSet));
        StopReport stop = Stopping.evaluate(stopHistory, settings.stopping());
        RoundReport report = new RoundReport(ranked.round(), rows.length, strategy.name(), ranked.picks(),
                ranked.trainSeconds(), ranked.selectSeconds(), ranked.modelVersion(), e.accuracy(), e.weakest(),
                e.safe(), onPool, stop);
        reports.add(report);
        return report;
    }

    /**
     * The cold start's picks for a pool without labels and without a vector index yet: the same
     * documents the first {@link #rank} picks, less their densities.
     */
    public static List<Pick> coldStart(Vectors pool, LoopSettings settings) {
        int[] all = java.util.stream.IntStream.range(0, pool.size()).toArray();
        QueryContext ctx = QueryContext.of(pool, all).withSeed(roundSeed(settings, 0));
        return new ColdStart().select(ctx, settings.batchSize());
    }

    private static long roundSeed(LoopSettings settings, int round) {
        return settings.seed() * 1_000_003L + round;
    }

    private void train(int[] rows, long seed) {
        if (rows.length == 0) {
            return;
        }
        // A warm start runs only a few epochs: enough when a round adds a batch, too few when the
        // labels jump (the live loop: a first model on 41 labels, the next on 200 gave 50.6% warm
        // against 58.8% from scratch). Past doubling, train afresh. Multi-label heads always train
        // afresh: round after round of warm epochs over the same early labels overfits them (GoEmotions,
        // valid: a warm chain to 2,000 labels had 32.8% subset accuracy and log loss 5.2 per document,
        // a head trained from scratch on the same labels 36.7% and 3.4).
        Head warm = supervised != null && !multiLabel && rows.length <= 2 * supervised.training().examples()
                ? supervised : null;
        Fitted next = fit(rows, warm, seed, settings.selfTraining());
        closeHeads();
        supervised = next.supervised();
        head = next.served();
        modelVersion++;
        if (settings.strategy().startsWith("qbc")) {
            Committee nextCommittee = Committee.train(pool, rows, targets(rows), settings.head(),
                    settings.committeeSize(), encoderId);
            if (committee != null) {
                committee.close();
            }
            committee = nextCommittee;
        }
    }

    /** A head on people's labels, and the one to serve (the same, or refined by self-training). */
    private record Fitted(Head supervised, Head served) {
        void close() {
            if (served != supervised) {
                served.close();
            }
            supervised.close();
        }
    }

    private Fitted fit(int[] rows, Head warm, long seed, SelfTraining semi) {
        Targets y = targets(rows);
        Head trained = Head.train(pool, rows, y, settings.head(), warm, encoderId);
        if (!semi.appliesTo(rows.length, multiLabel)) {
            return new Fitted(trained, trained);
        }
        try {
            return new Fitted(trained, semi.refine(pool, rows, y, trained, settings.head(), encoderId, seed));
        } catch (RuntimeException | Error e) {
            trained.close();
            throw e;
        }
    }

    private void closeHeads() {
        if (head != null && head != supervised) {
            head.close();
        }
        if (supervised != null) {
            supervised.close();
        }
        head = null;
        supervised = null;
    }

    /** Pool rows not among {@code labeledRows}, ascending. */
    private int[] unlabeled(int[] labeledRows) {
        boolean[] isLabeled = new boolean[pool.size()];
        for (int r : labeledRows) {
            isLabeled[r] = true;
        }
        int[] candidates = new int[pool.size() - labeledRows.length];
        int n = 0;
        for (int r = 0; r < pool.size(); r++) {
            if (!isLabeled[r]) {
                candidates[n++] = r;
            }
        }
        return candidates;
    }

    private QueryContext context(int[] labeledRows, int round) {
        int[] candidates = unlabeled(labeledRows);
        int[] counts = new int[labelNames.size()];
        double cardinality = 0;
        for (int[] classes : labels.values()) {
            for (int c : classes) {
                counts[c]++;
            }
            cardinality += (double) classes.length / Math.max(1, labels.size());
        }
        return QueryContext.of(pool, candidates).withLabeled(labeledRows).withHead(head).withCommittee(committee)
                .withIndex(index).withLabelCounts(counts, labels.isEmpty() ? Double.NaN : cardinality)
                .withSeed(roundSeed(settings, round)).withMcPasses(settings.mcPasses());
    }

    private record Estimate(double accuracy, List<ClassMetrics> weakest, AcceptThreshold safe, PoolEstimate pool) {
        static final Estimate NONE = new Estimate(Double.NaN, List.of(), null, null);
    }

    /**
     * Accuracy from the labels alone by stratified k-fold cross-validation; the out-of-fold
     * predictions also give per-class metrics and the safe-to-accept threshold. Single-label only.
     * Train-only rows join every fold's training set and no held-out fold.
     */
    private Estimate estimate(int[] labeledRows) {
        int folds = settings.cvFolds();
        int[] rows = Arrays.stream(labeledRows).filter(r -> !trainOnly.contains(r)).toArray();
        int[] always = Arrays.stream(labeledRows).filter(trainOnly::contains).toArray();
        if (folds == 0 || multiLabel || head == null || rows.length < 2 * folds) {
            return Estimate.NONE;
        }
        int[] truth = Arrays.stream(rows).map(r -> labels.get(r)[0]).toArray();
        int[] predicted = new int[rows.length];
        double[] confidence = new double[rows.length];
        for (CrossValidation.Fold fold : CrossValidation.stratifiedFolds(truth, folds, settings.seed())) {
            int[] trainRows = java.util.stream.IntStream.concat(Arrays.stream(fold.train()).map(i -> rows[i]),
                    Arrays.stream(always)).toArray();
            int[] testRows = Arrays.stream(fold.test()).map(i -> rows[i]).toArray();
            // Fold heads learn from the labels alone: self-training five fold heads kept the live
            // loop's trainer in cross-validation most of the time and held new versions back for
            // tens of seconds. So the estimates describe the supervised head; the served,
            // self-trained head was as good or better on every validation curve, so they err low.
            Fitted foldHeads = fit(trainRows, null, settings.seed(), SelfTraining.OFF);
            try {
                float[][] p = foldHeads.served().probabilities(pool, testRows);
                for (int i = 0; i < testRows.length; i++) {
                    predicted[fold.test()[i]] = Uncertainty.argmax(p[i]);
                    confidence[fold.test()[i]] = p[i][predicted[fold.test()[i]]];
                }
            } finally {
                foldHeads.close();
            }
        }
        SingleLabelMetrics metrics = Metrics.singleLabel(truth, predicted, labelNames.size());
        boolean[] correct = new boolean[rows.length];
        for (int i = 0; i < rows.length; i++) {
            correct[i] = truth[i] == predicted[i];
        }
        double[] poolConfidence = poolConfidence(head, unlabeled(labeledRows));
        AcceptThreshold safe = SafeToAccept.choose(confidence, correct, poolConfidence);
        calibration = PoolAccuracy.calibrate(confidence, correct, settings.seed());
        PoolEstimate onPool = calibration == null ? null : calibration.on(poolConfidence);
        return new Estimate(metrics.accuracy(), metrics.weakestFirst(), safe, onPool);
    }

    /** The confidence of the head's prediction for each of {@code rows}. */
    private double[] poolConfidence(Head h, int[] rows) {
        float[][] p = h.probabilities(pool, rows);
        double[] confidence = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            confidence[i] = p[i][Uncertainty.argmax(p[i])];
        }
        return confidence;
    }

    private Targets targets(int[] rows) {
        int[][] classes = Arrays.stream(rows).mapToObj(labels::get).toArray(int[][]::new);
        return new Targets(labelNames, multiLabel, classes);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    @Override
    public synchronized void close() {
        closeHeads();
        if (committee != null) {
            committee.close();
        }
    }
}
