package quarry.model;

import ai.djl.Device;
import ai.djl.Model;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import quarry.core.Classifier;
import quarry.core.McStats;
import quarry.core.Vectors;
import quarry.djl.DjlSettings;

/**
 * A classifier head over cached embeddings, on DJL's PyTorch engine: an MLP or softmax regression
 * ({@link HeadConfig.Kind}), single-label (softmax) or multi-label (per-label sigmoid with tuned
 * decision thresholds).
 *
 * <p>A head is immutable once trained. Its scoring methods may be called from several threads at
 * once: each call works in its own native sub-manager. Training runs on the calling thread and is
 * serialised JVM-wide (DJL allows one gradient collector at a time). {@link #close()} frees the
 * native weights; using a closed head throws {@link IllegalStateException}.
 */
public final class Head implements Classifier, AutoCloseable {

    /** MC-dropout passes when the caller has no better idea. */
    public static final int DEFAULT_PASSES = 20;

    private final Model model;
    private final Net net;
    private final Weights weights;
    private final List<String> labels;
    private final boolean multiLabel;
    private final HeadConfig config;
    private final String encoderId;
    private final float[] thresholds;
    /** Multi-label: when no label passes, how near its threshold the nearest one must be (see {@link Thresholds}). */
    private final float emptyBelow;
    private final TrainingInfo training;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Head(Model model, Net net, Weights weights, List<String> labels, boolean multiLabel, HeadConfig config,
                 String encoderId, float[] thresholds, float emptyBelow, TrainingInfo training) {
        this.model = model;
        this.net = net;
        this.weights = weights;
        this.labels = List.copyOf(labels);
        this.multiLabel = multiLabel;
        this.config = config;
        this.encoderId = encoderId;
        this.thresholds = thresholds;
        this.emptyBelow = emptyBelow;
        this.training = training;
    }

    /**
     * Trains a head on the labeled rows of {@code x}.
     *
     * @param x         embeddings (rows of the same encoder)
     * @param rows      the labeled rows; example i of {@code y} is {@code x.row(rows[i])}
     * @param y         label set and classes of each example
     * @param config    architecture and training settings
     * @param warmStart a previous head to continue from (same encoder, kind, hidden size and label
     *                  mode; labels are matched by name, new ones start fresh), or null
     * @param encoderId the encoder that made {@code x}, recorded with the head
     */
    public static Head train(Vectors x, int[] rows, Targets y, HeadConfig config, Head warmStart, String encoderId) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        Objects.requireNonNull(config, "config");
        if (encoderId == null || encoderId.isBlank()) {
            throw new IllegalArgumentException("encoderId must not be blank, got '" + encoderId + "'");
        }
        RowReader.checkRows(x, rows);
        if (rows.length == 0) {
            throw new IllegalArgumentException("no labeled rows to train on");
        }
        if (rows.length != y.size()) {
            throw new IllegalArgumentException(rows.length + " rows but " + y.size() + " labeled examples");
        }
        if (x.dimension() < 1) {
            throw new IllegalArgumentException("vectors have dimension " + x.dimension());
        }
        if (warmStart != null) {
            warmStart.checkCanWarmStart(x.dimension(), y, config, encoderId);
        }
        long start = System.nanoTime();
        Weights initial = warmStart == null
                ? Weights.random(config, x.dimension(), y.labelCount())
                : Weights.warm(warmStart.weights, warmStart.labels, y.labels(), config);
        HeadTrainer.Result result = HeadTrainer.fit(x, rows, y, config, initial, warmStart != null);
        Model model = newModel();
        try {
            Net net = Net.of(result.weights(), config.dropout());
            net.initialize(model.getNDManager(), false);
            model.setBlock(net.block());
            Thresholds.Decision decision = null;
            if (y.multiLabel()) {
                int folds = config.thresholdFolds();
                // Out-of-fold scores look like the scores of documents the head has not seen, which is
                // what the rule decides on; the head's fit on its own labels is overconfident.
                float[][] probs = folds >= 2 && rows.length >= 2 * folds
                        ? OutOfFold.probabilities(x, rows, y, config, encoderId, folds)
                        : Scoring.probabilities(model.getNDManager(), net, true, x, rows, Scoring.CHUNK_ROWS);
                decision = Thresholds.choose(probs, y);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            TrainingInfo info = new TrainingInfo(rows.length, result.epochs(), result.steps(), warmStart != null,
                    millis, result.finalLoss(), Instant.now().toString());
            return new Head(model, net, result.weights(), y.labels(), y.multiLabel(), config, encoderId,
                    decision == null ? null : decision.thresholds(), decision == null ? 0f : decision.emptyBelow(), info);
        } catch (RuntimeException | Error e) {
            model.close();
            throw e;
        }
    }

    /** Rebuilds a head from saved weights (used by {@link #load}). */
    static Head restore(Model model, Net net, List<String> labels, boolean multiLabel, HeadConfig config,
                        String encoderId, float[] thresholds, float emptyBelow, TrainingInfo training) {
        return new Head(model, net, net.weights(), labels, multiLabel, config, encoderId, thresholds, emptyBelow,
                training);
    }

    /** As above, for a multi-label head that never falls back to its nearest label. */
    static Head restore(Model model, Net net, List<String> labels, boolean multiLabel, HeadConfig config,
                        String encoderId, float[] thresholds, TrainingInfo training) {
        return restore(model, net, labels, multiLabel, config, encoderId, thresholds, 0f, training);
    }

    /** Every scoring model is made here, so DJL is configured before a loaded head first runs. */
    static Model newModel() {
        DjlSettings.apply();
        return Model.newInstance("quarry-head", Device.cpu(), Net.ENGINE);
    }

    private void checkCanWarmStart(int dimension, Targets y, HeadConfig newConfig, String newEncoderId) {
        checkOpen();
        if (!encoderId.equals(newEncoderId)) {
            throw new IllegalArgumentException("cannot warm-start from a head of encoder '" + encoderId
                    + "' for encoder '" + newEncoderId + "'");
        }
        if (dimension != dimension()) {
            throw new IllegalArgumentException("cannot warm-start a " + dimension + "-d head from a " + dimension()
                    + "-d head");
        }
        if (multiLabel != y.multiLabel()) {
            throw new IllegalArgumentException("cannot warm-start a " + (y.multiLabel() ? "multi" : "single")
                    + "-label head from a " + (multiLabel ? "multi" : "single") + "-label head");
        }
        if (newConfig.kind() != config.kind()
                || newConfig.features(dimension) != config.features(dimension)) {
            throw new IllegalArgumentException("cannot warm-start a " + describe(newConfig) + " head from a "
                    + describe(config) + " head");
        }
    }

    private static String describe(HeadConfig c) {
        return c.kind() == HeadConfig.Kind.MLP ? "MLP(hidden " + c.hidden() + ")" : "LINEAR";
    }

    /**
     * Class probabilities with dropout off, {@code [row][class]}: softmax for single-label, an
     * independent sigmoid per label for multi-label.
     */
    @Override
    public float[][] probabilities(Vectors x, int[] rows) {
        checkInput(x, rows);
        return Scoring.probabilities(model.getNDManager(), net, multiLabel, x, rows, Scoring.CHUNK_ROWS);
    }

    /**
     * Predicted classes per row: the argmax for single-label; for multi-label every label whose
     * probability reaches its threshold, or when none does, the label nearest its threshold if the
     * head learned to fall back (else none: "none of these"); see {@link Thresholds}.
     */
    public int[][] predict(Vectors x, int[] rows) {
        float[][] probs = probabilities(x, rows);
        int[][] out = new int[probs.length][];
        for (int i = 0; i < probs.length; i++) {
            out[i] = decide(probs[i]);
        }
        return out;
    }

    /** The classes one row of {@link #probabilities} predicts, by the same rule as {@link #predict}. */
    @Override
    public int[] decide(float[] probabilities) {
        return multiLabel ? Thresholds.decide(probabilities, thresholds, emptyBelow) : new int[] {argMax(probabilities)};
    }

    /**
     * The {@code k} likeliest classes of one row of {@link #probabilities}, best first; equal
     * probabilities keep class order. The server's predictions and a model bundle's list the same top.
     */
    public static int[] topClasses(float[] probabilities, int k) {
        Integer[] order = new Integer[probabilities.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(probabilities[b], probabilities[a]));
        int[] top = new int[Math.min(k, order.length)];
        for (int i = 0; i < top.length; i++) {
            top[i] = order[i];
        }
        return top;
    }

    /**
     * MC dropout: {@code passes} stochastic passes with dropout on (at the head's own rate), summarised
     * per row. The hidden layer runs once; pass t applies one dropout mask, drawn from {@code seed},
     * to every row ("consistent" MC dropout: for each row exactly T independent dropout passes,
     * and a row's statistics do not depend on which other rows are scored with it or on chunking).
     * Same seed, same statistics. Rows are processed in chunks, so any number may be passed.
     */
    @Override
    public McStats mcDropout(Vectors x, int[] rows, int passes, long seed) {
        return mcDropout(x, rows, passes, seed, true);
    }

    /**
     * As {@link #mcDropout(Vectors, int[], int, long)}; with {@code withMeanProbs} false the mean
     * probabilities are left out (null), which saves rows×classes floats on large pools.
     */
    public McStats mcDropout(Vectors x, int[] rows, int passes, long seed, boolean withMeanProbs) {
        checkPasses(passes);
        return mcDropout(x, rows, passes, seed, withMeanProbs, Scoring.mcChunkRows(passes, labels.size()));
    }

    McStats mcDropout(Vectors x, int[] rows, int passes, long seed, boolean withMeanProbs, int chunkRows) {
        checkInput(x, rows);
        checkPasses(passes);
        if (chunkRows < 1) {
            throw new IllegalArgumentException("chunkRows must be >= 1, got " + chunkRows);
        }
        return Scoring.mcDropout(model.getNDManager(), net, weights, config.dropout(), multiLabel, thresholds, x, rows,
                passes, seed, withMeanProbs, chunkRows);
    }

    /** The per-pass probabilities {@code [row][pass][class]} that {@link #mcDropout} summarises. */
    float[][][] passProbabilities(Vectors x, int[] rows, int passes, long seed) {
        checkInput(x, rows);
        checkPasses(passes);
        return Scoring.passProbabilities(model.getNDManager(), net, weights, config.dropout(), multiLabel, x, rows,
                passes, seed);
    }

    float[][] probabilities(Vectors x, int[] rows, int chunkRows) {
        checkInput(x, rows);
        return Scoring.probabilities(model.getNDManager(), net, multiLabel, x, rows, chunkRows);
    }

    /**
     * Expected gradient length per row, with respect to the output layer's weights and bias, in
     * expectation over the head's own predicted label distribution (dropout off).
     */
    @Override
    public float[] expectedGradientLength(Vectors x, int[] rows) {
        checkInput(x, rows);
        return Scoring.expectedGradientLength(model.getNDManager(), net, multiLabel, x, rows, Scoring.CHUNK_ROWS);
    }

    /** Per-label decision thresholds (a copy) for multi-label heads; null for single-label. */
    @Override
    public float[] thresholds() {
        return thresholds == null ? null : thresholds.clone();
    }

    @Override
    public List<String> labels() {
        return labels;
    }

    public boolean multiLabel() {
        return multiLabel;
    }

    public HeadConfig config() {
        return config;
    }

    public String encoderId() {
        return encoderId;
    }

    public int dimension() {
        return net.dimension();
    }

    public TrainingInfo training() {
        return training;
    }

    /** Writes {@code head.json} and {@code weights.params} into {@code dir} (created if missing). */
    public void save(Path dir) {
        checkOpen();
        HeadFiles.save(this, dir);
    }

    /** Reads a head written by {@link #save}; a missing or damaged file is reported by name. */
    public static Head load(Path dir) {
        return HeadFiles.load(dir);
    }

    Net net() {
        return net;
    }

    Weights weights() {
        return weights;
    }

    float[] thresholdsInternal() {
        return thresholds;
    }

    /**
     * Multi-label: when no label reaches its threshold, the nearest one is still predicted if its
     * log-odds are at most this far below its threshold (0: never; see {@link Thresholds}).
     */
    public float emptyBelow() {
        return emptyBelow;
    }

    Model model() {
        return model;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            model.close();
        }
    }

    void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("head is closed");
        }
    }

    private void checkInput(Vectors x, int[] rows) {
        checkOpen();
        Objects.requireNonNull(x, "x");
        if (x.dimension() != dimension() && x.size() > 0) {
            throw new IllegalArgumentException("vectors have dimension " + x.dimension() + ", the head expects "
                    + dimension());
        }
        RowReader.checkRows(x, rows);
    }

    private static void checkPasses(int passes) {
        if (passes < 1 || passes > 10_000) {
            throw new IllegalArgumentException("passes must be in [1, 10000], got " + passes);
        }
    }

    static int argMax(float[] p) {
        int best = 0;
        for (int c = 1; c < p.length; c++) {
            if (p[c] > p[best]) {
                best = c;
            }
        }
        return best;
    }
}
