package quarry.encode;

/**
 * How an encoder runs.
 *
 * @param batchSize     windows per forward pass
 * @param poolSize      predictors (each with its own native session) working at once
 * @param maxTokens     window length in tokens, specials included; 0 means the model's own limit
 * @param windowOverlap tokens shared by consecutive windows of a long text
 */
public record EncoderOptions(int batchSize, int poolSize, int maxTokens, int windowOverlap) {

    public static final EncoderOptions DEFAULTS = new EncoderOptions(32, 1, 0, 32);

    public EncoderOptions {
        require(batchSize >= 1, "batchSize must be >= 1, got " + batchSize);
        require(poolSize >= 1, "poolSize must be >= 1, got " + poolSize);
        require(maxTokens == 0 || maxTokens >= 8, "maxTokens must be 0 (model default) or >= 8, got " + maxTokens);
        require(windowOverlap >= 0, "windowOverlap must be >= 0, got " + windowOverlap);
    }

    public EncoderOptions withBatchSize(int value) {
        return new EncoderOptions(value, poolSize, maxTokens, windowOverlap);
    }

    public EncoderOptions withPoolSize(int value) {
        return new EncoderOptions(batchSize, value, maxTokens, windowOverlap);
    }

    public EncoderOptions withMaxTokens(int value) {
        return new EncoderOptions(batchSize, poolSize, value, windowOverlap);
    }

    public EncoderOptions withWindowOverlap(int value) {
        return new EncoderOptions(batchSize, poolSize, maxTokens, value);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
