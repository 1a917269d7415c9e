package quarry.core;

import java.util.List;

/**
 * Nearest-neighbour facts about pool rows, as query strategies see them: k nearest neighbours,
 * density (typical documents over outliers) and near-duplicates (diverse batches). Similarities
 * are cosines.
 */
public interface NeighbourIndex {

    /** The {@code k} pool rows most similar to {@code query} (a unit vector), best first. */
    List<Neighbor> nearest(float[] query, int k);

    /** The {@code k} pool rows most similar to pool row {@code row}, best first, without the row itself. */
    List<Neighbor> neighbours(int row, int k);

    /** Mean similarity of each row to its nearest pool neighbours, in order; NaN where unknown. */
    float[] densities(int[] rows);

    /**
     * Pool rows whose similarity to {@code row} is at least {@code tau}, best first, among its
     * {@code maxK} nearest; the row itself is not included.
     */
    List<Integer> withinSimilarity(int row, float tau, int maxK);
}
