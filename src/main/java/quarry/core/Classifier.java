package quarry.core;

import java.util.List;

/**
 * A trained classifier as query strategies see it: probabilities, Monte Carlo dropout statistics
 * and expected gradient lengths over rows of a pool's vectors. Strategies depend on this, not on
 * the tensor engine behind it, so they can be tested with a hand-written double.
 *
 * <p>Results are one entry per requested row, in the order given; implementations may be called
 * from several threads at once.
 */
public interface Classifier {

    /** Class (or label) names; index c of every probability row is {@code labels().get(c)}. */
    List<String> labels();

    /** Per-label decision thresholds of a multi-label classifier; null for single-label. */
    float[] thresholds();

    /**
     * The classes one row of {@link #probabilities} predicts: the most probable for single-label;
     * for multi-label those at or above their thresholds (a classifier may add a fallback for rows
     * where none is, as {@code model.Head} does).
     */
    default int[] decide(float[] probabilities) {
        float[] t = thresholds();
        if (t == null) {
            int best = 0;
            for (int c = 1; c < probabilities.length; c++) {
                best = probabilities[c] > probabilities[best] ? c : best;
            }
            return new int[] {best};
        }
        return java.util.stream.IntStream.range(0, probabilities.length).filter(c -> probabilities[c] >= t[c]).toArray();
    }

    /** Class probabilities {@code [row][class]}, dropout off. */
    float[][] probabilities(Vectors x, int[] rows);

    /**
     * {@code passes} stochastic forward passes with dropout on, summarised per row. The same seed
     * gives the same statistics, and a row's statistics do not depend on the other rows asked for.
     */
    McStats mcDropout(Vectors x, int[] rows, int passes, long seed);

    /** Expected gradient length per row, over the classifier's own predicted label distribution. */
    float[] expectedGradientLength(Vectors x, int[] rows);
}
