package quarry.loop;

import java.util.Arrays;
import java.util.Objects;

/**
 * What the stopping criteria need to know about one finished round.
 *
 * @param labelsUsed          labels the round's model was trained on
 * @param stopPredictions     the model's predicted class for each item of the fixed unlabeled stop
 *                            set (same items, same order, every round); null when the round had no
 *                            model. Copied on construction; do not modify the returned array.
 * @param meanUncertainty     mean uncertainty over the stop set (NaN if unknown)
 * @param maxUncertainty      max uncertainty over the stop set (NaN if unknown)
 * @param estimatedAccuracy   accuracy estimated from the labels alone, e.g. cross-validated, in
 *                            [0, 1]; NaN when unknown
 * @param stopRows            the pool rows the predictions are for, ascending; null when the stop
 *                            set is fixed (predictions then line up by position). A stop set that
 *                            grows with the pool names its rows, so rounds compare on the rows both saw.
 */
public record StopRound(int labelsUsed, int[] stopPredictions, double meanUncertainty, double maxUncertainty,
        double estimatedAccuracy, int[] stopRows) {

    public StopRound {
        if (labelsUsed < 0) {
            throw new IllegalArgumentException("labels used must be >= 0, got " + labelsUsed);
        }
        stopPredictions = stopPredictions == null ? null : stopPredictions.clone();
        stopRows = stopRows == null ? null : stopRows.clone();
        if (stopRows != null && (stopPredictions == null || stopRows.length != stopPredictions.length)) {
            throw new IllegalArgumentException("stop rows and predictions differ in length: " + stopRows.length
                    + " rows, " + (stopPredictions == null ? "no" : stopPredictions.length) + " predictions");
        }
    }

    /** A round over a fixed stop set. */
    public StopRound(int labelsUsed, int[] stopPredictions, double meanUncertainty, double maxUncertainty,
            double estimatedAccuracy) {
        this(labelsUsed, stopPredictions, meanUncertainty, maxUncertainty, estimatedAccuracy, null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StopRound r && labelsUsed == r.labelsUsed
                && Arrays.equals(stopPredictions, r.stopPredictions) && Arrays.equals(stopRows, r.stopRows)
                && Double.compare(meanUncertainty, r.meanUncertainty) == 0
                && Double.compare(maxUncertainty, r.maxUncertainty) == 0
                && Double.compare(estimatedAccuracy, r.estimatedAccuracy) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(labelsUsed, Arrays.hashCode(stopPredictions), Arrays.hashCode(stopRows), meanUncertainty,
                maxUncertainty, estimatedAccuracy);
    }

    @Override
    public String toString() {
        return "StopRound[labelsUsed=" + labelsUsed + ", stopSet="
                + (stopPredictions == null ? "none" : stopPredictions.length + " predictions")
                + ", meanUncertainty=" + meanUncertainty + ", maxUncertainty=" + maxUncertainty
                + ", estimatedAccuracy=" + estimatedAccuracy + "]";
    }
}
