package quarry.encode.tune;

/**
 * Where a fine-tune stands, sent to its {@link Listener} after every optimizer step.
 *
 * @param step           optimizer steps done
 * @param totalSteps     steps planned (the run may stop earlier at its time limit)
 * @param epoch          the current epoch, from 1
 * @param loss           mean training loss over the current epoch so far
 * @param elapsedSeconds since training started (loading and the first loss measurement excluded)
 * @param etaSeconds     estimated seconds to the end of training, at most the time left before the limit
 */
public record FineTuneProgress(int step, int totalSteps, int epoch, double loss, double elapsedSeconds,
        double etaSeconds) {

    /** Receives progress on the training thread; keep it cheap. */
    @FunctionalInterface
    public interface Listener {

        Listener NONE = p -> { };

        void progress(FineTuneProgress progress);
    }
}
