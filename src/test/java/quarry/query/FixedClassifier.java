package quarry.query;

import java.util.List;
import quarry.core.Classifier;
import quarry.core.McStats;
import quarry.core.Vectors;

/**
 * A hand-written classifier double: fixed probabilities per pool row, no tensor engine. Its MC
 * dropout passes all agree (a model without dropout), so BALD and variation ratio are 0.
 */
final class FixedClassifier implements Classifier {

    private final List<String> labels;
    private final float[][] byRow;

    /** {@code byRow[r]} is what the classifier says about pool row r. */
    FixedClassifier(List<String> labels, float[][] byRow) {
        this.labels = List.copyOf(labels);
        this.byRow = byRow;
    }

    @Override
    public List<String> labels() {
        return labels;
    }

    @Override
    public float[] thresholds() {
        return null;
    }

    @Override
    public float[][] probabilities(Vectors x, int[] rows) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = byRow[rows[i]].clone();
        }
        return out;
    }

    @Override
    public McStats mcDropout(Vectors x, int[] rows, int passes, long seed) {
        float[][] p = probabilities(x, rows);
        float[] entropy = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            entropy[i] = (float) Uncertainty.entropy(p[i]);
        }
        return new McStats(p, entropy, entropy.clone(), new float[rows.length], new float[rows.length]);
    }

    @Override
    public float[] expectedGradientLength(Vectors x, int[] rows) {
        throw new UnsupportedOperationException("not used by these tests");
    }
}
