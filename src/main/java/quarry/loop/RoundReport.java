package quarry.loop;

import java.util.List;
import quarry.core.Pick;
import quarry.eval.AcceptThreshold;
import quarry.eval.ClassMetrics;
import quarry.eval.PoolEstimate;

/**
 * What one round of the loop did and found.
 *
 * @param round             0 for the first round
 * @param labelsUsed        labels the model was trained on
 * @param strategy          the strategy that chose the picks
 * @param picks             the documents to label next, best first, each with its reasons
 * @param trainSeconds      time to train the head (and committee)
 * @param selectSeconds     time to score the pool and select
 * @param modelVersion      increases with every retrain; 0 before the first
 * @param estimatedAccuracy cross-validated accuracy on the labels alone (NaN when not estimated)
 * @param weakestClasses    cross-validated per-class metrics, weakest first (empty when not estimated)
 * @param safeToAccept      the confidence above which predictions are safe to accept, and the pool share
 *                          (null when not estimated)
 * @param poolEstimate      accuracy on the unlabeled pool, from the held-out predictions' calibration
 *                          (null when not estimated)
 * @param stop              the stopping criteria, and whether to consider stopping
 */
public record RoundReport(int round, int labelsUsed, String strategy, List<Pick> picks, double trainSeconds,
        double selectSeconds, int modelVersion, double estimatedAccuracy, List<ClassMetrics> weakestClasses,
        AcceptThreshold safeToAccept, PoolEstimate poolEstimate, StopReport stop) {

    public RoundReport {
        picks = List.copyOf(picks);
        weakestClasses = List.copyOf(weakestClasses);
    }
}
