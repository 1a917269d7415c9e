package quarry.encode;

import java.util.List;
import quarry.core.Progress;

/**
 * Turns texts into L2-normalised vectors. Implementations are thread-safe; the returned array has
 * one row per input text, in input order.
 */
public interface Encoder extends AutoCloseable {

    /** Identifies the model, e.g. {@code all-minilm-l6-v2}; cached vectors are keyed by it. */
    String id();

    int dimension();

    float[][] encode(List<String> texts, Progress progress);

    default float[][] encode(List<String> texts) {
        return encode(texts, Progress.NONE);
    }

    @Override
    void close();
}
