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
}
