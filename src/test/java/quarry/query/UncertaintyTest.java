package quarry.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The measures on hand-made inputs. */
@Tag("unit")
class UncertaintyTest {

    @Test
    void closeCallHasASmallerMarginThanAConfidentOne() {
        double close = Uncertainty.margin(new float[] {0.5f, 0.49f, 0.01f});
        double confident = Uncertainty.margin(new float[] {0.9f, 0.05f, 0.05f});
        assertEquals(0.01, close, 1e-6);
        assertEquals(0.85, confident, 1e-6);
        assertTrue(close < confident);
    }

    @Test
    void leastConfidenceAndEntropyRankTheSameWay() {
        float[] flat = {0.34f, 0.33f, 0.33f};
        float[] peaked = {0.9f, 0.05f, 0.05f};
        assertTrue(Uncertainty.leastConfidence(flat) > Uncertainty.leastConfidence(peaked));
        assertTrue(Uncertainty.entropy(flat) > Uncertainty.entropy(peaked));
        assertEquals(Math.log(2), Uncertainty.entropy(new float[] {0.5f, 0.5f}), 1e-6);
    }

    @Test
    void baldIsZeroWhenAllPassesAgreeAndPositiveWhenTheyDisagree() {
        float[] p = {0.6f, 0.3f, 0.1f};
        assertEquals(0, Uncertainty.bald(new float[][] {p, p, p, p}), 1e-7);
        assertEquals(0, Uncertainty.variationRatio(new float[][] {p, p, p, p}), 0);
        float[][] disagree = {{0.9f, 0.1f}, {0.1f, 0.9f}};
        assertEquals(Math.log(2) - Uncertainty.entropy(new float[] {0.9f, 0.1f}), Uncertainty.bald(disagree), 1e-6);
        assertEquals(0.5, Uncertainty.variationRatio(disagree), 1e-9);
    }

    @Test
    void committeeMeasuresAreZeroForIdenticalMembers() {
        float[] p = {0.7f, 0.2f, 0.1f};
        assertEquals(0, Uncertainty.voteEntropy(new float[][] {p, p, p}), 1e-9);
        assertEquals(0, Uncertainty.meanKl(new float[][] {p, p, p}), 1e-7);
        float[][] split = {{0.8f, 0.2f}, {0.2f, 0.8f}};
        assertEquals(Math.log(2), Uncertainty.voteEntropy(split), 1e-6);
        assertTrue(Uncertainty.meanKl(split) > 0.1);
    }

    @Test
    void bernoulliEntropyPeaksAtOneHalf() {
        assertEquals(Math.log(2), Uncertainty.bernoulliEntropy(new float[] {0.5f}), 1e-6);
        assertTrue(Uncertainty.bernoulliEntropy(new float[] {0.99f}) < 0.1);
    }

    @Test
    void centringPutsEveryThresholdAtOneHalf() {
        float[] q = Uncertainty.centred(new float[] {0.2f, 0.2f, 0.9f}, new float[] {0.2f, 0.5f, 0.5f});
        assertEquals(0.5, q[0], 1e-6);
        assertEquals(0.2, q[1], 1e-6);
        assertEquals(0.9, q[2], 1e-6);
        assertTrue(Uncertainty.centred(new float[] {0.3f}, new float[] {0.2f})[0] > 0.5, "above its threshold");
    }

    @Test
    void theNearestLabelToItsThresholdDecidesTheMarginMeasure() {
        assertEquals(1, Uncertainty.nearestToThreshold(new float[] {0.99f, 0.5f}), 1e-6);
        assertEquals(0.8, Uncertainty.nearestToThreshold(new float[] {0.99f, 0.4f, 0.01f}), 1e-6);
        assertEquals(0.8, Uncertainty.nearestToThreshold(new float[] {0.6f}), 1e-6);
        assertTrue(Uncertainty.nearestToThreshold(new float[] {0.999f, 0.001f}) < 0.01);
    }

    @Test
    void labelSetDoubtIsTheChanceThatThePredictedSetIsWrong() {
        assertEquals(0.5, Uncertainty.labelSetDoubt(new float[] {0.5f, 0f}, new int[] {0}), 1e-6);
        assertEquals(1 - 0.9 * 0.8, Uncertainty.labelSetDoubt(new float[] {0.9f, 0.2f}, new int[] {0}), 1e-6);
        // a label predicted below one half (a fallback) makes the set less likely than leaving it out
        assertEquals(1 - 0.4 * 0.9, Uncertainty.labelSetDoubt(new float[] {0.4f, 0.1f}, new int[] {0}), 1e-6);
        assertEquals(1 - 0.6 * 0.9, Uncertainty.labelSetDoubt(new float[] {0.4f, 0.1f}, new int[0]), 1e-6);
        assertTrue(Uncertainty.labelSetDoubt(new float[] {0.99f, 0.01f, 0.01f}, new int[] {0}) < 0.03);
    }
}
