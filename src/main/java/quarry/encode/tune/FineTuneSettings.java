package quarry.encode.tune;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How to fine-tune an encoder. {@link #DEFAULTS}: cross-entropy ({@link Mode#CLASSIFY}), 3 epochs,
 * learning rate 2e-5, batches of 16, gradient norm clipped to 1. Classify won every measurement on
 * CLINC150 valid (+2.0 points at 1,000 labels where SetFit's contrastive pairs lost 1.4 to 3.9; see
 * BENCHMARKS.md). Contrastive pairs keep SetFit's settings where they fit a 2-core CPU, with fewer
 * pairs per example than SetFit's 40 so that 1,000 labels tune in minutes.
 *
 * @param mode            {@link Mode#CONTRASTIVE} (SetFit: pairs, cosine loss) or {@link Mode#CLASSIFY}
 *                        (cross-entropy through a linear layer over the pooled vectors)
 * @param epochs          passes over the pairs (contrastive) or the examples (classify)
 * @param pairsPerExample contrastive pairs drawn per labeled example and epoch, half positive
 * @param maxPairs        at most this many pairs per epoch, whatever the number of examples
 * @param batchSize       pairs (contrastive) or examples (classify) per optimizer step
 * @param learningRate    peak AdamW learning rate of the encoder (warm-up, then linear decay)
 * @param maxSeconds      training stops cleanly between steps once this much time has passed
 * @param seed            drives pair drawing, shuffling, the head's initial weights and dropout
 * @param maxTokens       texts are cut to this many tokens for training (specials included)
 * @param dropout         BERT's dropout during training
 * @param useGpu          train on a GPU when DJL's PyTorch engine finds one
 */
public record FineTuneSettings(Mode mode, int epochs, int pairsPerExample, int maxPairs, int batchSize,
        double learningRate, double maxSeconds, long seed, int maxTokens, float dropout, boolean useGpu) {

    /** What the loss compares. */
    public enum Mode {
        CONTRASTIVE, CLASSIFY;

        /** The mode a command line names ({@code contrastive} or {@code classify}, any case). */
        public static Mode parse(String option, String value) {
            for (Mode m : values()) {
                if (m.name().equalsIgnoreCase(value == null ? "" : value.trim())) {
                    return m;
                }
            }
            throw new quarry.core.QuarryException(option + " is '" + value + "'; expected contrastive or classify");
        }
    }

    public static final FineTuneSettings DEFAULTS =
            new FineTuneSettings(Mode.CLASSIFY, 3, 4, 20_000, 16, 2e-5, 1800, 42, 64, 0.1f, true);

    public FineTuneSettings {
        require(mode != null, "mode is required");
        require(epochs >= 1 && epochs <= 100, "epochs must be 1 to 100, got " + epochs);
        require(pairsPerExample >= 1 && pairsPerExample <= 100, "pairs per example must be 1 to 100, got "
                + pairsPerExample);
        require(maxPairs >= 1, "max pairs must be >= 1, got " + maxPairs);
        require(batchSize >= 2 && batchSize <= 512, "batch size must be 2 to 512, got " + batchSize);
        require(learningRate > 0 && learningRate < 1, "learning rate must be in (0, 1), got " + learningRate);
        require(maxSeconds > 0, "max seconds must be > 0, got " + maxSeconds);
        require(maxTokens >= 8 && maxTokens <= 512, "max tokens must be 8 to 512, got " + maxTokens);
        require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got " + dropout);
    }

    public FineTuneSettings withMode(Mode value) {
        return new FineTuneSettings(value, epochs, pairsPerExample, maxPairs, batchSize, learningRate, maxSeconds, seed,
                maxTokens, dropout, useGpu);
    }

    public FineTuneSettings withEpochs(int value) {
        return new FineTuneSettings(mode, value, pairsPerExample, maxPairs, batchSize, learningRate, maxSeconds, seed,
                maxTokens, dropout, useGpu);
    }

    public FineTuneSettings withPairsPerExample(int value) {
        return new FineTuneSettings(mode, epochs, value, maxPairs, batchSize, learningRate, maxSeconds, seed, maxTokens,
                dropout, useGpu);
    }

    public FineTuneSettings withMaxPairs(int value) {
        return new FineTuneSettings(mode, epochs, pairsPerExample, value, batchSize, learningRate, maxSeconds, seed,
                maxTokens, dropout, useGpu);
    }

    public FineTuneSettings withBatchSize(int value) {
        return new FineTuneSettings(mode, epochs, pairsPerExample, maxPairs, value, learningRate, maxSeconds, seed,
                maxTokens, dropout, useGpu);
    }

    public FineTuneSettings withLearningRate(double value) {
        return new FineTuneSettings(mode, epochs, pairsPerExample, maxPairs, batchSize, value, maxSeconds, seed,
                maxTokens, dropout, useGpu);
    }

    public FineTuneSettings withMaxSeconds(double value) {
        return new FineTuneSettings(mode, epochs, pairsPerExample, maxPairs, batchSize, learningRate, value, seed,
                maxTokens, dropout, useGpu);
    }

    public FineTuneSettings withSeed(long value) {
        return new FineTuneSettings(mode, epochs, pairsPerExample, maxPairs, batchSize, learningRate, maxSeconds, value,
                maxTokens, dropout, useGpu);
    }

    public FineTuneSettings withMaxTokens(int value) {
        return new FineTuneSettings(mode, epochs, pairsPerExample, maxPairs, batchSize, learningRate, maxSeconds, seed,
                value, dropout, useGpu);
    }

    public FineTuneSettings withDropout(float value) {
        return new FineTuneSettings(mode, epochs, pairsPerExample, maxPairs, batchSize, learningRate, maxSeconds, seed,
                maxTokens, value, useGpu);
    }

    public FineTuneSettings withUseGpu(boolean value) {
        return new FineTuneSettings(mode, epochs, pairsPerExample, maxPairs, batchSize, learningRate, maxSeconds, seed,
                maxTokens, dropout, value);
    }

    /** The settings as they go into the tuned folder's model.json. */
    Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mode", mode.name().toLowerCase(Locale.ROOT));
        out.put("epochs", epochs);
        out.put("pairsPerExample", pairsPerExample);
        out.put("maxPairs", maxPairs);
        out.put("batchSize", batchSize);
        out.put("learningRate", learningRate);
        out.put("maxSeconds", maxSeconds);
        out.put("seed", seed);
        out.put("maxTokens", maxTokens);
        out.put("dropout", dropout);
        out.put("useGpu", useGpu);
        return out;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
