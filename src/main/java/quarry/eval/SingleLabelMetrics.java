package quarry.eval;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Quality of single-label predictions, from {@link Metrics#singleLabel}.
 *
 * @param items          how many items were scored
 * @param classes        the size of the label schema
 * @param accuracy       share of items predicted correctly
 * @param macroPrecision mean precision over the classes present (in the truth or the predictions)
 * @param macroRecall    mean recall over the classes present
 * @param macroF1        mean F1 over the classes present
 * @param perClass       one entry per class present, by class index
 */
public record SingleLabelMetrics(int items, int classes, double accuracy, double macroPrecision,
        double macroRecall, double macroF1, List<ClassMetrics> perClass) {

    public SingleLabelMetrics {
        perClass = List.copyOf(perClass);
    }

    /** The classes present, lowest F1 first (see {@link ClassMetrics#WEAKEST_FIRST}). */
    public List<ClassMetrics> weakestFirst() {
        return perClass.stream().sorted(ClassMetrics.WEAKEST_FIRST).toList();
    }

    /** The {@code limit} weakest classes. */
    public List<ClassMetrics> weakest(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, got " + limit);
        }
        return weakestFirst().stream().limit(limit).toList();
    }

    /** The metrics of one class; empty when it was neither true nor predicted anywhere. */
    public Optional<ClassMetrics> forClass(int cls) {
        return perClass.stream().filter(m -> m.cls() == cls).findFirst();
    }

    /** F1 of every class in the schema, by class index; NaN for a class absent from both sides. */
    public double[] f1ByClass() {
        double[] f1 = new double[classes];
        Arrays.fill(f1, Double.NaN);
        for (ClassMetrics m : perClass) {
            f1[m.cls()] = m.f1();
        }
        return f1;
    }
}
