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

        /**
         * How sure the model is of its answer, in [0, 1]; low means uncertain, worth labeling next.
         * Single-label: the top class's probability. Multi-label: the least sure of the labels shown,
         * max(p, 1 - p), since each label is its own yes/no decision.
         */
        public double confidence(boolean multiLabel) {
            if (top.isEmpty()) {
                return 0;
            }
            if (!multiLabel) {
                return top.get(0).probability();
            }
            return top.stream().mapToDouble(p -> Math.max(p.probability(), 1 - p.probability())).min().orElse(0);
        }
    }

    /**
     * What importing picks to the head of the queue did.
     *
     * @param queued       documents now first in the queue from this import
     * @param labeled      ids left out because their document is labeled already
     * @param unknownCount ids that are not documents of the project (left out)
     * @param unknown      the first 20 of them
     * @param waiting      imported documents waiting for a label in all
     */
    public record QueueImport(int queued, int labeled, int unknownCount, List<String> unknown, int waiting) {
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

    /** A point of the learning curve: a version's own estimates, cross-validated and on the pool (may be null). */
    public record CurvePoint(int version, int labels, double estimatedAccuracy, PoolEstimate pool) {
    }

    public record Embedding(String state, int done, int total, String error) {
    }

    /**
     * What an operator watches of a project, read at once (for /metrics).
     *
     * @param labelsStored annotations stored through this session since it started (people's labels,
     *                     reviews and settlements; skips and undos not counted)
     * @param unlabeled    embedded documents with no label yet
     * @param ranked       documents the current ranking holds that are still unlabeled
     * @param retrains     rounds that trained a head since the session started
     * @param retrainSeconds their time in all
     */
    public record Operations(long labelsStored, int modelVersion, int unlabeled, int ranked, Embedding embedding,
            long retrains, double retrainSeconds) {
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
     * A label that may be wrong.
     *
     * @param given          the label it carries
     * @param likely         the label the model finds likeliest, out of fold
     * @param selfConfidence the out-of-fold probability of the given label
     * @param flagged        whether confident learning counts it as a label error
     */
    public record Suspect(String document, int row, String text, String given, String likely, double selfConfidence,
            boolean flagged) {
    }

    /**
     * The suspect-label queue.
     *
     * @param state    {@code ready}, {@code computing} (the first ranking), {@code failed} or {@code too_few_labels}
     * @param labels   labels the ranking was computed from
     * @param flagged  flagged labels not reviewed yet
     * @param reviewed labels whose current value is a reviewer's decision
     * @param stale    labels changed since the ranking (a new one is being computed)
     */
    public record Suspects(String state, String labelsHash, int labels, int flagged, int reviewed, String computedAt,
            boolean stale, String note, List<Suspect> items) {
    }

    /**
     * A project's fine-tune, as the API and the page show it.
     *
     * @param job        its id in the job list ({@code kind} finetune); null when idle
     * @param state      {@code idle}, {@code queued}, {@code tuning}, {@code embedding} (every document
     *                   through the tuned encoder), {@code indexing}, {@code densities}, {@code switching}
     *                   (the first model on it), then {@code done}, {@code failed} or {@code cancelled}
     * @param parent     the installed encoder it starts from
     * @param encoder    the tuned encoder's name ({@code <project>-ft<N>})
     * @param step       optimizer steps done, of {@code totalSteps}
     * @param loss       mean training loss of the current epoch
     * @param skippedSteps steps skipped because their gradient was not finite (weights untouched)
     * @param done       documents embedded or indexed in the current phase, of {@code total}
     * @param etaSeconds estimated seconds left in the current phase; null when unknown
     * @param modelVersion the version published on the tuned encoder, once done
     * @param note       where it stands, in words
     */
    public record FineTune(String job, String state, String parent, String encoder, String mode, Integer epochs,
            Integer labels, Integer classes, int step, int totalSteps, Double loss, Double lossBefore, Double lossAfter,
            Double tuneSeconds, Boolean timedOut, String device, Integer skippedSteps, long done, long total,
            Double etaSeconds, Integer modelVersion, String error, String started, String finished, String note) {

        public static final FineTune IDLE = new FineTune(null, "idle", null, null, null, null, null, null, 0, 0, null,
                null, null, null, null, null, null, 0, 0, null, null, null, null, null, null);

        public FineTune {
            note = describe(state, parent, encoder, step, totalSteps, done, total, modelVersion, error, timedOut);
        }

        static FineTune queued(String job, String parent, String encoder,
                quarry.encode.tune.FineTuneSettings settings, int labels, int classes) {
            return new FineTune(job, "queued", parent, encoder, settings.mode().name().toLowerCase(java.util.Locale.ROOT),
                    settings.epochs(), labels, classes, 0, 0, null, null, null, null, null, null, null, 0, 0, null,
                    null, null, java.time.Instant.now().toString(), null, null);
        }

        /** Whether it has ended (done, failed or cancelled), or never started. */
        public boolean ended() {
            return switch (state) {
                case "idle", "done", "failed", "cancelled" -> true;
                default -> false;
            };
        }

        FineTune phase(String next, long doneNow, long totalNow, Double eta) {
            return new FineTune(job, next, parent, encoder, mode, epochs, labels, classes, step, totalSteps, loss,
                    lossBefore, lossAfter, tuneSeconds, timedOut, device, skippedSteps, doneNow, totalNow, eta,
                    modelVersion, error, started, finished, null);
        }

        FineTune tuning(int stepNow, int steps, double lossNow, double eta) {
            return new FineTune(job, "tuning", parent, encoder, mode, epochs, labels, classes, stepNow, steps, lossNow,
                    lossBefore, lossAfter, tuneSeconds, timedOut, device, skippedSteps, 0, 0, eta, modelVersion,
                    error, started, finished, null);
        }

        FineTune tuned(double before, double after, double seconds, boolean stoppedEarly, String where, int skipped) {
            return new FineTune(job, state, parent, encoder, mode, epochs, labels, classes, step, totalSteps, loss,
                    before, after, seconds, stoppedEarly, where, skipped, done, total, null, modelVersion, error,
                    started, finished, null);
        }

        FineTune finish(String end, Integer version, String why) {
            return new FineTune(job, end, parent, encoder, mode, epochs, labels, classes, step, totalSteps, loss,
                    lossBefore, lossAfter, tuneSeconds, timedOut, device, skippedSteps, done, total, null, version,
                    why, started, java.time.Instant.now().toString(), null);
        }

        private static String describe(String state, String parent, String encoder, int step, int totalSteps,
                long done, long total, Integer version, String error, Boolean timedOut) {
            return switch (state) {
                case "idle" -> "No fine-tune since the server started.";
                case "queued" -> "Waiting for another project's fine-tune to finish (one runs at a time).";
                case "tuning" -> "Fine-tuning " + parent + " on the labels: step " + step + " of " + totalSteps
                        + ". Labeling goes on with the current model.";
                case "embedding" -> "Re-embedding the documents with " + encoder + ": " + done + " of " + total + ".";
                case "indexing", "densities" -> "Indexing the re-embedded documents (" + state + "): " + done + " of "
                        + total + ".";
                case "switching" -> "Training the first model on " + encoder + ".";
                case "done" -> "The project now uses " + encoder + " (model version " + version + ")"
                        + (Boolean.TRUE.equals(timedOut) ? "; training stopped at its time limit." : ".");
                case "failed" -> "The fine-tune failed and the project kept its encoder: " + error;
                case "cancelled" -> "Cancelled; the project kept its encoder.";
                default -> state;
            };
        }
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

    /**
     * Agreement among annotators on documents two or more of them labeled (see {@code Agreement}).
     * Figures a measure cannot give (too few items) are null.
     *
     * @param scope       {@code all}: every annotator's figures and the pairs (reviewers, admins);
     *                    {@code own}: the caller's figures only (annotators)
     * @param minShared   κ is given for pairs (and annotators) with at least this many shared items
     * @param labeled     documents with a current label
     * @param items       documents with own labels of two or more annotators
     * @param overlapped  items / labeled
     * @param alpha       Krippendorff's α (nominal) over the items
     * @param agreement   share of pairs of annotators on an item who gave the same label
     * @param awaiting    overlap documents labeled by fewer annotators than the project asks for
     * @param disagreements items whose annotators disagree and that no reviewer settled
     * @param settled     items whose annotators disagreed, settled by a reviewer
     */
    public record Agreement(String scope, double overlapShare, int overlapAnnotators, int minShared, int labeled,
            int items, Double overlapped, Double alpha, Double agreement, int awaiting, int disagreements, int settled,
            List<LabelAgreement> labels, List<AnnotatorAgreement> annotators, List<PairAgreement> pairs, String note) {
    }

    /** One label: its values on the items, one-vs-rest α, and the share of its values the partner matched. */
    public record LabelAgreement(String label, int values, Double alpha, Double agreement) {
    }

    /** One annotator against the others on shared items: pairings, agreement, κ pooled and mean pairwise κ. */
    public record AnnotatorAgreement(String annotator, int items, int pairings, Double agreement, Double kappa,
            Double meanPairKappa) {
    }

    /** Two annotators: items they share, the share they agree on, and Cohen's κ. */
    public record PairAgreement(String a, String b, int shared, Double agreement, Double kappa) {
    }

    /** An annotator's own label on a document, and when they gave it. */
    public record AnnotatorLabel(String annotator, List<String> labels, String created) {
    }

    /** A document whose annotators disagree: their labels, and the label it carries now (the latest). */
    public record Disagreement(String document, int row, String text, List<String> current,
            List<AnnotatorLabel> labels) {
    }

    /** The disagreement queue: open ones (oldest first, up to the limit), and how many were settled. */
    public record Disagreements(int open, int settled, String note, List<Disagreement> items) {
    }

    /** One drift signal: its measure, whether it fired, and what it means, in words. */
    public record DriftSignal(String name, Double value, boolean fired, String words) {
    }

    /** A label whose share of predictions moved between the pool before and the batch. */
    public record MovedLabel(String label, double before, double after) {
    }

    /** An example document of a region. */
    public record Example(String id, String text) {
    }

    /** A dense group of arrivals with no labeled neighbour: a candidate new intent. */
    public record Region(int documents, double similarityToLabeled, List<Example> examples) {
    }

    /**
     * The drift report of one arrival batch, measured with the model version given once its vectors
     * were indexed; see README, "Upkeep", for what each signal means and when it fires.
     */
    public record DriftReport(String summary, boolean drifted, int modelVersion, String measured, int labeled,
            Double mmd2, Double mmdPValue, Double lowConfidenceBefore, Double lowConfidenceAfter,
            Double labelShift, Double labelShiftPValue, List<MovedLabel> movedLabels, List<Region> regions,
            List<DriftSignal> signals) {
    }

    /**
     * An arrival batch: its documents (pool rows {@code firstRow} to {@code firstRow + documents - 1})
     * and its report, null while its state is "waiting" (for its vectors or a model).
     */
    public record ArrivalBatch(long id, String created, String source, int firstRow, int documents, String state,
            DriftReport report) {
    }

    /** What a streamed or imported arrival stored. */
    public record Arrived(long batch, int added, int documents, Embedding embedding) {
    }

    /** A document the upkeep queue proposes, with why. */
    public record UpkeepItem(String id, int row, Long batch, String text, PickReason why) {
    }

    /** The upkeep queue: unlabeled arrivals, the few best to label now. */
    public record Upkeep(int candidates, int modelVersion, String strategy, List<UpkeepItem> items) {
    }
}
