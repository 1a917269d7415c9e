package quarry.eval;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The model's accuracy on the unlabeled pool, from held-out (cross-validated) predictions on the
 * labeled set without trusting that set to look like the pool.
 *
 * <p>Active learning labels the hard documents, so the share of held-out labeled predictions that
 * are right says little about the pool: on a 64-intent set it was 30 points too low. What carries
 * over better is calibration: how often a prediction made with a given confidence is right. An
 * isotonic (monotone, pool-adjacent-violators) fit of held-out correctness on confidence learns
 * that map; averaging it over the confidence of every pool prediction weighs documents as the pool
 * has them. The interval comes from refitting on bootstrap resamples of the held-out predictions;
 * it covers the noise of the labels, not a calibration that differs between labeled and pool
 * documents, which is the method's assumption.
 */
public final class PoolAccuracy {

    /** The fewest held-out predictions an estimate is made from. */
    public static final int MIN_HELD_OUT = 20;
    static final int RESAMPLES = 200;

    private PoolAccuracy() {
    }

    /**
     * @param confidence     held-out confidence of each labeled item's prediction
     * @param correct        whether that prediction was right, same length
     * @param poolConfidence the confidence of each prediction on the unlabeled pool
     * @param seed           seeds the bootstrap
     * @return the estimate, or null with fewer than {@value #MIN_HELD_OUT} held-out items or an empty pool
     */
    public static PoolEstimate estimate(double[] confidence, boolean[] correct, double[] poolConfidence, long seed) {
        Calibrated calibrated = calibrate(confidence, correct, seed);
        return calibrated == null ? null : calibrated.on(poolConfidence);
    }

    /**
     * The calibration map learned from held-out predictions, with its bootstrap refits; null with
     * fewer than {@value #MIN_HELD_OUT} items. It can be applied to a later model's pool predictions
     * too: calibration drifts far more slowly than the predictions themselves.
     */
    public static Calibrated calibrate(double[] confidence, boolean[] correct, long seed) {
        if (confidence.length != correct.length) {
            throw new IllegalArgumentException(confidence.length + " confidences but " + correct.length + " outcomes");
        }
        int n = confidence.length;
        if (n < MIN_HELD_OUT) {
            return null;
        }
        Calibration[] resamples = new Calibration[RESAMPLES];
        SplittableRandom random = new SplittableRandom(seed ^ 0x2545F4914F6CDD1DL);
        double[] c = new double[n];
        boolean[] k = new boolean[n];
        for (int r = 0; r < RESAMPLES; r++) {
            for (int i = 0; i < n; i++) {
                int j = random.nextInt(n);
                c[i] = confidence[j];
                k[i] = correct[j];
            }
            resamples[r] = Calibration.fit(c, k);
        }
        int right = 0;
        for (boolean b : correct) {
            right += b ? 1 : 0;
        }
        return new Calibrated(Calibration.fit(confidence, correct), resamples, n, right);
    }

    /** A fitted calibration map and its bootstrap refits, from {@code heldOut} predictions of which {@code right} were right. */
    public static final class Calibrated {
        private final Calibration map;
        private final Calibration[] resamples;
        private final int heldOut;
        private final int right;

        private Calibrated(Calibration map, Calibration[] resamples, int heldOut, int right) {
            this.map = map;
            this.resamples = resamples;
            this.heldOut = heldOut;
            this.right = right;
        }

        /** The estimate over these pool confidences; null for an empty pool. */
        public PoolEstimate on(double[] poolConfidence) {
            if (poolConfidence.length == 0) {
                return null;
            }
            double[] pool = poolConfidence.clone();
            Arrays.sort(pool);
            double accuracy = poolMean(map, pool);
            double[] resampled = new double[resamples.length];
            for (int r = 0; r < resamples.length; r++) {
                resampled[r] = poolMean(resamples[r], pool);
            }
            Arrays.sort(resampled);
            double low = resampled[(int) Math.floor(0.025 * (resampled.length - 1))];
            double high = resampled[(int) Math.ceil(0.975 * (resampled.length - 1))];
            String explanation = String.format(Locale.ROOT, "About %.1f%% of the %d unlabeled documents are predicted"
                    + " right (95%% interval %.1f%% to %.1f%%). Each pool prediction's confidence is mapped to how"
                    + " often held-out labeled predictions with that confidence were right (%d cross-validated"
                    + " predictions, %.1f%% right). Unlike the accuracy on the labels, it weighs documents as the pool"
                    + " has them, not as active learning chose them; it assumes that at equal confidence a pool"
                    + " document is as likely right as a labeled one.", 100 * accuracy, pool.length, 100 * low,
                    100 * high, heldOut, 100.0 * right / heldOut);
            return new PoolEstimate(accuracy, low, high, heldOut, pool.length, explanation);
        }
    }

    /** The mean of the calibration map over the sorted pool confidences. */
    private static double poolMean(Calibration map, double[] sortedPool) {
        double sum = 0;
        int from = 0;
        for (int b = 0; b < map.starts.length; b++) {
            // Pool confidences below the next block's start belong to this block (the first block takes all below).
            int to = b + 1 < map.starts.length ? lowerBound(sortedPool, map.starts[b + 1]) : sortedPool.length;
            sum += map.values[b] * Math.max(0, to - from);
            from = Math.max(from, to);
        }
        return sum / sortedPool.length;
    }

    /** The first index whose value is >= {@code key}. */
    private static int lowerBound(double[] sorted, double key) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * A non-decreasing step function from confidence to the chance of being right: block {@code b}
     * starts at confidence {@code starts[b]} and has value {@code values[b]}.
     */
    record Calibration(double[] starts, double[] values) {

        /** Pool-adjacent violators over the items sorted by confidence (ties pooled first). */
        static Calibration fit(double[] confidence, boolean[] correct) {
            int n = confidence.length;
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(confidence[a], confidence[b]));
            double[] start = new double[n];
            double[] sum = new double[n];
            int[] weight = new int[n];
            int blocks = 0;
            for (int k = 0; k < n; k++) {
                int i = order[k];
                double y = correct[i] ? 1 : 0;
                if (blocks > 0 && start[blocks - 1] == confidence[i]) {
                    sum[blocks - 1] += y;
                    weight[blocks - 1]++;
                } else {
                    start[blocks] = confidence[i];
                    sum[blocks] = y;
                    weight[blocks] = 1;
                    blocks++;
                }
                while (blocks > 1 && sum[blocks - 2] / weight[blocks - 2] >= sum[blocks - 1] / weight[blocks - 1]) {
                    sum[blocks - 2] += sum[blocks - 1];
                    weight[blocks - 2] += weight[blocks - 1];
                    blocks--;
                }
            }
            double[] values = new double[blocks];
            for (int b = 0; b < blocks; b++) {
                values[b] = sum[b] / weight[b];
            }
            return new Calibration(Arrays.copyOf(start, blocks), values);
        }
    }
}
