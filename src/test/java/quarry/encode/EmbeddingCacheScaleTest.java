package quarry.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The size the cache is built for: 1M rows of 384 floats (a 1.5 GB vectors file). Off by default
 * because it writes 1.5 GB; run with {@code -Dquarry.cache.scale=true}.
 */
@EnabledIfSystemProperty(named = "quarry.cache.scale", matches = "true")
@Tag("integration")
class EmbeddingCacheScaleTest {

    private static final int ROWS = 1_000_000;
    private static final int DIM = 384;

    @TempDir
    Path dir;

    @Test
    void millionRowsLoadQuicklyAndBatchesReadInMicroseconds() throws IOException {
        long started = System.nanoTime();
        try (EmbeddingCache cache = EmbeddingCache.open(dir, "all-minilm-l6-v2", "scale", DIM)) {
            Random random = new Random(1);
            for (int from = 0; from < ROWS; from += 10_000) {
                List<String> texts = new ArrayList<>();
                List<float[]> vectors = new ArrayList<>();
                for (int i = from; i < from + 10_000; i++) {
                    texts.add("document number " + i);
                    float[] vector = new float[DIM];
                    vector[0] = i;
                    vector[DIM - 1] = random.nextFloat();
                    vectors.add(vector);
                }
                cache.putAll(texts, vectors);
            }
        }
        System.out.printf("wrote %d rows in %.1f s%n", ROWS, (System.nanoTime() - started) / 1e9);
        assertEquals((long) ROWS * DIM * Float.BYTES, Files.size(dir.resolve(EmbeddingCache.VECTORS_FILE)));

        started = System.nanoTime();
        try (EmbeddingCache cache = EmbeddingCache.open(dir, "all-minilm-l6-v2", "scale", DIM)) {
            double openSeconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("reopened %d entries in %.2f s%n", cache.size(), openSeconds);
            assertNull(cache.recoveryNote());
            assertEquals(ROWS, cache.size());
            assertTrue(openSeconds < 10, "reopen took " + openSeconds + " s");

            Random random = new Random(2);
            int batches = 20_000;
            long readNanos = 0;
            for (int b = 0; b < batches; b++) {
                List<String> batch = new ArrayList<>(32);
                int[] ids = new int[32];
                for (int i = 0; i < 32; i++) {
                    ids[i] = random.nextInt(ROWS);
                    batch.add("document number " + ids[i]);
                }
                long t0 = System.nanoTime();
                float[][] found = cache.getAll(batch);
                readNanos += System.nanoTime() - t0;
                for (int i = 0; i < 32; i++) {
                    assertEquals(ids[i], found[i][0]);
                }
            }
            double microsPerRow = readNanos / 1e3 / (batches * 32.0);
            System.out.printf("getAll: %.2f us per row (batches of 32)%n", microsPerRow);
            assertTrue(microsPerRow < 100, microsPerRow + " us per row");
        }
    }
}
