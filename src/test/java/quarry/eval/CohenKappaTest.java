package quarry.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class CohenKappaTest {

    @Test
    void identicalPredictionsHaveKappaOne() {
        int[] a = {0, 3, 2, 2, 1, 0, 4, 3};
        assertEquals(1, CohenKappa.of(a, a.clone(), 5), 0);
        assertEquals(1, CohenKappa.of(a, a.clone()), 0);
    }

    @Test
    void bothConstantAndEqualIsDefinedAsOne() {
        int[] a = {2, 2, 2, 2};
        assertEquals(1, CohenKappa.of(a, a.clone(), 3), 0);
    }

    @Test
    void bothConstantButDifferentIsZero() {
        assertEquals(0, CohenKappa.of(new int[] {0, 0, 0}, new int[] {1, 1, 1}, 2), 0);
    }

    /*
     *            b = 0   b = 1
     *   a = 0      20       5
     *   a = 1      10      15      n = 50
     * p_o = 35/50 = 0.7; p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
     */
    @Test
    void handComputedTwoByTwo() {
        int[] a = new int[50];
        int[] b = new int[50];
        int i = 0;
        for (int k = 0; k < 20; k++, i++) {
            a[i] = 0;
            b[i] = 0;
        }
        for (int k = 0; k < 5; k++, i++) {
            a[i] = 0;
            b[i] = 1;
        }
        for (int k = 0; k < 10; k++, i++) {
            a[i] = 1;
            b[i] = 0;
        }
        for (int k = 0; k < 15; k++, i++) {
            a[i] = 1;
            b[i] = 1;
        }
        assertEquals(0.4, CohenKappa.of(a, b, 2), 1e-12);
        assertEquals(0.4, CohenKappa.of(b, a, 2), 1e-12, "symmetric");
    }

    @Test
    void completeDisagreementOnBalancedClassesIsMinusOne() {
        assertEquals(-1, CohenKappa.of(new int[] {0, 1, 0, 1}, new int[] {1, 0, 1, 0}, 2), 1e-12);
    }

    @Test
    void independentRandomPredictionsAreNearZero() {
        Random random = new Random(42);
        int n = 20_000;
        int[] a = new int[n];
        int[] b = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = random.nextInt(5);
            b[i] = random.nextInt(5);
        }
        assertEquals(0, CohenKappa.of(a, b, 5), 0.02);
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> CohenKappa.of(new int[] {0}, new int[] {0, 1}, 2));
        assertThrows(IllegalArgumentException.class, () -> CohenKappa.of(new int[0], new int[0], 2));
        assertThrows(IllegalArgumentException.class, () -> CohenKappa.of(new int[] {0, 2}, new int[] {0, 1}, 2));
    }
}
