package quarry.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A head's parameters as plain Java arrays, in DJL's Linear layout (weight {@code [out][in]},
 * row-major). Used to start training (random or warm), to move trained weights out of the training
 * model into a lean inference model, and to build MC-dropout weight stacks. Arrays are not copied.
 *
 * @param w1 hidden×dimension (null for LINEAR)
 * @param b1 hidden (null for LINEAR)
 * @param w2 classes×features, features = hidden (MLP) or dimension (LINEAR)
 * @param b2 classes
 */
record Weights(HeadConfig.Kind kind, int dimension, int features, int classes, float[] w1, float[] b1, float[] w2,
               float[] b2) {

    Weights {
        boolean mlp = kind == HeadConfig.Kind.MLP;
        if (mlp && (w1 == null || w1.length != (long) features * dimension || b1 == null || b1.length != features)) {
            throw new IllegalArgumentException("hidden layer weights do not match " + features + "x" + dimension);
        }
        if (!mlp && features != dimension) {
            throw new IllegalArgumentException("a LINEAR head's features (" + features + ") must equal its dimension ("
                    + dimension + ")");
        }
        if (w2.length != (long) classes * features || b2.length != classes) {
            throw new IllegalArgumentException("output weights do not match " + classes + "x" + features);
        }
    }

    /**
     * Fresh weights: He-normal for the hidden layer (ReLU follows it), LeCun-normal (std
     * 1/sqrt(fan-in)) for the output layer so the first softmax is nearly uniform, zero biases.
     * Drawn in Java from {@code seed}, so they do not depend on the engine's random state.
     */
    static Weights random(HeadConfig config, int dimension, int classes) {
        SplittableRandom random = new SplittableRandom(config.seed() ^ 0x5DEECE66DL);
        int features = config.features(dimension);
        float[] w1 = null;
        float[] b1 = null;
        if (config.kind() == HeadConfig.Kind.MLP) {
            w1 = gaussian(random, features * dimension, Math.sqrt(2.0 / dimension));
            b1 = new float[features];
        }
        float[] w2 = gaussian(random, classes * features, Math.sqrt(1.0 / features));
        return new Weights(config.kind(), dimension, features, classes, w1, b1, w2, new float[classes]);
    }

    /**
     * Starts from {@code previous}: the hidden layer as it was, and the output row and bias of
     * every label both heads know, matched by name; labels new to this head start as in
     * {@link #random}. Labels the previous head knew and this one does not are dropped.
     */
    static Weights warm(Weights previous, List<String> previousLabels, List<String> labels, HeadConfig config) {
        Weights fresh = random(config, previous.dimension, labels.size());
        Map<String, Integer> known = new HashMap<>();
        for (int i = 0; i < previousLabels.size(); i++) {
            known.put(previousLabels.get(i), i);
        }
        int f = previous.features;
        float[] w2 = fresh.w2;
        float[] b2 = fresh.b2;
        for (int c = 0; c < labels.size(); c++) {
            Integer old = known.get(labels.get(c));
            if (old != null) {
                System.arraycopy(previous.w2, old * f, w2, c * f, f);
                b2[c] = previous.b2[old];
            }
        }
        float[] w1 = previous.w1 == null ? null : previous.w1.clone();
        float[] b1 = previous.b1 == null ? null : previous.b1.clone();
        return new Weights(previous.kind, previous.dimension, f, labels.size(), w1, b1, w2, b2);
    }

    private static float[] gaussian(SplittableRandom random, int n, double std) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (nextGaussian(random) * std);
        }
        return values;
    }

    /** Box-Muller, spelled out so that seeded weights never change with the JDK's own algorithm. */
    private static double nextGaussian(SplittableRandom random) {
        double u = random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
    }
}
