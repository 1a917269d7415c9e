package quarry.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import quarry.core.Pick;
import quarry.core.Vectors;

@Tag("unit")
class ColdStartTest {

    @Test
    void seedSetCoversTheClustersWithoutAnyLabel() {
        Synthetic data = Synthetic.clusters(12, 30, 32, 0.4, 11);
        int[] candidates = new int[data.vectors.length];
        Arrays.setAll(candidates, i -> i);
        QueryContext ctx = QueryContext.of(Vectors.of(data.vectors), candidates);
        List<Pick> picks = Strategies.byName("margin").select(ctx, 12);
        assertEquals(12, picks.size());
        long covered = picks.stream().mapToInt(p -> data.cluster[p.row()]).distinct().count();
        assertTrue(covered >= 11, "cold start covered " + covered + " of 12 clusters");
        assertTrue(picks.stream().allMatch(p -> p.strategy().equals("cold-start") && p.note().contains("no model")));
    }

    @Test
    void sameSeedSamePicksAndSamplingBoundsTheWork() {
        int[] candidates = new int[50_000];
        Arrays.setAll(candidates, i -> i * 2);
        int[] a = ColdStart.sample(candidates, 1000, 5);
        assertEquals(1000, a.length);
        assertEquals(1000, Arrays.stream(a).distinct().count());
        assertTrue(Arrays.equals(a, ColdStart.sample(candidates, 1000, 5)));
        assertTrue(Arrays.stream(a).allMatch(r -> r % 2 == 0));
    }

    @Test
    void withLabelsCoveragePicksTheClustersNoLabelCovers() {
        Synthetic data = Synthetic.clusters(8, 30, 32, 0.3, 12);
        // one label in each of clusters 0..3
        int[] labeled = new int[4];
        for (int c = 0; c < 4; c++) {
            for (int i = 0; i < data.cluster.length; i++) {
                if (data.cluster[i] == c) {
                    labeled[c] = i;
                    break;
                }
            }
        }
        int[] candidates = java.util.stream.IntStream.range(0, data.vectors.length)
                .filter(i -> Arrays.stream(labeled).noneMatch(l -> l == i)).toArray();
        QueryContext ctx = QueryContext.of(Vectors.of(data.vectors), candidates).withLabeled(labeled);
        List<Pick> picks = new ColdStart().select(ctx, 4);
        assertEquals(4, picks.size());
        long uncovered = picks.stream().mapToInt(p -> data.cluster[p.row()]).filter(c -> c >= 4).distinct().count();
        assertEquals(4, uncovered, "coverage picks fell in clusters that already had a label");
        assertTrue(picks.stream().allMatch(p -> p.strategy().equals("coverage") && p.note().contains("no label covers")));
    }

    @Test
    void coverageMarginCoversFirstThenAsksByMargin() {
        Synthetic data = Synthetic.clusters(6, 20, 16, 0.3, 13);
        int[] candidates = java.util.stream.IntStream.range(6, data.vectors.length).toArray();
        int[] labeled = {0, 1, 2, 3, 4, 5};
        float[][] probabilities = new float[data.vectors.length][6];
        for (int r = 0; r < probabilities.length; r++) {
            probabilities[r][r % 6] = 0.5f + 0.05f * (r % 7);
            probabilities[r][(r + 1) % 6] = 1 - probabilities[r][r % 6];
        }
        FixedClassifier head = new FixedClassifier(List.of("a", "b", "c", "d", "e", "f"), probabilities);
        QueryContext few = QueryContext.of(Vectors.of(data.vectors), candidates).withLabeled(labeled)
                .withHead(head).withLabelCounts(new int[] {1, 1, 1, 1, 1, 1}, 1.0);
        // 6 labels for 6 classes: below 2 per class, coverage; at 1 per class, margin
        assertTrue(Strategies.byName("coverage-margin@2").select(few, 3).stream()
                .allMatch(p -> p.strategy().equals("coverage") || p.strategy().equals("margin")));
        assertTrue(Strategies.byName("coverage-margin@2").select(few, 3).stream()
                .anyMatch(p -> p.strategy().equals("coverage")));
        assertTrue(Strategies.byName("coverage-margin@1").select(few, 3).stream()
                .allMatch(p -> p.strategy().equals("margin")));
    }

    @Test
    void aBadCoverageSettingIsNamed() {
        quarry.core.QuarryException e = org.junit.jupiter.api.Assertions.assertThrows(quarry.core.QuarryException.class,
                () -> Strategies.byName("coverage-margin@lots"));
        assertTrue(e.getMessage().contains("coverage-margin@N") && e.getMessage().contains("lots"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(quarry.core.QuarryException.class,
                () -> Strategies.byName("coverage-marginal"));
    }
}
