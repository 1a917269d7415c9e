package quarry.core;

/**
 * Per-row MC-dropout statistics, one entry per requested row, in the order the rows were given.
 * For multi-label heads each entropy is the sum over labels of the Bernoulli entropy, and the
 * variation ratio the sum over labels of the per-label (thresholded vote) ratio. Entropies in nats.
 *
 * <p>The arrays are the record's own and are not copied (a million-row pool makes copies
 * expensive): callers must not change them.
 *
 * @param meanProbs         {@code [row][class]} mean probability over the passes; null when the
 *                          caller asked for the scalar statistics only
 * @param predictiveEntropy entropy of the mean prediction, H[E_t p_t]
 * @param expectedEntropy   mean entropy of the single passes, E_t H[p_t]
 * @param bald              mutual information between prediction and weights (BALD):
 *                          predictive − expected, clamped at 0
 * @param variationRatio    1 − (passes voting for the modal class) / passes
 */
public record McStats(float[][] meanProbs, float[] predictiveEntropy, float[] expectedEntropy, float[] bald,
                      float[] variationRatio) {

    public McStats {
        int n = bald.length;
        if (predictiveEntropy.length != n || expectedEntropy.length != n || variationRatio.length != n
                || (meanProbs != null && meanProbs.length != n)) {
            throw new IllegalArgumentException("statistics of different lengths: " + predictiveEntropy.length + ", "
                    + expectedEntropy.length + ", " + n + ", " + variationRatio.length);
        }
    }

    public int size() {
        return bald.length;
    }
}
