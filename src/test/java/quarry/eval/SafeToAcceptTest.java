package quarry.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SafeToAcceptTest {

    /**
     * 100 held-out items with confidences 1.00, 0.99, …, 0.01 (rank r has confidence (100 − r)/100).
     * Ranks 10 and 20 are wrong; from rank 60 on every odd rank is wrong.
     * Cumulative precision: 48/50 at 50 items, 59/62, 60/63 = 0.952 at 63 items, then 60/64 = 0.9375
     * and below for good. So at target 0.95 the lowest threshold is rank 62's confidence, 0.38.
     */
    private static double[] confidence() {
        double[] c = new double[100];
        for (int r = 0; r < 100; r++) {
            c[r] = (100 - r) / 100.0;
        }
        return c;
    }

    private static boolean[] correct() {
        boolean[] ok = new boolean[100];
        for (int r = 0; r < 100; r++) {
            ok[r] = r < 60 ? r != 10 && r != 20 : r % 2 == 0;
        }
        return ok;
    }

    @Test
    void picksTheLowestThresholdMeetingTheTarget() {
        double[] pool = {0.1, 0.37, 0.38, 0.5, 0.99};
        AcceptThreshold t = SafeToAccept.choose(confidence(), correct(), pool, SafeToAccept.DEFAULT_TARGET,
                SafeToAccept.DEFAULT_MIN_SUPPORT);

        assertTrue(t.found());
        assertEquals(0.38, t.threshold(), 0);
        assertEquals(63, t.support());
        assertEquals(60, t.correct());
        assertEquals(60.0 / 63, t.precision(), 1e-12);
        assertEquals(100, t.labeledItems());
        assertEquals(SafeToAccept.DEFAULT_MIN_SUPPORT, t.minSupport());
        assertTrue(t.precisionLow() < t.precision() && t.precision() < t.precisionHigh());
        assertEquals(3, t.poolAccepted(), "0.38, 0.5 and 0.99 are at or above 0.38");
        assertEquals(5, t.poolSize());
        assertEquals(0.6, t.poolShare(), 1e-12);
        assertTrue(t.explanation().contains("lowest confidence"), t.explanation());
        assertTrue(t.explanation().contains("95.0%"), t.explanation());
    }

    /**
     * 400 items, confidence falling with rank; one error in every 40 of the first 300 ranks, then
     * every other rank wrong. The point rule stops where the running precision falls to 95%; the
     * default rule stops earlier (a higher threshold), where the one-sided 95% lower bound still
     * reaches 95%, and no lower candidate's bound does.
     */
    @Test
    void byDefaultTheLowerBoundOfThePrecisionMustReachTheTarget() {
        int n = 400;
        double[] c = new double[n];
        boolean[] ok = new boolean[n];
        for (int r = 0; r < n; r++) {
            c[r] = (n - r) / (double) n;
            ok[r] = r < 300 ? r % 40 != 39 : r % 2 == 0;
        }
        AcceptThreshold point = SafeToAccept.choose(c, ok, new double[0], 0.95, 50);
        AcceptThreshold sure = SafeToAccept.choose(c, ok, new double[0]);
        assertTrue(point.found() && sure.found());
        assertTrue(sure.threshold() > point.threshold(), sure.threshold() + " vs " + point.threshold());
        assertTrue(SafeToAccept.wilson(sure.correct(), sure.support(), SafeToAccept.ONE_SIDED_95)[0] >= 0.95);
        // Every lower threshold (one more item each, ranks past the chosen one) fails the bound.
        int right = sure.correct();
        for (int k = sure.support(); k < n; k++) {
            right += ok[k] ? 1 : 0;
            assertTrue(SafeToAccept.wilson(right, k + 1, SafeToAccept.ONE_SIDED_95)[0] < 0.95, "rank " + k);
        }
        assertTrue(sure.explanation().contains("correct with 95% confidence"), sure.explanation());
        assertTrue(sure.precision() > 0.97, "a bound at 95% needs a held-out precision well above it: " + sure);
        assertEquals(0.05, SafeToAccept.oneSidedTail(SafeToAccept.ONE_SIDED_95), 1e-6);
    }

    @Test
    void theInputOrderDoesNotMatter() {
        double[] c = confidence();
        boolean[] ok = correct();
        double[] rc = new double[100];
        boolean[] rok = new boolean[100];
        for (int i = 0; i < 100; i++) {
            rc[i] = c[99 - i];
            rok[i] = ok[99 - i];
        }
        assertEquals(0.38, SafeToAccept.choose(rc, rok, new double[0], 0.95, 50).threshold(), 0);
    }

    @Test
    void aStricterTargetGivesAHigherThreshold() {
        // at 0.97 only the top 9 items qualify by precision but 9 < 50, and 50 items already hold 2 errors
        AcceptThreshold strict = SafeToAccept.choose(confidence(), correct(), new double[] {0.5}, 0.97, 50);
        assertFalse(strict.found());
        // with a minimum of 5 the top 10 items (all correct) decide: lowest such threshold is rank 9, 0.91
        AcceptThreshold small = SafeToAccept.choose(confidence(), correct(), new double[] {0.5, 0.95}, 0.97, 5);
        assertTrue(small.found());
        // ranks 0..9 all right (10/10); rank 10 wrong -> 10/11 = 0.909; later 0.97 is never met again
        assertEquals(0.91, small.threshold(), 0);
        assertEquals(10, small.support());
        assertEquals(0.5, small.poolShare(), 0);
    }

    @Test
    void theMinimumCountStopsAHandfulOfItemsFromDeciding() {
        // the 3 most confident are right, then precision settles near 0.9 for good
        int n = 60;
        double[] c = new double[n];
        boolean[] ok = new boolean[n];
        for (int r = 0; r < n; r++) {
            c[r] = 1 - r / 100.0;
            ok[r] = r < 3 || r % 10 != 5;
        }
        AcceptThreshold decidedByThree = SafeToAccept.choose(c, ok, new double[0], 0.95, 3);
        assertTrue(decidedByThree.found(), "with a minimum of 3 the top items decide");
        AcceptThreshold guarded = SafeToAccept.choose(c, ok, new double[0], 0.95, 50);
        assertFalse(guarded.found());
        assertTrue(Double.isNaN(guarded.threshold()));
        assertEquals(0, guarded.poolShare(), 0);
        assertTrue(guarded.explanation().startsWith("No confidence threshold reached 95.0%"), guarded.explanation());
    }

    @Test
    void tooFewHeldOutItemsChoosesNothing() {
        AcceptThreshold t = SafeToAccept.choose(new double[] {0.9, 0.8}, new boolean[] {true, true},
                new double[] {0.95});
        assertFalse(t.found());
        assertEquals(2, t.labeledItems());
        assertTrue(t.explanation().contains("at least 50"), t.explanation());
    }

    @Test
    void theLowestQualifyingThresholdWinsEvenAfterAFailingOne() {
        // precision at 1, 2, 3, 4 items: 1.0, 0.5, 0.667, 0.75
        double[] c = {0.9, 0.8, 0.7, 0.6};
        boolean[] ok = {true, false, true, true};
        AcceptThreshold t = SafeToAccept.choose(c, ok, new double[] {0.65, 0.6, 0.1}, 0.75, 1);
        assertEquals(0.6, t.threshold(), 0);
        assertEquals(0.75, t.precision(), 0);
        assertEquals(2, t.poolAccepted());
    }

    @Test
    void tiedConfidencesAreJudgedTogether() {
        // 0.9 covers both tied items (1 of 2 right); on its own the first would have qualified
        AcceptThreshold t = SafeToAccept.choose(new double[] {0.9, 0.9, 0.8}, new boolean[] {true, false, true},
                new double[0], 0.9, 1);
        assertFalse(t.found());
    }

    @Test
    void wilsonIntervalMatchesAKnownValue() {
        // 95% Wilson interval of 60/63 is about 0.8693 to 0.9837
        double[] ci = SafeToAccept.wilson(60, 63, 1.959963984540054);
        assertEquals(0.8693, ci[0], 5e-4);
        assertEquals(0.9837, ci[1], 5e-4);
    }
}
