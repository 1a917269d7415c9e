package quarry.query;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import quarry.core.Pick;
import quarry.core.Vectors;

/** Strategies run on the core interfaces alone: a hand-written classifier, no DJL, no index. */
@Tag("unit")
class ClassifierDoubleTest {

    private static final List<String> LABELS = List.of("refund", "cancel", "other");
    /** Row r's probabilities; margins (top-1 − top-2): 0.8, 0.05, 0.4, 0.0, 0.6, 0.2. */
    private static final float[][] PROBS = {
        {0.9f, 0.1f, 0.0f},
        {0.45f, 0.5f, 0.05f},
        {0.1f, 0.7f, 0.2f},
        {0.4f, 0.2f, 0.4f},
        {0.1f, 0.1f, 0.8f},
        {0.3f, 0.5f, 0.2f},
    };

    private static QueryContext context() {
        Vectors pool = Vectors.of(new float[PROBS.length][2]); // the double never reads vectors
        return QueryContext.of(pool, new int[] {0, 1, 2, 3, 4, 5})
                .withHead(new FixedClassifier(LABELS, PROBS)).withSeed(5);
    }

    @Test
    void marginPicksTheRowsTheClassifierCannotSeparate() {
        List<Pick> picks = Strategies.byName("margin").select(context(), 3);
        assertEquals(List.of(3, 1, 5), picks.stream().map(Pick::row).toList());
        assertEquals(1 - 0.05, picks.get(1).score(), 1e-6);
        assertTrue(Double.isNaN(picks.get(0).density()), "no index, no density");
        assertTrue(picks.get(1).note().contains("cancel 0.50, refund 0.45"), picks.get(1).note());
    }

    @Test
    void monteCarloStrategiesReadTheDoublesStatistics() {
        // every pass agrees, so BALD is 0 for every row and the picks are the seeded tie order
        List<Pick> picks = Strategies.byName("bald").select(context(), 6);
        assertEquals(6, picks.size());
        assertTrue(picks.stream().allMatch(p -> p.uncertainty() == 0), picks.toString());
    }
}
