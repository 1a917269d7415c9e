package quarry.core;

import java.util.List;

/**
 * Nearest-neighbour facts about pool rows, as query strategies see them: density (typical
 * documents over outliers) and near-duplicates (diverse batches). Similarities are cosines.
 */
public interface NeighbourIndex {

    /** Mean similarity of each row to its nearest pool neighbours, in order; NaN where unknown. */
    float[] densities(int[] rows);

    /**
     * Pool rows whose similarity to {@code row} is at least {@code tau}, best first, among its
     * {@code maxK} nearest; the row itself is not included.
     */
    List<Integer> withinSimilarity(int row, float tau, int maxK);
}
