package quarry.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.tracker.Tracker;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantLock;
import quarry.core.Vectors;
import quarry.djl.DjlSettings;
import quarry.djl.TrainingLock;

/**
 * The training loop: mini-batch Adam (L2 weight decay) on softmax cross-entropy or per-label
 * sigmoid cross-entropy, optionally class-weighted.
 *
 * <p>Schedule: {@code epochs} passes (or {@code warmEpochs} when warm-starting), raised so that at
 * least {@link #MIN_STEPS} ({@link #MIN_WARM_STEPS}) optimizer steps run: with few labels an epoch
 * is only a few steps, and it is the number of steps that decides whether Adam has converged.
 *
 * <p>One training at a time in the whole JVM: DJL allows only one open GradientCollector, and the
 * engine's random seed (which drives training dropout) is global. Training holds {@link #LOCK}, the
 * JVM's one {@link TrainingLock} (the encoder fine-tuner takes it too).
 */
final class HeadTrainer {

    /** Fewest optimizer steps of a training from scratch. */
    static final int MIN_STEPS = 300;
    /** Fewest optimizer steps of a warm-started training. */
    static final int MIN_WARM_STEPS = 60;
    /** Largest class weight: a class with one example among thousands must not dominate a batch. */
    static final float MAX_CLASS_WEIGHT = 10f;

    private static final ReentrantLock LOCK = TrainingLock.LOCK;

    /** What came out: the weights and what the schedule turned out to be. */
    record Result(Weights weights, int epochs, int steps, float finalLoss) {
    }

    private HeadTrainer() {
    }

    static int epochs(int examples, HeadConfig config, boolean warm) {
        int batch = Math.min(config.batchSize(), examples);
        int stepsPerEpoch = (examples + batch - 1) / batch;
        int minSteps = warm ? MIN_WARM_STEPS : MIN_STEPS;
        int wanted = warm ? config.warmEpochs() : config.epochs();
        return Math.max(wanted, (minSteps + stepsPerEpoch - 1) / stepsPerEpoch);
    }

    static Result fit(Vectors x, int[] rows, Targets y, HeadConfig config, Weights initial, boolean warm) {
        int n = rows.length;
        int dim = x.dimension();
        int classes = y.labelCount();
        int batch = Math.min(config.batchSize(), n);
        int epochs = epochs(n, config, warm);
        // The labeled set is small next to the pool (20k × 384 floats = 30 MB): keep it in Java and
        // gather each shuffled batch from it.
        float[] data = new float[Math.multiplyExact(n, dim)];
        x.copyRows(rows, data);
        float[] exampleWeights = exampleWeights(y, !y.multiLabel() && config.classWeighting());
        float[] positiveWeights = y.multiLabel() && config.classWeighting() ? positiveWeights(y) : null;

        ByteBuffer xBuffer = ByteBuffer.allocateDirect(batch * dim * Float.BYTES).order(ByteOrder.nativeOrder());
        float[] xBatch = new float[batch * dim];
        SplittableRandom shuffler = new SplittableRandom(config.seed() * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }

        DjlSettings.apply();
        LOCK.lock();
        try (Model model = Model.newInstance("quarry-head-training", Device.cpu(), Net.ENGINE)) {
            // Training dropout draws from the engine's global generator; seeding it here (under the
            // lock) makes a training run a function of its seed.
            Engine.getEngine(Net.ENGINE).setRandomSeed((int) (config.seed() ^ (config.seed() >>> 32)));
            Net net = Net.of(initial, config.dropout());
            model.setBlock(net.block());
            // The Trainer insists on a Loss; ours is computed below (weights and pos-weights need it).
            DefaultTrainingConfig trainingConfig = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(new OwnedStateAdam(Adam.builder()
                            .optLearningRateTracker(Tracker.fixed(config.learningRate()))
                            .optWeightDecays(config.weightDecay()), model.getNDManager()))
                    .optDevices(new Device[] {Device.cpu()});
            try (Trainer trainer = model.newTrainer(trainingConfig)) {
                trainer.initialize(new Shape(1, dim));
                int steps = 0;
                double lastEpochLoss = 0;
                for (int epoch = 0; epoch < epochs; epoch++) {
                    shuffle(order, shuffler);
                    double epochLoss = 0;
                    for (int start = 0; start < n; start += batch) {
                        int end = Math.min(n, start + batch);
                        int b = end - start;
                        try (NDManager batchManager = trainer.getManager().newSubManager()) {
                            for (int i = 0; i < b; i++) {
                                System.arraycopy(data, order[start + i] * dim, xBatch, i * dim, dim);
                            }
                            xBuffer.clear();
                            xBuffer.asFloatBuffer().put(xBatch, 0, b * dim);
                            xBuffer.limit(b * dim * Float.BYTES);
                            NDArray xb = batchManager.create(xBuffer, new Shape(b, dim), DataType.FLOAT32);
                            try (GradientCollector collector = trainer.newGradientCollector()) {
                                NDArray logits = trainer.forward(new NDList(xb)).singletonOrThrow();
                                NDArray loss = y.multiLabel()
                                        ? sigmoidLoss(batchManager, logits, y, order, start, b, classes, positiveWeights,
                                                exampleWeights)
                                        : softmaxLoss(batchManager, logits, y, order, start, b, exampleWeights);
                                collector.backward(loss);
                                epochLoss += loss.getFloat() * b;
                            }
                            trainer.step();
                            steps++;
                        }
                    }
                    lastEpochLoss = epochLoss / n;
                }
                return new Result(net.weights(), epochs, steps, (float) lastEpochLoss);
            }
        } finally {
            LOCK.unlock();
        }
    }

    /** Mean (weighted) negative log-likelihood of each example's class. */
    private static NDArray softmaxLoss(NDManager m, NDArray logits, Targets y, int[] order, int start, int b,
                                       float[] exampleWeights) {
        long[] target = new long[b];
        float[] weight = exampleWeights == null ? null : new float[b];
        for (int i = 0; i < b; i++) {
            int example = order[start + i];
            target[i] = y.classesOf(example)[0];
            if (weight != null) {
                weight[i] = exampleWeights[example];
            }
        }
        NDArray logProbs = logits.logSoftmax(1);
        NDArray picked = logProbs.gather(m.create(target).reshape(b, 1), 1).reshape(b);
        if (weight != null) {
            picked = picked.mul(m.create(weight));
        }
        return picked.mean().neg();
    }

    /**
     * Binary cross-entropy from logits, summed over labels, averaged over the batch:
     * (1−y)·softplus(z) + w·y·softplus(−z), with softplus(−z) = softplus(z) − z (stable for any z).
     */
    private static NDArray sigmoidLoss(NDManager m, NDArray logits, Targets y, int[] order, int start, int b,
                                       int classes, float[] positiveWeights, float[] exampleWeights) {
        float[] target = new float[b * classes];
        for (int i = 0; i < b; i++) {
            for (int c : y.classesOf(order[start + i])) {
                target[i * classes + c] = 1f;
            }
        }
        NDArray t = m.create(FloatBuffer.wrap(target), new Shape(b, classes));
        NDArray softplus = Activation.softPlus(logits);
        NDArray negatives = softplus.mul(t.neg().add(1f));
        NDArray positiveTerm = softplus.sub(logits).mul(t);
        if (positiveWeights != null) {
            positiveTerm = positiveTerm.mul(m.create(positiveWeights));
        }
        NDArray perExample = negatives.add(positiveTerm).sum(new int[] {1});
        if (exampleWeights != null) {
            float[] weight = new float[b];
            for (int i = 0; i < b; i++) {
                weight[i] = exampleWeights[order[start + i]];
            }
            perExample = perExample.mul(m.create(weight));
        }
        return perExample.sum().div(b);
    }

    /**
     * Each example's weight in the loss: its own weight ({@link Targets#weights}) times, when
     * {@code byClass}, its class weight; null when every example weighs 1.
     */
    static float[] exampleWeights(Targets y, boolean byClass) {
        if (!byClass && y.weights() == null) {
            return null;
        }
        float[] weights = byClass ? exampleWeights(y) : new float[y.size()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (byClass ? weights[i] : 1f) * y.weightOf(i);
        }
        return weights;
    }

    /**
     * Inverse class frequency, normalised so the average example weight is 1: an example of class c
     * weighs n / (K·n_c), K the number of classes present; capped at {@link #MAX_CLASS_WEIGHT}.
     */
    static float[] exampleWeights(Targets y) {
        int[] counts = y.counts();
        int present = 0;
        for (int count : counts) {
            if (count > 0) {
                present++;
            }
        }
        float[] weights = new float[y.size()];
        for (int i = 0; i < weights.length; i++) {
            int count = counts[y.classesOf(i)[0]];
            weights[i] = (float) Math.min(MAX_CLASS_WEIGHT, (double) y.size() / ((double) present * count));
        }
        return weights;
    }

    /**
     * Multi-label: a label's positives weigh negatives/positives (so both sides count alike), at
     * least 1 and at most {@link #MAX_CLASS_WEIGHT}; a label without positives keeps 1.
     */
    static float[] positiveWeights(Targets y) {
        int[] counts = y.counts();
        float[] weights = new float[counts.length];
        for (int c = 0; c < counts.length; c++) {
            double ratio = counts[c] == 0 ? 1 : (double) (y.size() - counts[c]) / counts[c];
            weights[c] = (float) Math.max(1, Math.min(MAX_CLASS_WEIGHT, ratio));
        }
        return weights;
    }

    private static void shuffle(int[] order, SplittableRandom random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
