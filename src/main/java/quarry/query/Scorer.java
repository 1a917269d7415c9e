package quarry.query;

/** Scores every candidate of a context; {@link Selector} then turns scores into a batch. */
interface Scorer {

    String name();

    /** Whether scores come from a trained model; without one the strategy cold-starts instead. */
    default boolean needsModel() {
        return true;
    }

    Scores score(QueryContext context);
}
