package quarry.project;

import java.util.List;
import quarry.eval.AcceptThreshold;
import quarry.eval.PoolEstimate;
import quarry.loop.StopReport;

/** JSON shapes the API returns (records, so Jackson writes them field by field). */
public final class Views {

    private Views() {
    }

    public record Prediction(String label, double probability) {
    }

    /** A text's predicted labels and the top classes with their probabilities. */
    public record TextPrediction(String id, List<String> labels, List<Prediction> top) {
    }

    public record PickReason(String strategy, double score, double uncertainty, double density, String note) {
    }

    public record Neighbour(String id, List<String> labels, double similarity) {
    }

    /** A document handed to an annotator, reserved for them until {@code leaseExpires}. */
    public record QueueItem(String id, int row, String text, PickReason why, List<Prediction> predictions,
            List<String> predicted,
            List<Neighbour> neighbours, String leaseExpires, int modelVersion) {
    }

    public record ClassF1(String label, double precision, double recall, double f1, int support) {
    }

    /**
     * What one retrain produced, as stored with the model version.
     *
     * @param estimatedAccuracy cross-validated accuracy on the labels alone (biased low under active learning)
     * @param poolEstimate      accuracy on the unlabeled pool with its interval: the estimate to decide by
     * @param estimateVersion   the version the estimates (accuracy, pool, per class, safe to accept) were
     *                          computed for: this one, or an earlier one while labels arrive faster than
     *                          estimates run; null when there are none yet
     */
    public record Report(int version, int labelsUsed, String strategy, double trainSeconds, double selectSeconds,
            Double estimatedAccuracy, String accuracyNote, PoolEstimate poolEstimate, Integer estimateVersion,
            List<ClassF1> weakestClasses, AcceptThreshold safeToAccept, StopReport stop, String coverage,
            Provenance provenance) {
    }

    /**
     * Where a saved head came from, Tribuo-style: enough to tell two versions apart and to retrain one.
     *
     * @param parentVersion the version it was warm-started from (0: trained from scratch)
     * @param labels        how many labeled documents it saw
     * @param labelsHash    SHA-256 over the (document row, labels) pairs it saw, in row order
     * @param encoder       the encoder's id
     * @param encoderFingerprint the encoder's fingerprint (model file and window settings)
     * @param seed          the training seed
     * @param settings      the project's settings when it was trained
     * @param runtime       Java, DJL and libtorch versions
     * @param created       when it was saved (UTC, ISO-8601)
     */
    public record Provenance(int parentVersion, int labels, String labelsHash, String encoder,
            String encoderFingerprint, long seed, ProjectSettings settings, java.util.Map<String, String> runtime,
            String created) {
    }

    /** One saved model version as the API lists it. */
    public record Version(int version, int labelsUsed, String created, Report report) {
    }

    public record Embedding(String state, int done, int total, String error) {
    }

    /**
     * @param stage what a round in progress is doing: {@code idle}, {@code indexing} (new documents
     *              into the vector index), {@code densities} (their neighbourhoods), {@code training}
     *              (the head, scoring and selection); with progress where it is known
     * @param rankingStaleBy labels given since the queue's ranking was made (null before the first)
     */
    public record ModelStatus(int version, boolean training, int labels, int labelsSinceTraining, int retrainEvery,
            String lastError, Stage stage, Integer rankingStaleBy) {
    }

    /** One stage of a round, with {@code done} of {@code total} units (0 of 0 when not counted). */
    public record Stage(String name, long done, long total) {
        public static final Stage IDLE = new Stage("idle", 0, 0);
    }

    /**
     * A person's check of a random sample of machine labels. The share of audited labels a person
     * agreed with is the measured precision of the machine labels, with its 95% Wilson interval
     * (null until one is audited).
     *
     * @param sample   labels drawn for the audit
     * @param awaiting of those, still waiting for a person (they go first in the queue)
     * @param audited  of those, labeled by a person
     * @param agreed   of those, where the person chose exactly the machine's labels
     */
    public record Audit(int sample, int awaiting, int audited, int agreed, Double precision, Double low,
            Double high) {
    }

    /**
     * One batch of machine labels.
     *
     * @param accepted how many labels it stored
     * @param standing of those, not revoked and not replaced by a person's label
     * @param revoked  of those, revoked
     */
    public record MachineBatch(long id, int modelVersion, Integer estimateVersion, double threshold,
            String acceptedBy, String created, int accepted, int standing, int revoked, Audit audit) {
    }

    /** A project's machine-label settings (see {@link ProjectSettings}). */
    public record MachineSettings(boolean trainOnMachineLabels, double auditShare, int auditMin, int auditMax) {
    }

    /**
     * A project's machine labels: what accepting now would do, what stands, and what the audits measured.
     *
     * @param canAccept       whether there is a threshold and something above it to accept
     * @param threshold       the latest safe-to-accept threshold, or null when there is none
     * @param estimateVersion the model version whose estimate gave it
     * @param modelVersion    the serving version, whose predictions would be accepted
     * @param wouldAccept     how many documents accepting now would label
     * @param note            why nothing can be accepted, or what accepting does, in words
     * @param standing        machine labels that stand now (not revoked, not replaced by a person's)
     * @param audit           every batch's audit together
     */
    public record MachineLabels(boolean canAccept, Double threshold, Integer estimateVersion, int modelVersion,
            int wouldAccept, String note, int standing, Audit audit, MachineSettings settings,
            List<MachineBatch> batches) {
    }

    /** A machine label that stands on a document: its batch, labels and the model's confidence. */
    public record MachineLabel(long batch, List<String> labels, double confidence) {
    }

    /** What a revoke did: the batch (null: all of the project's) and how many labels it took back. */
    public record Revoked(Long batch, int revoked) {
    }
}
