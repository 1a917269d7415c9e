package quarry.project;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import quarry.core.DomainException;
import quarry.core.Sampling;
import quarry.core.Vectors;
import quarry.eval.AcceptThreshold;
import quarry.store.Records;
import quarry.store.Records.MachineProposal;
import quarry.store.Records.Project;
import quarry.store.Store;

/**
 * Accepts the serving model's confident predictions as machine labels, revokes them, and reports
 * on them: the policy. {@link MachineBook} holds them in memory and the store keeps them. Accepting
 * and revoking take turns (this object's monitor).
 */
final class MachineLabeler {

    /** Rows predicted at once, so a large pool never needs its whole probability matrix. */
    private static final int CHUNK = 4096;

    private final Project project;
    private final Store store;
    private final LabelBook labels;
    private final MachineBook machine;
    /** The pool a head reads (after a fine-tune, the serving head may still be on the previous one). */
    private final java.util.function.Function<quarry.model.Head, Pool> poolOf;
    private final ModelVersions versions;
    private final LeaseQueue queue;

    MachineLabeler(Project project, Store store, LabelBook labels, MachineBook machine,
            java.util.function.Function<quarry.model.Head, Pool> poolOf, ModelVersions versions, LeaseQueue queue) {
        this.project = project;
        this.store = store;
        this.labels = labels;
        this.machine = machine;
        this.poolOf = poolOf;
        this.versions = versions;
        this.queue = queue;
    }

    /** The serving model's predictions at or above a threshold, on rows without a label of either kind. */
    private record Confident(int modelVersion, int[] rows, String[] labels, double[] confidence) {
    }

    /**
     * Accepts, as one batch, the serving model's prediction for every embedded document that has
     * no label (a person's or the machine's), is not leased to an annotator, and is predicted with
     * a confidence at or above the latest safe-to-accept threshold; draws the batch's audit sample.
     * The batch is stored whole or not at all.
     *
     * @throws DomainException.Conflict when there is no threshold yet, or nothing clears it
     */
    synchronized Views.MachineBatch accept(ProjectSettings settings, String acceptedBy) {
        Views.Report report = versions.lastReport();
        AcceptThreshold threshold = threshold(report);
        Confident found = confident(threshold.threshold());
        Records.MachineBatch stored = queue.withLeasesHeld(System.currentTimeMillis(), leased -> {
            int[] keep = IntStream.range(0, found.rows().length).filter(i -> !leased.test(found.rows()[i])
                    && !labels.isLabeled(found.rows()[i])).toArray();
            if (keep.length == 0) {
                throw new DomainException.Conflict("nothing_to_accept", "no unlabeled, unleased document of project '"
                        + project.name() + "' is predicted with a confidence at or above the threshold "
                        + format(threshold.threshold()), Map.of("threshold", threshold.threshold()));
            }
            long seed = settings.seed() * 1_000_003L + store.machineLabels().batches(project.id()).size() + 1;
            int[] drawn = Sampling.sample(keep.length, settings.auditSize(keep.length), seed);
            int[] rank = new int[keep.length];
            for (int k = 0; k < drawn.length; k++) {
                rank[drawn[k]] = k + 1;
            }
            List<MachineProposal> proposals = new ArrayList<>();
            for (int k = 0; k < keep.length; k++) {
                int i = keep[k];
                proposals.add(new MachineProposal(found.rows()[i], List.of(found.labels()[i]), found.confidence()[i],
                        rank[k]));
            }
            Records.MachineBatchSpec spec = new Records.MachineBatchSpec(found.modelVersion(),
                    report.estimateVersion(), threshold.threshold(), acceptedBy, seed);
            Records.MachineBatch batch = store.machineLabels().accept(project.id(), spec, proposals);
            machine.accepted(batch.id(), proposals);
            return batch;
        });
        return view(stored);
    }

    /**
     * Revokes the machine labels that are live, of one batch or (null) of all; people's labels are
     * never touched, and the documents go back to the unlabeled pool.
     */
    synchronized Views.Revoked revoke(Long batch, String by) {
        if (batch != null && store.machineLabels().batch(project.id(), batch).isEmpty()) {
            throw new DomainException.NotFound("no batch " + batch + " of machine labels in project '"
                    + project.name() + "'");
        }
        int revoked = store.machineLabels().revoke(project.id(), batch, by);
        machine.revoked(batch);
        return new Views.Revoked(batch, revoked);
    }

    /** What accepting now would do, what stands, and what the audits measured. */
    Views.MachineLabels status(ProjectSettings settings) {
        Views.Report report = versions.lastReport();
        String refusal = refusal(report);
        Double threshold = null;
        Integer estimateVersion = null;
        int would = 0;
        int modelVersion = versions.current();
        String note = refusal;
        if (refusal == null) {
            threshold = report.safeToAccept().threshold();
            estimateVersion = report.estimateVersion();
            Confident found = confident(threshold);
            modelVersion = found.modelVersion();
            would = queue.withLeasesHeld(System.currentTimeMillis(), leased -> (int) Arrays.stream(found.rows())
                    .filter(r -> !leased.test(r)).count());
            note = String.format(Locale.ROOT, "Accepting labels %d unlabeled documents with model version %d's"
                    + " prediction, where its confidence is at least %s (the safe-to-accept threshold of version"
                    + " %d's estimate). %d of them go to annotators as an audit.", would, modelVersion,
                    format(threshold), estimateVersion, settings.auditSize(would));
        }
        List<Views.MachineBatch> batches = store.machineLabels().batches(project.id()).stream().map(this::view)
                .toList();
        return new Views.MachineLabels(refusal == null && would > 0, threshold, estimateVersion, modelVersion, would,
                note, machine.standingCount(), machine.audit(null), view(settings), batches);
    }

    /** New machine-label settings (those given, not null), checked and stored; the caller applies them. */
    ProjectSettings updateSettings(ProjectSettings before, Boolean train, Double auditShare, Integer auditMin,
            Integer auditMax) {
        ProjectSettings next = before.withMachineLabels(train, auditShare, auditMin, auditMax);
        store.projects().updateSettings(project.id(), Json.write(next));
        return next;
    }

    static Views.MachineSettings view(ProjectSettings s) {
        return new Views.MachineSettings(s.trainOnMachineLabels(), s.auditShare(), s.auditMin(), s.auditMax());
    }

    private Views.MachineBatch view(Records.MachineBatch b) {
        return new Views.MachineBatch(b.id(), b.modelVersion(), b.estimateVersion(), b.threshold(), b.acceptedBy(),
                b.created(), b.size(), machine.standing(b.id()), b.revoked(), machine.audit(b.id()));
    }

    private AcceptThreshold threshold(Views.Report report) {
        String refusal = refusal(report);
        if (refusal != null) {
            throw new DomainException.Conflict("no_threshold", refusal, Map.of());
        }
        return report.safeToAccept();
    }

    /** Why no threshold can be used now, in words; null when there is one. */
    private String refusal(Views.Report report) {
        String name = "project '" + project.name() + "'";
        if (labels.multiLabel()) {
            return "no safe-to-accept threshold: Quarry estimates one for single-label projects only, and "
                    + name + " is multi-label";
        }
        if (report == null) {
            return name + " has no model yet, so no safe-to-accept threshold: label a few documents first";
        }
        AcceptThreshold t = report.safeToAccept();
        if (t == null) {
            return name + " has no safe-to-accept threshold yet: it comes with the cross-validated estimate, which"
                    + " needs more labels (and cvFolds above 0)";
        }
        if (!t.found()) {
            return name + " has no safe-to-accept threshold yet: " + t.explanation();
        }
        return null;
    }

    /** The serving model's confident predictions on the rows that have no label of either kind. */
    private Confident confident(double threshold) {
        Confident found = versions.withModelVersion((head, version) -> {
            Vectors view = poolOf.apply(head).view();
            int[] open = IntStream.range(0, view.size()).filter(r -> !labels.isLabeled(r) && machine.mark(r) == null)
                    .toArray();
            List<Integer> rows = new ArrayList<>();
            List<String> names = new ArrayList<>();
            List<Double> confidence = new ArrayList<>();
            for (int from = 0; from < open.length; from += CHUNK) {
                int[] chunk = Arrays.copyOfRange(open, from, Math.min(open.length, from + CHUNK));
                float[][] p = head.probabilities(view, chunk);
                for (int i = 0; i < chunk.length; i++) {
                    int best = head.decide(p[i])[0];
                    if (p[i][best] >= threshold) {
                        rows.add(chunk[i]);
                        names.add(labels.name(best));
                        confidence.add(Math.min(1.0, p[i][best])); // float rounding may pass 1
                    }
                }
            }
            return new Confident(version, rows.stream().mapToInt(Integer::intValue).toArray(),
                    names.toArray(String[]::new), confidence.stream().mapToDouble(Double::doubleValue).toArray());
        });
        if (found == null) {
            throw new DomainException.Conflict("project '" + project.name() + "' has no model yet: label a few"
                    + " documents first");
        }
        return found;
    }

    private static String format(double threshold) {
        return String.format(Locale.ROOT, "%.4f", threshold);
    }
}
