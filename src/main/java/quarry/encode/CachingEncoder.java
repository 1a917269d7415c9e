package quarry.encode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import quarry.core.Progress;
import quarry.core.QuarryException;

/**
 * An encoder that embeds each distinct text once, ever: vectors are kept in an
 * {@link EmbeddingCache} under {@code <cacheRoot>/<encoder id>/}, and only texts not there yet
 * reach the model. The model itself loads on the first miss, so a fully cached pool never pays
 * for it.
 */
public final class CachingEncoder implements Encoder {

    private static final int SAVE_EVERY = 2048;

    private final ModelSpec spec;
    private final EncoderOptions options;
    private final String fingerprint;
    private final EmbeddingCache cache;
    private DjlEncoder encoder;

    private CachingEncoder(ModelSpec spec, EncoderOptions options, String fingerprint, EmbeddingCache cache) {
        this.spec = spec;
        this.options = options;
        this.fingerprint = fingerprint;
        this.cache = cache;
    }

    public static CachingEncoder open(ModelSpec spec, EncoderOptions options, Path cacheRoot) {
        String fingerprint = spec.fingerprint(DjlEncoder.effectiveMaxTokens(spec, options), options.windowOverlap());
        try {
            EmbeddingCache cache = EmbeddingCache.open(cacheRoot.resolve(spec.id()), spec.id(), fingerprint,
                    spec.dimension());
            return new CachingEncoder(spec, options, fingerprint, cache);
        } catch (IOException e) {
            throw new QuarryException("cannot open the embedding cache in " + cacheRoot + ": " + e.getMessage(), e);
        }
    }

    /** The encoder's folder and settings. */
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public String id() {
        return spec.id();
    }

    @Override
    public int dimension() {
        return spec.dimension();
    }

    /** Identifies model and window settings; vectors with another fingerprint are not comparable. */
    public String fingerprint() {
        return fingerprint;
    }

    private synchronized DjlEncoder encoder() {
        if (encoder == null) {
            encoder = DjlEncoder.load(spec, options);
        }
        return encoder;
    }

    public EmbeddingCache cache() {
        return cache;
    }

    /**
     * Embeds without reading or writing the cache: for one-off texts (batch predictions) that would
     * only make the cache grow.
     */
    public float[][] encodeUncached(List<String> texts, Progress progress) {
        return encoder().encode(texts, progress);
    }

    /** Progress counts only the texts that needed the model; cached ones are instant. */
    @Override
    public float[][] encode(List<String> texts, Progress progress) {
        float[][] out = cache.getAll(texts);
        // Identical texts in one call are embedded once.
        Map<String, List<Integer>> missing = new LinkedHashMap<>();
        for (int i = 0; i < out.length; i++) {
            if (out[i] == null) {
                missing.computeIfAbsent(texts.get(i), t -> new ArrayList<>()).add(i);
            }
        }
        if (missing.isEmpty()) {
            return out;
        }
        List<String> todo = new ArrayList<>(missing.keySet());
        // Stored chunk by chunk, so an interrupted run resumes where it stopped.
        for (int from = 0; from < todo.size(); from += SAVE_EVERY) {
            List<String> chunk = todo.subList(from, Math.min(todo.size(), from + SAVE_EVERY));
            int offset = from;
            float[][] fresh = encoder().encode(chunk, (done, total) -> progress.update(offset + done, todo.size()));
            try {
                cache.putAll(chunk, List.of(fresh));
                cache.flush();
            } catch (UncheckedIOException e) {
                throw new QuarryException("cannot write the embedding cache: " + e.getMessage(), e);
            }
            for (int t = 0; t < chunk.size(); t++) {
                for (int i : missing.get(chunk.get(t))) {
                    out[i] = fresh[t];
                }
            }
        }
        return out;
    }

    @Override
    public synchronized void close() {
        try {
            cache.close();
        } finally {
            if (encoder != null) {
                encoder.close();
            }
        }
    }
}
