package quarry.loop;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

import quarry.eval.CohenKappa;
import quarry.eval.LearningCurve;

/**
 * Stopping criteria, computed after every round from the history of rounds so far (oldest first,
 * the round just finished last). They advise; nothing here stops anything. The loop shows the
 * verdict and goes on as long as the user keeps labeling.
 *
 * <ul>
 * <li><b>Stabilizing predictions</b> (Bloodgood and Vijay-Shanker, 2009): Cohen's κ between the
 * predictions of successive models on a fixed unlabeled stop set. Fires when the last
 * {@code kappaWindow} κ values (each between a round and the one before it) are all ≥
 * {@code kappaThreshold}. Value: the lowest of those κ (of as many as there are, if fewer).</li>
 * <li><b>Overall uncertainty</b>: the stop set's mean (or max) uncertainty in the latest round is
 * below {@code uncertaintyThreshold}. Value: that mean (or max).</li>
 * <li><b>Classification change</b>: the share of stop-set items whose predicted class changed since
 * the previous round is below {@code changeThreshold}. Value: that share.</li>
 * <li><b>Learning-curve plateau</b>: a least-squares line through (labels used, estimated accuracy)
 * of the rounds within the latest {@code plateauSpan} labels that have an estimate; fires when its
 * slope times {@code plateauLabels} (the gain per that many labels) is below {@code plateauGain},
 * so by default when accuracy gains less than 1 point per 200 labels over the last 1,000 labels.
 * It waits until the estimates span {@code plateauSpan} labels. A falling curve counts as flat.
 * Value: the gain per {@code plateauLabels} labels. The span is counted in labels, not rounds, so
 * the rule means the same whether the loop estimates accuracy every round or every few. Beware:
 * with uncertainty sampling the estimate (cross-validation on the labels) is biased low and flat,
 * since the labeled documents are the hard ones; see {@link StopSettings#defaults()}.</li>
 * <li><b>Budget</b>: labels used in the latest round ≥ {@code budget}. Value: labels used.</li>
 * </ul>
 *
 * A criterion without enough history (too few rounds, no or empty stop-set predictions, no estimate)
 * does not fire and says what it is waiting for; its value is NaN. Stop-set predictions are class
 * indices ≥ 0, and the stop set must have the same size in every round.
 */
public final class Stopping {

    private Stopping() {
    }

    /**
     * Every criterion's signal on the latest round of {@code history}, in priority order, and
     * "stop now" when one in {@link StopSettings#stopOn()} fired, naming the first in priority order.
     */
    public static StopReport evaluate(List<StopRound> history, StopSettings settings) {
        List<StopSignal> signals = new ArrayList<>();
        StopSignal firing = null;
        StopCriterion firingCriterion = null;
        for (StopCriterion c : StopCriterion.values()) {
            StopSignal s = signal(c, history, settings);
            signals.add(s);
            if (firing == null && s.fire() && settings.stopOn().contains(c)) {
                firing = s;
                firingCriterion = c;
            }
        }
        if (firing == null) {
            long advisory = signals.stream().filter(StopSignal::fire).count();
            String message = advisory == 0
                    ? "keep labeling: no stopping criterion has fired"
                    : "keep labeling: no criterion you stop on has fired (" + advisory + " other"
                            + (advisory == 1 ? " has" : "s have") + ")";
            return new StopReport(signals, false, "", message);
        }
        return new StopReport(signals, true, firingCriterion.id(),
                "stop now (" + firingCriterion.id() + "): " + firing.explanation()
                        + "; labeling more is still possible");
    }

    /** One criterion's signal on the latest round of {@code history}. */
    public static StopSignal signal(StopCriterion criterion, List<StopRound> history, StopSettings settings) {
        return switch (criterion) {
            case BUDGET -> budget(history, settings);
            case STABILIZING_PREDICTIONS -> stabilizingPredictions(history, settings);
            case PLATEAU -> plateau(history, settings);
            case CLASSIFICATION_CHANGE -> classificationChange(history, settings);
            case UNCERTAINTY -> uncertainty(history, settings);
        };
    }

    /**
     * The first round (index into {@code history}) after which {@code criterion} fired, judging each
     * round on the history up to and including it, as the loop would have; empty if it never fired.
     * For the simulator, to set against {@link #flattenedRound(double[])}.
     */
    public static OptionalInt firstRoundFired(List<StopRound> history, StopCriterion criterion,
            StopSettings settings) {
        for (int t = 0; t < history.size(); t++) {
            if (signal(criterion, history.subList(0, t + 1), settings).fire()) {
                return OptionalInt.of(t);
            }
        }
        return OptionalInt.empty();
    }

    /** {@link #firstRoundFired(List, StopCriterion, StopSettings)} with default settings. */
    public static OptionalInt firstRoundFired(List<StopRound> history, StopCriterion criterion) {
        return firstRoundFired(history, criterion, StopSettings.defaults());
    }

    /** The first round whose verdict was "stop now"; empty if none. */
    public static OptionalInt firstRoundStopped(List<StopRound> history, StopSettings settings) {
        for (int t = 0; t < history.size(); t++) {
            if (evaluate(history.subList(0, t + 1), settings).stopNow()) {
                return OptionalInt.of(t);
            }
        }
        return OptionalInt.empty();
    }

    /**
     * Where a learning curve (one score per round, e.g. test accuracy) really flattened: the first
     * round after which no later round scores more than 1% of the final score above it. See
     * {@link LearningCurve#flattenedIndex(double[], double)}.
     */
    public static int flattenedRound(double[] scorePerRound) {
        return LearningCurve.flattenedIndex(scorePerRound, LearningCurve.FLAT_TOLERANCE);
    }

    /** {@link #flattenedRound(double[])} with another tolerance (a share of the final score). */
    public static int flattenedRound(double[] scorePerRound, double tolerance) {
        return LearningCurve.flattenedIndex(scorePerRound, tolerance);
    }

    // ---- the criteria ----

    public static StopSignal stabilizingPredictions(List<StopRound> history, StopSettings settings) {
        String id = StopCriterion.STABILIZING_PREDICTIONS.id();
        int window = settings.kappaWindow();
        double threshold = settings.kappaThreshold();
        List<Double> kappas = new ArrayList<>(); // newest first
        for (int t = history.size() - 1; t >= 1 && kappas.size() < window; t--) {
            int[][] pair = shared(history.get(t - 1), history.get(t), t);
            if (pair == null) {
                break;
            }
            kappas.add(CohenKappa.of(pair[0], pair[1]));
        }
        if (kappas.isEmpty()) {
            return new StopSignal(id, false, Double.NaN, String.format(Locale.ROOT,
                    "waiting: needs %d %s of stop-set predictions, has none to compare yet",
                    window + 1, window + 1 == 1 ? "round" : "successive rounds"));
        }
        double lowest = kappas.stream().mapToDouble(Double::doubleValue).min().getAsDouble();
        double latest = kappas.get(0);
        if (kappas.size() < window) {
            return new StopSignal(id, false, lowest, String.format(Locale.ROOT,
                    "waiting: κ = %.3f between the last two rounds; needs %d κ values, has %d",
                    latest, window, kappas.size()));
        }
        if (lowest >= threshold) {
            return new StopSignal(id, true, lowest, String.format(Locale.ROOT,
                    "predictions have stabilised, κ ≥ %s over the last %d %s (lowest %.3f): consider stopping",
                    trim(threshold), window, window == 1 ? "round" : "rounds", lowest));
        }
        return new StopSignal(id, false, lowest, String.format(Locale.ROOT,
                "predictions still changing: κ = %.3f between the last two rounds, lowest %.3f over the last %d "
                        + "(fires at κ ≥ %s over %d)", latest, lowest, window, trim(threshold), window));
    }

    public static StopSignal uncertainty(List<StopRound> history, StopSettings settings) {
        String id = StopCriterion.UNCERTAINTY.id();
        String what = settings.uncertaintyAggregate() == StopSettings.Aggregate.MEAN ? "mean" : "max";
        if (history.isEmpty()) {
            return new StopSignal(id, false, Double.NaN, "waiting: no rounds yet");
        }
        StopRound last = history.get(history.size() - 1);
        double value = settings.uncertaintyAggregate() == StopSettings.Aggregate.MEAN
                ? last.meanUncertainty() : last.maxUncertainty();
        if (Double.isNaN(value)) {
            return new StopSignal(id, false, Double.NaN,
                    "waiting: no " + what + " uncertainty on the stop set this round");
        }
        double threshold = settings.uncertaintyThreshold();
        if (value < threshold) {
            return new StopSignal(id, true, value, String.format(Locale.ROOT,
                    "overall uncertainty is low, %s uncertainty on the stop set %.3f < %s: consider stopping",
                    what, value, trim(threshold)));
        }
        return new StopSignal(id, false, value, String.format(Locale.ROOT,
                "%s uncertainty on the stop set is %.3f (fires below %s)", what, value, trim(threshold)));
    }

    public static StopSignal classificationChange(List<StopRound> history, StopSettings settings) {
        String id = StopCriterion.CLASSIFICATION_CHANGE.id();
        int t = history.size() - 1;
        int[][] pair = t >= 1 ? shared(history.get(t - 1), history.get(t), t) : null;
        if (pair == null) {
            return new StopSignal(id, false, Double.NaN,
                    "waiting: needs stop-set predictions from two successive rounds");
        }
        int[] before = pair[0];
        int[] now = pair[1];
        int changed = 0;
        for (int i = 0; i < now.length; i++) {
            if (now[i] != before[i]) {
                changed++;
            }
        }
        double share = (double) changed / now.length;
        double threshold = settings.changeThreshold();
        if (share < threshold) {
            return new StopSignal(id, true, share, String.format(Locale.ROOT,
                    "predictions barely change, %s of the stop set (%,d of %,d) changed class since the last round "
                            + "< %s: consider stopping",
                    percent(share), changed, now.length, percent(threshold)));
        }
        return new StopSignal(id, false, share, String.format(Locale.ROOT,
                "%s of the stop set (%,d of %,d) changed class since the last round (fires below %s)",
                percent(share), changed, now.length, percent(threshold)));
    }

    public static StopSignal plateau(List<StopRound> history, StopSettings settings) {
        String id = StopCriterion.PLATEAU.id();
        int span = settings.plateauSpan();
        List<StopRound> estimated = history.stream().filter(r -> Double.isFinite(r.estimatedAccuracy())).toList();
        if (estimated.isEmpty()) {
            return new StopSignal(id, false, Double.NaN, String.format(Locale.ROOT,
                    "waiting: needs accuracy estimates spanning %,d labels, has none", span));
        }
        int latest = estimated.get(estimated.size() - 1).labelsUsed();
        int covered = latest - estimated.get(0).labelsUsed();
        if (covered < span) {
            return new StopSignal(id, false, Double.NaN, String.format(Locale.ROOT,
                    "waiting: needs accuracy estimates spanning %,d labels, has %,d", span, covered));
        }
        List<StopRound> points = estimated.stream().filter(r -> r.labelsUsed() >= latest - span).toList();
        if (points.size() < 2) {
            return new StopSignal(id, false, Double.NaN, String.format(Locale.ROOT,
                    "waiting: needs 2 accuracy estimates within the last %,d labels, has 1", span));
        }
        double meanX = 0;
        double meanY = 0;
        for (StopRound r : points) {
            meanX += r.labelsUsed();
            meanY += r.estimatedAccuracy();
        }
        meanX /= points.size();
        meanY /= points.size();
        double sxy = 0;
        double sxx = 0;
        for (StopRound r : points) {
            double dx = r.labelsUsed() - meanX;
            sxy += dx * (r.estimatedAccuracy() - meanY);
            sxx += dx * dx;
        }
        if (sxx == 0) {
            return new StopSignal(id, false, Double.NaN, String.format(Locale.ROOT,
                    "waiting: the accuracy estimates of the last %,d labels were all at %,d labels", span, latest));
        }
        int per = settings.plateauLabels();
        double gain = sxy / sxx * per;
        String over = String.format(Locale.ROOT, "over the last %,d labels (%d estimates, %,d to %,d labels)", span,
                points.size(), points.get(0).labelsUsed(), latest);
        if (gain < settings.plateauGain()) {
            return new StopSignal(id, true, gain, String.format(Locale.ROOT,
                    "the learning curve has flattened, estimated accuracy %s per %d labels %s, < %s: "
                            + "consider stopping", signedPoints(gain), per, over, points(settings.plateauGain())));
        }
        return new StopSignal(id, false, gain, String.format(Locale.ROOT,
                "estimated accuracy still rising, %s per %d labels %s (fires below %s)",
                signedPoints(gain), per, over, points(settings.plateauGain())));
    }

    public static StopSignal budget(List<StopRound> history, StopSettings settings) {
        String id = StopCriterion.BUDGET.id();
        int used = history.isEmpty() ? 0 : history.get(history.size() - 1).labelsUsed();
        if (!settings.hasBudget()) {
            return new StopSignal(id, false, used, String.format(Locale.ROOT,
                    "no label budget set (%,d labels used)", used));
        }
        int budget = settings.budget();
        if (used >= budget) {
            return new StopSignal(id, true, used, String.format(Locale.ROOT,
                    "label budget reached, %,d labels used of %,d: stop", used, budget));
        }
        return new StopSignal(id, false, used, String.format(Locale.ROOT,
                "%,d of %,d budgeted labels used (%,d left)", used, budget, budget - used));
    }

    /**
     * The two rounds' predictions on the stop-set rows both saw ({before, now}), or null when either
     * has none. A stop set that grew with the pool names its rows; a fixed one lines up by position.
     */
    private static int[][] shared(StopRound earlier, StopRound later, int round) {
        int[] before = earlier.stopPredictions();
        int[] now = later.stopPredictions();
        if (now == null || before == null || now.length == 0 || before.length == 0) {
            return null;
        }
        if (earlier.stopRows() == null || later.stopRows() == null) {
            if (before.length != now.length) {
                throw new IllegalArgumentException("the stop set must stay fixed: round " + (round - 1) + " has "
                        + before.length + " predictions, round " + round + " has " + now.length);
            }
            return new int[][] {before, now};
        }
        int[] rowsBefore = earlier.stopRows();
        int[] rowsNow = later.stopRows();
        int[] a = new int[Math.min(before.length, now.length)];
        int[] b = new int[a.length];
        int n = 0;
        for (int i = 0, j = 0; i < rowsBefore.length && j < rowsNow.length; ) {
            if (rowsBefore[i] == rowsNow[j]) {
                a[n] = before[i++];
                b[n++] = now[j++];
            } else if (rowsBefore[i] < rowsNow[j]) {
                i++;
            } else {
                j++;
            }
        }
        return n == 0 ? null : new int[][] {java.util.Arrays.copyOf(a, n), java.util.Arrays.copyOf(b, n)};
    }

    private static String trim(double x) {
        String s = String.format(Locale.ROOT, "%.4f", x);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static String percent(double share) {
        return trim(100 * share) + "%";
    }

    /** An accuracy difference in percentage points, e.g. "1%". */
    private static String points(double gain) {
        return trim(100 * gain) + "%";
    }

    private static String signedPoints(double gain) {
        return (gain >= 0 ? "+" : "−") + String.format(Locale.ROOT, "%.2f%%", Math.abs(100 * gain));
    }
}
