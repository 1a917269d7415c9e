package quarry.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import quarry.core.Vectors;
import quarry.model.Head;
import quarry.model.HeadConfig;
import quarry.model.Targets;

@Tag("integration")
class SelfTrainingTest {

    private static final List<String> LABELS = List.of("a", "b", "c", "d");

    /**
     * Four classes, each a long thin cloud along its own direction, starting near the origin where
     * the clouds meet; the only labels sit at the far tips. A head on the labels alone draws its
     * boundaries from four points; the pool shows where each cloud runs.
     */
    private static Vectors clouds(int[] truth, long seed) {
        Random random = new Random(seed);
        int dim = 8;
        float[][] rows = new float[truth.length][dim];
        for (int i = 0; i < truth.length; i++) {
            truth[i] = i % 4;
            double along = i < 8 ? 3 : random.nextDouble() * 3;
            for (int d = 0; d < dim; d++) {
                rows[i][d] = (float) (random.nextGaussian() * 0.8);
            }
            rows[i][truth[i]] += (float) along;
            rows[i][4 + truth[i]] += (float) (0.2 * along);
        }
        return Vectors.of(rows);
    }

    @Test
    void thePoolImprovesAHeadTrainedOnAFewLabels() {
        int[] truth = new int[808];
        Vectors all = clouds(truth, 3);
        int[] labeled = IntStream.range(0, 8).toArray();
        int[] test = IntStream.range(408, 808).toArray();
        Vectors pool = Vectors.of(IntStream.range(0, 408).mapToObj(all::row).toArray(float[][]::new));
        Targets y = Targets.singleLabel(LABELS, Arrays.stream(labeled).map(r -> truth[r]).toArray());
        HeadConfig config = HeadConfig.defaults().withHidden(32);
        SelfTraining semi = new SelfTraining(true, 0.5f, 0.5f, 10_000, 3, 0);
        try (Head supervised = Head.train(pool, labeled, y, config, null, "toy");
                Head refined = semi.refine(pool, labeled, y, supervised, config, "toy", 1)) {
            double before = accuracy(supervised, all, test, truth);
            double after = accuracy(refined, all, test, truth);
            assertTrue(after >= before + 0.01, "self-training " + after + " against labels alone " + before);
            assertEquals(8, supervised.training().examples(), "the supervised head is left as it was");
            assertTrue(refined.training().examples() > 8 && refined.training().examples() <= 408);
        }
    }

    @Test
    void pseudoLabelsNeverBecomeLabels() {
        int[] truth = new int[200];
        Vectors pool = clouds(truth, 4);
        LoopSettings settings = LoopSettings.defaults().withBatchSize(8).withHead(HeadConfig.defaults().withHidden(16))
                .withCrossValidation(2, 1).withStopSetSize(20);
        assertTrue(settings.selfTraining().enabled(), "self-training is on by default");
        try (ActiveLoop loop = new ActiveLoop(pool, LABELS, false, null, settings, "toy")) {
            for (int r = 0; r < 16; r++) {
                loop.label(r, truth[r]);
            }
            RoundReport report = loop.round();
            assertEquals(16, loop.labeledCount());
            assertEquals(16, report.labelsUsed());
            assertTrue(loop.head().training().examples() > 16, "the served head saw the pool");
            assertTrue(report.picks().stream().noneMatch(p -> p.row() < 16), "labeled rows are not asked again");
        }
    }

    @Test
    void badSettingsAreRefusedByName() {
        IllegalArgumentException weight = assertThrows(IllegalArgumentException.class,
                () -> new SelfTraining(true, 0f, 0.5f, 10, 3, 0));
        assertTrue(weight.getMessage().contains("weight"), weight.getMessage());
        IllegalArgumentException confidence = assertThrows(IllegalArgumentException.class,
                () -> new SelfTraining(true, 0.5f, 1f, 10, 3, 0));
        assertTrue(confidence.getMessage().contains("minConfidence"), confidence.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SelfTraining(true, 0.5f, 0.5f, 0, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> LoopSettings.defaults().withSelfTraining(null));
        assertFalse(SelfTraining.defaults().appliesTo(100, true), "multi-label heads do not self-train");
        assertFalse(SelfTraining.OFF.appliesTo(100, false));
        assertTrue(SelfTraining.defaults().appliesTo(100, false));
    }

    @Test
    void exampleWeightsMustBeBetweenZeroAndOne() {
        int[][] classes = {{0}, {1}};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Targets(LABELS, false, classes, new float[] {1f, 1.5f}));
        assertTrue(e.getMessage().contains("example 1") && e.getMessage().contains("1.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Targets(LABELS, false, classes, new float[] {1f}));
        assertEquals(0.25f, new Targets(LABELS, false, classes, new float[] {1f, 0.25f}).weights()[1]);
    }

    private static double accuracy(Head head, Vectors x, int[] rows, int[] truth) {
        int[][] predicted = head.predict(x, rows);
        int right = 0;
        for (int i = 0; i < rows.length; i++) {
            right += predicted[i][0] == truth[rows[i]] ? 1 : 0;
        }
        return (double) right / rows.length;
    }
}
