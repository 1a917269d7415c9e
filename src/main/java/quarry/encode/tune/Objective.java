package quarry.encode.tune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What a fine-tune minimises, over items of one epoch: contrastive pairs ({@code {left, right,
 * same}}) or single examples ({@code {row}}). Each item names rows of the tokenised texts.
 */
abstract class Objective {

    /** Items measured before and after training (held-in: drawn from the training labels). */
    static final int EVALUATION_ITEMS = 256;

    protected final BertNet net;
    protected final long[][] tokens;
    protected final int[] classOf;

    Objective(BertNet net, long[][] tokens, int[] classOf) {
        this.net = net;
        this.tokens = tokens;
        this.classOf = classOf;
    }

    /** One epoch's items, in training order. */
    abstract List<int[]> epoch(SplittableRandom random);

    /** The mean loss of {@code batch}, as a scalar array on {@code manager}'s device. */
    abstract NDArray loss(NDManager manager, List<int[]> batch, float dropout, boolean training);

    /** Trainable arrays besides the encoder's (the classifier's layer), by name. */
    Map<String, NDArray> ownParameters() {
        return Map.of();
    }

    /** Pooled vectors of these rows, in order, [rows, hidden]. */
    protected NDArray embed(NDManager manager, List<Integer> rows, float dropout, boolean training) {
        List<long[]> ids = new ArrayList<>(rows.size());
        for (int r : rows) {
            ids.add(tokens[r]);
        }
        NDArray[] batch = Tokens.batch(manager, ids);
        return net.embed(batch[0], batch[1], dropout, training);
    }

    /** SetFit: the cosine of a pair's two vectors regressed onto 1 (same label) or 0 (different). */
    static final class Contrastive extends Objective {

        private final int perExample;
        private final int maxPairs;

        Contrastive(BertNet net, long[][] tokens, int[] classOf, int perExample, int maxPairs) {
            super(net, tokens, classOf);
            this.perExample = perExample;
            this.maxPairs = maxPairs;
        }

        @Override
        List<int[]> epoch(SplittableRandom random) {
            return items(Pairs.draw(classOf, perExample, maxPairs, random));
        }

        /** Two pairs per example (one positive, one negative) for the before/after measurement. */
        List<int[]> evaluation(SplittableRandom random) {
            return items(Pairs.draw(classOf, 2, EVALUATION_ITEMS, random));
        }

        private static List<int[]> items(List<Pairs.Pair> pairs) {
            List<int[]> items = new ArrayList<>(pairs.size());
            for (Pairs.Pair p : pairs) {
                items.add(new int[] {p.left(), p.right(), p.same() ? 1 : 0});
            }
            return items;
        }

        @Override
        NDArray loss(NDManager manager, List<int[]> batch, float dropout, boolean training) {
            int b = batch.size();
            List<Integer> rows = new ArrayList<>(2 * b);
            float[] target = new float[b];
            for (int[] item : batch) {
                rows.add(item[0]);
            }
            for (int i = 0; i < b; i++) {
                rows.add(batch.get(i)[1]);
                target[i] = batch.get(i)[2];
            }
            NDList halves = embed(manager, rows, dropout, training).split(2, 0);
            NDArray left = unit(halves.get(0));
            NDArray right = unit(halves.get(1));
            NDArray cosine = left.mul(right).sum(new int[] {1});
            return cosine.sub(manager.create(FloatBuffer.wrap(target), new Shape(b))).square().mean();
        }

        private static NDArray unit(NDArray x) {
            return x.div(x.norm(new int[] {1}, true).clip(1e-12f, Float.MAX_VALUE));
        }
    }

    /** Cross-entropy of the label through a linear layer over the pooled vectors. */
    static final class Classify extends Objective {

        /**
         * Multiplies the logits: the vectors are unit length, so without it the logits stay small,
         * the softmax near uniform, and the encoder learns from a layer that has not learned yet.
         */
        static final float LOGIT_SCALE = 20f;

        private final Map<String, NDArray> head = new LinkedHashMap<>();

        /** @param state owns the linear layer's weights, drawn from {@code random} (N(0, 0.02²), BERT's init) */
        Classify(BertNet net, long[][] tokens, int[] classOf, int classes, NDManager state, SplittableRandom random) {
            super(net, tokens, classOf);
            int hidden = net.config().hidden();
            float[] w = new float[hidden * classes];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (gaussian(random) * 0.02);
            }
            NDArray weight;
            // As BertNet's weights: a clone in libtorch's own memory, not a tensor over a Java buffer
            // (the classifier was the one trained tensor still made that way when long runs diverged).
            try (NDArray wrapped = state.create(FloatBuffer.wrap(w), new Shape(hidden, classes))) {
                weight = wrapped.duplicate();
            }
            NDArray bias = state.zeros(new Shape(classes));
            weight.setRequiresGradient(true);
            bias.setRequiresGradient(true);
            head.put("classifier.weight", weight);
            head.put("classifier.bias", bias);
        }

        @Override
        List<int[]> epoch(SplittableRandom random) {
            List<int[]> items = new ArrayList<>(classOf.length);
            for (int i = 0; i < classOf.length; i++) {
                items.add(new int[] {i});
            }
            Pairs.shuffle(items, random);
            return items;
        }

        List<int[]> evaluation(SplittableRandom random) {
            List<int[]> items = epoch(random);
            return items.size() > EVALUATION_ITEMS ? items.subList(0, EVALUATION_ITEMS) : items;
        }

        @Override
        Map<String, NDArray> ownParameters() {
            return head;
        }

        @Override
        NDArray loss(NDManager manager, List<int[]> batch, float dropout, boolean training) {
            List<Integer> rows = new ArrayList<>(batch.size());
            long[] target = new long[batch.size()];
            for (int i = 0; i < batch.size(); i++) {
                rows.add(batch.get(i)[0]);
                target[i] = classOf[batch.get(i)[0]];
            }
            NDArray logits = embed(manager, rows, dropout, training).matMul(head.get("classifier.weight"))
                    .add(head.get("classifier.bias")).mul(LOGIT_SCALE);
            NDArray picked = logits.logSoftmax(1).gather(manager.create(target).reshape(batch.size(), 1), 1);
            return picked.mean().neg();
        }

        private static double gaussian(SplittableRandom random) {
            // Box–Muller: SplittableRandom has no nextGaussian on Java 17
            double u = 1 - random.nextDouble();
            return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
        }
    }
}
