package quarry.model;

import java.util.Arrays;
import quarry.core.Vectors;
import quarry.eval.CrossValidation;

/**
 * Out-of-fold probabilities of labeled examples: {@code folds} heads, each trained from scratch
 * without one fold, score the fold they did not see. What per-label thresholds and suspect-label
 * ranking learn from: probabilities of examples the scoring head never trained on.
 */
public final class OutOfFold {

    private OutOfFold() {
    }

    /**
     * Folds are stratified by each example's rarest label (examples without a label form a group of
     * their own), so a rare label is spread over as many folds as it can be.
     *
     * @return {@code probs[i][c]}: the probability of label c for {@code rows[i]}
     */
    public static float[][] probabilities(Vectors x, int[] rows, Targets y, HeadConfig config, String encoderId,
            int folds) {
        int[] counts = y.counts();
        int[] rarest = new int[y.size()];
        for (int i = 0; i < rarest.length; i++) {
            rarest[i] = -1;
            for (int c : y.classesOf(i)) {
                if (rarest[i] < 0 || counts[c] < counts[rarest[i]]) {
                    rarest[i] = c;
                }
            }
        }
        float[][] probs = new float[y.size()][];
        HeadConfig foldConfig = config.withThresholdFolds(0);
        for (CrossValidation.Fold fold : CrossValidation.stratifiedFolds(rarest, folds, config.seed())) {
            int[] trainRows = Arrays.stream(fold.train()).map(i -> rows[i]).toArray();
            int[] testRows = Arrays.stream(fold.test()).map(i -> rows[i]).toArray();
            try (Head head = Head.train(x, trainRows, y.select(fold.train()),
                    foldConfig.withSeed(config.seed() + 1 + fold.index()), null, encoderId)) {
                float[][] p = head.probabilities(x, testRows);
                for (int i = 0; i < testRows.length; i++) {
                    probs[fold.test()[i]] = p[i];
                }
            }
        }
        return probs;
    }
}
