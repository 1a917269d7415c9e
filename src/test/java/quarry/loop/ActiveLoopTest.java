package quarry.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import quarry.core.Pick;
import quarry.core.Vectors;
import quarry.model.HeadConfig;
import quarry.query.Strategies;

@Tag("integration")
class ActiveLoopTest {

    /** Four well-separated classes in 8-d. */
    private static Vectors pool(int[] truth) {
        Random random = new Random(5);
        float[][] rows = new float[truth.length][8];
        for (int i = 0; i < truth.length; i++) {
            truth[i] = i % 4;
            double norm = 0;
            for (int d = 0; d < 8; d++) {
                rows[i][d] = (float) ((d == truth[i] ? 3 : 0) + random.nextGaussian() * 0.5);
                norm += rows[i][d] * rows[i][d];
            }
            for (int d = 0; d < 8; d++) {
                rows[i][d] /= (float) Math.sqrt(norm);
            }
        }
        return Vectors.of(rows);
    }

    private static LoopSettings settings(String strategy) {
        return LoopSettings.defaults().withStrategy(strategy, Strategies.Options.DEFAULTS).withBatchSize(8)
                .withHead(HeadConfig.defaults().withHidden(16)).withCrossValidation(2, 1).withStopSetSize(50);
    }

    @Test
    void aDeepRankingStartsWithTheBatchARoundPicksAndReportsComeAfter() {
        int[] truth = new int[300];
        Vectors all = pool(truth);
        LoopSettings diverse = settings("margin").withStrategy("margin", Strategies.Options.DEFAULTS.withDiversity(0.9));
        try (ActiveLoop shallow = new ActiveLoop(all, List.of("a", "b", "c", "d"), false, null, diverse, "toy");
                ActiveLoop deep = new ActiveLoop(all, List.of("a", "b", "c", "d"), false, null, diverse, "toy")) {
            for (int r = 0; r < 8; r++) {
                shallow.label(r, truth[r]);
                deep.label(r, truth[r]);
            }
            RoundReport round = shallow.round();
            ActiveLoop.Ranked ranked = deep.rank(40);
            assertEquals(40, ranked.picks().size());
            List<Integer> batch = round.picks().stream().map(Pick::row).toList();
            assertEquals(batch, ranked.picks().subList(0, 8).stream().map(Pick::row).toList(),
                    "the first batch of a deep ranking is the round's batch");
            assertEquals(40, ranked.picks().stream().map(Pick::row).distinct().count());
            assertThrows(IllegalStateException.class, () -> deep.assess(new ActiveLoop.Ranked(5, 8, List.of(), 0, 0, 1),
                    true), "only the round just ranked can be assessed");
            RoundReport report = deep.assess(ranked, true);
            assertEquals(round.estimatedAccuracy(), report.estimatedAccuracy(), 1e-12,
                    "ranking first does not change the estimate");
            assertEquals(round.stop(), report.stop());
            assertFalse(Double.isNaN(report.estimatedAccuracy()), "2-fold cross-validation ran on 8 labels");
            assertEquals(null, report.poolEstimate(), "8 held-out predictions are too few for a pool estimate");
            assertThrows(IllegalStateException.class, () -> deep.assess(ranked, true), "a round is assessed once");
        }
    }

    @Test
    void aHeadWarmStartsOnlyWhileTheLabelsAtMostDouble() {
        int[] truth = new int[300];
        Vectors all = pool(truth);
        // The served head of a self-training loop always continues from the supervised one: look at
        // the supervised head's schedule alone.
        LoopSettings plain = settings("margin").withSelfTraining(SelfTraining.OFF);
        try (ActiveLoop loop = new ActiveLoop(all, List.of("a", "b", "c", "d"), false, null, plain, "toy")) {
            for (int r = 0; r < 8; r++) {
                loop.label(r, truth[r]);
            }
            loop.round();
            for (int r = 8; r < 16; r++) {
                loop.label(r, truth[r]);
            }
            loop.round();
            assertTrue(loop.head().training().warmStarted(), "8 -> 16 labels: warm");
            for (int r = 16; r < 40; r++) {
                loop.label(r, truth[r]);
            }
            loop.round();
            assertFalse(loop.head().training().warmStarted(), "16 -> 40 labels: trained afresh");
            assertEquals(40, loop.head().training().examples());
        }
    }

    @Test
    void multiLabelHeadsTrainAfreshAndLearnFromNoneOfThese() {
        int[] truth = new int[300];
        Vectors all = pool(truth);
        try (ActiveLoop loop = new ActiveLoop(all, List.of("a", "b", "c", "d"), true, null, settings("ml-set"),
                "toy")) {
            for (int r = 0; r < 8; r++) {
                loop.label(r, truth[r]);
            }
            loop.label(8); // "none of these": a labeled row without a label
            loop.round();
            for (int r = 9; r < 17; r++) {
                loop.label(r, truth[r]);
            }
            RoundReport second = loop.round();
            assertEquals(17, second.labelsUsed(), "the none-of-these row counts as a label");
            assertEquals(17, loop.head().training().examples());
            assertFalse(loop.head().training().warmStarted(), "multi-label: trained afresh every round");
            assertEquals("ml-set", second.strategy());
            assertEquals(8, second.picks().size());
        }
    }

    @Test
    void theColdStartBeforeAnIndexPicksWhatTheFirstRoundPicks() {
        int[] truth = new int[300];
        Vectors all = pool(truth);
        try (ActiveLoop loop = new ActiveLoop(all, List.of("a", "b", "c", "d"), false, null, settings("margin"),
                "toy")) {
            List<Integer> early = ActiveLoop.coldStart(all, settings("margin")).stream().map(Pick::row).toList();
            List<Integer> first = loop.round().picks().stream().map(Pick::row).toList();
            assertEquals(8, early.size());
            assertEquals(first, early);
        }
    }

    @Test
    void thePoolGrowsInPlaceKeepingHeadLabelsAndStoppingHistory() {
        int[] truth = new int[300];
        Vectors all = pool(truth);
        float[][] firstRows = new float[200][];
        for (int i = 0; i < 200; i++) {
            firstRows[i] = all.row(i);
        }
        try (ActiveLoop loop = new ActiveLoop(Vectors.of(firstRows), List.of("a", "b", "c", "d"), false, null,
                settings("margin"), "toy")) {
            for (int r = 0; r < 8; r++) {
                loop.label(r, truth[r]);
            }
            loop.round();
            loop.round();
            List<StopRound> before = loop.stopHistory();
            int[] stopBefore = before.get(before.size() - 1).stopRows();
            assertEquals(50, stopBefore.length);

            loop.grow(all);
            RoundReport after = loop.round();
            assertEquals(8, after.labelsUsed(), "labels carry on");
            assertTrue(loop.head().training().warmStarted(), "the head keeps its warm start");
            List<StopRound> history = loop.stopHistory();
            assertEquals(before, history.subList(0, before.size()), "stopping history kept");
            int[] stopAfter = history.get(history.size() - 1).stopRows();
            assertEquals(75, stopAfter.length, "the stop set grows by the new rows' share (50 of 200 -> 25 of 100)");
            Set<Integer> stopRowsAfter = java.util.Arrays.stream(stopAfter).boxed().collect(Collectors.toSet());
            assertTrue(stopRowsAfter.containsAll(java.util.Arrays.stream(stopBefore).boxed().toList()), "old stop rows stay");
            assertEquals(25, java.util.Arrays.stream(stopAfter).filter(r -> r >= 200).count(),
                    "the 25 new stop rows are new documents");
            assertEquals(300, loop.pool().size(), "later rounds score the grown pool");
            assertThrows(IllegalArgumentException.class, () -> loop.grow(Vectors.of(firstRows)),
                    "a pool only grows");
        }
    }

    @Test
    void roundsTrainScoreAndSelectAndLeaveAReport() {
        int[] truth = new int[200];
        Vectors pool = pool(truth);
        try (ActiveLoop loop = new ActiveLoop(pool, List.of("a", "b", "c", "d"), false, null, settings("margin"),
                "toy")) {
            RoundReport first = loop.round();
            assertEquals(0, first.modelVersion(), "no labels, no model");
            assertEquals(8, first.picks().size());
            assertTrue(first.picks().stream().allMatch(p -> p.strategy().equals("cold-start")));
            for (Pick p : first.picks()) {
                loop.label(p.row(), truth[p.row()]);
            }
            for (int r = 0; r < 3; r++) {
                RoundReport report = loop.round();
                assertEquals(r + 1, report.modelVersion());
                assertEquals(8 * (r + 1), report.labelsUsed());
                Set<Integer> labeled = loop.reports().stream().limit(r + 1).flatMap(x -> x.picks().stream())
                        .map(Pick::row).collect(Collectors.toSet());
                assertTrue(report.picks().stream().noneMatch(p -> labeled.contains(p.row())), "picks unlabeled rows");
                assertEquals("margin", report.strategy());
                assertEquals(8, report.picks().size(), "a full batch");
                assertEquals(8, report.picks().stream().map(Pick::row).distinct().count(), "distinct rows");
                assertEquals(Set.of(), report.picks().stream().map(Pick::row)
                        .filter(row -> row < 0 || row >= truth.length).collect(Collectors.toSet()), "rows of the pool");
                assertEquals(loop.labeledCount(), report.labelsUsed(), "trained on every label given");
                assertTrue(report.trainSeconds() > 0, "train time " + report.trainSeconds());
                assertTrue(report.selectSeconds() > 0 && Double.isFinite(report.selectSeconds()),
                        "select time " + report.selectSeconds());
                assertFalse(report.stop().signals().isEmpty());
                report.picks().forEach(p -> loop.label(p.row(), truth[p.row()]));
            }
            RoundReport last = loop.round();
            assertTrue(last.estimatedAccuracy() > 0.8, "cross-validated estimate " + last.estimatedAccuracy());
            assertFalse(last.weakestClasses().isEmpty());
            assertEquals(5, loop.stopHistory().size());
        }
    }

    @Test
    void badLabelsAreRejectedWithTheValueNamed() {
        int[] truth = new int[40];
        try (ActiveLoop loop = new ActiveLoop(pool(truth), List.of("a", "b", "c", "d"), false, null,
                settings("entropy"), "toy")) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> loop.label(40, 0)).getMessage()
                    .contains("row 40"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> loop.label(1, 4)).getMessage()
                    .contains("class 4"));
            assertThrows(IllegalArgumentException.class, () -> loop.label(1, 0, 1));
            assertEquals(0, loop.labeledCount(), "nothing half-stored");
            loop.label(1, 2);
            loop.label(1, 3);
            assertEquals(1, loop.labeledCount(), "relabeling replaces");
        }
        assertThrows(RuntimeException.class, () -> settings("no-such-strategy"));
    }

    @Test
    void sameSeedGivesTheSameRounds() {
        int[] truth = new int[120];
        Vectors pool = pool(truth);
        List<List<Integer>> runs = IntStream.range(0, 2).mapToObj(i -> {
            try (ActiveLoop loop = new ActiveLoop(pool, List.of("a", "b", "c", "d"), false, null, settings("bald"),
                    "toy")) {
                IntStream.range(0, 8).forEach(r -> loop.label(r, truth[r]));
                return loop.round().picks().stream().map(Pick::row).toList();
            }
        }).toList();
        assertEquals(runs.get(0), runs.get(1));
    }
}
