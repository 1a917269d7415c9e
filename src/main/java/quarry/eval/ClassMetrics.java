package quarry.eval;

import java.util.Comparator;

/**
 * Precision, recall and F1 of one class (or, multi-label, one label).
 *
 * <p>Conventions (the usual "zero division is 0" ones): precision is 0 when the class was never
 * predicted, recall is 0 when the class has no true items, and F1 = 2·TP / (2·TP + FP + FN), which
 * is 0 whenever TP is 0. A class that is neither true nor predicted anywhere gets no
 * {@code ClassMetrics} at all (see {@link Metrics}).
 *
 * @param cls       the class (or label) index
 * @param precision TP / (TP + FP)
 * @param recall    TP / (TP + FN)
 * @param f1        harmonic mean of precision and recall
 * @param support   how many items truly belong to the class
 */
public record ClassMetrics(int cls, double precision, double recall, double f1, int support) {

    /**
     * Weakest first: lowest F1 first; among equal F1 the class with more true items first (it costs
     * more errors, so it is the better place to spend labels); then by class index, so the order is
     * total and stable.
     */
    public static final Comparator<ClassMetrics> WEAKEST_FIRST = Comparator
            .comparingDouble(ClassMetrics::f1)
            .thenComparing(Comparator.comparingInt(ClassMetrics::support).reversed())
            .thenComparingInt(ClassMetrics::cls);

    /** Builds the metrics from counts, with the conventions above. */
    static ClassMetrics fromCounts(int cls, long tp, long fp, long fn) {
        double precision = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
        double recall = tp + fn == 0 ? 0 : (double) tp / (tp + fn);
        double f1 = tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
        return new ClassMetrics(cls, precision, recall, f1, Math.toIntExact(tp + fn));
    }
}
