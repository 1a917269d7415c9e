package quarry.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SuspectLabelsTest {

    /** 3 labels × 40 examples whose model leans to their true label (60-95%); four given labels are flipped. */
    @Test
    void flippedLabelsAreFlaggedAndRankFirst() {
        SplittableRandom random = new SplittableRandom(5);
        int n = 120;
        float[][] p = new float[n][];
        int[] given = new int[n];
        for (int i = 0; i < n; i++) {
            int truth = i % 3;
            float top = 0.6f + 0.35f * (float) random.nextDouble();
            p[i] = new float[3];
            for (int c = 0; c < 3; c++) {
                p[i][c] = c == truth ? top : (1 - top) / 2;
            }
            given[i] = truth;
        }
        Set<Integer> flipped = Set.of(4, 17, 50, 91);
        for (int i : flipped) {
            // A wrong label on a typical example: the model is as sure of its true label as of most.
            p[i] = new float[3];
            p[i][i % 3] = 0.9f;
            p[i][(i + 1) % 3] = 0.04f;
            p[i][(i + 2) % 3] = 0.06f;
            given[i] = (given[i] + 1) % 3;
        }
        List<SuspectLabels.Suspect> ranked = SuspectLabels.rank(p, given);
        assertEquals(n, ranked.size(), "every example is ranked");
        Set<Integer> flagged = ranked.stream().filter(SuspectLabels.Suspect::flagged).map(SuspectLabels.Suspect::index)
                .collect(Collectors.toSet());
        assertEquals(flipped, flagged);
        assertEquals(flipped, ranked.subList(0, 4).stream().map(SuspectLabels.Suspect::index).collect(Collectors.toSet()));
        for (SuspectLabels.Suspect s : ranked.subList(0, 4)) {
            assertEquals(s.index() % 3, s.likely(), "the likely label is the true one");
            assertEquals(given[s.index()], s.given());
        }
        // After the flagged ones, the least self-confident come first.
        for (int r = 5; r < n; r++) {
            assertFalse(ranked.get(r).flagged());
            assertTrue(ranked.get(r - 1).selfConfidence() <= ranked.get(r).selfConfidence());
        }
    }

    @Test
    void cleanConfidentLabelsFlagNothing() {
        float[][] p = {{0.9f, 0.1f}, {0.8f, 0.2f}, {0.2f, 0.8f}, {0.1f, 0.9f}};
        assertTrue(SuspectLabels.rank(p, new int[] {0, 0, 1, 1}).stream().noneMatch(SuspectLabels.Suspect::flagged));
        assertTrue(SuspectLabels.rank(new float[0][], new int[0]).isEmpty());
    }

    @Test
    void mismatchedInputIsRefusedWithTheExample() {
        assertThrows(IllegalArgumentException.class, () -> SuspectLabels.rank(new float[][] {{1f, 0f}}, new int[] {0, 1}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SuspectLabels.rank(new float[][] {{1f, 0f}, {0f, 1f}}, new int[] {0, 2}));
        assertTrue(e.getMessage().startsWith("example 1: label 2"), e.getMessage());
    }
}
