package quarry.loop;

/**
 * The stopping criteria, declared in priority order: when several fire in the same round, "stop
 * now" names the first of them. The budget comes first because the user set it as a hard limit;
 * then stabilizing predictions, the recommended default (it needs no labels and no test set); then
 * the learning-curve plateau, which rests on a noisy accuracy estimate; then classification change
 * and overall uncertainty, whose thresholds depend most on the data and the head.
 */
public enum StopCriterion {
    BUDGET("budget"),
    STABILIZING_PREDICTIONS("stabilizing-predictions"),
    PLATEAU("plateau"),
    CLASSIFICATION_CHANGE("classification-change"),
    UNCERTAINTY("uncertainty");

    private final String id;

    StopCriterion(String id) {
        this.id = id;
    }

    /** The name used in {@link StopSignal#criterion()}, reports and settings, e.g. {@code "plateau"}. */
    public String id() {
        return id;
    }

    /** The criterion with this id (or enum name, any case). */
    public static StopCriterion byId(String id) {
        for (StopCriterion c : values()) {
            if (c.id.equalsIgnoreCase(id) || c.name().equalsIgnoreCase(id)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown stopping criterion '" + id + "'; known: budget, "
                + "stabilizing-predictions, plateau, classification-change, uncertainty");
    }
}
