package quarry.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Metrics on hand-made confusions, checked against counts done by hand. */
@Tag("unit")
class MetricsTest {

    private static final double EPS = 1e-12;

    /*
     * truth      0 0 0 1 1 2 2 2 2 0
     * predicted  0 0 2 1 2 2 2 2 0 0      (class 3 of 4 never appears)
     * class 0: TP 3, FP 1, FN 1 -> P 3/4, R 3/4, F1 3/4, support 4
     * class 1: TP 1, FP 0, FN 1 -> P 1,   R 1/2, F1 2/3, support 2
     * class 2: TP 3, FP 2, FN 1 -> P 3/5, R 3/4, F1 2/3, support 4
     */
    @Test
    void accuracyMacroF1AndPerClassOnAHandMadeConfusion() {
        int[] truth = {0, 0, 0, 1, 1, 2, 2, 2, 2, 0};
        int[] predicted = {0, 0, 2, 1, 2, 2, 2, 2, 0, 0};
        SingleLabelMetrics m = Metrics.singleLabel(truth, predicted, 4);

        assertEquals(10, m.items());
        assertEquals(0.7, m.accuracy(), EPS);
        assertEquals(3, m.perClass().size(), "class 3 is absent from both sides and left out");
        assertClass(m.perClass().get(0), 0, 0.75, 0.75, 0.75, 4);
        assertClass(m.perClass().get(1), 1, 1.0, 0.5, 2.0 / 3, 2);
        assertClass(m.perClass().get(2), 2, 0.6, 0.75, 2.0 / 3, 4);
        assertEquals((0.75 + 2.0 / 3 + 2.0 / 3) / 3, m.macroF1(), EPS);
        assertEquals((0.75 + 1.0 + 0.6) / 3, m.macroPrecision(), EPS);
        assertEquals((0.75 + 0.5 + 0.75) / 3, m.macroRecall(), EPS);
        assertTrue(m.forClass(3).isEmpty());
        assertTrue(Double.isNaN(m.f1ByClass()[3]));
        assertEquals(0.75, m.f1ByClass()[0], EPS);
    }

    @Test
    void weakestFirstOrdersByF1ThenByLargerSupport() {
        int[] truth = {0, 0, 0, 1, 1, 2, 2, 2, 2, 0};
        int[] predicted = {0, 0, 2, 1, 2, 2, 2, 2, 0, 0};
        SingleLabelMetrics m = Metrics.singleLabel(truth, predicted, 4);
        // classes 1 and 2 tie at F1 2/3; class 2 has more true items, so it comes first
        assertEquals(List.of(2, 1, 0), m.weakestFirst().stream().map(ClassMetrics::cls).toList());
        assertEquals(List.of(2), m.weakest(1).stream().map(ClassMetrics::cls).toList());
    }

    @Test
    void aClassPredictedButNeverTrueCountsAsZeroInTheMacroAverage() {
        SingleLabelMetrics m = Metrics.singleLabel(new int[] {0, 0}, new int[] {0, 1}, 3);
        assertEquals(2, m.perClass().size());
        assertClass(m.perClass().get(1), 1, 0, 0, 0, 0);
        assertEquals((2.0 / 3 + 0) / 2, m.macroF1(), EPS);
        assertEquals(0.5, m.accuracy(), EPS);
    }

    @Test
    void perfectPredictionsScoreOne() {
        int[] y = {3, 1, 4, 1, 5, 9, 2, 6};
        SingleLabelMetrics m = Metrics.singleLabel(y, y, 10);
        assertEquals(1, m.accuracy(), 0);
        assertEquals(1, m.macroF1(), 0);
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> Metrics.singleLabel(new int[] {0}, new int[] {0, 1}, 2));
        assertThrows(IllegalArgumentException.class, () -> Metrics.singleLabel(new int[0], new int[0], 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Metrics.singleLabel(new int[] {0, 1}, new int[] {0, 7}, 2));
        assertTrue(e.getMessage().contains("7"), e.getMessage());
    }

    /*
     * truth          predicted
     * i0  1 0 1      1 0 0
     * i1  0 1 0      0 1 0
     * i2  1 1 0      1 0 1
     * i3  0 0 0      0 0 0
     * label 0: TP 2 FP 0 FN 0 -> F1 1;  label 1: TP 1 FP 0 FN 1 -> F1 2/3;  label 2: TP 0 FP 1 FN 1 -> F1 0
     * micro: TP 3 FP 1 FN 2 -> P 3/4, R 3/5, F1 6/9; exact rows: i1, i3; wrong decisions 3 of 12
     */
    @Test
    void multiLabelMicroMacroAndSubsetAccuracy() {
        boolean[][] truth = {{true, false, true}, {false, true, false}, {true, true, false}, {false, false, false}};
        boolean[][] predicted = {{true, false, false}, {false, true, false}, {true, false, true}, {false, false, false}};
        MultiLabelMetrics m = Metrics.multiLabel(truth, predicted);

        assertEquals(0.75, m.microPrecision(), EPS);
        assertEquals(0.6, m.microRecall(), EPS);
        assertEquals(6.0 / 9, m.microF1(), EPS);
        assertEquals((1 + 2.0 / 3 + 0) / 3, m.macroF1(), EPS);
        assertEquals(0.5, m.subsetAccuracy(), EPS);
        assertEquals(0.25, m.hammingLoss(), EPS);
        assertClass(m.perLabel().get(0), 0, 1, 1, 1, 2);
        assertClass(m.perLabel().get(1), 1, 1, 0.5, 2.0 / 3, 2);
        assertClass(m.perLabel().get(2), 2, 0, 0, 0, 1);
        assertEquals(List.of(2, 1, 0), m.weakestFirst().stream().map(ClassMetrics::cls).toList());
    }

    @Test
    void multiLabelLeavesOutLabelsAbsentFromBothSides() {
        boolean[][] truth = {{true, false}, {true, false}};
        boolean[][] predicted = {{true, false}, {false, false}};
        MultiLabelMetrics m = Metrics.multiLabel(truth, predicted);
        assertEquals(1, m.perLabel().size());
        assertEquals(2.0 / 3, m.macroF1(), EPS);
        assertEquals(2.0 / 3, m.microF1(), EPS);
    }

    @Test
    void multiLabelWithNothingTrueOrPredictedIsPerfect() {
        boolean[][] none = {{false, false}, {false, false}};
        MultiLabelMetrics m = Metrics.multiLabel(none, none);
        assertEquals(1, m.microF1(), 0);
        assertEquals(1, m.macroF1(), 0);
        assertEquals(1, m.subsetAccuracy(), 0);
        assertTrue(m.perLabel().isEmpty());
    }

    @Test
    void multiLabelRejectsRaggedRows() {
        boolean[][] truth = {{true, false}, {true}};
        boolean[][] predicted = {{true, false}, {true, false}};
        assertThrows(IllegalArgumentException.class, () -> Metrics.multiLabel(truth, predicted));
    }

    private static void assertClass(ClassMetrics m, int cls, double p, double r, double f1, int support) {
        assertEquals(cls, m.cls());
        assertEquals(p, m.precision(), EPS, "precision of " + cls);
        assertEquals(r, m.recall(), EPS, "recall of " + cls);
        assertEquals(f1, m.f1(), EPS, "F1 of " + cls);
        assertEquals(support, m.support(), "support of " + cls);
    }
}
