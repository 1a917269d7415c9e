package quarry.eval;

/**
 * How many of the model's predictions on the unlabeled pool are right, estimated by {@link PoolAccuracy}.
 *
 * @param accuracy    the estimated share of pool predictions that are right
 * @param low         lower end of the 95% bootstrap interval
 * @param high        upper end of that interval
 * @param heldOut     held-out labeled predictions the calibration was learned from
 * @param poolSize    pool documents the estimate averages over
 * @param explanation what the figure means and what it assumes, in words, for the UI
 */
public record PoolEstimate(double accuracy, double low, double high, int heldOut, int poolSize, String explanation) {
}
