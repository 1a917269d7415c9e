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
 *
 * <p>By default a candidate qualifies only when the one-sided 95% Wilson lower bound of its
 * held-out precision reaches the target, not the point estimate. Taking the lowest threshold whose
 * running precision still reaches the target picks the point where noise flattered it most: through
 * the live server on CLINC150, point-estimate thresholds claimed 95–97% where the pool gave 87.5–92.4%
 * for every version under about 550 labels. The bound asks for more evidence where there is little
 * and costs a point or two of precision margin where there is a lot. The two-sided 95% interval is
 * reported alongside so the UI can show how firm the estimate is.
 */
public final class SafeToAccept {

    public static final double DEFAULT_TARGET = 0.95;
    public static final int DEFAULT_MIN_SUPPORT = 50;

    /** z for a two-sided 95% interval. */
    private static final double Z = 1.959963984540054;
    /** z for a one-sided 95% lower bound: the default evidence a threshold must have. */
    public static final double ONE_SIDED_95 = 1.6448536269514722;

    private SafeToAccept() {
    }

    /** Precision 0.95 with 95% confidence (one-sided lower bound), support at least 50. */
    public static AcceptThreshold choose(double[] confidence, boolean[] correct, double[] poolConfidence) {
        return choose(confidence, correct, poolConfidence, DEFAULT_TARGET, DEFAULT_MIN_SUPPORT, ONE_SIDED_95);
    }

    /** The point-estimate rule: a threshold qualifies when its held-out precision reaches the target. */
    public static AcceptThreshold choose(double[] confidence, boolean[] correct, double[] poolConfidence,
            double targetPrecision, int minSupport) {
        return choose(confidence, correct, poolConfidence, targetPrecision, minSupport, 0);
    }

    /**
     * @param confidence      the model's confidence in its prediction for each held-out labeled item
     * @param correct         whether that prediction was right, same length
     * @param poolConfidence  the confidence of each prediction on the unlabeled pool
     * @param targetPrecision the precision accepted predictions must have, in (0, 1]
     * @param minSupport      the fewest held-out items a threshold must cover, at least 1
     * @param z               0: the held-out precision must reach the target; above 0: its Wilson
     *                        lower bound at this z must ({@link #ONE_SIDED_95} for 95% confidence)
     */
    public static AcceptThreshold choose(double[] confidence, boolean[] correct, double[] poolConfidence,
            double targetPrecision, int minSupport, double z) {
        if (confidence.length != correct.length) {
            throw new IllegalArgumentException(confidence.length + " confidences but " + correct.length + " outcomes");
        }
        if (!(targetPrecision > 0 && targetPrecision <= 1)) {
            throw new IllegalArgumentException("target precision must be in (0, 1], got " + targetPrecision);
        }
        if (!(z >= 0 && z < 10)) {
            throw new IllegalArgumentException("z must be in [0, 10), got " + z);
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
            double evidence = z == 0 ? precision : wilson(right, seen, z)[0];
            if (evidence >= targetPrecision) {
                chosen = confidence[i];
                chosenSupport = seen;
                chosenCorrect = right;
            }
        }
        String sure = z == 0 ? "" : String.format(Locale.ROOT, " with %.0f%% confidence",
                100 * (1 - oneSidedTail(z)));
        if (Double.isNaN(chosen)) {
            return notFound(targetPrecision, minSupport, n, poolConfidence.length, String.format(Locale.ROOT,
                    "No confidence threshold reached %s precision%s over at least %d held-out labeled predictions "
                            + "(the best was %s over the %d most confident of %d). Review every prediction.",
                    target, sure, minSupport, percent(bestPrecision), bestSupport, n));
        }
        int accepted = 0;
        for (double c : poolConfidence) {
            if (c >= chosen) {
                accepted++;
            }
        }
        double precision = (double) chosenCorrect / chosenSupport;
        double[] interval = wilson(chosenCorrect, chosenSupport, Z);
        double share = poolConfidence.length == 0 ? 0 : (double) accepted / poolConfidence.length;
        String explanation = String.format(Locale.ROOT,
                "Accept predictions with confidence >= %.4f without review. This is the lowest confidence at which "
                        + "held-out predictions at or above it were at least %s correct%s: %s (%d of %d; 95%% interval "
                        + "%s to %s), counting only thresholds backed by at least %d of the %d held-out labeled "
                        + "predictions. %s of the pool (%d of %d) is at or above it. The estimate assumes the pool "
                        + "resembles the labeled items.",
                chosen, target, sure, percent(precision), chosenCorrect, chosenSupport, percent(interval[0]),
                percent(interval[1]), minSupport, n, percent(share), accepted, poolConfidence.length);
        return new AcceptThreshold(true, chosen, targetPrecision, minSupport, n, chosenSupport, chosenCorrect,
                precision, interval[0], interval[1], accepted, poolConfidence.length, share, explanation);
    }

    /** The two-sided 95% Wilson score interval of a proportion {@code successes / trials}, trials > 0. */
    public static double[] wilson95(int successes, int trials) {
        if (trials <= 0 || successes < 0 || successes > trials) {
            throw new IllegalArgumentException("a proportion needs 0 <= successes <= trials and trials > 0, got "
                    + successes + " of " + trials);
        }
        return wilson(successes, trials, Z);
    }

    /** The Wilson score interval of a proportion {@code successes / trials} at {@code z}. */
    static double[] wilson(int successes, int trials, double z) {
        double p = (double) successes / trials;
        double z2 = z * z;
        double denominator = 1 + z2 / trials;
        double centre = (p + z2 / (2.0 * trials)) / denominator;
        double half = z * Math.sqrt(p * (1 - p) / trials + z2 / (4.0 * trials * trials)) / denominator;
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    /** P(Z > z) for a standard normal, to say in words what confidence a z stands for (Zelen–Severo, ±1e-7). */
    static double oneSidedTail(double z) {
        double t = 1 / (1 + 0.2316419 * z);
        double poly = t * (0.319381530 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
        return Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI) * poly;
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
