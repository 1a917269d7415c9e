package quarry.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.DomainException;
import quarry.store.Records.Label;
import quarry.store.Records.MachineLabel;

/**
 * Machine labels in a project session, on a slice of CLINC150 whose first model has a
 * safe-to-accept threshold: accepted, counted apart from people's labels, not trained on unless
 * the project says so, audited first and blind, replaced by a person's label, revoked.
 */
@Tag("integration")
@Tag("data")
class MachineLabelsSessionTest {

    /** A seed, and retrains only when asked, so each version below is the one the test waits for. */
    private static final ProjectSettings QUIET = new ProjectSettings(null, null, 20, 100_000, 3600, null, null, null,
            null, null, 11L, null);

    @Test
    void acceptedLabelsAreKeptApartAuditedFirstAndRevocable(@TempDir Path dir) throws Exception {
        List<Integer> audits;
        Set<Integer> accepted = new HashSet<>();
        long batchId;
        try (Workspace w = Workspace.open(dir.resolve("ws"), false)) {
            ProjectSession s = MachineLabelsFixture.create(w, "auto", QUIET, dir);
            int people = s.labelCount();
            int version = s.modelStatus().version();
            double threshold = s.lastReport().safeToAccept().threshold();

            Views.MachineLabels before = s.machineLabels();
            assertTrue(before.canAccept(), before.note());
            assertEquals(threshold, before.threshold());
            assertEquals(version, before.modelVersion());
            assertTrue(before.wouldAccept() > 20, "a clear slice has confident predictions: " + before);
            assertEquals(0, before.standing());

            Views.MachineBatch batch = s.acceptMachineLabels("admin");
            batchId = batch.id();
            assertEquals(before.wouldAccept(), batch.accepted(), "accepts what the status said it would");
            assertEquals(batch.accepted(), batch.standing());
            assertEquals(version, batch.modelVersion());
            assertEquals(threshold, batch.threshold());
            assertEquals(s.settings().auditSize(batch.accepted()), batch.audit().sample());
            assertEquals(batch.audit().sample(), batch.audit().awaiting());
            assertNull(batch.audit().precision(), "nothing audited yet");

            // Stored as machine labels, never as annotations; people's count is unchanged.
            assertEquals(people, s.labelCount());
            assertEquals(people, w.store().annotations().currentLabels(s.project().id()).size());
            List<MachineLabel> stored = new ArrayList<>();
            w.store().machineLabels().forEach(s.project().id(), false, stored::add);
            assertEquals(batch.accepted(), stored.size());
            for (MachineLabel m : stored) {
                accepted.add(m.row());
                assertTrue(m.confidence() >= threshold, m.toString());
                assertFalse(s.labels().isLabeled(m.row()));
                assertEquals(m.labels(), s.machineLabel(m.row()).orElseThrow().labels());
            }
            DomainException.Conflict again = assertThrows(DomainException.Conflict.class,
                    () -> s.acceptMachineLabels("admin"));
            assertEquals("nothing_to_accept", again.code());
            assertEquals(0, s.machineLabels().wouldAccept());

            // Not trained on by default: the next version saw people's labels only.
            s.retrainNow();
            MachineLabelsFixture.await("a version after the accept", () -> s.modelStatus().version() > version
                    && !s.modelStatus().training());
            assertEquals(people, s.lastReport().provenance().labels());

            // The queue: the audit sample first, blind, in the order drawn; no other machine-labelled document.
            List<Views.QueueItem> served = s.next("ann", 10_000);
            audits = new ArrayList<>();
            for (Views.QueueItem item : served.subList(0, batch.audit().sample())) {
                assertEquals("audit", item.why().strategy());
                assertTrue(item.predictions().isEmpty() && item.predicted().isEmpty(), "no hint at the machine's label");
                assertTrue(accepted.contains(item.row()));
                audits.add(item.row());
            }
            for (Views.QueueItem item : served.subList(batch.audit().sample(), served.size())) {
                assertFalse(accepted.contains(item.row()), "machine-labelled " + item.row() + " offered: " + item.why());
            }
            assertEquals(s.embeddedCount() - people - batch.accepted() + audits.size(), served.size(),
                    "every other unlabeled document is still offered");
            for (Views.QueueItem item : served) {
                s.release("ann", item.id());
            }

            // Audits: one agrees with the machine, one does not; the person's label wins either way.
            Views.QueueItem agree = s.next("ann", 1).get(0);
            Views.QueueItem disagree = s.next("bob", 1).get(0);
            assertEquals(audits.subList(0, 2), List.of(agree.row(), disagree.row()), "audits in the order drawn");
            String machineSaid = s.machineLabel(disagree.row()).orElseThrow().labels().get(0);
            String other = s.labels().names().stream().filter(n -> !n.equals(machineSaid)).findFirst().orElseThrow();
            s.annotate("ann", agree.id(), s.machineLabel(agree.row()).orElseThrow().labels(), null);
            s.annotate("bob", disagree.id(), List.of(other), null);
            assertEquals(List.of(other), s.labels().labels(disagree.row()), "the person's label stands");
            assertTrue(s.machineLabel(disagree.row()).isEmpty(), "the machine label no longer stands");
            Views.Audit audit = s.machineLabels().batches().get(0).audit();
            assertEquals(2, audit.audited());
            assertEquals(1, audit.agreed());
            assertEquals(0.5, audit.precision());
            assertTrue(audit.low() < 0.5 && audit.high() > 0.5, audit.toString());
            assertEquals(audit.sample() - 2, audit.awaiting());
            assertEquals(audit, s.machineLabels().audit(), "one batch: overall is that batch");
            assertEquals(batch.accepted() - 2, s.machineLabels().standing());
            assertEquals(people + 2, s.labelCount());
        }

        // Reopened: the same labels stand and the rest of the audit comes next, in the same order.
        try (Workspace w = Workspace.open(dir.resolve("ws"), false)) {
            ProjectSession s = w.project("auto");
            MachineLabelsFixture.await("the pool", () -> s.embedding().state().equals("done"));
            assertEquals(accepted.size() - 2, s.machineLabels().standing());
            Views.QueueItem third = s.next("carol", 1).get(0);
            assertEquals(audits.get(2), third.row());
            s.release("carol", third.id());

            DomainException.NotFound unknown = assertThrows(DomainException.NotFound.class,
                    () -> s.revokeMachineLabels(batchId + 1, "admin"));
            assertTrue(unknown.getMessage().contains("no batch " + (batchId + 1)), unknown.getMessage());

            // Revoked: people's labels stay; every other document is unlabeled again, and offered.
            int people = s.labelCount();
            Views.Revoked revoked = s.revokeMachineLabels(batchId, "admin");
            assertEquals(accepted.size(), revoked.revoked(), "every live label of the batch, replaced ones too");
            assertEquals(people, s.labelCount());
            assertEquals(0, s.machineLabels().standing());
            assertEquals(0, s.revokeMachineLabels(null, "admin").revoked(), "nothing left to revoke");
            Set<Integer> offered = new HashSet<>();
            s.next("dave", 10_000).forEach(i -> offered.add(i.row()));
            accepted.removeAll(offered);
            assertEquals(2, accepted.size(), "only the two a person labeled are not offered again: " + accepted);
            Views.MachineBatch batch = s.machineLabels().batches().get(0);
            assertEquals(batch.accepted(), batch.revoked());
            assertEquals(0, batch.standing());
            assertEquals(2, batch.audit().audited(), "what the audit measured stays on record");
        }
    }

    @Test
    void withTheSettingOnTheModelTrainsOnMachineLabelsButIsJudgedOnPeoples(@TempDir Path dir) throws Exception {
        try (Workspace w = Workspace.open(dir.resolve("ws"), false)) {
            ProjectSession s = MachineLabelsFixture.create(w, "train", QUIET, dir);
            int people = s.labelCount();
            Views.MachineSettings on = s.updateMachineSettings(true, null, 5, null);
            assertTrue(on.trainOnMachineLabels());
            assertEquals(5, on.auditMin());
            assertEquals(200, on.auditMax(), "left out: kept");
            assertTrue(ProjectSettings.fromJson(w.store().projects().find("train").orElseThrow().settings())
                    .trainOnMachineLabels(), "stored");
            int version = s.modelStatus().version();
            Views.MachineBatch batch = s.acceptMachineLabels("admin");

            // Accepting asks for a round: its head saw people's labels and the machine's...
            MachineLabelsFixture.await("a version trained on machine labels", () -> s.modelStatus().version() > version
                    && !s.modelStatus().training());
            Views.Report report = s.lastReport();
            assertEquals(people + batch.accepted(), report.provenance().labels());
            assertEquals(people, s.labelCount(), "machine labels never count as people's");
            // ...but cross-validation held out people's labels only: the model's own predictions would flatter it.
            assertEquals(report.version(), report.estimateVersion(), "no label waiting: this version estimated");
            assertNotNull(report.safeToAccept());
            assertEquals(people, report.safeToAccept().labeledItems());

            // Revoked, the next version is back on people's labels alone.
            int trained = s.modelStatus().version();
            s.revokeMachineLabels(null, "admin");
            MachineLabelsFixture.await("a version after the revoke", () -> s.modelStatus().version() > trained
                    && !s.modelStatus().training());
            assertEquals(people, s.lastReport().provenance().labels());
            assertNotEquals(report.provenance().labelsHash(), s.lastReport().provenance().labelsHash());
        }
    }

    @Test
    void withoutAThresholdNothingIsAcceptedAndTheReasonIsGiven(@TempDir Path dir) throws Exception {
        try (Workspace w = Workspace.open(dir.resolve("ws"), false)) {
            ProjectSession s = w.createProject("young", false, null,
                    List.of(new Label(0, "a", null), new Label(1, "b", null)), null);
            Path file = dir.resolve("docs.jsonl");
            Files.write(file, List.of("{\"id\":\"d1\",\"text\":\"apples\",\"label\":\"a\"}",
                    "{\"id\":\"d2\",\"text\":\"bananas\",\"label\":\"b\"}", "{\"id\":\"d3\",\"text\":\"cherries\"}"));
            w.importDocuments(s, file);
            DomainException.Conflict early = assertThrows(DomainException.Conflict.class,
                    () -> s.acceptMachineLabels("admin"));
            assertEquals("no_threshold", early.code());
            MachineLabelsFixture.await("the first model", () -> s.modelStatus().version() == 1
                    && !s.modelStatus().training());
            DomainException.Conflict none = assertThrows(DomainException.Conflict.class,
                    () -> s.acceptMachineLabels("admin"));
            assertEquals("no_threshold", none.code());
            assertTrue(none.getMessage().contains("no safe-to-accept threshold yet"), none.getMessage());
            Views.MachineLabels status = s.machineLabels();
            assertFalse(status.canAccept());
            assertNull(status.threshold());
            assertEquals(none.getMessage(), status.note());
            assertTrue(w.store().machineLabels().batches(s.project().id()).isEmpty());

            ProjectSession multi = w.createProject("multi", true, null,
                    List.of(new Label(0, "a", null), new Label(1, "b", null)), null);
            DomainException.Conflict multiLabel = assertThrows(DomainException.Conflict.class,
                    () -> multi.acceptMachineLabels("admin"));
            assertTrue(multiLabel.getMessage().contains("single-label projects only"), multiLabel.getMessage());
            assertThrows(DomainException.InvalidInput.class, () -> s.updateMachineSettings(null, 1.5, null, null));
            assertThrows(DomainException.InvalidInput.class, () -> s.updateMachineSettings(null, null, 50, 10));
        }
    }
}
