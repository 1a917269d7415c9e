package quarry.model;

import java.util.Arrays;
import quarry.core.Vectors;

/**
 * How a multi-label head turns probabilities into a label set: a threshold per label, and what to
 * do when no label reaches its threshold.
 *
 * <p>Rule: a label is predicted when its probability reaches its threshold. When none does, the
 * label nearest its threshold (in log-odds) is still predicted if it is within {@code emptyBelow}
 * of it; otherwise the prediction is "none of these". {@code emptyBelow} = 0 never falls back (a
 * label-less answer whenever nothing passes), {@link #ALWAYS} always does.
 *
 * <p>Choice: both are chosen on probabilities of documents the head did not train on (out-of-fold
 * scores from {@link OutOfFold}; with too few labels, the head's own fit), by coordinate ascent on
 * the mean of subset accuracy and micro-F1 over the labeled examples. The thresholds start at 0.5
 * (right for calibrated probabilities when a whole label set must be right) and one only moves
 * when that improves the objective; a label with fewer than {@link #MIN_POSITIVES} positives keeps
 * 0.5, since with one or two positives any cut is noise. The fallback is chosen the same way, so
 * data whose documents always carry a label (every row of GoEmotions does) learn to always fall
 * back, and data with many "none of these" answers learn not to.
 *
 * <p>Why not each label's F1-optimal threshold: on GoEmotions (valid split, docs/MULTILABEL.md)
 * those cuts sit near 0.15, predict twice as many labels as there are, and took subset accuracy
 * from 38% to 19% at 2,460 labels without gaining micro-F1.
 */
final class Thresholds {

    static final int MIN_POSITIVES = 3;
    static final float DEFAULT = 0.5f;
    static final float MIN_THRESHOLD = 0.05f;
    static final float MAX_THRESHOLD = 0.95f;
    /** {@code emptyBelow} that always falls back to the nearest label. */
    static final float ALWAYS = -Float.MAX_VALUE;

    /** Thresholds tried for each label: 0.05 to 0.95 in steps of 0.025. */
    private static final float[] GRID = grid();
    /** Fallback margins tried (log-odds): never, a few in between, always. */
    private static final float[] FALLBACKS = {0f, -0.5f, -1f, -2f, -4f, ALWAYS};
    /** Sweeps over the labels at most; the search stops earlier once a sweep moves nothing. */
    private static final int SWEEPS = 10;

    /** A decision rule: per-label thresholds and the fallback margin (see the class comment). */
    record Decision(float[] thresholds, float emptyBelow) {
    }

    private Thresholds() {
    }

    /** {@code probs[i][c]}: probability of label c for example i; {@code y} its true labels. */
    static Decision choose(float[][] probs, Targets y) {
        Search search = new Search(probs, y);
        int[] counts = y.counts();
        for (int sweep = 0; sweep < SWEEPS; sweep++) {
            boolean moved = search.tryFallbacks();
            for (int c = 0; c < y.labelCount(); c++) {
                moved |= counts[c] >= MIN_POSITIVES && search.tryThresholds(c);
            }
            if (!moved) {
                break;
            }
        }
        return new Decision(search.thresholds.clone(), search.emptyBelow);
    }

    /** The labels a rule predicts for one row of probabilities (see the class comment). */
    static int[] decide(float[] p, float[] thresholds, float emptyBelow) {
        int count = 0;
        for (int c = 0; c < p.length; c++) {
            if (p[c] >= thresholds[c]) {
                count++;
            }
        }
        if (count == 0) {
            int nearest = nearest(p, thresholds);
            return margin(p[nearest], thresholds[nearest]) >= emptyBelow ? new int[] {nearest} : new int[0];
        }
        int[] out = new int[count];
        int k = 0;
        for (int c = 0; c < p.length; c++) {
            if (p[c] >= thresholds[c]) {
                out[k++] = c;
            }
        }
        return out;
    }

    /** The label whose probability is nearest its threshold from below, in log-odds. */
    static int nearest(float[] p, float[] thresholds) {
        int best = 0;
        for (int c = 1; c < p.length; c++) {
            if (margin(p[c], thresholds[c]) > margin(p[best], thresholds[best])) {
                best = c;
            }
        }
        return best;
    }

    /** log-odds(p) − log-odds(t): positive above the threshold, negative below. */
    static double margin(float p, float t) {
        return logOdds(p) - logOdds(t);
    }

    private static double logOdds(float p) {
        double q = Math.min(1 - 1e-7, Math.max(1e-7, p));
        return Math.log(q / (1 - q));
    }

    private static float[] grid() {
        int steps = Math.round((MAX_THRESHOLD - MIN_THRESHOLD) / 0.025f);
        float[] out = new float[steps + 1];
        for (int i = 0; i <= steps; i++) {
            out[i] = MIN_THRESHOLD + 0.025f * i;
        }
        return out;
    }

    /**
     * Coordinate ascent over the rule. Each row keeps what the current rule gives it (labels
     * passing, true ones among them, the two labels nearest their thresholds), so that trying a
     * threshold for one label costs one pass over the rows, not rows × labels.
     */
    private static final class Search {

        private final float[][] probs;
        private final double[][] logOdds;
        private final boolean[][] truth;
        private final int[] truthSize;
        private final int n;
        private final int classes;
        final float[] thresholds;
        float emptyBelow = 0f;
        private final double[] cut;
        private final int[] passing;
        private final int[] hits;
        private final int[] first;
        private final double[] firstMargin;
        private final double[] secondMargin;
        private final int[] second;
        private double best;

        Search(float[][] probs, Targets y) {
            this.probs = probs;
            n = probs.length;
            classes = y.labelCount();
            truth = new boolean[n][classes];
            truthSize = new int[n];
            logOdds = new double[n][classes];
            for (int i = 0; i < n; i++) {
                for (int c : y.classesOf(i)) {
                    truth[i][c] = true;
                }
                truthSize[i] = y.classesOf(i).length;
                for (int c = 0; c < classes; c++) {
                    logOdds[i][c] = logOdds(probs[i][c]);
                }
            }
            thresholds = new float[classes];
            Arrays.fill(thresholds, DEFAULT);
            cut = new double[classes];
            Arrays.fill(cut, logOdds(DEFAULT));
            passing = new int[n];
            hits = new int[n];
            first = new int[n];
            second = new int[n];
            firstMargin = new double[n];
            secondMargin = new double[n];
            for (int i = 0; i < n; i++) {
                refresh(i);
            }
            best = objective(-1, 0, 0);
        }

        /** Takes the fallback margin that scores best, if it beats the current one. */
        boolean tryFallbacks() {
            boolean moved = false;
            for (float f : FALLBACKS) {
                float kept = emptyBelow;
                emptyBelow = f;
                double v = objective(-1, 0, 0);
                if (v > best) {
                    best = v;
                    moved = true;
                } else {
                    emptyBelow = kept;
                }
            }
            return moved;
        }

        /** Takes label c's threshold from the grid that scores best, if it beats the current one. */
        boolean tryThresholds(int c) {
            float chosen = thresholds[c];
            for (float t : GRID) {
                double v = objective(c, t, logOdds(t));
                if (v > best) {
                    best = v;
                    chosen = t;
                }
            }
            if (chosen == thresholds[c]) {
                return false;
            }
            thresholds[c] = chosen;
            cut[c] = logOdds(chosen);
            for (int i = 0; i < n; i++) {
                refresh(i);
            }
            return true;
        }

        /**
         * Mean of subset accuracy and micro-F1 with label {@code c}'s threshold set to {@code t}
         * (log-odds {@code tCut}); c = -1 scores the current rule. Mirrors {@link #decide}.
         */
        double objective(int c, float t, double tCut) {
            long exact = 0;
            long tp = 0;
            long predicted = 0;
            long actual = 0;
            for (int i = 0; i < n; i++) {
                int pass = passing[i];
                int hit = hits[i];
                if (c >= 0) {
                    boolean was = probs[i][c] >= thresholds[c];
                    boolean now = probs[i][c] >= t;
                    pass += (now ? 1 : 0) - (was ? 1 : 0);
                    hit += truth[i][c] ? (now ? 1 : 0) - (was ? 1 : 0) : 0;
                }
                if (pass == 0) {
                    int nearest = first[i];
                    double margin = firstMargin[i];
                    if (c >= 0) {
                        if (nearest == c) {
                            nearest = second[i];
                            margin = secondMargin[i];
                        }
                        double mine = logOdds[i][c] - tCut;
                        if (nearest < 0 || mine > margin || mine == margin && c < nearest) {
                            nearest = c;
                            margin = mine;
                        }
                    }
                    if (margin >= emptyBelow) {
                        pass = 1;
                        hit = truth[i][nearest] ? 1 : 0;
                    }
                }
                tp += hit;
                predicted += pass;
                actual += truthSize[i];
                exact += hit == truthSize[i] && pass == truthSize[i] ? 1 : 0;
            }
            double micro = predicted + actual == 0 ? 1 : 2.0 * tp / (predicted + actual);
            return ((double) exact / n + micro) / 2;
        }

        /** Row i's labels passing, true ones among them, and its two labels nearest their thresholds. */
        private void refresh(int i) {
            int pass = 0;
            int hit = 0;
            int a = -1;
            int b = -1;
            double ma = Double.NEGATIVE_INFINITY;
            double mb = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                if (probs[i][c] >= thresholds[c]) {
                    pass++;
                    hit += truth[i][c] ? 1 : 0;
                }
                double m = logOdds[i][c] - cut[c];
                if (a < 0 || m > ma) {
                    b = a;
                    mb = ma;
                    a = c;
                    ma = m;
                } else if (b < 0 || m > mb) {
                    b = c;
                    mb = m;
                }
            }
            passing[i] = pass;
            hits[i] = hit;
            first[i] = a;
            firstMargin[i] = ma;
            second[i] = b;
            secondMargin[i] = mb;
        }
    }
}
