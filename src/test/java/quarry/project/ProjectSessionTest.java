package quarry.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.Document;
import quarry.core.DomainException;
import quarry.data.DocumentImporter;
import quarry.data.ImportOptions;
import quarry.encode.Encoders;
import quarry.loop.StopRound;
import quarry.loop.StopSettings;
import quarry.loop.Stopping;
import quarry.store.Records.Label;

/**
 * The project session end to end on the demo data: labels in, background rounds, and a second
 * import into a running project that grows the loop in place instead of rebuilding it.
 */
@Tag("integration")
class ProjectSessionTest {

    private static final int FIRST = 300;

    @Test
    void aSecondImportMidLabelingGrowsTheLoopInPlace(@TempDir Path dir) throws Exception {
        List<Document> all = demo();
        List<Label> labels = schema(all);
        ProjectSettings settings = new ProjectSettings(null, null, 20, 5, null, null, null, null, null, 0, 7L, null);
        try (Workspace w = Workspace.open(dir.resolve("ws"), false)) {
            ProjectSession s = w.createProject("grow", false, null, labels, settings);
            // First batch: one seed label per class, the rest unlabeled.
            assertEquals(FIRST, importOneLabelPerClass(w, s, all.subList(0, FIRST), dir.resolve("first.jsonl")));
            await("the first model", () -> s.modelStatus().version() >= 1);

            // Label from the queue with the data's own labels until a few rounds have run.
            Map<String, String> truth = new java.util.HashMap<>();
            all.forEach(d -> truth.put(d.id(), d.labels().get(0)));
            labelFromQueue(s, truth, 15);
            await("a round over the new labels", () -> s.modelStatus().version() >= 2 && !s.modelStatus().training());
            // Fewer labels than retrainEvery left over are ranked once labeling pauses (the idle flush).
            await("the ranking to take in every label", () -> Integer.valueOf(0).equals(s.modelStatus().rankingStaleBy())
                    && !s.modelStatus().training());
            int versionBefore = s.modelStatus().version();
            List<StopRound> historyBefore = s.stopHistory();
            assertTrue(historyBefore.size() >= 2, "rounds so far: " + historyBefore.size());
            int stopSetBefore = historyBefore.get(historyBefore.size() - 1).stopRows().length;

            // Second batch into the running project.
            Path second = dir.resolve("second.jsonl");
            Files.write(second, all.subList(FIRST, all.size()).stream()
                    .map(d -> Document.unlabeled(d.id(), d.text())).map(ProjectSessionTest::jsonl).toList());
            assertEquals(all.size() - FIRST, w.importDocuments(s, second));
            await("a round over the grown pool", () -> {
                List<StopRound> h = s.stopHistory();
                int[] rows = h.get(h.size() - 1).stopRows();
                return rows != null && rows[rows.length - 1] >= FIRST;
            });

            List<StopRound> historyAfter = s.stopHistory();
            assertEquals(historyBefore, historyAfter.subList(0, historyBefore.size()),
                    "the stopping history carries on across the import");
            StopRound grown = historyAfter.get(historyAfter.size() - 1);
            assertTrue(grown.stopRows().length > stopSetBefore, "the stop set grew with the pool");
            assertTrue(Arrays.stream(grown.stopRows()).allMatch(r -> r < all.size()));
            assertEquals(versionBefore, s.modelStatus().version(),
                    "a re-rank over a grown pool is not a new model version");
            double kappa = Stopping.stabilizingPredictions(historyAfter, StopSettings.defaults().withKappa(1, 0.99))
                    .value();
            assertFalse(Double.isNaN(kappa), "κ is computed across the import, on the rows both rounds saw");

            // Labels keep flowing: the next version follows on from the old counter, warm-started.
            labelFromQueue(s, truth, 10);
            await("a version after the import", () -> s.modelStatus().version() > versionBefore);
            List<Views.Version> versions = s.versions();
            for (int i = 0; i < versions.size(); i++) {
                assertEquals(i + 1, versions.get(i).version(), "versions count up without a gap or a restart");
            }
            Views.Provenance p = versions.get(versions.size() - 1).report().provenance();
            assertNotNull(p);
            assertTrue(p.parentVersion() >= versionBefore, "warm-started from a version before the import: " + p);
            assertEquals(versions.get(versions.size() - 1).labelsUsed(), p.labels());
            assertTrue(p.labelsHash().matches("[0-9a-f]{64}"), p.labelsHash());
            assertNotEquals(versions.get(versions.size() - 2).report().provenance().labelsHash(), p.labelsHash(),
                    "a new version saw other labels");
            assertEquals(7L, p.seed());
            assertTrue(p.runtime().get("djl").startsWith("0.35"), p.runtime().toString());
            assertFalse(p.encoderFingerprint().isBlank());
        }
    }

    @Test
    void refusesWhatTheSchemaDoesNotAllowAndStoresNothing(@TempDir Path dir) throws Exception {
        try (Workspace w = Workspace.open(dir.resolve("ws"), false)) {
            ProjectSession s = w.createProject("strict", false, null,
                    List.of(new Label(0, "a", null), new Label(1, "b", null)), null);
            Path file = dir.resolve("docs.jsonl");
            Files.write(file, List.of("{\"id\":\"d1\",\"text\":\"one\"}", "{\"id\":\"d2\",\"text\":\"two\"}"));
            w.importDocuments(s, file);
            DomainException.InvalidInput unknown = assertThrows(DomainException.InvalidInput.class,
                    () -> s.annotate("ann", "d1", List.of("c"), null));
            assertEquals("unknown_label", unknown.code());
            assertThrows(DomainException.InvalidInput.class, () -> s.annotate("ann", "d1", List.of("a", "b"), null));
            assertThrows(DomainException.NotFound.class, () -> s.annotate("ann", "nope", List.of("a"), null));
            assertEquals(0, s.labelCount());
            assertTrue(w.store().annotations().currentLabels(s.project().id()).isEmpty());

            assertTrue(s.annotate("ann", "d1", List.of("a"), "r1").stored());
            assertFalse(s.annotate("ann", "d1", List.of("a"), "r1").stored(), "a replay stores nothing");
            DomainException.Conflict reused = assertThrows(DomainException.Conflict.class,
                    () -> s.annotate("ann", "d2", List.of("a"), "r1"));
            assertEquals("request_id_reused", reused.code());
            assertEquals(1, s.labelCount());
            assertEquals(List.of("a"), s.labels().labels(0));
            DomainException.InvalidInput none = assertThrows(DomainException.InvalidInput.class,
                    () -> s.annotate("ann", "d2", List.of(), null));
            assertEquals(Map.of("field", "labels"), none.details());
            assertTrue(none.getMessage().contains("single-label"), none.getMessage());
            assertEquals(1, s.labelCount(), "a refused \"none of these\" stores nothing");
            s.undo("ann");
            assertEquals(0, s.labelCount(), "undo takes the label out of the one in-memory copy too");
            assertThrows(DomainException.Conflict.class, () -> s.undo("someone-else"));
        }
    }

    @Test
    void noneOfTheseIsALabelTheModelTrainsOnAndUndoTakesItBack(@TempDir Path dir) throws Exception {
        ProjectSettings settings = new ProjectSettings(null, null, 5, 1000, 3600, null, null, null, null, 0, 3L, null);
        try (Workspace w = Workspace.open(dir.resolve("ws"), false)) {
            ProjectSession s = payAndShip(w, dir, "emo", true, settings,
                    "{\"id\":\"d1\",\"text\":\"refund my card payment\",\"labels\":[\"pay\"]}",
                    "{\"id\":\"d2\",\"text\":\"where is my parcel\",\"labels\":[\"ship\"]}",
                    "{\"id\":\"d3\",\"text\":\"charged twice and the parcel is late\",\"labels\":[\"pay\",\"ship\"]}",
                    "{\"id\":\"d4\",\"text\":\"lovely weather today\",\"labels\":[]}",
                    "{\"id\":\"d5\",\"text\":\"what a nice song\"}",
                    "{\"id\":\"d6\",\"text\":\"my card was declined\"}");
            await("the first model", () -> s.modelStatus().version() == 1 && !s.modelStatus().training());
            assertEquals(4, s.versions().get(0).labelsUsed(), "the imported \"none of these\" is trained on");
            assertTrue(s.labels().isLabeled(3));

            assertTrue(s.annotate("ann", "d5", List.of(), "r1").stored());
            assertTrue(s.labels().isLabeled(4));
            assertEquals(List.of(), s.labels().labels(4));
            assertEquals(5, s.labelCount());
            assertEquals(List.of(), s.labels().snapshot().get(4), "in the snapshot the rounds train on");
            s.retrainNow();
            await("a model with the new answer", () -> s.modelStatus().version() == 2 && !s.modelStatus().training());
            assertEquals(5, s.versions().get(1).labelsUsed());

            s.undo("ann");
            assertFalse(s.labels().isLabeled(4), "undo makes the document unlabeled again");
            assertEquals(4, s.labelCount());
            assertTrue(s.labels().isLabeled(3), "the imported answer stays");
        }
    }

    @Test
    void aFailedModelSaveStaysVisibleAndIsTriedAgain(@TempDir Path dir) throws Exception {
        ProjectSettings settings = new ProjectSettings(null, null, 5, 1, null, null, null, null, null, 0, 3L, null);
        try (Workspace w = Workspace.open(dir.resolve("ws"), false)) {
            ProjectSession s = payAndShip(w, dir, "save", false, settings,
                    "{\"id\":\"d1\",\"text\":\"refund my card payment\",\"label\":\"pay\"}",
                    "{\"id\":\"d2\",\"text\":\"where is my parcel\",\"label\":\"ship\"}",
                    "{\"id\":\"d3\",\"text\":\"card charged twice\"}",
                    "{\"id\":\"d4\",\"text\":\"delivery is late\"}");
            await("the first model", () -> s.modelStatus().version() == 1);

            // The models folder becomes a file: saving version 2 must fail.
            Path models = dir.resolve("ws").resolve("projects").resolve(Long.toString(s.project().id()))
                    .resolve("models");
            Path parked = models.resolveSibling("models-parked");
            Files.move(models, parked);
            Files.writeString(models, "not a folder");
            s.annotate("ann", "d3", List.of("pay"), null);
            await("the failed save to show", () -> s.modelStatus().lastError() != null);
            assertEquals(1, s.modelStatus().version(), "no version without a saved head");
            assertTrue(s.modelStatus().lastError().contains("2"), s.modelStatus().lastError());
            Thread.sleep(300);
            assertTrue(s.modelStatus().lastError() != null, "the error stays until a save succeeds");

            Files.delete(models);
            Files.move(parked, models);
            s.retrainNow();
            await("version 2 after the fault clears", () -> s.modelStatus().version() == 2);
            assertEquals(null, s.modelStatus().lastError());
            assertTrue(Files.isRegularFile(models.resolve("v2").resolve(ModelVersions.PROVENANCE_FILE)));
            try (var left = Files.list(models)) {
                assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".partial")), "no partial save");
            }
        }
    }

    @Test
    void theQueueNeverFallsBackToFileOrder(@TempDir Path dir) throws Exception {
        try (Workspace w = Workspace.open(dir.resolve("ws"), false)) {
            List<Label> labels = List.of(new Label(0, "a", null), new Label(1, "b", null), new Label(2, "c", null),
                    new Label(3, "d", null));
            ProjectSession s = w.createProject("sorted", false, null, labels, null);
            // A file sorted by label, as exports often are: rows 0-49 are all "a".
            List<String> lines = new ArrayList<>();
            String[] names = {"a", "b", "c", "d"};
            for (int i = 0; i < 200; i++) {
                lines.add(Json.write(Map.of("id", names[i / 50] + i, "text", "message " + i + " about " + names[i / 50])));
            }
            Path file = dir.resolve("sorted.jsonl");
            Files.write(file, lines);
            w.importDocuments(s, file);
            await("embedding", () -> s.embedding().state().equals("done"));
            List<Views.QueueItem> first = s.next("ann", 20);
            assertEquals(20, first.size());
            List<Integer> rows = first.stream().map(Views.QueueItem::row).toList();
            assertFalse(rows.equals(java.util.stream.IntStream.range(0, 20).boxed().toList()), "file order: " + rows);
            long groups = rows.stream().map(r -> r / 50).distinct().count();
            assertTrue(groups >= 3, "20 items from " + groups + " of the 4 label groups: " + rows);
        }
    }

    @Test
    void betweenVersionsTheRestOfTheRankingIsHandedOutNotAFallback(@TempDir Path dir) throws Exception {
        List<Document> all = demo();
        List<Label> labels = schema(all);
        // A queue of 5 and no retrain in sight: the annotators below use up eight queues' worth.
        ProjectSettings settings = new ProjectSettings("margin", null, 5, 1000, 3600, null, null, null, null, 0, 5L, null);
        try (Workspace w = Workspace.open(dir.resolve("ws"), false)) {
            ProjectSession s = w.createProject("deep", false, null, labels, settings);
            importOneLabelPerClass(w, s, all, dir.resolve("docs.jsonl"));
            await("the first model", () -> s.modelStatus().version() == 1 && !s.modelStatus().training());
            List<Views.QueueItem> served = new ArrayList<>();
            for (int a = 0; a < 4; a++) {
                served.addAll(s.next("ann" + a, 10));
            }
            assertEquals(40, served.size());
            assertEquals(40, served.stream().map(Views.QueueItem::row).distinct().count(), "no item leased twice");
            for (Views.QueueItem item : served) {
                assertEquals("margin", item.why().strategy(), "item " + item.row() + ": " + item.why());
                assertTrue(item.why().note().contains("kept diverse"), item.why().note());
            }
            // Best first: annotators took turns down one ranking, so scores never rise along it.
            for (int i = 1; i < served.size(); i++) {
                assertTrue(served.get(i).why().score() <= served.get(i - 1).why().score() + 1e-9,
                        "item " + i + " scores above item " + (i - 1));
            }
        }
    }

    @Test
    void versionsThatSkipCrossValidationCarryTheirSourcesEstimates(@TempDir Path dir) throws Exception {
        List<Document> all = demo();
        List<Label> labels = schema(all);
        ProjectSettings settings = new ProjectSettings(null, null, 10, 1, null, null, null, null, null, null, 9L, null);
        try (Workspace w = Workspace.open(dir.resolve("ws"), false)) {
            ProjectSession s = w.createProject("busy", false, null, labels, settings);
            importOneLabelPerClass(w, s, all, dir.resolve("docs.jsonl"));
            await("the first model", () -> s.modelStatus().version() == 1 && !s.modelStatus().training());
            Map<String, String> truth = new java.util.HashMap<>();
            all.forEach(d -> truth.put(d.id(), d.labels().get(0)));
            // Labels without a pause: every round finds labels waiting, so none stops to cross-validate.
            labelFromQueue(s, truth, 120);
            await("the rounds to catch up", () -> !s.modelStatus().training() && s.modelStatus().labelsSinceTraining() == 0
                    && Integer.valueOf(0).equals(s.modelStatus().rankingStaleBy()));
            List<Views.Version> versions = s.versions();
            // Which rounds skip depends on timing; what a skipping round reports does not.
            List<Views.Version> carried = versions.stream().filter(v -> v.report().estimateVersion() != null
                    && v.report().estimateVersion() < v.version()).toList();
            for (Views.Version v : versions) {
                Integer from = v.report().estimateVersion();
                assertTrue(from == null || from <= v.version(), v.version() + " <- " + from);
            }
            for (Views.Version v : carried) {
                Views.Report source = versions.stream().filter(x -> x.version() == v.report().estimateVersion())
                        .findFirst().orElseThrow().report();
                assertEquals(source.estimatedAccuracy(), v.report().estimatedAccuracy());
                assertNotNull(v.report().poolEstimate(), "the pool estimate is this version's own");
                assertTrue(v.report().accuracyNote().startsWith("Cross-validated figures of version "
                        + v.report().estimateVersion()),
                        v.report().accuracyNote());
            }
            // Once labeling pauses, a retrain estimates again, for itself.
            s.retrainNow();
            int before = versions.get(versions.size() - 1).version();
            await("a version after the pause", () -> s.modelStatus().version() > before && !s.modelStatus().training());
            Views.Report last = s.lastReport();
            assertEquals(last.version(), last.estimateVersion());
            assertNotNull(last.poolEstimate(), "150 labels give a pool estimate");
            assertTrue(last.poolEstimate().low() <= last.poolEstimate().accuracy()
                    && last.poolEstimate().accuracy() <= last.poolEstimate().high(), last.poolEstimate().toString());
        }
    }

    @Test
    void crossValidationWaitsForAPauseFourTimesItsCostOrHalfAgainTheLabels() {
        assertTrue(Retrainer.estimateNow(0, 0, 5_000, 100, 100), "no label waiting: estimate");
        assertFalse(Retrainer.estimateNow(3, 19_999, 5_000, 100, 100), "labels waiting, within 4x its cost: skip");
        assertTrue(Retrainer.estimateNow(3, 20_001, 5_000, 100, 100), "labels waiting, past 4x its cost: estimate");
        assertTrue(Retrainer.estimateNow(3, 1, 0, 100, 0), "never estimated yet: estimate");
        assertTrue(Retrainer.estimateNow(3, 60_000_000_001L, 90_000_000_000L, 100, 100), "a minute at most");
        assertFalse(Retrainer.estimateNow(3, 59_000_000_000L, 90_000_000_000L, 100, 100));
        assertFalse(Retrainer.estimateNow(3, 1, 5_000, 149, 100), "labels grew by under half: skip");
        assertTrue(Retrainer.estimateNow(3, 1, 5_000, 150, 100), "labels grew by half: estimate");
    }

    @Test
    void aModelThatHasSeenOneClassStillRanksTheQueue(@TempDir Path dir) throws Exception {
        try (Workspace w = Workspace.open(dir.resolve("ws"), false)) {
            List<Label> labels = List.of(new Label(0, "a", null), new Label(1, "b", null), new Label(2, "c", null));
            ProjectSession s = w.createProject("one", false, null, labels, null);
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 90; i++) {
                String name = labels.get(i / 30).name();
                Map<String, String> doc = i < 3 ? Map.of("id", "r" + i, "text", "note " + i + " on " + name, "label", "a")
                        : Map.of("id", "r" + i, "text", "note " + i + " on " + name);
                lines.add(Json.write(doc));
            }
            Path file = dir.resolve("docs.jsonl");
            Files.write(file, lines);
            w.importDocuments(s, file);
            await("a model on one class", () -> s.modelStatus().version() == 1 && !s.modelStatus().training());
            List<Views.QueueItem> items = s.next("ann", 20);
            assertEquals(20, items.size());
            assertTrue(items.stream().noneMatch(i -> i.why().strategy().equals("fallback")),
                    "ranked, not a fallback: " + items.stream().map(i -> i.why().strategy()).toList());
        }
    }

    @Test
    void reportsSayWhenTheLabelsCoverOnlyPartOfTheSchema(@TempDir Path dir) throws Exception {
        try (Workspace w = Workspace.open(dir.resolve("ws"), false)) {
            ProjectSession s = w.createProject("partial", false, null,
                    List.of(new Label(0, "a", null), new Label(1, "b", null), new Label(2, "c", null)), null);
            Path file = dir.resolve("docs.jsonl");
            Files.write(file, List.of("{\"id\":\"d1\",\"text\":\"apples\",\"label\":\"a\"}",
                    "{\"id\":\"d2\",\"text\":\"bananas\",\"label\":\"b\"}",
                    "{\"id\":\"d3\",\"text\":\"cherries\"}"));
            w.importDocuments(s, file);
            await("the first model", () -> s.modelStatus().version() == 1 && !s.modelStatus().training());
            assertEquals(0, s.modelStatus().rankingStaleBy(), "the ranking has seen both labels");
            String coverage = s.lastReport().coverage();
            assertTrue(coverage != null && coverage.startsWith("1 of 3 labels have no example yet")
                    && coverage.contains("only the 2 labels seen"), coverage);
            s.annotate("ann", "d3", List.of("c"), null);
            assertEquals(1, s.modelStatus().rankingStaleBy(), "one label since the ranking was made");
            s.retrainNow();
            await("a model that has seen every label", () -> s.modelStatus().version() == 2 && !s.modelStatus().training());
            assertEquals(null, s.lastReport().coverage());
            assertEquals(0, s.modelStatus().rankingStaleBy());
        }
    }

    /** A project over the labels pay and ship, with these JSONL lines imported. */
    private static ProjectSession payAndShip(Workspace w, Path dir, String name, boolean multiLabel,
            ProjectSettings settings, String... lines) throws Exception {
        ProjectSession s = w.createProject(name, multiLabel, null,
                List.of(new Label(0, "pay", null), new Label(1, "ship", null)), settings);
        Path file = dir.resolve(name + ".jsonl");
        Files.write(file, List.of(lines));
        w.importDocuments(s, file);
        return s;
    }

    private static void labelFromQueue(ProjectSession s, Map<String, String> truth, int n) {
        for (int i = 0; i < n; i++) {
            Views.QueueItem item = s.next("ann", 1).get(0);
            assertTrue(s.annotate("ann", item.id(), List.of(truth.get(item.id())), null).stored());
        }
    }

    private static List<Document> demo() throws Exception {
        return DocumentImporter.read(Encoders.modelsDir().resolveSibling("data").resolve("demo.jsonl"),
                ImportOptions.defaults()).documents();
    }

    /** The documents' labels, sorted, as a schema. */
    private static List<Label> schema(List<Document> docs) {
        List<Label> labels = new ArrayList<>();
        new TreeSet<>(docs.stream().map(d -> d.labels().get(0)).toList())
                .forEach(n -> labels.add(new Label(labels.size(), n, null)));
        return labels;
    }

    /** Imports {@code docs} with the first document of each class labeled and the rest unlabeled. */
    private static int importOneLabelPerClass(Workspace w, ProjectSession s, List<Document> docs, Path file)
            throws Exception {
        TreeSet<String> seeded = new TreeSet<>();
        Files.write(file, docs.stream().map(d -> seeded.add(d.labels().get(0)) ? d : Document.unlabeled(d.id(),
                d.text())).map(ProjectSessionTest::jsonl).toList());
        return w.importDocuments(s, file);
    }

    private static String jsonl(Document d) {
        return Json.write(d.isLabeled() ? Map.of("id", d.id(), "text", d.text(), "label", d.labels().get(0))
                : Map.of("id", d.id(), "text", d.text()));
    }

    static void await(String what, BooleanSupplier check) throws InterruptedException {
        long end = System.nanoTime() + 180_000_000_000L;
        while (!check.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
