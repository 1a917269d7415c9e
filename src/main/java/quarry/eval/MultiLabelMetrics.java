package quarry.eval;

import java.util.List;

/**
 * Quality of multi-label predictions, from {@link Metrics#multiLabel}.
 *
 * @param items          how many items were scored
 * @param labels         the size of the label schema
 * @param microPrecision precision over all (item, label) decisions pooled
 * @param microRecall    recall over all decisions pooled
 * @param microF1        2·TP / (2·TP + FP + FN) over all decisions pooled
 * @param macroF1        mean per-label F1 over the labels present (in the truth or the predictions)
 * @param subsetAccuracy share of items whose predicted label set equals the true set exactly
 * @param hammingLoss    share of (item, label) decisions that are wrong
 * @param perLabel       one entry per label present, by label index
 */
public record MultiLabelMetrics(int items, int labels, double microPrecision, double microRecall,
        double microF1, double macroF1, double subsetAccuracy, double hammingLoss, List<ClassMetrics> perLabel) {

    public MultiLabelMetrics {
        perLabel = List.copyOf(perLabel);
    }

    /** The labels present, lowest F1 first (see {@link ClassMetrics#WEAKEST_FIRST}). */
    public List<ClassMetrics> weakestFirst() {
        return perLabel.stream().sorted(ClassMetrics.WEAKEST_FIRST).toList();
    }
}
