package quarry.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class KrippendorffAlphaTest {

    /**
     * Krippendorff's own worked example ("Computing Krippendorff's alpha-reliability", 2011, nominal
     * data: 4 coders, 12 units, values 1–5, some missing), whose α is 0.743.
     */
    @Test
    void matchesThePublishedNominalExample() {
        List<int[]> units = List.of(
                new int[] {1, 1, 1}, new int[] {2, 2, 3, 2}, new int[] {3, 3, 3, 3}, new int[] {3, 3, 3, 3},
                new int[] {2, 2, 2, 2}, new int[] {1, 2, 3, 4}, new int[] {4, 4, 4, 4}, new int[] {1, 1, 2, 1},
                new int[] {2, 2, 2, 2}, new int[] {5, 5, 5}, new int[] {1, 1}, new int[] {3});
        assertEquals(0.743, KrippendorffAlpha.nominal(units, 6), 0.0005);
    }

    @Test
    void twoCodersCountedByHand() {
        List<int[]> units = List.of(new int[] {0, 0}, new int[] {0, 1}, new int[] {1, 1}, new int[] {1, 1});
        // Coincidences: o00 = 2, o01 = o10 = 1, o11 = 4; n = 8, n0 = 3, n1 = 5.
        // D_o = 2 ; expected pairs = 2 · 3 · 5 = 30 ; α = 1 − 7 · 2 / 30.
        assertEquals(1 - 7.0 * 2 / 30, KrippendorffAlpha.nominal(units, 2), 1e-12);
    }

    @Test
    void edgeCasesAndBadInput() {
        assertEquals(1.0, KrippendorffAlpha.nominal(List.of(new int[] {2, 2}, new int[] {2, 2, 2}), 3));
        assertTrue(Double.isNaN(KrippendorffAlpha.nominal(List.of(new int[] {1}, new int[0]), 3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KrippendorffAlpha.nominal(List.of(new int[] {0, 1}, new int[] {0, 7}), 3));
        assertTrue(e.getMessage().startsWith("item 1 has value 7"), e.getMessage());
    }

    @Test
    void perValueIsOneVsRestAlphaAndNaNForUnusedValues() {
        List<int[]> units = List.of(new int[] {0, 0}, new int[] {0, 1}, new int[] {1, 2}, new int[] {2, 2},
                new int[] {1});
        double[] per = KrippendorffAlpha.perValue(units, 4);
        List<int[]> zeroVsRest = List.of(new int[] {1, 1}, new int[] {1, 0}, new int[] {0, 0}, new int[] {0, 0},
                new int[] {0});
        assertEquals(KrippendorffAlpha.nominal(zeroVsRest, 2), per[0], 1e-12);
        assertTrue(per[1] < per[0], "value 1 is never agreed on");
        assertTrue(Double.isNaN(per[3]), "value 3 is never used");
        assertTrue(Double.isNaN(KrippendorffAlpha.perValue(List.of(new int[] {1}), 2)[1]), "a lone value pairs with nothing");
        assertThrows(IllegalArgumentException.class, () -> KrippendorffAlpha.perValue(List.of(new int[] {0, 9}), 2));
    }
}
