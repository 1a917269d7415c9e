package quarry.eval;

/**
 * The confidence above which predictions may be accepted without human review, as chosen by
 * {@link SafeToAccept}, with the evidence behind it.
 *
 * @param found           whether some threshold met the target; when false nothing should be
 *                        accepted unreviewed, {@code threshold} and {@code precision} are NaN and
 *                        the pool figures are 0
 * @param threshold       accept a prediction whose confidence is at or above this
 * @param targetPrecision the precision asked for, e.g. 0.95
 * @param minSupport      the fewest held-out items a threshold had to cover to be considered
 * @param labeledItems    how many held-out labeled predictions the choice was based on
 * @param support         how many of them are at or above the threshold
 * @param correct         how many of those were right
 * @param precision       {@code correct / support}: the estimated precision of accepted predictions
 * @param precisionLow    lower end of the 95% Wilson interval of that estimate
 * @param precisionHigh   upper end of that interval
 * @param poolAccepted    how many pool items are at or above the threshold
 * @param poolSize        how many pool items there are
 * @param poolShare       {@code poolAccepted / poolSize} (0 for an empty pool)
 * @param explanation     how the threshold was chosen and what it means, in words, for the UI
 */
public record AcceptThreshold(boolean found, double threshold, double targetPrecision, int minSupport,
        int labeledItems, int support, int correct, double precision, double precisionLow, double precisionHigh,
        int poolAccepted, int poolSize, double poolShare, String explanation) {
}
