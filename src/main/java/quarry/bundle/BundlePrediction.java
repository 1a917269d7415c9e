package quarry.bundle;

import java.util.List;

/**
 * One document's prediction by a model bundle.
 *
 * @param id           the document's id
 * @param labels       the predicted labels (one for single-label; any number for multi-label)
 * @param top          the likeliest labels with their probabilities, best first
 * @param confidence   the top label's probability
 * @param margin       single-label: top probability minus the second (small: the model cannot tell
 *                     two labels apart); multi-label: 1 − how near the label nearest its threshold is
 * @param entropy      the predictive entropy in nats (multi-label: summed over the labels' Bernoulli entropies)
 * @param safeToAccept whether {@code confidence} reaches the model's safe-to-accept threshold; null
 *                     when the model has none
 */
public record BundlePrediction(String id, List<String> labels, List<Ranked> top, float confidence, double margin,
        double entropy, Boolean safeToAccept) {

    public BundlePrediction {
        labels = List.copyOf(labels);
        top = List.copyOf(top);
    }

    /** A label and its probability. */
    public record Ranked(String label, float probability) {
    }
}
