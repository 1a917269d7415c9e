package quarry.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * What {@code bundle.json} holds: where the model came from, its labels and thresholds, and the
 * size and SHA-256 of every file of the bundle, so that a copy damaged on its way to another
 * machine is refused by name rather than predicting silently wrong.
 *
 * @param format             always {@value ModelBundle#FORMAT}
 * @param formatVersion      the layout's version ({@value ModelBundle#FORMAT_VERSION})
 * @param project            the project it was exported from
 * @param modelVersion       the project's model version
 * @param labelsSeen         how many labeled documents the head was trained on
 * @param labels             the label names, in the head's class order
 * @param multiLabel         whether a document may carry several labels
 * @param created            when the bundle was written (UTC, ISO-8601)
 * @param quarryVersion      the Quarry build that wrote it
 * @param encoderId          the encoder's id; its files are under {@code encoder/<id>/}
 * @param encoderFingerprint the encoder's fingerprint (model, tokenizer, settings, window)
 * @param safeToAccept       the safe-to-accept threshold of the model's estimate, or null when it has none
 * @param provenance         the model version's provenance as the project recorded it
 * @param files              every file of the bundle but this one, by path relative to the bundle
 */
public record BundleManifest(String format, int formatVersion, String project, int modelVersion, int labelsSeen,
        List<String> labels, boolean multiLabel, String created, String quarryVersion, String encoderId,
        String encoderFingerprint, SafeToAccept safeToAccept, JsonNode provenance, Map<String, FileEntry> files) {

    /** One file's size and SHA-256 (hex). */
    public record FileEntry(long bytes, String sha256) {
    }

    /**
     * The confidence at or above which a prediction may be accepted without review, with the
     * held-out evidence it was chosen on (single-label models).
     *
     * @param estimateVersion the model version whose cross-validation chose it
     */
    public record SafeToAccept(double threshold, double targetPrecision, double precision, double precisionLow,
            int support, Integer estimateVersion) {
    }
}
