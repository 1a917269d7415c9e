package quarry.model;

/**
 * How a head came to be (saved with it).
 *
 * @param examples    labeled examples it was trained on
 * @param epochs      passes over them that ran (after the minimum-steps rule)
 * @param steps       optimizer steps that ran
 * @param warmStarted whether it continued from a previous head's weights
 * @param millis      wall-clock training time, threshold tuning included
 * @param finalLoss   mean training loss over the last epoch (dropout on)
 * @param trainedAt   ISO-8601 instant the training finished
 */
public record TrainingInfo(int examples, int epochs, int steps, boolean warmStarted, long millis, float finalLoss,
                           String trainedAt) {
}
