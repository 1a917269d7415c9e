package quarry.loop;

/**
 * What one stopping criterion says after a round.
 *
 * @param criterion   the criterion's id ({@link StopCriterion#id()})
 * @param fire        whether it says "consider stopping"
 * @param value       the number it judged (κ, uncertainty, share changed, gain per N labels, labels
 *                    used); NaN when there was not enough history to compute it
 * @param explanation one line for a person, e.g. "predictions have stabilised, κ = 0.99 over 3
 *                    rounds: consider stopping"
 */
public record StopSignal(String criterion, boolean fire, double value, String explanation) {
}
