package quarry.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import quarry.core.Vectors;

@Tag("unit")
class SelectorTest {

    @Test
    void rankingIsByScoreWithSeededTieBreaksAndNanLast() {
        float[] score = {0.1f, Float.NaN, 0.9f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
        int[] a = Selector.ranking(score, 1);
        assertEquals(2, a[0]);
        assertEquals(0, a[8]);
        assertEquals(1, a[9]);
        assertArrayEquals(a, Selector.ranking(score, 1), "same seed, same order");
        boolean differs = false;
        for (long seed = 2; seed < 10 && !differs; seed++) {
            differs = !Arrays.equals(a, Selector.ranking(score, seed));
        }
        assertTrue(differs, "ties are broken differently by other seeds");
    }

    @Test
    void negativeScoresRankBelowPositiveOnes() {
        int[] order = Selector.ranking(new float[] {-2f, 3f, -0.5f, 0f}, 7);
        assertArrayEquals(new int[] {1, 3, 2, 0}, order);
    }

    @Test
    void diverseBatchNeverHoldsTwoPicksCloserThanTau() {
        Synthetic data = Synthetic.clusters(5, 40, 16, 0.3, 3);
        Vectors pool = Vectors.of(data.vectors);
        int[] rows = new int[pool.size()];
        Arrays.setAll(rows, i -> i);
        Scores scores = Scores.empty(rows);
        for (int i = 0; i < rows.length; i++) {
            scores.score()[i] = data.cluster[i] == 0 ? 1f : 0.5f; // the best scores all sit in one cluster
        }
        QueryContext ctx = QueryContext.of(pool, rows);
        double tau = 0.8;
        int[] picked = new Selector(tau, false).select(ctx, scores, 10);
        assertTrue(picked.length > 1);
        for (int i = 0; i < picked.length; i++) {
            for (int j = i + 1; j < picked.length; j++) {
                assertTrue(ColdStart.dot(data.vectors[picked[i]], data.vectors[picked[j]]) < tau);
            }
        }
        int[] plain = new Selector(Double.NaN, false).select(ctx, scores, 10);
        assertTrue(Arrays.stream(plain).allMatch(i -> data.cluster[i] == 0), "without diversity: one cluster");
        assertFalse(Arrays.stream(picked).allMatch(i -> data.cluster[i] == 0), "with diversity: spread out");
    }

    @Test
    void classBalancedGivesRarePredictedClassesTheFirstTurns() {
        int[] rows = {0, 1, 2, 3, 4, 5};
        Scores scores = Scores.empty(rows);
        float[] s = {0.9f, 0.8f, 0.7f, 0.6f, 0.2f, 0.1f};
        int[] predicted = {0, 0, 0, 0, 1, 2};
        System.arraycopy(s, 0, scores.score(), 0, 6);
        System.arraycopy(predicted, 0, scores.predicted(), 0, 6);
        QueryContext ctx = QueryContext.of(Vectors.of(new float[6][2]), rows).withLabelCounts(new int[] {50, 1, 3}, 1);
        assertArrayEquals(new int[] {4, 5, 0}, new Selector(Double.NaN, true).select(ctx, scores, 3));
        assertArrayEquals(new int[] {0, 1, 2}, new Selector(Double.NaN, false).select(ctx, scores, 3));
    }
}
