package quarry.query;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Turns scores into a batch: best score first, ties broken by a seeded shuffle; optionally no two
 * picks with cosine ≥ τ (diverse), and optionally round-robin over predicted classes, fewest
 * labels first (class-balanced), so rare classes get their share of the batch.
 */
final class Selector {

    /** Near-duplicates of an accepted pick fetched from the index, to skip them without a check. */
    private static final int SUPPRESS_K = 32;

    private final double tau;
    private final boolean classBalanced;

    /**
     * @param tau           pairwise cosine limit within a batch; NaN for none
     * @param classBalanced whether predicted classes take turns
     */
    Selector(double tau, boolean classBalanced) {
        if (!Double.isNaN(tau) && (tau <= -1 || tau > 1)) {
            throw new IllegalArgumentException("diversity tau must be in (-1, 1], got " + tau);
        }
        this.tau = tau;
        this.classBalanced = classBalanced;
    }

    boolean diverse() {
        return !Double.isNaN(tau);
    }

    boolean classBalanced() {
        return classBalanced;
    }

    /** Indexes into {@code scores.rows()} of the picks, best first. */
    int[] select(QueryContext ctx, Scores scores, int batchSize) {
        int[] order = ranking(scores.score(), ctx.seed());
        if (classBalanced && Arrays.stream(scores.predicted()).anyMatch(c -> c >= 0)) {
            order = roundRobin(order, scores.predicted(), ctx.labelCounts());
        }
        List<Integer> picked = new ArrayList<>();
        List<float[]> pickedVectors = new ArrayList<>();
        Set<Integer> suppressed = new HashSet<>();
        for (int i : order) {
            if (picked.size() == batchSize) {
                break;
            }
            int row = scores.rows()[i];
            if (diverse()) {
                if (suppressed.contains(row) || tooClose(ctx.pool().row(row), pickedVectors)) {
                    continue;
                }
                pickedVectors.add(ctx.pool().row(row));
                if (ctx.index() != null) {
                    suppressed.addAll(ctx.index().withinSimilarity(row, (float) tau, SUPPRESS_K));
                }
            }
            picked.add(i);
        }
        return picked.stream().mapToInt(Integer::intValue).toArray();
    }

    private boolean tooClose(float[] v, List<float[]> picked) {
        for (float[] p : picked) {
            double dot = 0;
            for (int d = 0; d < v.length; d++) {
                dot += v[d] * p[d];
            }
            if (dot >= tau) {
                return true;
            }
        }
        return false;
    }

    /**
     * Candidate indexes by descending score. Ties go by a seeded random order, so equal scores
     * (common for random or saturated measures) don't always favour low row numbers. NaN ranks last.
     */
    static int[] ranking(float[] score, long seed) {
        int n = score.length;
        int[] shuffled = new int[n];
        for (int i = 0; i < n; i++) {
            shuffled[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        // Sort one long per candidate: sortable descending score bits, then shuffled position.
        long[] keys = new long[n];
        for (int p = 0; p < n; p++) {
            float s = score[shuffled[p]];
            int bits = Float.floatToIntBits(Float.isNaN(s) ? Float.POSITIVE_INFINITY : -s);
            int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
            keys[p] = ((long) sortable << 32) | p;
        }
        Arrays.sort(keys);
        int[] order = new int[n];
        for (int k = 0; k < n; k++) {
            order[k] = shuffled[(int) keys[k]];
        }
        return order;
    }

    /** Interleaves the ranking by predicted class: classes with the fewest labels take the first turns. */
    private static int[] roundRobin(int[] order, int[] predicted, int[] labelCounts) {
        int classes = Arrays.stream(predicted).max().orElse(-1) + 1;
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c <= classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i : order) {
            int c = predicted[i] < 0 ? classes : predicted[i];
            byClass.get(c).add(i);
        }
        Integer[] turn = new Integer[classes + 1];
        for (int c = 0; c <= classes; c++) {
            turn[c] = c;
        }
        Arrays.sort(turn, (a, b) -> {
            int la = a < classes && labelCounts != null && a < labelCounts.length ? labelCounts[a] : 0;
            int lb = b < classes && labelCounts != null && b < labelCounts.length ? labelCounts[b] : 0;
            return la != lb ? Integer.compare(la, lb) : Integer.compare(a, b);
        });
        int[] out = new int[order.length];
        int n = 0;
        for (int round = 0; n < order.length; round++) {
            for (int c : turn) {
                List<Integer> members = byClass.get(c);
                if (round < members.size()) {
                    out[n++] = members.get(round);
                }
            }
        }
        return out;
    }
}
