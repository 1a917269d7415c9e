package quarry.eval;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Which predictions on the unlabeled pool can be accepted without review at a target precision.
 *
 * <p>The evidence is the labeled set scored by models that did not see those labels (cross-validated
 * or held-out predictions): for each item, the model's confidence and whether its prediction was
 * right. Every distinct confidence value seen is a candidate threshold; a candidate's precision is
 * the share correct among held-out items at or above it. The chosen threshold is the <b>lowest</b>
 * candidate whose precision is ≥ the target, among candidates covering at least {@code minSupport}
 * held-out items, so that a handful of lucky items cannot decide it. The lowest qualifying one is
 * taken because it accepts the most of the pool while the accepted items, as a whole, still meet
 * the target.
 *
 * <p>Default minimum support is {@value #DEFAULT_MIN_SUPPORT}: with fewer items one error moves the
 * estimate by more than two points, which is too coarse against a 5-point margin (0.95 → 1.0).
 * The estimate is a point estimate; its 95% Wilson interval is reported alongside so the UI can
 * show how firm it is. It assumes the pool looks like the labeled set; under active learning the
 * labeled set is enriched in hard items, so on the pool the estimate tends to be pessimistic.
 */
public final class SafeToAccept {

    public static final double DEFAULT_TARGET = 0.95;
    public static final int DEFAULT_MIN_SUPPORT = 50;

    /** z for a two-sided 95% interval. */
    private static final double Z = 1.959963984540054;

    private SafeToAccept() {
    }

    /** {@link #choose(double[], boolean[], double[], double, int)} at precision 0.95, support 50. */
    public static AcceptThreshold choose(double[] confidence, boolean[] correct, double[] poolConfidence) {
        return choose(confidence, correct, poolConfidence, DEFAULT_TARGET, DEFAULT_MIN_SUPPORT);
    }

    /**
     * @param confidence      the model's confidence in its prediction for each held-out labeled item
     * @param correct         whether that prediction was right, same length
     * @param poolConfidence  the confidence of each prediction on the unlabeled pool
     * @param targetPrecision the precision accepted predictions must have, in (0, 1]
     * @param minSupport      the fewest held-out items a threshold must cover, at least 1
     */
    public static AcceptThreshold choose(double[] confidence, boolean[] correct, double[] poolConfidence,
            double targetPrecision, int minSupport) {
        if (confidence.length != correct.length) {
            throw new IllegalArgumentException(confidence.length + " confidences but " + correct.length + " outcomes");
        }
        if (!(targetPrecision > 0 && targetPrecision <= 1)) {
            throw new IllegalArgumentException("target precision must be in (0, 1], got " + targetPrecision);
        }
        if (minSupport < 1) {
            throw new IllegalArgumentException("minimum support must be >= 1, got " + minSupport);
        }
        checkFinite(confidence, "confidence");
        checkFinite(poolConfidence, "pool confidence");
        int n = confidence.length;
        String target = percent(targetPrecision);
        if (n < minSupport) {
            return notFound(targetPrecision, minSupport, n, poolConfidence.length, String.format(Locale.ROOT,
                    "Not enough evidence yet: %d held-out labeled predictions, at least %d are needed before any "
                            + "confidence threshold can be trusted to give %s precision. Review every prediction.",
                    n, minSupport, target));
        }
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> confidence[i]).reversed());

        double chosen = Double.NaN;
        int chosenSupport = 0;
        int chosenCorrect = 0;
        double bestPrecision = Double.NaN;
        int bestSupport = 0;
        int seen = 0;
        int right = 0;
        for (int k = 0; k < n; k++) {
            int i = order[k];
            seen++;
            if (correct[i]) {
                right++;
            }
            boolean endOfTies = k + 1 == n || confidence[order[k + 1]] != confidence[i];
            if (!endOfTies || seen < minSupport) {
                continue;
            }
            double precision = (double) right / seen;
            if (Double.isNaN(bestPrecision) || precision > bestPrecision) {
                bestPrecision = precision;
                bestSupport = seen;
            }
            if (precision >= targetPrecision) {
                chosen = confidence[i];
                chosenSupport = seen;
                chosenCorrect = right;
            }
        }
        if (Double.isNaN(chosen)) {
            return notFound(targetPrecision, minSupport, n, poolConfidence.length, String.format(Locale.ROOT,
                    "No confidence threshold reached %s precision over at least %d held-out labeled predictions "
                            + "(the best was %s over the %d most confident of %d). Review every prediction.",
                    target, minSupport, percent(bestPrecision), bestSupport, n));
        }
        int accepted = 0;
        for (double c : poolConfidence) {
            if (c >= chosen) {
                accepted++;
            }
        }
        double precision = (double) chosenCorrect / chosenSupport;
        double[] interval = wilson(chosenCorrect, chosenSupport);
        double share = poolConfidence.length == 0 ? 0 : (double) accepted / poolConfidence.length;
        String explanation = String.format(Locale.ROOT,
                "Accept predictions with confidence >= %.4f without review. This is the lowest confidence at which "
                        + "held-out predictions at or above it were at least %s correct: %s (%d of %d; 95%% interval "
                        + "%s to %s), counting only thresholds backed by at least %d of the %d held-out labeled "
                        + "predictions. %s of the pool (%d of %d) is at or above it. The estimate assumes the pool "
                        + "resembles the labeled items.",
                chosen, target, percent(precision), chosenCorrect, chosenSupport, percent(interval[0]),
                percent(interval[1]), minSupport, n, percent(share), accepted, poolConfidence.length);
        return new AcceptThreshold(true, chosen, targetPrecision, minSupport, n, chosenSupport, chosenCorrect,
                precision, interval[0], interval[1], accepted, poolConfidence.length, share, explanation);
    }

    /** The 95% Wilson score interval of a proportion {@code successes / trials}. */
    static double[] wilson(int successes, int trials) {
        double p = (double) successes / trials;
        double z2 = Z * Z;
        double denominator = 1 + z2 / trials;
        double centre = (p + z2 / (2.0 * trials)) / denominator;
        double half = Z * Math.sqrt(p * (1 - p) / trials + z2 / (4.0 * trials * trials)) / denominator;
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    private static AcceptThreshold notFound(double target, int minSupport, int labeled, int poolSize, String why) {
        return new AcceptThreshold(false, Double.NaN, target, minSupport, labeled, 0, 0, Double.NaN, Double.NaN,
                Double.NaN, 0, poolSize, 0, why);
    }

    private static void checkFinite(double[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException(what + " " + i + " is " + values[i]);
            }
        }
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }
}
