package quarry.loop;

import java.util.Arrays;
import quarry.core.Sampling;
import quarry.core.Vectors;
import quarry.model.Head;
import quarry.model.HeadConfig;
import quarry.model.Targets;
import quarry.query.Uncertainty;

/**
 * Semi-supervised training of the head from the unlabeled pool (self-training): the head trained
 * on people's labels predicts the pool; its predictions become pseudo-labels that count less than
 * a person's; a second head continues from the first on both. Pseudo-labels live only in this
 * training: they are rebuilt from the current head every round and never stored or exported.
 *
 * <p>Why the whole pool and not its most confident part (checked on CLINC150's valid split,
 * docs/BENCHMARKS.md): the most confident documents are the easy ones, already right, and teach
 * the head nothing (the top 99.5%-right pseudo-labels gained nothing); the gain comes from the
 * documents the head is less sure of, near the boundaries that a few labels place badly, where its
 * guess is still mostly right. A minimum confidence of 0.5 did a little better than none when
 * training afresh, but the default (none) is what the loop and the test figures were measured with.
 *
 * @param weight        how much a pseudo-label counts against a person's label (1), in (0, 1]
 * @param minConfidence pool documents predicted with less confidence are left out, in [0, 1)
 * @param maxPool       pool documents pseudo-labeled at most (a seeded sample beyond), which bounds
 *                      the round's cost on big pools
 * @param epochs        passes over labels and pseudo-labels when continuing from the first head
 * @param minLabels     fewest labels before self-training starts (a head on a handful of labels
 *                      pseudo-labels most of the pool wrong)
 */
public record SelfTraining(boolean enabled, float weight, float minConfidence, int maxPool, int epochs, int minLabels) {

    public static final SelfTraining OFF = new SelfTraining(false, 0.5f, 0f, 20_000, 3, 0);

    public SelfTraining {
        if (!(weight > 0 && weight <= 1)) {
            throw new IllegalArgumentException("self-training weight must be in (0, 1], got " + weight);
        }
        if (!(minConfidence >= 0 && minConfidence < 1)) {
            throw new IllegalArgumentException("self-training minConfidence must be in [0, 1), got " + minConfidence);
        }
        if (maxPool < 1 || epochs < 1 || minLabels < 0) {
            throw new IllegalArgumentException("self-training needs maxPool >= 1, epochs >= 1 and minLabels >= 0; got "
                    + maxPool + ", " + epochs + ", " + minLabels);
        }
    }

    /** Quarry's default; see {@link SelfTraining} and docs/BENCHMARKS.md for how it was chosen. */
    public static SelfTraining defaults() {
        return new SelfTraining(true, 0.5f, 0f, 20_000, 3, 0);
    }

    /** Whether a round with these labels self-trains: on, single-label, and enough labels. */
    public boolean appliesTo(int labels, boolean multiLabel) {
        return enabled && !multiLabel && labels >= Math.max(1, minLabels);
    }

    /**
     * The head to serve: {@code supervised} continued on its own predictions for the pool rows not in
     * {@code labeledRows} (weighted {@link #weight}) and the labels. The caller keeps ownership of
     * {@code supervised}; the returned head is a new one.
     *
     * @param labeled the labels of {@code labeledRows}, single-label
     */
    public Head refine(Vectors pool, int[] labeledRows, Targets labeled, Head supervised, HeadConfig config,
            String encoderId, long seed) {
        int[] unlabeled = sample(unlabeled(pool.size(), labeledRows), maxPool, seed);
        float[][] p = supervised.probabilities(pool, unlabeled);
        int n = labeledRows.length;
        int[] rows = Arrays.copyOf(labeledRows, n + unlabeled.length);
        int[][] classes = Arrays.copyOf(labeled.classes(), n + unlabeled.length);
        float[] weights = new float[n + unlabeled.length];
        Arrays.fill(weights, 0, n, 1f);
        int m = n;
        for (int i = 0; i < unlabeled.length; i++) {
            int c = Uncertainty.argmax(p[i]);
            if (p[i][c] >= minConfidence) {
                rows[m] = unlabeled[i];
                classes[m] = new int[] {c};
                weights[m] = weight;
                m++;
            }
        }
        Targets all = new Targets(labeled.labels(), false, Arrays.copyOf(classes, m), Arrays.copyOf(weights, m));
        return Head.train(pool, Arrays.copyOf(rows, m), all, config.withWarmEpochs(epochs), supervised, encoderId);
    }

    private static int[] unlabeled(int size, int[] labeledRows) {
        boolean[] labeled = new boolean[size];
        for (int r : labeledRows) {
            labeled[r] = true;
        }
        return java.util.stream.IntStream.range(0, size).filter(r -> !labeled[r]).toArray();
    }

    private static int[] sample(int[] rows, int max, long seed) {
        if (rows.length <= max) {
            return rows;
        }
        int[] picked = Sampling.sample(rows, max, seed);
        Arrays.sort(picked);
        return picked;
    }
}
