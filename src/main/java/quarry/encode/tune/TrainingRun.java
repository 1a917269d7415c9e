package quarry.encode.tune;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import quarry.core.QuarryException;
import quarry.djl.TrainingLock;
import quarry.encode.ModelSpec;

/**
 * The training loop of one fine-tune, on the calling thread: the loss before, AdamW steps with a
 * linear warm-up and decay, a clean stop between steps at the time limit, the loss after.
 *
 * <p>Deterministic on a CPU for a given seed: pairs and order come from a seeded generator, and
 * every step re-seeds the engine (dropout) from the seed and the step number while it holds the
 * JVM's {@link TrainingLock}, so head trainings that run between steps change nothing.
 */
final class TrainingRun {

    static final String ENGINE = "PyTorch";
    /** Share of the planned steps spent warming the learning rate up from 0. */
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TrainingRun.class);
    /** Skipped steps (gradient not finite) tolerated in a row; more, or over a tenth of all, fail the run. */
    static final int MAX_SKIPS_IN_A_ROW = 5;
    private static final double WARMUP = 0.1;
    private static final float WEIGHT_DECAY = 0.01f;
    /** The classifier's layer starts from random weights and learns this much faster than the encoder. */
    private static final double HEAD_RATE_FACTOR = 100;

    /** What training produced. */
    record Outcome(Map<String, float[]> weights, double lossBefore, double lossAfter, int steps, int plannedSteps,
            double seconds, boolean timedOut, String device, int skippedSteps) {
    }

    private TrainingRun() {
    }

    static Device device(boolean useGpu) {
        Engine engine = Engine.getEngine(ENGINE);
        return useGpu && engine.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }

    static Outcome run(OnnxBert onnx, ModelSpec parent, long[][] tokens, int[] classOf, int classes,
            FineTuneSettings s, FineTuneProgress.Listener listener) {
        Engine engine = Engine.getEngine(ENGINE);
        Device device = device(s.useGpu());
        SplittableRandom random = new SplittableRandom(s.seed());
        try (NDManager root = NDManager.newBaseManager(device, ENGINE);
             BertNet net = BertNet.load(onnx, parent.pooling(), parent.normalize(), root, device);
             NDManager state = root.newSubManager()) {
            Objective objective;
            List<int[]> evaluation;
            if (s.mode() == FineTuneSettings.Mode.CONTRASTIVE) {
                Objective.Contrastive c = new Objective.Contrastive(net, tokens, classOf, s.pairsPerExample(),
                        s.maxPairs());
                evaluation = c.evaluation(random.split());
                objective = c;
            } else {
                Objective.Classify c = new Objective.Classify(net, tokens, classOf, classes, state, random.split());
                evaluation = c.evaluation(random.split());
                objective = c;
            }
            AdamW encoderOptimizer = new AdamW(net.parameters(), state, WEIGHT_DECAY);
            AdamW headOptimizer = new AdamW(objective.ownParameters(), state, WEIGHT_DECAY);

            double lossBefore = evaluate(objective, root, evaluation, s.batchSize());
            List<int[]> items = objective.epoch(random);
            int stepsPerEpoch = (items.size() + s.batchSize() - 1) / s.batchSize();
            int planned = stepsPerEpoch * s.epochs();
            int warmup = Math.max(1, (int) Math.round(planned * WARMUP));
            long start = System.nanoTime();
            int step = 0;
            int skipped = 0;
            int skippedInARow = 0;
            boolean timedOut = false;
            for (int epoch = 1; epoch <= s.epochs() && !timedOut; epoch++) {
                if (epoch > 1) {
                    items = objective.epoch(random);
                }
                double epochLoss = 0;
                int epochSteps = 0;
                for (int from = 0; from < items.size(); from += s.batchSize()) {
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    if (elapsed >= s.maxSeconds()) {
                        timedOut = true;
                        break;
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        throw new QuarryException("fine-tune interrupted after " + step + " of " + planned + " steps");
                    }
                    List<int[]> batch = items.subList(from, Math.min(items.size(), from + s.batchSize()));
                    double rate = step < warmup ? (double) (step + 1) / warmup
                            : Math.max(0, (double) (planned - step) / Math.max(1, planned - warmup));
                    double loss = step(engine, root, objective, batch, s, (int) (s.seed() * 1_000_003L + step),
                            encoderOptimizer, headOptimizer, (float) (s.learningRate() * rate));
                    step++;
                    if (Double.isNaN(loss)) {
                        skipped++;
                        skippedInARow++;
                        LOG.warn("fine-tune step {} of {} skipped: its gradient was not finite ({} skipped so far)",
                                step, planned, skipped);
                        if (skippedInARow > MAX_SKIPS_IN_A_ROW || skipped > Math.max(MAX_SKIPS_IN_A_ROW, planned / 10)) {
                            throw new QuarryException("fine-tune diverged: " + skipped + " of " + step + " steps had a"
                                    + " gradient that was not finite (" + skippedInARow + " in a row); nothing written"
                                    + " (try a lower learning rate)");
                        }
                        continue;
                    }
                    skippedInARow = 0;
                    epochLoss += loss;
                    epochSteps++;
                    elapsed = (System.nanoTime() - start) / 1e9;
                    double eta = Math.min(elapsed / step * (planned - step), Math.max(0, s.maxSeconds() - elapsed));
                    listener.progress(new FineTuneProgress(step, planned, epoch, epochLoss / epochSteps, elapsed, eta));
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double lossAfter = evaluate(objective, root, evaluation, s.batchSize());
            Map<String, float[]> weights = net.weights();
            for (Map.Entry<String, float[]> w : weights.entrySet()) {
                for (float v : w.getValue()) {
                    if (!Float.isFinite(v)) {
                        throw new QuarryException("fine-tune diverged: '" + w.getKey() + "' holds " + v + " after "
                                + step + " steps; nothing written");
                    }
                }
            }
            return new Outcome(weights, lossBefore, lossAfter, step, planned, seconds, timedOut, device.toString(),
                    skipped);
        }
    }

    private static double step(Engine engine, NDManager root, Objective objective, List<int[]> batch,
            FineTuneSettings s, int seed, AdamW encoder, AdamW head, float learningRate) {
        TrainingLock.LOCK.lock();
        try (NDScope scope = new NDScope(); NDManager m = root.newSubManager()) {
            engine.setRandomSeed(seed);
            float loss;
            try (GradientCollector collector = engine.newGradientCollector()) {
                NDArray value = objective.loss(m, batch, s.dropout(), true);
                collector.backward(value);
                loss = value.getFloat();
            }
            double encoderSquares = encoder.squaredNorm();
            double headSquares = head.squaredNorm();
            if (!Float.isFinite(loss) || !Double.isFinite(encoderSquares) || !Double.isFinite(headSquares)) {
                // As mixed-precision training's loss scaling does: a step whose gradient overflowed is
                // skipped, the weights untouched. Rare here (one in a few thousand steps); the cause
                // is not found yet, and one bad batch used to cost the whole fine-tune.
                encoder.clearGradients();
                head.clearGradients();
                return Double.NaN;
            }
            encoder.step(learningRate, encoderSquares);
            head.step((float) (learningRate * HEAD_RATE_FACTOR), headSquares);
            return loss;
        } finally {
            TrainingLock.LOCK.unlock();
        }
    }

    /** Mean loss over {@code items}, dropout off, weighted by batch size. */
    private static double evaluate(Objective objective, NDManager root, List<int[]> items, int batchSize) {
        double sum = 0;
        for (int from = 0; from < items.size(); from += batchSize) {
            List<int[]> batch = items.subList(from, Math.min(items.size(), from + batchSize));
            try (NDScope scope = new NDScope(); NDManager m = root.newSubManager()) {
                sum += objective.loss(m, batch, 0, false).getFloat() * batch.size();
            }
        }
        return sum / items.size();
    }
}
