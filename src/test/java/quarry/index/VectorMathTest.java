package quarry.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.ArrayVectors;
import quarry.core.Neighbor;

@Tag("unit")
class VectorMathTest {

    @TempDir
    Path dir;

    private static float[] random(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    @Test
    void dotMatchesADoubleSumAtEveryLengthAroundTheLanes() {
        Random random = new Random(3);
        for (int n : new int[] {0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 383, 384, 385, 1024}) {
            float[] a = random(random, n);
            float[] b = random(random, n);
            double exact = 0;
            for (int i = 0; i < n; i++) {
                exact += (double) a[i] * b[i];
            }
            assertEquals(exact, VectorMath.dot(a, b), 1e-4 * Math.max(1, Math.sqrt(n)), "length " + n);
            assertEquals(exact, new VectorMath.Scalar().dot(a, b), 1e-4 * Math.max(1, Math.sqrt(n)), "length " + n);
        }
    }

    /** The build and the tests start Java with the vector module, as ./quarry does: the fast path must be the one tested. */
    @Test
    void theSimdPathRunsWhereTheVectorModuleIsPresent() {
        assertTrue(VectorMath.implementation().startsWith("SIMD"), VectorMath.implementation());
    }

    /** Indexes from before the scorer change were written by Lucene's own format; they must still open and grow. */
    @Test
    void anIndexWrittenWithLucenesOwnFormatOpensSearchesAndGrows() throws Exception {
        int dim = 16;
        float[][] rows = Synthetic.clustered(1500, dim, 4, 0.1f, 10, 5);
        try (FSDirectory directory = FSDirectory.open(dir.resolve(HnswStore.INDEX_FOLDER));
             IndexWriter writer = new IndexWriter(directory, new IndexWriterConfig())) {
            assertEquals(Lucene99HnswVectorsFormat.class,
                    ((org.apache.lucene.codecs.lucene912.Lucene912Codec) writer.getConfig().getCodec()).getKnnVectorsFormatForField("vector").getClass());
            for (int row = 0; row < 1000; row++) {
                Document doc = new Document();
                doc.add(new StoredField(HnswStore.ROW_FIELD, row));
                doc.add(new NumericDocValuesField(HnswStore.ROW_FIELD, row));
                doc.add(new KnnFloatVectorField(HnswStore.VECTOR_FIELD, rows[row], VectorSimilarityFunction.DOT_PRODUCT));
                writer.addDocument(doc);
            }
            writer.commit();
        }
        ArrayVectors vectors = new ArrayVectors(rows);
        try (VectorIndex index = VectorIndex.open(dir, dim, VectorIndex.Options.defaults().withExactBelow(0))) {
            assertEquals(1000, index.size());
            List<Neighbor> hits = index.nearest(rows[7], 5);
            assertEquals(7, hits.get(0).row());
            assertEquals(1.0, hits.get(0).similarity(), 1e-5);
            int[] more = java.util.stream.IntStream.range(1000, 1500).toArray();
            index.add(more, vectors, null);
            index.refreshDensities(null);
            assertEquals(1200, index.nearest(rows[1200], 1).get(0).row(), "a row added by the new format is found");
            assertTrue(index.density(1200) > 0.5f, "densities span old and new segments: " + index.density(1200));
        }
    }
}
