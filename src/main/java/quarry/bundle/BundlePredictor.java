package quarry.bundle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import quarry.core.Progress;
import quarry.core.QuarryException;
import quarry.core.Vectors;
import quarry.encode.DjlEncoder;
import quarry.encode.EncoderOptions;
import quarry.encode.ModelSpec;
import quarry.model.Head;
import quarry.query.Uncertainty;

/**
 * Predicts with a model bundle: its encoder embeds the texts (tokenised, windowed and batched by
 * length exactly as the server does) and its head turns the vectors into labels. Thread-safe; open
 * it once and keep it, since loading the encoder costs a second or two.
 */
public final class BundlePredictor implements AutoCloseable {

    private final BundleManifest manifest;
    private final DjlEncoder encoder;
    private final Head head;

    private BundlePredictor(BundleManifest manifest, DjlEncoder encoder, Head head) {
        this.manifest = manifest;
        this.encoder = encoder;
        this.head = head;
    }

    /**
     * Opens a bundle after checking it ({@link ModelBundle#verify}).
     *
     * @param batchSize windows per forward pass
     * @param poolSize  encoder predictors working at once
     */
    public static BundlePredictor open(Path dir, int batchSize, int poolSize) {
        BundleManifest m = ModelBundle.verify(dir);
        ModelSpec spec = ModelSpec.load(ModelBundle.encoderDir(dir, m));
        // The window is part of the model: the bundle's encoder runs with the settings it was trained with.
        EncoderOptions options = EncoderOptions.DEFAULTS.withBatchSize(batchSize).withPoolSize(poolSize);
        String fingerprint = spec.fingerprint(DjlEncoder.effectiveMaxTokens(spec, options), options.windowOverlap());
        if (!fingerprint.equals(m.encoderFingerprint())) {
            throw new QuarryException(spec.folder() + " is not the encoder the model was trained with: its"
                    + " fingerprint is " + fingerprint + ", " + dir.resolve(ModelBundle.MANIFEST) + " records "
                    + m.encoderFingerprint());
        }
        Head head = Head.load(ModelBundle.headDir(dir));
        try {
            if (!head.labels().equals(m.labels()) || !head.encoderId().equals(m.encoderId())
                    || head.dimension() != spec.dimension()) {
                throw new QuarryException(ModelBundle.headDir(dir) + " does not fit " + dir.resolve(ModelBundle.MANIFEST)
                        + ": its labels, encoder or dimension differ");
            }
            return new BundlePredictor(m, DjlEncoder.load(spec, options), head);
        } catch (RuntimeException e) {
            head.close();
            throw e;
        }
    }

    public BundleManifest manifest() {
        return manifest;
    }

    /** The head, for scoring embeddings ({@link #embed}) by other measures (MC dropout, say). */
    public Head head() {
        return head;
    }

    /** Embeds texts with the bundle's encoder, one L2-normalised row per text. */
    public float[][] embed(List<String> texts, Progress progress) {
        return encoder.encode(texts, progress);
    }

    /** Predicts texts; {@code ids} and {@code texts} are parallel. */
    public List<BundlePrediction> predict(List<String> ids, List<String> texts, int topK, Progress progress) {
        if (ids.size() != texts.size()) {
            throw new IllegalArgumentException(ids.size() + " ids for " + texts.size() + " texts");
        }
        return predictVectors(ids, embed(texts, progress), topK);
    }

    /** Predicts from embeddings this bundle's encoder made. */
    public List<BundlePrediction> predictVectors(List<String> ids, float[][] vectors, int topK) {
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        }
        float[][] p = head.probabilities(Vectors.of(vectors), IntStream.range(0, vectors.length).toArray());
        List<BundlePrediction> out = new ArrayList<>(p.length);
        for (int i = 0; i < p.length; i++) {
            out.add(prediction(ids.get(i), p[i], topK));
        }
        return out;
    }

    private BundlePrediction prediction(String id, float[] p, int topK) {
        List<String> labels = manifest.labels();
        List<String> decided = new ArrayList<>();
        for (int c : head.decide(p)) {
            decided.add(labels.get(c));
        }
        List<BundlePrediction.Ranked> top = new ArrayList<>();
        for (int c : Head.topClasses(p, topK)) {
            top.add(new BundlePrediction.Ranked(labels.get(c), p[c]));
        }
        float confidence = p[Uncertainty.argmax(p)];
        double margin;
        double entropy;
        if (head.multiLabel()) {
            margin = 1 - Uncertainty.nearestToThreshold(Uncertainty.centred(p, head.thresholds()));
            entropy = Uncertainty.bernoulliEntropy(p);
        } else {
            margin = Uncertainty.margin(p);
            entropy = Uncertainty.entropy(p);
        }
        BundleManifest.SafeToAccept safe = manifest.safeToAccept();
        Boolean accept = safe == null ? null : confidence >= safe.threshold();
        return new BundlePrediction(id, decided, top, confidence, margin, entropy, accept);
    }

    @Override
    public void close() {
        try {
            encoder.close();
        } finally {
            head.close();
        }
    }
}
