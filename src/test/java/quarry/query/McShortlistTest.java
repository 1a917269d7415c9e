package quarry.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import quarry.core.ArrayVectors;
import quarry.core.Classifier;
import quarry.core.McStats;
import quarry.core.Pick;
import quarry.core.Vectors;

/** BALD and variation ratio over a large pool score only a margin shortlist with MC dropout. */
@Tag("unit")
class McShortlistTest {

    /** Two-class probabilities per row and a BALD per row that the test chooses; counts MC-scored rows. */
    private static final class Known implements Classifier {
        final float[][] p;
        final float[] bald;
        final FixedClassifier fixed;
        int mcRows;

        Known(float[][] p, float[] bald) {
            this.p = p;
            this.bald = bald;
            this.fixed = new FixedClassifier(List.of("a", "b"), p);
        }

        @Override
        public List<String> labels() {
            return fixed.labels();
        }

        @Override
        public float[] thresholds() {
            return null;
        }

        @Override
        public float[][] probabilities(Vectors x, int[] rows) {
            return fixed.probabilities(x, rows);
        }

        @Override
        public synchronized McStats mcDropout(Vectors x, int[] rows, int passes, long seed) {
            mcRows += rows.length;
            float[] b = new float[rows.length];
            for (int i = 0; i < rows.length; i++) {
                b[i] = bald[rows[i]];
            }
            return new McStats(probabilities(x, rows), b.clone(), new float[rows.length], b, b.clone());
        }

        @Override
        public float[] expectedGradientLength(Vectors x, int[] rows) {
            throw new UnsupportedOperationException("not used");
        }
    }

    /** Rows of random margins whose BALD rises as the margin shrinks, plus noise. */
    private static Known pool(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] p = new float[n][];
        float[] bald = new float[n];
        for (int i = 0; i < n; i++) {
            float a = (float) random.nextDouble();
            p[i] = new float[] {a, 1 - a};
            float margin = Math.abs(2 * a - 1);
            bald[i] = (float) ((1 - margin) * (1 - margin) + 0.01 * random.nextDouble());
        }
        return new Known(p, bald);
    }

    private static QueryContext context(Known head, int n) {
        return QueryContext.of(new ArrayVectors(new float[n][2]), IntStream.range(0, n).toArray()).withHead(head)
                .withChunkSize(97);
    }

    private static Set<Integer> rows(List<Pick> picks) {
        return picks.stream().map(Pick::row).collect(Collectors.toSet());
    }

    @Test
    void aPoolAtTheFloorIsScoredWhole() {
        Known head = pool(1_000, 1);
        List<Pick> picks = Strategies.byName("bald", Strategies.Options.DEFAULTS.withMcShortlist(1_000))
                .select(context(head, 1_000), 20);
        assertEquals(1_000, head.mcRows);
        assertEquals(20, picks.size());
    }

    @Test
    void aLargerPoolScoresATenthWithMcDropoutAndPicksWhatTheFullScoreWould() {
        int n = 20_000;
        Known whole = pool(n, 2);
        List<Pick> full = Strategies.byName("bald", Strategies.Options.DEFAULTS.withMcShortlist(0))
                .select(context(whole, n), 50);
        assertEquals(n, whole.mcRows);

        Known shortlisted = pool(n, 2);
        List<Pick> picks = Strategies.byName("bald", Strategies.Options.DEFAULTS.withMcShortlist(500))
                .select(context(shortlisted, n), 50);
        assertEquals(n / 10, shortlisted.mcRows, "a tenth of the pool, above the floor of 500");
        assertEquals(rows(full), rows(picks));
        for (Pick pick : picks) {
            assertEquals(shortlisted.bald[pick.row()], pick.score(), 1e-6, "a shortlisted pick keeps its BALD");
        }
    }

    @Test
    void rowsLeftOffRankBelowTheShortlistInMarginOrder() {
        int n = 2_000;
        Known head = pool(n, 3);
        QueryContext ctx = context(head, n);
        Scorer scorer = Scorers.shortlisted(Scorers.probabilities("margin", p -> 1 - Uncertainty.margin(p)),
                Scorers.monteCarlo("bald", Scorers.Mc.BALD), 100);
        Scores scores = scorer.score(ctx);
        assertEquals(200, head.mcRows);
        float lowestShortlisted = Float.POSITIVE_INFINITY;
        List<Integer> leftOff = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(scores.uncertainty()[i])) {
                leftOff.add(i);
            } else {
                lowestShortlisted = Math.min(lowestShortlisted, scores.score()[i]);
            }
        }
        assertEquals(n - 200, leftOff.size());
        for (int i : leftOff) {
            assertTrue(scores.score()[i] < lowestShortlisted);
            for (int j : leftOff) {
                float mi = Math.abs(2 * head.p[i][0] - 1);
                float mj = Math.abs(2 * head.p[j][0] - 1);
                if (mi < mj) {
                    assertTrue(scores.score()[i] >= scores.score()[j], "smaller margin ranks first");
                }
            }
        }
    }

    @Test
    void topTakesTheHighestWithTiesByIndexAndNaNLast() {
        float[] score = {0.5f, Float.NaN, 0.9f, 0.5f, 0.1f, 0.5f};
        assertArrayEquals(new int[] {2}, Scorers.top(score, 1));
        assertArrayEquals(new int[] {0, 2, 3}, Scorers.top(score, 3));
        assertArrayEquals(new int[] {0, 2, 3, 4, 5}, Scorers.top(score, 5));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, Scorers.top(score, 6));
    }

    @Test
    void aNegativeShortlistIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Strategies.Options.DEFAULTS.withMcShortlist(-1));
        assertTrue(e.getMessage().contains("mcShortlist"), e.getMessage());
    }
}
