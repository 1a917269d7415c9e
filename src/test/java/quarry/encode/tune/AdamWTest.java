package quarry.encode.tune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import quarry.djl.TrainingLock;

/**
 * The optimizer's guard against a gradient that is not finite: its norm says so, the step is
 * skipped with the weights untouched, and the next finite gradient updates them as usual.
 */
@Tag("integration")
class AdamWTest {

    @Test
    void aNonFiniteGradientIsSeenAndSkippedAndTheNextStepStillLearns() {
        quarry.djl.DjlSettings.apply();
        TrainingLock.LOCK.lock();
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), TrainingRun.ENGINE);
             NDManager state = m.newSubManager()) {
            NDArray w = m.create(new float[] {1f, -2f, 3f});
            w.setRequiresGradient(true);
            AdamW adam = new AdamW(Map.of("w.weight", w), state, 0.01f);

            backward(m, w, new float[] {1f, Float.POSITIVE_INFINITY, 1f});
            assertFalse(Double.isFinite(adam.squaredNorm()));
            assertThrows(IllegalArgumentException.class, () -> adam.step(0.1f, adam.squaredNorm()));
            adam.clearGradients();
            assertArrayEquals(new float[] {1f, -2f, 3f}, w.toFloatArray(), "a skipped step leaves the weights");

            backward(m, w, new float[] {1f, Float.NaN, 1f});
            assertTrue(Double.isNaN(adam.squaredNorm()));
            adam.clearGradients();

            backward(m, w, new float[] {3f, 0f, 4f});
            double squares = adam.squaredNorm();
            assertEquals(25.0, squares, 1e-9, "the cleared gradients did not leak into this one");
            adam.step(0.1f, squares);
            float[] after = w.toFloatArray();
            assertTrue(after[0] < 1f && after[2] < 3f, "gradient descent moved the weights down");
            assertNotEquals(3f, after[2]);
            assertEquals(-2f * (1 - 0.1f * 0.01f), after[1], 1e-6, "no gradient: weight decay only");
        } finally {
            TrainingLock.LOCK.unlock();
        }
    }

    /** Leaves d(sum(w · x))/dw = x in w's gradient. */
    private static void backward(NDManager m, NDArray w, float[] x) {
        try (GradientCollector c = Engine.getEngine(TrainingRun.ENGINE).newGradientCollector()) {
            c.backward(w.mul(m.create(x)).sum());
        }
    }
}
