package quarry.encode.tune;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.List;
import quarry.core.QuarryException;
import quarry.djl.DjlSettings;
import quarry.encode.ModelSpec;

/**
 * The folder's tokenizer, cutting every text to its first {@code maxTokens} tokens (specials
 * included). Training needs no windows: the texts a team labels are short, and a fixed cut keeps
 * every step's cost bounded.
 */
final class Tokens implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;

    private Tokens(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    static Tokens open(ModelSpec spec, int maxTokens) {
        DjlSettings.apply();
        try {
            return new Tokens(HuggingFaceTokenizer.builder()
                    .optTokenizerPath(spec.tokenizer())
                    .optAddSpecialTokens(true)
                    .optTruncation(true)
                    .optMaxLength(maxTokens)
                    .optPadding(false)
                    .build());
        } catch (IOException | RuntimeException e) {
            throw new QuarryException(spec.tokenizer() + ": not a valid tokenizer.json: " + e.getMessage(), e);
        }
    }

    /** Token ids per text, specials included. */
    long[][] ids(List<String> texts) {
        Encoding[] encodings = tokenizer.batchEncode(texts);
        long[][] ids = new long[encodings.length][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = encodings[i].getIds();
        }
        return ids;
    }

    /** The rows padded to the longest: {ids (int64), mask (float32, 1 for tokens)}, both [rows, longest]. */
    static NDArray[] batch(NDManager manager, List<long[]> rows) {
        int width = 1;
        for (long[] r : rows) {
            width = Math.max(width, r.length);
        }
        long[] ids = new long[rows.size() * width];
        float[] mask = new float[rows.size() * width];
        for (int r = 0; r < rows.size(); r++) {
            long[] row = rows.get(r);
            System.arraycopy(row, 0, ids, r * width, row.length);
            java.util.Arrays.fill(mask, r * width, r * width + row.length, 1f);
        }
        Shape shape = new Shape(rows.size(), width);
        return new NDArray[] {manager.create(LongBuffer.wrap(ids), shape, DataType.INT64),
            manager.create(FloatBuffer.wrap(mask), shape)};
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
