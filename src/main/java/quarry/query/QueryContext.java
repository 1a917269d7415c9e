package quarry.query;

import java.util.Objects;
import quarry.core.Classifier;
import quarry.core.Disagreement;
import quarry.core.NeighbourIndex;
import quarry.core.Vectors;

/**
 * Everything a strategy may look at when it picks. Optional parts are null: a strategy that needs
 * a model when there is none falls back to a cold start; one that needs density without an index
 * treats every document as equally dense.
 *
 * @param pool             all documents' vectors, by pool row
 * @param candidates       rows that may be picked (the unlabeled ones)
 * @param labeled          rows already labeled (for coverage and cold start)
 * @param head             the current classifier, or null before the first training
 * @param committee        a committee for QBC, or null
 * @param index            the pool's neighbour index (density, near-duplicates), or null
 * @param labelCounts      labels so far per class of {@code head}, or null (class-balanced quotas)
 * @param labelCardinality mean labels per labeled document (multi-label), NaN when unknown
 * @param seed             seed for every random choice
 * @param mcPasses         Monte Carlo dropout passes
 * @param chunkSize        rows scored at once, which bounds memory
 */
public record QueryContext(
        Vectors pool,
        int[] candidates,
        int[] labeled,
        Classifier head,
        Disagreement committee,
        NeighbourIndex index,
        int[] labelCounts,
        double labelCardinality,
        long seed,
        int mcPasses,
        int chunkSize) {

    public QueryContext {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(candidates, "candidates");
        labeled = labeled == null ? new int[0] : labeled;
        if (mcPasses < 1) {
            throw new IllegalArgumentException("mcPasses must be >= 1, got " + mcPasses);
        }
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be >= 1, got " + chunkSize);
        }
    }

    public static QueryContext of(Vectors pool, int[] candidates) {
        return new QueryContext(pool, candidates, new int[0], null, null, null, null, Double.NaN, 42, 20, 8192);
    }

    public QueryContext withCandidates(int[] rows) {
        return new QueryContext(pool, rows, labeled, head, committee, index, labelCounts, labelCardinality, seed,
                mcPasses, chunkSize);
    }

    public QueryContext withLabeled(int[] rows) {
        return new QueryContext(pool, candidates, rows, head, committee, index, labelCounts, labelCardinality, seed,
                mcPasses, chunkSize);
    }

    public QueryContext withHead(Classifier value) {
        return new QueryContext(pool, candidates, labeled, value, committee, index, labelCounts, labelCardinality, seed,
                mcPasses, chunkSize);
    }

    public QueryContext withCommittee(Disagreement value) {
        return new QueryContext(pool, candidates, labeled, head, value, index, labelCounts, labelCardinality, seed,
                mcPasses, chunkSize);
    }

    public QueryContext withIndex(NeighbourIndex value) {
        return new QueryContext(pool, candidates, labeled, head, committee, value, labelCounts, labelCardinality, seed,
                mcPasses, chunkSize);
    }

    public QueryContext withLabelCounts(int[] counts, double cardinality) {
        return new QueryContext(pool, candidates, labeled, head, committee, index, counts, cardinality, seed, mcPasses,
                chunkSize);
    }

    public QueryContext withSeed(long value) {
        return new QueryContext(pool, candidates, labeled, head, committee, index, labelCounts, labelCardinality, value,
                mcPasses, chunkSize);
    }

    public QueryContext withMcPasses(int value) {
        return new QueryContext(pool, candidates, labeled, head, committee, index, labelCounts, labelCardinality, seed,
                value, chunkSize);
    }

    public QueryContext withChunkSize(int value) {
        return new QueryContext(pool, candidates, labeled, head, committee, index, labelCounts, labelCardinality, seed,
                mcPasses, value);
    }

    /** Rows {@code [from, to)} of the candidates, as a new array. */
    int[] candidateChunk(int from, int to) {
        return java.util.Arrays.copyOfRange(candidates, from, to);
    }
}
