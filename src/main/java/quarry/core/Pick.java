package quarry.core;

/**
 * One document chosen for labeling, with the reasons it was chosen, so a person can see why.
 *
 * @param row         the document's row in the pool
 * @param strategy    the strategy that chose it
 * @param score       the strategy's score (higher was preferred)
 * @param uncertainty the model's uncertainty about it, in the strategy's measure; NaN when none
 * @param density     mean similarity to its nearest pool neighbours; NaN when not used
 * @param note        a short human-readable reason, e.g. "smallest margin: 0.03 between refund and cancel"
 */
public record Pick(int row, String strategy, double score, double uncertainty, double density, String note) {
}
