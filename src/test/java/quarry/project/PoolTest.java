package quarry.project;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.Neighbor;
import quarry.core.Vectors;

/** The pool's one indexing pipeline: every embedded row indexed with a density, progress reported. */
@Tag("integration")
class PoolTest {

    private static float[][] unitRows(int n, int dim, long seed) {
        Random random = new Random(seed);
        float[][] rows = new float[n][dim];
        for (float[] row : rows) {
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                row[d] = (float) random.nextGaussian();
                norm += row[d] * row[d];
            }
            for (int d = 0; d < dim; d++) {
                row[d] /= (float) Math.sqrt(norm);
            }
        }
        return rows;
    }

    @Test
    void catchUpIndexesNewRowsWithProgressAndGrowsInPlace(@TempDir Path dir) {
        try (Pool pool = new Pool(16, dir.resolve("index"))) {
            assertTrue(pool.nearestAmong(new float[16], new int[] {0}, 1).isEmpty(), "no index before a catch-up");
            pool.append(unitRows(60, 16, 1));
            List<long[]> indexing = new CopyOnWriteArrayList<>();
            List<long[]> densities = new CopyOnWriteArrayList<>();
            Vectors view = pool.catchUp((d, t) -> indexing.add(new long[] {d, t}),
                    (d, t) -> densities.add(new long[] {d, t}));
            assertEquals(60, view.size());
            assertEquals(60, pool.index().size());
            assertFalse(indexing.isEmpty() || densities.isEmpty(), "both stages report progress");
            long[] last = indexing.get(indexing.size() - 1);
            assertEquals(last[1], last[0], "indexing ends at its total");
            float[] density = pool.index().densities(new int[] {0, 59});
            assertTrue(density[0] > -1 && density[1] > -1 && !Float.isNaN(density[0]), "every row has a density");

            pool.append(unitRows(40, 16, 2));
            indexing.clear();
            Vectors grown = pool.catchUp((d, t) -> indexing.add(new long[] {d, t}), (d, t) -> { });
            assertEquals(100, grown.size());
            assertEquals(100, pool.index().size(), "only the new rows were added, once each");
            assertArrayEquals(new int[] {150, 200}, pool.index().missing(new int[] {0, 150, 99, 200}));
            assertEquals(40, indexing.get(indexing.size() - 1)[1], "progress counts the new rows only");

            // Nearest labeled rows come from the index and match a scan of the pool's own vectors.
            float[] query = grown.row(70);
            int[] labeled = {3, 10, 64, 99};
            List<Neighbor> near = pool.nearestAmong(query, labeled, 2);
            int best = -1;
            float bestSim = -2;
            for (int r : labeled) {
                float dot = 0;
                for (int d = 0; d < 16; d++) {
                    dot += query[d] * grown.row(r)[d];
                }
                if (dot > bestSim) {
                    bestSim = dot;
                    best = r;
                }
            }
            assertEquals(best, near.get(0).row());
            assertEquals(2, near.size());
        }
    }
}
