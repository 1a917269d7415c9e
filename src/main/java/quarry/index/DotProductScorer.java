package quarry.index;

import java.io.IOException;
import org.apache.lucene.codecs.hnsw.DefaultFlatVectorScorer;
import org.apache.lucene.codecs.hnsw.FlatVectorsScorer;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.hnsw.RandomAccessVectorValues;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/**
 * Lucene's flat-vector scorer with float dot products done by {@link VectorMath}: the index's
 * graph building, merging and searching all score through it. Other similarities and byte vectors
 * go to Lucene's own scorer. Scores keep Lucene's meaning for DOT_PRODUCT: {@code max(0, (1 + dot) / 2)}.
 */
final class DotProductScorer implements FlatVectorsScorer {

    static final DotProductScorer INSTANCE = new DotProductScorer();

    private static final FlatVectorsScorer LUCENE = DefaultFlatVectorScorer.INSTANCE;

    private DotProductScorer() {
    }

    static float score(float[] a, float[] b) {
        return Math.max((1 + VectorMath.dot(a, b)) / 2, 0);
    }

    @Override
    public RandomVectorScorerSupplier getRandomVectorScorerSupplier(VectorSimilarityFunction similarity,
            RandomAccessVectorValues values) throws IOException {
        if (similarity != VectorSimilarityFunction.DOT_PRODUCT || !(values instanceof RandomAccessVectorValues.Floats)) {
            return LUCENE.getRandomVectorScorerSupplier(similarity, values);
        }
        return new Supplier((RandomAccessVectorValues.Floats) values);
    }

    @Override
    public RandomVectorScorer getRandomVectorScorer(VectorSimilarityFunction similarity,
            RandomAccessVectorValues values, float[] target) throws IOException {
        if (similarity != VectorSimilarityFunction.DOT_PRODUCT || !(values instanceof RandomAccessVectorValues.Floats)) {
            return LUCENE.getRandomVectorScorer(similarity, values, target);
        }
        if (target.length != values.dimension()) {
            throw new IllegalArgumentException("vector query dimension: " + target.length
                    + " differs from field dimension: " + values.dimension());
        }
        return against((RandomAccessVectorValues.Floats) values, target);
    }

    /** Scores every stored vector of {@code values} against {@code target}. */
    private static RandomVectorScorer against(RandomAccessVectorValues.Floats values, float[] target) {
        return new RandomVectorScorer.AbstractRandomVectorScorer(values) {
            @Override
            public float score(int node) throws IOException {
                return DotProductScorer.score(target, values.vectorValue(node));
            }
        };
    }

    @Override
    public RandomVectorScorer getRandomVectorScorer(VectorSimilarityFunction similarity,
            RandomAccessVectorValues values, byte[] target) throws IOException {
        return LUCENE.getRandomVectorScorer(similarity, values, target);
    }

    @Override
    public String toString() {
        return "DotProductScorer(" + VectorMath.implementation() + ")";
    }

    /** Scores against one stored vector; the values are copied because off-heap ones reuse a buffer. */
    private static final class Supplier implements RandomVectorScorerSupplier {
        private final RandomAccessVectorValues.Floats values;
        private final RandomAccessVectorValues.Floats targets;

        Supplier(RandomAccessVectorValues.Floats values) throws IOException {
            this.values = values;
            this.targets = values.copy();
        }

        @Override
        public RandomVectorScorer scorer(int ord) throws IOException {
            return against(values.copy(), targets.vectorValue(ord).clone());
        }

        @Override
        public RandomVectorScorerSupplier copy() throws IOException {
            return new Supplier(values.copy());
        }
    }
}
