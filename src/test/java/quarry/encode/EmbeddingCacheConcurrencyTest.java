package quarry.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static quarry.encode.EmbeddingCacheTest.ENCODER;
import static quarry.encode.EmbeddingCacheTest.FINGERPRINT;
import static quarry.encode.EmbeddingCacheTest.texts;
import static quarry.encode.EmbeddingCacheTest.vectorFor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class EmbeddingCacheConcurrencyTest {

    private static final int DIM = 64;
    private static final int THREADS = 4;

    @TempDir
    Path dir;

    @Test
    void concurrentPutAllAndGetAllStayConsistent() throws Exception {
        // A small universe, so threads keep missing, storing and hitting the same texts at once.
        List<String> universe = texts("pool doc ", 600);
        Set<String> stored = new HashSet<>();
        try (EmbeddingCache cache = EmbeddingCache.open(dir, ENCODER, FINGERPRINT, DIM)) {
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Future<Set<String>>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int seed = t;
                Callable<Set<String>> worker = () -> {
                    Random random = new Random(seed);
                    Set<String> mine = new HashSet<>();
                    start.await();
                    for (int round = 0; round < 200; round++) {
                        List<String> batch = new ArrayList<>();
                        for (int i = 0; i < 32; i++) {
                            batch.add(universe.get(random.nextInt(universe.size())));
                        }
                        float[][] found = cache.getAll(batch);
                        List<String> missing = new ArrayList<>();
                        List<float[]> embedded = new ArrayList<>();
                        for (int i = 0; i < batch.size(); i++) {
                            if (found[i] == null) {
                                missing.add(batch.get(i));
                                embedded.add(vectorFor(batch.get(i), DIM));
                            } else {
                                assertArrayEquals(vectorFor(batch.get(i), DIM), found[i], batch.get(i));
                            }
                        }
                        cache.putAll(missing, embedded);
                        mine.addAll(batch);
                    }
                    return mine;
                };
                results.add(pool.submit(worker));
            }
            for (Future<Set<String>> result : results) {
                stored.addAll(result.get(60, TimeUnit.SECONDS));
            }
            pool.shutdown();

            assertEquals(stored.size(), cache.size());
            assertEquals(THREADS * 200L * 32, cache.hits() + cache.misses());
            // Each text was written exactly once, however many threads missed it together.
            assertEquals((long) stored.size() * DIM * Float.BYTES, Files.size(cache.vectorsFile()));
            Set<Integer> rows = new HashSet<>();
            for (String text : stored) {
                rows.add(cache.rowOf(text));
            }
            assertEquals(stored.size(), rows.size());
            assertNull(cache.recoveryNote());
        }
        try (EmbeddingCache cache = EmbeddingCache.open(dir, ENCODER, FINGERPRINT, DIM)) {
            assertNull(cache.recoveryNote());
            assertEquals(stored.size(), cache.size());
            for (String text : stored) {
                assertArrayEquals(vectorFor(text, DIM), cache.get(text), text);
            }
        }
    }

    @Test
    void closeWaitsForAnAppendInProgress() throws IOException, InterruptedException {
        List<String> texts = texts("late ", 5000);
        List<float[]> vectors = new ArrayList<>();
        for (String text : texts) {
            vectors.add(vectorFor(text, DIM));
        }
        EmbeddingCache cache = EmbeddingCache.open(dir, ENCODER, FINGERPRINT, DIM);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                cache.putAll(texts, vectors);
            } catch (IllegalStateException closedFirst) {
                // close() won the race: nothing was written, which is also consistent
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        writer.start();
        cache.close();
        writer.join();
        assertNull(failure.get());
        try (EmbeddingCache reopened = EmbeddingCache.open(dir, ENCODER, FINGERPRINT, DIM)) {
            assertNull(reopened.recoveryNote());
            int size = reopened.size();
            assertEquals(size == 0 ? 0 : texts.size(), size);
        }
    }
}
