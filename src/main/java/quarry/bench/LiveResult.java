package quarry.bench;

import java.util.List;
import quarry.core.Vectors;
import quarry.loop.Simulation;

/** The values {@code bench live} records, scores and reports. */
final class LiveResult {

    private LiveResult() {
    }

    /**
     * The data set as both the server and the simulator see it.
     *
     * @param ids       pool document ids, in file order (the server's rows)
     * @param poolClass the gold class of each pool row, an index into {@code schema}
     * @param testClass the gold class of each test row
     */
    record Data(List<String> ids, List<String> texts, List<String> schema, int[] poolClass, Vectors poolVectors,
            int[] testClass, Vectors testVectors) {
    }

    /** An item the server handed out, {@code seq}-th in serving order, {@code seconds} after labeling began. */
    record Served(int seq, int annotator, String id, int row, String strategy, int modelVersion, double seconds) {
    }

    /** A label the server stored (201); annotation ids give the order the server stored them in. */
    record Ack(long annotationId, int row, double seconds) {
    }

    /** One poll of the model status; {@code rankingStaleBy} is null before the first ranking. */
    record Sample(double seconds, int version, int labels, Integer rankingStaleBy, boolean training) {
    }

    /** What the annotators and the monitor saw in one repeat; {@code seconds}: labeling wall time. */
    record Trace(List<Served> served, List<Ack> acks, List<Sample> samples, int leaseConflicts, double seconds) {
    }

    /**
     * A saved model version scored offline against truth the server never saw. NaN where the
     * report had no figure.
     *
     * @param unlabeled         pool rows not among the first {@code labelsUsed} stored labels
     * @param unlabeledAccuracy the version's true accuracy on those rows
     * @param truePrecision     true precision on the unlabeled rows whose top probability reaches
     *                          the safe-to-accept threshold (NaN when none was found)
     * @param trueShare         the share of unlabeled rows at or above that threshold
     */
    record Version(int version, int labelsUsed, double testAccuracy, int unlabeled, double unlabeledAccuracy,
            double cvEstimate, double poolEstimate, double poolLow, double poolHigh, boolean safeFound,
            double safeThreshold, double claimedPrecision, double claimedShare, double truePrecision,
            double trueShare) {
    }

    /** One repeat: the live trace, its versions, and the simulator's runs on the same pool (null: no baseline). */
    record Repeat(int repeat, long seed, Trace trace, List<Version> versions, Simulation.Run margin,
            Simulation.Run random) {
    }
}
