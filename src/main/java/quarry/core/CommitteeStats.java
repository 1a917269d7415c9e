package quarry.core;

/**
 * Per-row disagreement of a committee ({@link Disagreement}), one entry per requested row, in
 * order. For multi-label committees the vote entropy and KL are sums over labels of their
 * Bernoulli versions (a member votes for a label when its probability reaches the member's
 * threshold). Nats.
 *
 * <p>The arrays are the record's own and are not copied: callers must not change them.
 *
 * @param consensus   {@code [row][class]} mean of the members' probabilities
 * @param voteEntropy entropy of the distribution of the members' votes (argmax for single-label)
 * @param meanKl      mean over members of KL(member ‖ consensus)
 */
public record CommitteeStats(float[][] consensus, float[] voteEntropy, float[] meanKl) {

    public CommitteeStats {
        if (consensus.length != voteEntropy.length || meanKl.length != voteEntropy.length) {
            throw new IllegalArgumentException("statistics of different lengths: " + consensus.length + ", "
                    + voteEntropy.length + ", " + meanKl.length);
        }
    }

    public int size() {
        return voteEntropy.length;
    }
}
