package quarry.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class CrossValidationTest {

    /** Classes of 7, 3, 1 and 12 items, shuffled together: 23 items. */
    private static int[] labels() {
        int[] y = new int[23];
        int i = 0;
        for (int[] group : new int[][] {{5, 7}, {2, 3}, {9, 1}, {0, 12}}) {
            for (int k = 0; k < group[1]; k++) {
                y[i++] = group[0];
            }
        }
        // interleave so that position says nothing about class
        int[] mixed = new int[y.length];
        for (int p = 0; p < y.length; p++) {
            mixed[p] = y[(p * 10) % y.length];
        }
        return mixed;
    }

    @Test
    void everyIndexIsHeldOutExactlyOnce() {
        int[] y = labels();
        List<CrossValidation.Fold> folds = CrossValidation.stratifiedFolds(y, 5, 7L);
        assertEquals(5, folds.size());
        int[] heldOut = new int[y.length];
        for (CrossValidation.Fold f : folds) {
            for (int i : f.test()) {
                heldOut[i]++;
            }
            assertEquals(y.length, f.train().length + f.test().length);
            Set<Integer> train = new HashSet<>();
            Arrays.stream(f.train()).forEach(train::add);
            for (int i : f.test()) {
                assertFalse(train.contains(i), "index " + i + " is both trained on and held out in fold " + f.index());
            }
            assertSorted(f.train());
            assertSorted(f.test());
        }
        for (int i = 0; i < y.length; i++) {
            assertEquals(1, heldOut[i], "index " + i);
        }
    }

    @Test
    void foldsAreBalancedAndStratified() {
        int[] y = labels();
        int k = 5;
        int[] fold = CrossValidation.stratifiedAssignment(y, k, 11L);
        int[] size = new int[k];
        for (int f : fold) {
            size[f]++;
        }
        int min = Arrays.stream(size).min().getAsInt();
        int max = Arrays.stream(size).max().getAsInt();
        assertTrue(max - min <= 1, "fold sizes " + Arrays.toString(size));
        for (int cls : new int[] {5, 2, 9, 0}) {
            int members = 0;
            int[] perFold = new int[k];
            for (int i = 0; i < y.length; i++) {
                if (y[i] == cls) {
                    members++;
                    perFold[fold[i]]++;
                }
            }
            int lo = members / k;
            int hi = (members + k - 1) / k;
            for (int c : perFold) {
                assertTrue(c >= lo && c <= hi, "class " + cls + " spread " + Arrays.toString(perFold));
            }
        }
    }

    @Test
    void aClassSmallerThanKStillWorks() {
        int[] y = {0, 0, 0, 0, 0, 0, 1, 1};
        int[] fold = CrossValidation.stratifiedAssignment(y, 5, 3L);
        assertTrue(fold[6] != fold[7], "the two members of class 1 go to different folds");
        List<CrossValidation.Fold> folds = CrossValidation.stratifiedFolds(y, 5, 3L);
        assertEquals(8, folds.stream().mapToInt(f -> f.test().length).sum());
    }

    @Test
    void deterministicPerSeed() {
        int[] y = labels();
        assertArrayEquals(CrossValidation.stratifiedAssignment(y, 4, 99L), CrossValidation.stratifiedAssignment(y, 4, 99L));
        boolean anyDifferent = false;
        for (long seed = 0; seed < 5 && !anyDifferent; seed++) {
            anyDifferent = !Arrays.equals(CrossValidation.stratifiedAssignment(y, 4, 99L),
                    CrossValidation.stratifiedAssignment(y, 4, seed));
        }
        assertTrue(anyDifferent, "another seed gives other folds");
        List<CrossValidation.Fold> a = CrossValidation.folds(30, 3, 5L);
        List<CrossValidation.Fold> b = CrossValidation.folds(30, 3, 5L);
        for (int f = 0; f < 3; f++) {
            assertArrayEquals(a.get(f).test(), b.get(f).test());
            assertEquals(10, a.get(f).test().length);
        }
    }

    @Test
    void rejectsImpossibleK() {
        assertThrows(IllegalArgumentException.class, () -> CrossValidation.stratifiedFolds(new int[] {0, 1}, 3, 1L));
        assertThrows(IllegalArgumentException.class, () -> CrossValidation.stratifiedFolds(new int[] {0, 1}, 1, 1L));
        assertThrows(IllegalArgumentException.class, () -> CrossValidation.folds(4, 5, 1L));
    }

    private static void assertSorted(int[] a) {
        for (int i = 1; i < a.length; i++) {
            assertTrue(a[i - 1] < a[i], Arrays.toString(a));
        }
    }
}
