package quarry.loop;

import java.util.List;
import java.util.Optional;

/**
 * Every criterion's signal after a round, and the verdict. Advice only: the loop keeps going if the
 * user keeps labeling.
 *
 * @param signals   one per criterion, in priority order ({@link StopCriterion})
 * @param stopNow   whether a criterion the settings stop on has fired
 * @param criterion the id of the first such criterion in priority order; "" when none fired
 * @param message   one line for a person: "stop now: …" or "keep labeling: …"
 */
public record StopReport(List<StopSignal> signals, boolean stopNow, String criterion, String message) {

    public StopReport {
        signals = List.copyOf(signals);
    }

    /** The signal that made the verdict "stop now", if any. */
    public Optional<StopSignal> firing() {
        return stopNow ? signal(criterion) : Optional.empty();
    }

    /** The signal of one criterion (by id). */
    public Optional<StopSignal> signal(String criterionId) {
        return signals.stream().filter(s -> s.criterion().equals(criterionId)).findFirst();
    }

    /** The signal of one criterion. */
    public Optional<StopSignal> signal(StopCriterion c) {
        return signal(c.id());
    }
}
