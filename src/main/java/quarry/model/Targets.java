package quarry.model;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a head learns: the label set and, for each labeled example, the indices of its classes.
 * Example {@code i} is the vector at {@code rows[i]} of the rows handed to {@link Head#train}.
 *
 * @param labels     the label names, in class-index order; unique and non-blank
 * @param multiLabel whether an example may carry any number of labels (sigmoid per label) rather
 *                   than exactly one (softmax over labels)
 * @param classes    {@code classes[i]}: class indices of example {@code i}; exactly one for
 *                   single-label, any number (possibly none) for multi-label, no duplicates
 * @param weights    {@code weights[i]}: how much example {@code i} counts in the loss, in (0, 1]
 *                   (pseudo-labels from the pool count less than a person's); null: all count 1
 */
public record Targets(List<String> labels, boolean multiLabel, int[][] classes, float[] weights) {

    public Targets(List<String> labels, boolean multiLabel, int[][] classes) {
        this(labels, multiLabel, classes, null);
    }

    /** A softmax over one label is meaningless; past this the output layer gets unwieldy. */
    public static final int MAX_LABELS = 100_000;

    public Targets {
        if (labels == null) {
            throw new IllegalArgumentException("labels must not be null");
        }
        labels = List.copyOf(labels);
        int minLabels = multiLabel ? 1 : 2;
        if (labels.size() < minLabels || labels.size() > MAX_LABELS) {
            throw new IllegalArgumentException((multiLabel ? "multi-label" : "single-label") + " targets need "
                    + minLabels + " to " + MAX_LABELS + " labels, got " + labels.size());
        }
        Set<String> seen = new HashSet<>();
        for (String label : labels) {
            if (label.isBlank()) {
                throw new IllegalArgumentException("label names must not be blank, got '" + label + "'");
            }
            if (!seen.add(label)) {
                throw new IllegalArgumentException("label '" + label + "' appears twice in the label set");
            }
        }
        if (classes == null) {
            throw new IllegalArgumentException("classes must not be null");
        }
        int[][] copy = new int[classes.length][];
        for (int i = 0; i < classes.length; i++) {
            int[] c = classes[i];
            if (c == null) {
                throw new IllegalArgumentException("example " + i + " has no class array");
            }
            if (!multiLabel && c.length != 1) {
                throw new IllegalArgumentException("single-label example " + i + " has " + c.length
                        + " classes, needs exactly 1");
            }
            for (int j = 0; j < c.length; j++) {
                if (c[j] < 0 || c[j] >= labels.size()) {
                    throw new IllegalArgumentException("example " + i + " has class " + c[j] + ", outside [0, "
                            + labels.size() + ")");
                }
                for (int k = 0; k < j; k++) {
                    if (c[k] == c[j]) {
                        throw new IllegalArgumentException("example " + i + " lists class " + c[j] + " twice");
                    }
                }
            }
            copy[i] = c.clone();
        }
        classes = copy;
        if (weights != null) {
            if (weights.length != classes.length) {
                throw new IllegalArgumentException(weights.length + " weights for " + classes.length + " examples");
            }
            for (int i = 0; i < weights.length; i++) {
                if (!(weights[i] > 0 && weights[i] <= 1)) {
                    throw new IllegalArgumentException("example " + i + " has weight " + weights[i]
                            + ", outside (0, 1]");
                }
            }
            weights = weights.clone();
        }
    }

    /** These targets with each example weighted (see {@link #weights}). */
    public Targets withWeights(float[] exampleWeights) {
        return new Targets(labels, multiLabel, classes, exampleWeights);
    }

    @Override
    public float[] weights() {
        return weights == null ? null : weights.clone();
    }

    /** Weight of example {@code i}: 1 unless weights were given. */
    float weightOf(int i) {
        return weights == null ? 1f : weights[i];
    }

    /** Single-label targets: {@code classOf[i]} is the class index of example {@code i}. */
    public static Targets singleLabel(List<String> labels, int[] classOf) {
        int[][] classes = new int[classOf.length][];
        for (int i = 0; i < classOf.length; i++) {
            classes[i] = new int[] {classOf[i]};
        }
        return new Targets(labels, false, classes);
    }

    /** Multi-label targets: {@code classes[i]} are the class indices of example {@code i}. */
    public static Targets multiLabel(List<String> labels, int[][] classes) {
        return new Targets(labels, true, classes);
    }

    /** A copy: records hand out their components, and these must stay as they were validated. */
    @Override
    public int[][] classes() {
        int[][] copy = new int[classes.length][];
        for (int i = 0; i < classes.length; i++) {
            copy[i] = classes[i].clone();
        }
        return copy;
    }

    /** Number of examples. */
    public int size() {
        return classes.length;
    }

    public int labelCount() {
        return labels.size();
    }

    /** Examples per class. */
    public int[] counts() {
        int[] counts = new int[labels.size()];
        for (int[] c : classes) {
            for (int k : c) {
                counts[k]++;
            }
        }
        return counts;
    }

    /** Class indices of example {@code i}, not copied (package-internal hot paths only). */
    int[] classesOf(int i) {
        return classes[i];
    }

    /** The targets of the examples at {@code picks}, in that order (weights follow their examples). */
    Targets select(int[] picks) {
        int[][] picked = new int[picks.length][];
        float[] w = weights == null ? null : new float[picks.length];
        for (int i = 0; i < picks.length; i++) {
            picked[i] = classes[picks[i]];
            if (w != null) {
                w[i] = weights[picks[i]];
            }
        }
        return new Targets(labels, multiLabel, picked, w);
    }
}
