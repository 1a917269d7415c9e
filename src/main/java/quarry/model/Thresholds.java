package quarry.model;

import java.util.Arrays;

/**
 * Per-label decision thresholds of a multi-label head.
 *
 * <p>Rule: for a label with at least {@link #MIN_POSITIVES} positives and at least one negative
 * among the labeled examples, sort the head's own probabilities for that label on those examples
 * and pick the cut that maximises F1 (predict positive when p ≥ threshold); the threshold sits
 * halfway between the lowest score predicted positive and the highest one left out, so it does not
 * hug either side, and is kept within [{@link #MIN_THRESHOLD}, {@link #MAX_THRESHOLD}]. Every other
 * label gets 0.5: with one or two positives any cut is noise.
 *
 * <p>The probabilities come from the trained head on its own training examples (no held-out
 * split: with a few labels per class there is nothing to spare). They are somewhat overconfident,
 * which the midpoint rule and the clamp soften; the thresholds are recomputed at every retrain.
 */
final class Thresholds {

    static final int MIN_POSITIVES = 3;
    static final float DEFAULT = 0.5f;
    static final float MIN_THRESHOLD = 0.05f;
    static final float MAX_THRESHOLD = 0.95f;

    private Thresholds() {
    }

    /** {@code probs[i][c]}: probability of label c for example i; {@code y} its true labels. */
    static float[] tune(float[][] probs, Targets y) {
        int classes = y.labelCount();
        int n = y.size();
        float[] thresholds = new float[classes];
        Arrays.fill(thresholds, DEFAULT);
        int[] counts = y.counts();
        // examples of each label, so that a label's positives can be marked without a C×n table
        int[][] examplesOf = new int[classes][];
        for (int c = 0; c < classes; c++) {
            examplesOf[c] = new int[counts[c]];
        }
        int[] filled = new int[classes];
        for (int i = 0; i < n; i++) {
            for (int c : y.classesOf(i)) {
                examplesOf[c][filled[c]++] = i;
            }
        }
        boolean[] positive = new boolean[n];
        long[] order = new long[n];
        for (int c = 0; c < classes; c++) {
            if (counts[c] < MIN_POSITIVES || counts[c] == n) {
                continue;
            }
            for (int i : examplesOf[c]) {
                positive[i] = true;
            }
            // highest score first, ties by index: probabilities are non-negative, so their bit
            // patterns sort like the values, and a primitive sort of packed keys is fast
            for (int i = 0; i < n; i++) {
                int bits = Float.floatToIntBits(Math.max(0f, probs[i][c]));
                order[i] = ((long) (Integer.MAX_VALUE - bits) << 32) | i;
            }
            Arrays.sort(order);
            int truePositives = 0;
            double bestF1 = -1;
            int bestK = 0;
            for (int k = 1; k <= n; k++) {
                if (positive[example(order[k - 1])]) {
                    truePositives++;
                }
                // only cut between distinct scores: equal scores cannot be told apart by a threshold
                if (k < n && probs[example(order[k])][c] == probs[example(order[k - 1])][c]) {
                    continue;
                }
                double f1 = 2.0 * truePositives / (k + counts[c]);
                if (f1 > bestF1) {
                    bestF1 = f1;
                    bestK = k;
                }
            }
            float lowestIn = probs[example(order[bestK - 1])][c];
            float highestOut = bestK < n ? probs[example(order[bestK])][c] : 0f;
            thresholds[c] = Math.max(MIN_THRESHOLD, Math.min(MAX_THRESHOLD, (lowestIn + highestOut) / 2));
            for (int i : examplesOf[c]) {
                positive[i] = false;
            }
        }
        return thresholds;
    }

    private static int example(long key) {
        return (int) key;
    }
}
