package quarry.store;

import java.util.List;

/** The values the store hands out. Times are ISO-8601 UTC strings, as stored. */
public final class Records {

    private Records() {
    }

    /** An API token's owner; the secret itself is never stored, only its hash. */
    public record Token(String name, String role, String created) {
    }

    /** One label of a project's schema, with its index in the model's outputs. */
    public record Label(int index, String name, String description) {
    }

    /**
     * A project: its schema and its settings (a JSON object the server reads).
     */
    public record Project(long id, String name, boolean multiLabel, String encoder, List<Label> labels,
            String settings, String created) {

        public Project {
            labels = List.copyOf(labels);
        }

        public List<String> labelNames() {
            return labels.stream().map(Label::name).toList();
        }
    }

    /**
     * Documents that arrived together (one import or one streamed request): pool rows
     * {@code [firstRow, firstRow + documents)}, and their drift report as JSON, null until measured.
     */
    public record Arrival(long id, String created, int firstRow, int documents, String source, String report) {

        public boolean holds(int row) {
            return row >= firstRow && row < firstRow + documents;
        }
    }

    /** A document of a project's pool; {@code row} is its position in the pool, from 0. */
    public record Doc(int row, String id, String text) {
    }

    /**
     * One annotation: labels for a document, or a skip. Undone annotations stay in the log.
     *
     * @param reason why, when someone said so (a reviewer's decision); else null
     * @param kind   {@link #LABEL} (an annotator's own), {@link #IMPORT} (came with imported documents)
     *               or {@link #REVIEW} (a reviewer's decision, with its reason)
     * @param secondsOnItem how long the annotator spent on the item, when their client measured it; else null
     */
    public record Annotation(long id, int row, String documentId, List<String> labels, boolean skipped,
            String annotator, String requestId, String created, boolean undone, String reason, String kind,
            Double secondsOnItem) {

        public static final String LABEL = "label";
        public static final String IMPORT = "import";
        public static final String REVIEW = "review";

        public Annotation {
            labels = labels == null ? List.of() : List.copyOf(labels);
        }

        /** The kind of an annotation added with this reason: a reason makes it a reviewer's decision. */
        public static String kindOf(String reason) {
            return reason == null ? LABEL : REVIEW;
        }

        /** Whether this is an annotator's own label that stands: not a skip, not undone, not imported or reviewed. */
        public boolean standsAsOwnLabel() {
            return !skipped && !undone && LABEL.equals(kind);
        }
    }

    /**
     * One change to the annotation log, numbered across every server on the database: annotation
     * {@code row} was added, or undone when {@code undone}.
     */
    public record Change(long seq, int row, String annotator, boolean skipped, boolean undone) {
    }

    /** A trained model version and its round report (JSON). */
    public record ModelVersion(int version, int labelsUsed, String created, String report) {
    }

    /** A background job (a batch prediction), with the token name that started it. */
    public record Job(String id, long projectId, String kind, String state, long total, long done, String created,
            String finished, String error, String owner) {
    }

    /** A queued or running job's sign of life: a counter its server raises (see {@link Jobs#beat}). */
    public record JobPulse(String id, String kind, long done, long heartbeat) {
    }

    /** How many jobs of a kind are in a state. */
    public record JobCount(String kind, String state, long count) {
    }

    /**
     * What a batch of machine labels is accepted under: the model version that predicted them, the
     * version whose estimate gave the threshold, the threshold, who accepted them, and the seed that
     * drew the batch's audit sample.
     */
    public record MachineBatchSpec(int modelVersion, Integer estimateVersion, double threshold, String acceptedBy,
            long auditSeed) {
    }

    /**
     * A model's prediction for one pool row, to be stored as a machine label. {@code auditRank}: 0
     * when it is not in the batch's audit sample, k when it was drawn k-th into it.
     */
    public record MachineProposal(int row, List<String> labels, double confidence, int auditRank) {

        public MachineProposal {
            labels = List.copyOf(labels);
        }
    }

    /**
     * A stored batch of machine labels, with how many it holds ({@code size}), how many of them are in
     * its audit sample and how many were revoked.
     */
    public record MachineBatch(long id, int modelVersion, Integer estimateVersion, double threshold,
            String acceptedBy, long auditSeed, String created, int size, int audits, int revoked) {
    }

    /**
     * A label the model set on its own, never a person: kept apart from {@link Annotation}s. With
     * its batch's model version and who accepted it; {@code auditRank} as in {@link MachineProposal};
     * {@code revoked} is when it was taken back (null while it stands).
     */
    public record MachineLabel(long id, long batchId, int row, String documentId, List<String> labels,
            double confidence, int auditRank, int modelVersion, String acceptedBy, String created, String revoked) {

        public MachineLabel {
            labels = List.copyOf(labels);
        }
    }
}
