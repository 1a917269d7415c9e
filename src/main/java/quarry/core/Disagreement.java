package quarry.core;

/** A committee of classifiers, as query-by-committee strategies see it: how much its members disagree. */
public interface Disagreement {

    /** Consensus, vote entropy and mean KL(member ‖ consensus), one entry per requested row, in order. */
    CommitteeStats stats(Vectors x, int[] rows);
}
