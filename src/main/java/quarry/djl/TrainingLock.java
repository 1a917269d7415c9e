package quarry.djl;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Held by whoever trains on DJL's PyTorch engine: DJL allows one open GradientCollector in the
 * whole JVM, and the engine's random seed (which drives training dropout) is global. The head
 * trainer holds it for a whole training (seconds); the encoder fine-tuner for one step at a time,
 * so head trainings can run between its steps.
 */
public final class TrainingLock {

    public static final ReentrantLock LOCK = new ReentrantLock();

    private TrainingLock() {
    }
}
