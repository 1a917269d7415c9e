package quarry.server;

import java.util.List;
import quarry.eval.AcceptThreshold;
import quarry.loop.StopReport;

/** JSON shapes the API returns (records, so Jackson writes them field by field). */
final class Views {

    private Views() {
    }

    record Prediction(String label, double probability) {
    }

    /** A text's predicted labels and the top classes with their probabilities. */
    record TextPrediction(String id, List<String> labels, List<Prediction> top) {
    }

    record PickReason(String strategy, double score, double uncertainty, double density, String note) {
    }

    record Neighbour(String id, List<String> labels, double similarity) {
    }

    /** A document handed to an annotator, reserved for them until {@code leaseExpires}. */
    record QueueItem(String id, int row, String text, PickReason why, List<Prediction> predictions,
            List<String> predicted,
            List<Neighbour> neighbours, String leaseExpires, int modelVersion) {
    }

    record ClassF1(String label, double precision, double recall, double f1, int support) {
    }

    /** What one retrain produced, as stored with the model version. */
    record Report(int version, int labelsUsed, String strategy, double trainSeconds, double selectSeconds,
            Double estimatedAccuracy, String accuracyNote, List<ClassF1> weakestClasses, AcceptThreshold safeToAccept,
            StopReport stop) {
    }

    record Embedding(String state, int done, int total, String error) {
    }

    record ModelStatus(int version, boolean training, int labels, int labelsSinceTraining, int retrainEvery,
            String lastError) {
    }
}
