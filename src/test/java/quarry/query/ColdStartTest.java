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
}
