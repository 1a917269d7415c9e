package quarry.core;

/**
 * A pool row found near a query, with its cosine similarity to the query (vectors are
 * L2-normalised, so this is their dot product, in [-1, 1]).
 */
public record Neighbor(int row, float similarity) {
}
