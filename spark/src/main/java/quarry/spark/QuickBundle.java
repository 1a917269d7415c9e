package quarry.spark;

import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;
import quarry.bundle.BundleManifest;
import quarry.bundle.ModelBundle;
import quarry.core.Document;
import quarry.core.Home;
import quarry.core.Vectors;
import quarry.encode.CachingEncoder;
import quarry.encode.EncoderOptions;
import quarry.encode.Encoders;
import quarry.encode.ModelSpec;
import quarry.model.Head;
import quarry.model.HeadConfig;
import quarry.model.Targets;

/**
 * A bundle trained straight from labeled documents, without a project: for the benchmark and the
 * tests, which need a real model on a real encoder but no server. A project's export
 * ({@code quarry export-model}) is the bundle users make.
 */
final class QuickBundle {

    private QuickBundle() {
    }

    /**
     * Trains the default head on {@code labeled} (single-label) with encoder {@code encoder} and
     * writes a bundle to {@code target}; {@code threshold}, when not null, stands in for a
     * safe-to-accept threshold.
     */
    static BundleManifest write(Path target, List<Document> labeled, String encoder, Double threshold) {
        ModelSpec spec = Encoders.find(Encoders.modelsDir(), encoder);
        try (CachingEncoder enc = CachingEncoder.open(spec, EncoderOptions.DEFAULTS, Home.cacheDir())) {
            float[][] vectors = enc.encode(labeled.stream().map(Document::text).toList());
            List<String> labels = List.copyOf(new TreeSet<>(labeled.stream().map(d -> d.labels().get(0)).toList()));
            int[] classOf = labeled.stream().mapToInt(d -> labels.indexOf(d.labels().get(0))).toArray();
            try (Head head = Head.train(Vectors.of(vectors), IntStream.range(0, vectors.length).toArray(),
                    Targets.singleLabel(labels, classOf), HeadConfig.defaults(), null, spec.id())) {
                BundleManifest.SafeToAccept safe = threshold == null ? null
                        : new BundleManifest.SafeToAccept(threshold, 0.95, 0, 0, 0, null);
                return ModelBundle.write(target, head, spec, new ModelBundle.Origin("quick", 1, labeled.size(),
                        enc.fingerprint(), safe, null));
            }
        }
    }
}
