package quarry.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import quarry.core.DomainException;

/** The cost figures from small known histories, worked out by hand. */
@Tag("unit")
class CostAccountingTest {

    private static final double EPS = 1e-9;

    private static CostAccounting.Settings hourly(double rate) {
        return new CostAccounting.Settings("EUR", rate, null, null, null);
    }

    /** 60% at 100 labels, 70% at 200, 80% at 300. */
    private static LearningCurve curve() {
        return LearningCurve.of(new int[] {100, 200, 300}, new double[] {0.60, 0.70, 0.80});
    }

    @Test
    void anHourlyRateTimesTheMedianTimeOnItem() {
        // 5 annotations (4 labels, 1 skip), 4 timed: median of 10, 20, 30, 100 is 25 s; the untimed one counts 25 s.
        CostAccounting.Effort effort = new CostAccounting.Effort(5, 4, List.of(10.0, 20.0, 30.0, 100.0));
        CostAccounting.Report r = CostAccounting.live(hourly(36), effort, curve(), "estimated accuracy");
        assertEquals("hourly", r.basis());
        assertEquals("EUR", r.currency());
        assertEquals(25, r.secondsPerLabel().value(), EPS);
        assertTrue(r.secondsPerLabel().source().contains("median"), r.secondsPerLabel().source());
        assertEquals(0.25, r.costPerLabel().value(), EPS, "25 s at 36 an hour");
        assertEquals(185.0 / 3600, r.hoursSpent().value(), EPS, "160 s measured + 25 s for the untimed one");
        assertEquals(185.0 / 3600 * 36, r.moneySpent().value(), EPS);
        assertEquals(20, r.accuracyGained().value(), EPS, "60% → 80%");
        // the 200 labels after the first estimate at 0.25 each, over 20 points
        assertEquals(2.5, r.costPerAccuracyPoint().value(), EPS);
        assertEquals(80, r.targetAccuracy().value(), EPS);
    }

    @Test
    void aFixedCostPerLabelLeavesSkipsFree() {
        CostAccounting.Settings perLabel = new CostAccounting.Settings("USD", null, 0.5, null, null);
        CostAccounting.Report r = CostAccounting.live(perLabel, new CostAccounting.Effort(10, 8, List.of()), curve(),
                "estimated accuracy");
        assertEquals("perLabel", r.basis());
        assertEquals(0.5, r.costPerLabel().value(), EPS);
        assertEquals(4.0, r.moneySpent().value(), EPS, "8 labels, the 2 skips free");
        assertEquals(5.0, r.costPerAccuracyPoint().value(), EPS, "200 labels × 0.5 ÷ 20 points");
        assertFalse(r.hoursSpent().known(), "no time measured");
        assertTrue(r.hoursSpent().unavailable().contains("secondsOnItem"), r.hoursSpent().unavailable());
    }

    @Test
    void savingsOfALiveProjectNeedAStoredRatioAndAreNeverInvented() {
        CostAccounting.Effort effort = new CostAccounting.Effort(300, 300, List.of(20.0));
        CostAccounting.Report none = CostAccounting.live(hourly(30), effort, curve(), "estimated accuracy");
        assertNull(none.labelsSaved().value());
        assertTrue(none.labelsSaved().unavailable().contains("no random-sampling curve"), none.labelsSaved().unavailable());
        assertNull(none.moneySaved().value());
        assertNull(none.hoursSaved().value());

        CostAccounting.Settings withRatio = new CostAccounting.Settings("EUR", 30.0, null, 2.5, "simulate clinc150 valid");
        CostAccounting.Report r = CostAccounting.live(withRatio, effort, curve(), "estimated accuracy");
        assertEquals(450, r.labelsSaved().value(), EPS, "random needs 2.5 × 300 = 750 labels, 450 more");
        assertEquals(450 * 20.0 / 3600, r.hoursSaved().value(), EPS);
        assertEquals(450 * 20.0 / 3600 * 30, r.moneySaved().value(), EPS);
        assertTrue(r.labelsSaved().source().contains("simulate clinc150 valid"), r.labelsSaved().source());
    }

    @Test
    void whatCannotBeComputedSaysWhy() {
        CostAccounting.Report empty = CostAccounting.live(CostAccounting.Settings.NONE,
                new CostAccounting.Effort(0, 0, List.of()), null, "estimated accuracy");
        assertEquals("none", empty.basis());
        assertTrue(empty.costPerLabel().unavailable().contains("no hourly rate"), empty.costPerLabel().unavailable());
        assertTrue(empty.secondsPerLabel().unavailable().contains("nothing labeled"));
        assertTrue(empty.accuracyGained().unavailable().contains("has 0"), empty.accuracyGained().unavailable());
        assertFalse(empty.targetAccuracy().known());

        // An hourly rate without any measured time: no cost per label, and the reason is the time.
        CostAccounting.Report untimed = CostAccounting.live(hourly(30), new CostAccounting.Effort(3, 3, List.of()),
                curve(), "estimated accuracy");
        assertFalse(untimed.costPerLabel().known());
        assertFalse(untimed.costPerAccuracyPoint().known());

        // Accuracy that fell is no gain to put a price on.
        LearningCurve falling = LearningCurve.of(new int[] {100, 200}, new double[] {0.7, 0.65});
        CostAccounting.Report r = CostAccounting.live(hourly(30), new CostAccounting.Effort(1, 1, List.of(10.0)),
                falling, "estimated accuracy");
        assertEquals(-5, r.accuracyGained().value(), EPS);
        assertTrue(r.costPerAccuracyPoint().unavailable().contains("no accuracy gained"));
    }

    @Test
    void aSimulationComparesWithItsOwnRandomCurveAtTheAccuracyBothReach() {
        // Active learning: 60% at 100, 80% at 200, 90% at 300. Random: 60%, 70%, 75%, 80% at 100..400.
        LearningCurve al = LearningCurve.of(new int[] {100, 200, 300}, new double[] {0.6, 0.8, 0.9});
        LearningCurve random = LearningCurve.of(new int[] {100, 200, 300, 400}, new double[] {0.6, 0.7, 0.75, 0.8});
        CostAccounting.Report r = CostAccounting.simulated(hourly(36), 20, al, random, "valid accuracy");
        assertEquals(0.2, r.costPerLabel().value(), EPS, "20 s at 36 an hour");
        assertEquals(60, r.moneySpent().value(), EPS, "300 labels");
        assertEquals(300 * 20.0 / 3600, r.hoursSpent().value(), EPS);
        assertEquals(30, r.accuracyGained().value(), EPS);
        assertEquals(200 * 0.2 / 30, r.costPerAccuracyPoint().value(), EPS);
        assertEquals(80, r.targetAccuracy().value(), EPS, "random's final, the lower of the two");
        assertEquals(200, r.labelsSaved().value(), EPS, "random reaches 80% at 400, active learning at 200");
        assertEquals(2.0, r.ratioToRandom().value(), EPS);
        assertEquals(200 * 20.0 / 3600, r.hoursSaved().value(), EPS);
        assertEquals(40, r.moneySaved().value(), EPS);

        // Interpolated: a target between rounds costs fractional labels on both sides.
        LearningCurve weak = LearningCurve.of(new int[] {100, 200}, new double[] {0.6, 0.7});
        CostAccounting.Report w = CostAccounting.simulated(hourly(36), 20, weak, random, "valid accuracy");
        assertEquals(70, w.targetAccuracy().value(), EPS, "its own final, below random's");
        assertEquals(0, w.labelsSaved().value(), EPS, "both reach 70% at 200 labels");

        CostAccounting.Report alone = CostAccounting.simulated(hourly(36), 20, al, null, "valid accuracy");
        assertTrue(alone.labelsSaved().unavailable().contains("random sampling was not simulated"));
        assertThrows(IllegalArgumentException.class, () -> CostAccounting.simulated(hourly(36), 0, al, random, "x"));
    }

    @Test
    void settingsAreCheckedNamingTheField() {
        assertEquals("costPerLabel", field(new CostAccounting.Settings("EUR", 30.0, 0.5, null, null)));
        assertEquals("currency", field(new CostAccounting.Settings("eur", 30.0, null, null, null)));
        assertEquals("currency", field(new CostAccounting.Settings("=1+1", null, 1.0, null, null)));
        assertEquals("currency", field(new CostAccounting.Settings(null, 30.0, null, null, null)), "a rate needs its currency");
        assertEquals("hourlyRate", field(new CostAccounting.Settings("EUR", -1.0, null, null, null)));
        assertEquals("hourlyRate", field(new CostAccounting.Settings("EUR", 0.0, null, null, null)));
        assertEquals("costPerLabel", field(new CostAccounting.Settings("EUR", null, 2e6, null, null)));
        assertEquals("randomRatio", field(new CostAccounting.Settings(null, null, null, 0.0, null)));
        assertEquals("randomRatioSource", field(new CostAccounting.Settings(null, null, null, null, "x")));
        assertEquals("randomRatioSource", field(new CostAccounting.Settings(null, null, null, 2.0, "a\u0000b")));
        assertEquals(CostAccounting.Settings.NONE, CostAccounting.Settings.NONE.checked());
    }

    private static String field(CostAccounting.Settings s) {
        DomainException.InvalidInput e = assertThrows(DomainException.InvalidInput.class, s::checked);
        return (String) e.details().get("field");
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertEquals(2.5, CostAccounting.median(List.of(4.0, 1.0, 3.0, 2.0)), EPS);
        assertEquals(3.0, CostAccounting.median(List.of(5.0, 3.0, 1.0)), EPS);
        assertEquals("0.1667", CostAccounting.format(1.0 / 6));
        assertEquals("30", CostAccounting.format(30));
    }
}
