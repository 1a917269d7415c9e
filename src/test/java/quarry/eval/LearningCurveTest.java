package quarry.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Labels-to-target arithmetic. Scores are dyadic fractions so the interpolation is exact. */
@Tag("unit")
class LearningCurveTest {

    private static final LearningCurve CURVE =
            LearningCurve.of(new int[] {100, 200, 300, 400}, new double[] {0.5, 0.625, 0.75, 0.875});

    @Test
    void interpolatesBetweenThePointsThatStraddleTheTarget() {
        // 0.6875 lies halfway from 0.625 (200 labels) to 0.75 (300 labels)
        assertEquals(250.0, CURVE.labelsToReach(0.6875).getAsDouble(), 0);
        // a quarter of the way from 0.5 to 0.625
        assertEquals(125.0, CURVE.labelsToReach(0.53125).getAsDouble(), 0);
    }

    @Test
    void aTargetHitExactlyIsReachedAtThatPoint() {
        assertEquals(300.0, CURVE.labelsToReach(0.75).getAsDouble(), 0);
        assertEquals(400.0, CURVE.labelsToReach(0.875).getAsDouble(), 0);
    }

    @Test
    void neverReachedIsEmpty() {
        assertTrue(CURVE.labelsToReach(0.9).isEmpty());
    }

    @Test
    void aTargetBelowTheFirstPointIsReachedAtTheFirstPoint() {
        assertEquals(100.0, CURVE.labelsToReach(0.25).getAsDouble(), 0);
    }

    @Test
    void theFirstCrossingCountsWhenTheCurveDips() {
        LearningCurve bumpy = LearningCurve.of(new int[] {100, 200, 300, 400}, new double[] {0.5, 0.75, 0.625, 1.0});
        // 0.6875 = 0.5 + 0.75 * (0.75 - 0.5): three quarters from 100 to 200 labels
        assertEquals(175.0, bumpy.labelsToReach(0.6875).getAsDouble(), 0);
    }

    @Test
    void shareOfFullDataScore() {
        // 95% of a full-data score of 0.75 is 0.7125: 0.7 of the way from 0.625 to 0.75
        assertEquals(270.0, CURVE.labelsToReachShare(0.95, 0.75).getAsDouble(), 1e-9);
        assertEquals(300.0, CURVE.labelsToReachShare(0.5, 1.5).getAsDouble(), 0);
    }

    @Test
    void pointsAreSortedAndDuplicatesRejected() {
        LearningCurve unsorted = LearningCurve.of(new int[] {300, 100, 200}, new double[] {0.75, 0.5, 0.625});
        assertEquals(List.of(100, 200, 300), unsorted.points().stream().map(LearningCurve.Point::labels).toList());
        assertThrows(IllegalArgumentException.class,
                () -> LearningCurve.of(new int[] {100, 100}, new double[] {0.5, 0.6}));
        assertThrows(IllegalArgumentException.class,
                () -> LearningCurve.of(new int[] {100, 200}, new double[] {0.5, Double.NaN}));
    }

    @Test
    void ratioOfRandomToStrategyLabels() {
        assertEquals(2.0, LearningCurve.timesFewer(300, 150), 0);
        assertEquals(1724.0 / 1004.0, LearningCurve.timesFewer(1724, 1004), 0);
        assertEquals(0.5, LearningCurve.labelsSaved(300, 150), 0);
        assertTrue(Double.isNaN(LearningCurve.timesFewer(Double.NaN, 150)));
        assertEquals(2.0, LearningCurve.timesFewer(OptionalDouble.of(300), OptionalDouble.of(150)).getAsDouble(), 0);
        assertTrue(LearningCurve.timesFewer(OptionalDouble.of(300), OptionalDouble.empty()).isEmpty());
        assertTrue(LearningCurve.timesFewer(OptionalDouble.empty(), OptionalDouble.of(150)).isEmpty());
    }

    @Test
    void ratioFromTwoCurves() {
        LearningCurve random = LearningCurve.of(new int[] {100, 200, 300, 400}, new double[] {0.5, 0.5625, 0.625, 0.75});
        LearningCurve strategy = CURVE;
        // target 0.75: random needs 400, the strategy 300
        OptionalDouble ratio = LearningCurve.timesFewer(random.labelsToReach(0.75), strategy.labelsToReach(0.75));
        assertEquals(4.0 / 3.0, ratio.getAsDouble(), 1e-12);
    }

    @Test
    void scoreAtInterpolates() {
        assertEquals(0.6875, CURVE.scoreAt(250), 0);
        assertEquals(0.5, CURVE.scoreAt(100), 0);
        assertEquals(0.875, CURVE.scoreAt(400), 0);
        assertTrue(Double.isNaN(CURVE.scoreAt(50)));
    }

    @Test
    void meanOfSeeds() {
        LearningCurve a = LearningCurve.of(new int[] {100, 200}, new double[] {0.5, 0.75});
        LearningCurve b = LearningCurve.of(new int[] {100, 200}, new double[] {0.25, 0.5});
        LearningCurve mean = LearningCurve.mean(List.of(a, b));
        assertEquals(0.375, mean.points().get(0).score(), 0);
        assertEquals(0.625, mean.points().get(1).score(), 0);
        LearningCurve other = LearningCurve.of(new int[] {100, 250}, new double[] {0.5, 0.75});
        assertThrows(IllegalArgumentException.class, () -> LearningCurve.mean(List.of(a, other)));
    }

    @Test
    void flattenedWhereNoLaterPointGainsMoreThanOnePercentOfFinal() {
        double[] scores = {0.5, 0.7, 0.8, 0.85, 0.86, 0.865, 0.87};
        // 1% of the final 0.87 is 0.0087: from 0.86 a later point still gains 0.01, from 0.865 only 0.005
        assertEquals(5, LearningCurve.flattenedIndex(scores, 0.01));
        LearningCurve curve = LearningCurve.of(new int[] {100, 200, 300, 400, 500, 600, 700}, scores);
        assertEquals(5, curve.flattenedIndex());
        assertEquals(600, curve.flattenedLabels(0.01));
        // a looser tolerance (2% of 0.87 = 0.0174) accepts 0.86
        assertEquals(4, LearningCurve.flattenedIndex(scores, 0.02));
    }

    @Test
    void flattenedLooksAtEveryLaterPointNotJustTheNext() {
        // after 0.9 at index 1 nothing gains, even though the curve dips and recovers
        assertEquals(1, LearningCurve.flattenedIndex(new double[] {0.5, 0.9, 0.8, 0.9}, 0.01));
        // a late jump moves the flattening point past it
        assertEquals(3, LearningCurve.flattenedIndex(new double[] {0.5, 0.6, 0.6, 0.9}, 0.01));
        assertEquals(0, LearningCurve.flattenedIndex(new double[] {0.7}, 0.01));
    }
}
