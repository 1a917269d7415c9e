package quarry.encode.tune;

/**
 * The shape of a BERT encoder as read from its ONNX graph.
 *
 * @param vocab        rows of the word embedding
 * @param hidden       width of every token vector
 * @param layers       transformer layers
 * @param heads        attention heads per layer ({@code hidden} is a multiple of it)
 * @param intermediate width of the feed-forward layer
 * @param positions    longest input the position embedding covers
 * @param tokenTypes   rows of the token-type embedding
 */
record BertConfig(int vocab, int hidden, int layers, int heads, int intermediate, int positions, int tokenTypes) {

    /** BERT's LayerNorm epsilon (the ONNX graphs hold the same constant, 1e-12). */
    static final float LAYER_NORM_EPS = 1e-12f;

    BertConfig {
        if (heads <= 0 || hidden % heads != 0) {
            throw new IllegalArgumentException("hidden width " + hidden + " is not a multiple of " + heads + " heads");
        }
    }

    int headSize() {
        return hidden / heads;
    }
}
