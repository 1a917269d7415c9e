package quarry.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class PoolAccuracyTest {

    /**
     * The labeled items are the hard ones (low confidence), as active learning chooses them; the pool
     * is mostly easy. Predictions are right with probability equal to their confidence. The share
     * right among labeled items is far below the pool's; the calibrated estimate is not.
     */
    @Test
    void correctsForLabelsThatAreHarderThanThePool() {
        SplittableRandom random = new SplittableRandom(1);
        int n = 400;
        double[] confidence = new double[n];
        boolean[] correct = new boolean[n];
        int right = 0;
        for (int i = 0; i < n; i++) {
            confidence[i] = 0.2 + 0.6 * random.nextDouble() * random.nextDouble(); // mostly low
            correct[i] = random.nextDouble() < confidence[i];
            right += correct[i] ? 1 : 0;
        }
        int m = 20_000;
        double[] pool = new double[m];
        double truth = 0;
        for (int i = 0; i < m; i++) {
            pool[i] = 0.99 - 0.7 * random.nextDouble() * random.nextDouble() * random.nextDouble(); // mostly high
            truth += pool[i] / m;
        }
        PoolEstimate e = PoolAccuracy.estimate(confidence, correct, pool, 7);
        double labeledShare = (double) right / n;
        assertTrue(truth - labeledShare > 0.3, "the setup: labeled " + labeledShare + ", pool " + truth);
        // Above the labeled range the map holds its last value, which is the method's known
        // shortfall there: the estimate must still close most of the gap.
        assertTrue(Math.abs(e.accuracy() - truth) < (truth - labeledShare) / 3, "estimate " + e.accuracy()
                + " against " + truth + " (labeled share " + labeledShare + ")");
        assertTrue(e.low() <= e.accuracy() && e.accuracy() <= e.high(), e.toString());
        assertEquals(n, e.heldOut());
        assertEquals(m, e.poolSize());
        assertTrue(e.explanation().contains("20000 unlabeled documents"), e.explanation());
    }

    @Test
    void matchesTheTruthWhenPoolAndLabelsLookAlike() {
        SplittableRandom random = new SplittableRandom(2);
        int n = 2000;
        double[] confidence = new double[n];
        boolean[] correct = new boolean[n];
        double[] pool = new double[n];
        double truth = 0;
        for (int i = 0; i < n; i++) {
            confidence[i] = random.nextDouble();
            correct[i] = random.nextDouble() < confidence[i] * confidence[i];
            pool[i] = random.nextDouble();
            truth += pool[i] * pool[i] / n;
        }
        PoolEstimate e = PoolAccuracy.estimate(confidence, correct, pool, 3);
        assertEquals(truth, e.accuracy(), 0.03);
        assertTrue(e.low() < truth && truth < e.high(), "the interval holds the truth: " + e);
        assertTrue(e.high() - e.low() < 0.1, "2,000 items give a narrow interval: " + e);
    }

    @Test
    void aCalibrationAppliesToLaterPoolPredictions() {
        SplittableRandom random = new SplittableRandom(4);
        int n = 300;
        double[] confidence = new double[n];
        boolean[] correct = new boolean[n];
        for (int i = 0; i < n; i++) {
            confidence[i] = random.nextDouble();
            correct[i] = random.nextDouble() < confidence[i];
        }
        double[] pool = {0.2, 0.5, 0.9, 0.95};
        PoolAccuracy.Calibrated calibrated = PoolAccuracy.calibrate(confidence, correct, 11);
        assertEquals(PoolAccuracy.estimate(confidence, correct, pool, 11), calibrated.on(pool));
        // A later, more confident model: the same calibration gives a higher estimate.
        double[] later = {0.6, 0.8, 0.95, 0.99};
        assertTrue(calibrated.on(later).accuracy() > calibrated.on(pool).accuracy());
        assertNull(calibrated.on(new double[0]));
    }

    @Test
    void theCalibrationMapNeverFallsWithConfidence() {
        double[] c = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
        boolean[] k = {true, false, false, true, false, true};
        PoolAccuracy.Calibration map = PoolAccuracy.Calibration.fit(c, k);
        for (int b = 1; b < map.values().length; b++) {
            assertTrue(map.values()[b] > map.values()[b - 1]);
            assertTrue(map.starts()[b] > map.starts()[b - 1]);
        }
        // 1,0,0 pool to 1/3; then 1,0 to 1/2; then 1.
        assertEquals(3, map.values().length);
        assertEquals(1.0 / 3, map.values()[0], 1e-12);
        assertEquals(0.5, map.values()[1], 1e-12);
        assertEquals(1.0, map.values()[2], 1e-12);
        // Ties in confidence are one block.
        PoolAccuracy.Calibration tied = PoolAccuracy.Calibration.fit(new double[] {0.5, 0.5, 0.5},
                new boolean[] {true, false, true});
        assertEquals(1, tied.values().length);
        assertEquals(2.0 / 3, tied.values()[0], 1e-12);
    }

    @Test
    void tooLittleEvidenceGivesNoEstimateAndBadInputIsNamed() {
        assertNull(PoolAccuracy.estimate(new double[5], new boolean[5], new double[] {0.5}, 1));
        assertNull(PoolAccuracy.estimate(new double[30], new boolean[30], new double[0], 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PoolAccuracy.estimate(new double[3], new boolean[2], new double[1], 1));
        assertTrue(e.getMessage().contains("3 confidences but 2 outcomes"), e.getMessage());
    }
}
