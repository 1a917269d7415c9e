package quarry.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import java.util.SplittableRandom;
import quarry.core.McStats;
import quarry.core.Vectors;

/**
 * Everything that scores rows with a trained head: probabilities, MC-dropout statistics and
 * expected gradient length. All of it runs on the PyTorch side in fixed-size chunks, each inside its
 * own sub-manager, so native memory stays bounded whatever the number of rows; only per-row
 * results come back to Java.
 *
 * <p><b>MC dropout with consistent masks.</b> Dropout acts only on the input of the output layer
 * (the hidden layer of an MLP, the input of LINEAR), so the hidden layer runs once per chunk and only
 * the output layer runs T times. Pass t draws one mask m_t over those units and applies it to every
 * row, as in "consistent MC dropout" (BatchBALD, Kirsch et al. 2019): (f ⊙ m_t) W2ᵀ = f (W2 ⊙ m_t)ᵀ,
 * so no T×rows×units mask tensor is ever built and a pass only needs the units its mask changes
 * (see {@link PassPlan}). For any single row this is exactly T independent dropout passes (its masks
 * are i.i.d. Bernoulli), so every per-row statistic has the distribution it would have with per-row
 * masks; rows scored together share masks, which makes their comparison less noisy, not biased.
 * Because the masks depend only on the seed, a row's statistics do not depend on chunking or on
 * which other rows are scored with it.
 */
final class Scoring {

    /** Rows per chunk for probabilities and EGL (a chunk's input is 6 MB at 384-d). */
    static final int CHUNK_ROWS = 4096;
    /** Floats in one chunk's rows×passes×classes tensor: small enough to stay in cache. */
    static final int MC_CHUNK_ELEMENTS = 1 << 21;

    private Scoring() {
    }

    static int mcChunkRows(int passes, int classes) {
        long perRow = (long) passes * classes;
        return (int) Math.max(16, Math.min(CHUNK_ROWS, MC_CHUNK_ELEMENTS / perRow));
    }

    /** Dropout off: softmax (single-label) or per-label sigmoid (multi-label). */
    static float[][] probabilities(NDManager base, Net net, boolean multiLabel, Vectors x, int[] rows,
                                   int chunkRows) {
        int classes = net.classes();
        float[][] out = new float[rows.length][];
        RowReader reader = new RowReader(x, Math.min(chunkRows, Math.max(1, rows.length)));
        for (int from = 0; from < rows.length; from += chunkRows) {
            int to = Math.min(rows.length, from + chunkRows);
            try (NDManager sub = base.newSubManager()) {
                NDArray logits = net.logits(net.features(reader.read(sub, rows, from, to)));
                NDArray probs = multiLabel ? Activation.sigmoid(logits) : logits.softmax(1);
                split(probs.toFloatArray(), classes, out, from);
            }
        }
        return out;
    }

    /**
     * Expected gradient length with respect to the output layer's weights and bias, the expectation
     * over the head's own predicted label distribution. The gradient of the loss for label y is
     * (p − e_y) ⊗ h̃ with h̃ = [h, 1], whose norm is ‖p − e_y‖·‖h̃‖, so EGL = ‖h̃‖ Σ_y p_y ‖p − e_y‖
     * with ‖p − e_y‖² = ‖p‖² − 2p_y + 1. Multi-label: each label is its own Bernoulli,
     * E|p_c − y_c| = 2p_c(1 − p_c), summed over labels.
     */
    static float[] expectedGradientLength(NDManager base, Net net, boolean multiLabel, Vectors x, int[] rows,
                                          int chunkRows) {
        float[] out = new float[rows.length];
        RowReader reader = new RowReader(x, Math.min(chunkRows, Math.max(1, rows.length)));
        for (int from = 0; from < rows.length; from += chunkRows) {
            int to = Math.min(rows.length, from + chunkRows);
            try (NDManager sub = base.newSubManager()) {
                NDArray f = net.features(reader.read(sub, rows, from, to));
                NDArray logits = net.logits(f);
                NDArray inputNorm = f.square().sum(new int[] {1}).add(1f).sqrt();
                NDArray perLabel;
                if (multiLabel) {
                    NDArray p = Activation.sigmoid(logits);
                    perLabel = p.mul(p.neg().add(1f)).mul(2f);
                } else {
                    NDArray p = logits.softmax(1);
                    NDArray squared = p.square().sum(new int[] {1}, true);
                    NDArray distance = squared.sub(p.mul(2f)).add(1f).maximum(0f).sqrt();
                    perLabel = p.mul(distance);
                }
                float[] egl = perLabel.sum(new int[] {1}).mul(inputNorm).toFloatArray();
                System.arraycopy(egl, 0, out, from, egl.length);
            }
        }
        return out;
    }

    /**
     * The T passes of one MC-dropout call, prepared in Java. Pass t keeps each of the F units
     * feeding the output layer with probability 1 − rate, scaled by 1/(1 − rate) (inverted dropout,
     * as in training); the masks are drawn from {@code seed} alone.
     *
     * <p>Each pass's logits are computed from the smaller of its dropped and kept unit sets S_t:
     * with dropped units, L_t = s·f W2ᵀ + b − f[:, S_t] (s·W2[:, S_t])ᵀ; with kept units,
     * L_t = f[:, S_t] (s·W2[:, S_t])ᵀ + b. At the default rate 0.25 the per-pass product runs over
     * about a quarter of the units, so the T passes cost about a third of T dense products. The sets
     * are padded to a common size k with unit 0 at coefficient 0, so one batched product does all T.
     *
     * @param masks    {@code masks[t][u]}: whether pass t keeps unit u (for tests)
     * @param dropped  whether S_t are the dropped units (else the kept ones)
     * @param k        padded size of every S_t (0 when no pass drops anything)
     * @param units    (T·k) unit indices, pass-major
     * @param values   (T, k, C) coefficients: ±s·W2[c, u], 0 on padding
     * @param scaledW2 s·W2 (C×F), for the dropped formulation
     */
    record PassPlan(boolean[][] masks, boolean dropped, int k, long[] units, float[] values, float[] scaledW2) {

        static PassPlan of(Weights w, float rate, int passes, long seed) {
            int c = w.classes();
            int f = w.features();
            float scale = (float) (1.0 / (1.0 - rate));
            boolean[][] masks = new boolean[passes][f];
            SplittableRandom random = new SplittableRandom(seed);
            int maxDropped = 0;
            int maxKept = 0;
            for (int t = 0; t < passes; t++) {
                int dropped = 0;
                for (int u = 0; u < f; u++) {
                    masks[t][u] = !(rate > 0 && random.nextDouble() < rate);
                    if (!masks[t][u]) {
                        dropped++;
                    }
                }
                maxDropped = Math.max(maxDropped, dropped);
                maxKept = Math.max(maxKept, f - dropped);
            }
            boolean useDropped = maxDropped <= maxKept;
            int k = useDropped ? maxDropped : maxKept;
            float coefficient = useDropped ? -scale : scale;
            long[] units = new long[passes * k];
            float[] values = new float[Math.multiplyExact(passes * k, c)];
            float[] w2 = w.w2();
            for (int t = 0; t < passes; t++) {
                int j = 0;
                for (int u = 0; u < f; u++) {
                    if (masks[t][u] != useDropped) {
                        units[t * k + j] = u;
                        int base = (t * k + j) * c;
                        for (int cls = 0; cls < c; cls++) {
                            values[base + cls] = coefficient * w2[cls * f + u];
                        }
                        j++;
                    }
                }
            }
            float[] scaledW2 = null;
            if (useDropped) {
                scaledW2 = new float[w2.length];
                for (int i = 0; i < w2.length; i++) {
                    scaledW2[i] = scale * w2[i];
                }
            }
            return new PassPlan(masks, useDropped, k, units, values, scaledW2);
        }
    }

    /** A plan's arrays on the engine, for one call. */
    private record PassArrays(NDArray units, NDArray values, NDArray scaledW2, NDArray bias) {

        static PassArrays of(NDManager m, PassPlan plan, Weights w, int passes) {
            NDArray units = plan.k() == 0 ? null : m.create(plan.units());
            NDArray values = plan.k() == 0 ? null
                    : m.create(plan.values(), new Shape(passes, plan.k(), w.classes()));
            NDArray scaled = plan.dropped() ? m.create(plan.scaledW2(), new Shape(w.classes(), w.features())) : null;
            return new PassArrays(units, values, scaled, m.create(w.b2()));
        }
    }

    /** The T passes' logits of one chunk, shape (T, rows, C). */
    private static NDArray passLogits(Net net, NDArray xChunk, PassPlan plan, PassArrays arrays, int passes) {
        NDArray f = net.features(xChunk);
        int rows = (int) xChunk.getShape().get(0);
        // the part every pass shares: s·f W2ᵀ + b (dropped formulation) or just b (kept)
        NDArray shared = plan.dropped() ? Linear.linear(f, arrays.scaledW2(), arrays.bias()).singletonOrThrow() : null;
        if (plan.k() == 0) {
            // no pass changes anything (rate 0), or every pass drops every unit (logits = bias)
            NDArray same = shared != null ? shared : f.zerosLike().get(":, :1").repeat(1, net.classes())
                    .add(arrays.bias());
            return same.expandDims(0).repeat(0, passes);
        }
        NDArray selected = f.get(new NDIndex(":, {}", arrays.units())).reshape(rows, passes, plan.k())
                .transpose(1, 0, 2);
        NDArray logits = selected.batchMatMul(arrays.values());
        return logits.addi(shared != null ? shared : arrays.bias());
    }

    static McStats mcDropout(NDManager base, Net net, Weights w, float rate, boolean multiLabel, float[] thresholds,
                             Vectors x, int[] rows, int passes, long seed, boolean withMeans, int chunkRows) {
        int n = rows.length;
        int classes = net.classes();
        float[][] means = withMeans ? new float[n][] : null;
        float[] predictive = new float[n];
        float[] expected = new float[n];
        float[] bald = new float[n];
        float[] variation = new float[n];
        PassPlan plan = PassPlan.of(w, rate, passes, seed);
        try (NDManager call = base.newSubManager()) {
            PassArrays arrays = PassArrays.of(call, plan, w, passes);
            NDArray cut = multiLabel ? call.create(thresholds) : null;
            RowReader reader = new RowReader(x, Math.min(chunkRows, Math.max(1, n)));
            for (int from = 0; from < n; from += chunkRows) {
                int to = Math.min(n, from + chunkRows);
                try (NDManager sub = call.newSubManager()) {
                    NDArray logits = passLogits(net, reader.read(sub, rows, from, to), plan, arrays, passes);
                    NDArray[] stats = multiLabel ? bernoulliStats(logits, cut, passes) : softmaxStats(logits, passes);
                    float[] pred = stats[1].toFloatArray();
                    float[] exp = stats[2].toFloatArray();
                    float[] mi = stats[3].toFloatArray();
                    float[] vr = stats[4].toFloatArray();
                    System.arraycopy(pred, 0, predictive, from, pred.length);
                    System.arraycopy(exp, 0, expected, from, exp.length);
                    System.arraycopy(mi, 0, bald, from, mi.length);
                    System.arraycopy(vr, 0, variation, from, vr.length);
                    if (withMeans) {
                        split(stats[0].toFloatArray(), classes, means, from);
                    }
                }
            }
        }
        return new McStats(means, predictive, expected, bald, variation);
    }

    /**
     * Softmax statistics over (T, rows, C) logits: mean probabilities, predictive entropy, expected
     * entropy, BALD, variation ratio. Each kernel over the T×rows×C tensor costs about as much as the
     * passes' matrix product, so the list is kept short: log-softmax, exp, one product, sums, argmax.
     */
    static NDArray[] softmaxStats(NDArray logits, int passes) {
        NDArray logProbs = logits.logSoftmax(2);
        NDArray probs = logProbs.exp();
        NDArray expected = probs.mul(logProbs).sum(new int[] {0, 2}).div(-passes);
        NDArray mean = probs.sum(new int[] {0}).div(passes);
        NDArray predictive = mean.xlogy(mean).sum(new int[] {1}).neg().add(0f);
        NDArray bald = predictive.sub(expected).maximum(0f);
        // votes (T, rows); for each pass, how many passes agree with it: the largest count is the
        // modal class's. T×T×rows is far cheaper than one-hot counts over T×rows×C. (Counting
        // votes among each row's few likeliest classes instead of a full argmax was tried: the
        // extra kernels and the recount of rows that vote elsewhere cost more than they saved.)
        NDArray votes = logits.argMax(2);
        NDArray agreement = votes.expandDims(1).eq(votes.expandDims(0)).sum(new int[] {1});
        NDArray modal = agreement.max(new int[] {0}).toType(DataType.FLOAT32, false);
        NDArray variation = modal.div(passes).neg().add(1f);
        return new NDArray[] {mean, predictive, expected, bald, variation};
    }

    /**
     * Per-label Bernoulli statistics over (T, rows, C) logits, summed over labels. A pass votes a
     * label positive when its probability reaches the label's threshold.
     */
    private static NDArray[] bernoulliStats(NDArray logits, NDArray thresholds, int passes) {
        NDArray probs = Activation.sigmoid(logits);
        // H(p) = −p log p − (1−p) log(1−p) = softplus(z) − p·z, exact for any logit z
        NDArray entropy = Activation.softPlus(logits).sub(probs.mul(logits)).maximum(0f);
        NDArray expected = entropy.sum(new int[] {0, 2}).div(passes);
        NDArray mean = probs.sum(new int[] {0}).div(passes);
        NDArray rest = mean.neg().add(1f);
        NDArray predictive = mean.xlogy(mean).add(rest.xlogy(rest)).sum(new int[] {1}).neg().add(0f);
        NDArray bald = predictive.sub(expected).maximum(0f);
        NDArray positives = probs.gte(thresholds).sum(new int[] {0}).toType(DataType.FLOAT32, false);
        NDArray modal = positives.maximum(positives.neg().add((float) passes));
        NDArray variation = modal.div(passes).neg().add(1f).sum(new int[] {1});
        return new NDArray[] {mean, predictive, expected, bald, variation};
    }

    /** The raw per-pass probabilities {@code [row][pass][class]} (for tests: small inputs only). */
    static float[][][] passProbabilities(NDManager base, Net net, Weights w, float rate, boolean multiLabel,
                                         Vectors x, int[] rows, int passes, long seed) {
        int classes = net.classes();
        float[][][] out = new float[rows.length][passes][classes];
        if (rows.length == 0) {
            return out;
        }
        PassPlan plan = PassPlan.of(w, rate, passes, seed);
        try (NDManager sub = base.newSubManager()) {
            PassArrays arrays = PassArrays.of(sub, plan, w, passes);
            RowReader reader = new RowReader(x, rows.length);
            NDArray logits = passLogits(net, reader.read(sub, rows, 0, rows.length), plan, arrays, passes);
            float[] p = (multiLabel ? Activation.sigmoid(logits) : logits.softmax(2)).toFloatArray();
            for (int t = 0; t < passes; t++) {
                for (int i = 0; i < rows.length; i++) {
                    System.arraycopy(p, (t * rows.length + i) * classes, out[i][t], 0, classes);
                }
            }
        }
        return out;
    }

    /** Splits a row-major block into rows {@code out[from..]}. */
    static void split(float[] flat, int width, float[][] out, int from) {
        int rows = flat.length / width;
        for (int i = 0; i < rows; i++) {
            float[] row = new float[width];
            System.arraycopy(flat, i * width, row, 0, width);
            out[from + i] = row;
        }
    }
}
