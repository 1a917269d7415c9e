package quarry.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real encoder behind the on-disk cache. */
@Tag("integration")
class CachingEncoderTest {

    @TempDir
    Path cacheRoot;

    private static final List<String> TEXTS = List.of("book a table for two", "what is my balance",
            "book a table for two", "play some jazz");

    private CachingEncoder open() {
        return CachingEncoder.open(TestModels.minilm(), EncoderOptions.DEFAULTS, cacheRoot);
    }

    @Test
    void secondRunIsServedFromTheCacheWithIdenticalVectors() {
        float[][] first;
        try (CachingEncoder encoder = open()) {
            first = encoder.encode(TEXTS);
            assertEquals(3, encoder.cache().size(), "duplicate text stored once");
            assertArrayEquals(first[0], first[2]);
        }
        try (CachingEncoder encoder = open()) {
            long[] progressCalls = {0};
            float[][] second = encoder.encode(TEXTS, (d, t) -> progressCalls[0]++);
            assertEquals(0, progressCalls[0], "nothing reached the model");
            assertEquals(4, encoder.cache().hits());
            for (int i = 0; i < TEXTS.size(); i++) {
                assertArrayEquals(first[i], second[i]);
            }
        }
    }

    @Test
    void corruptedCacheFileIsDetectedAndRebuiltNotReadWrongly() throws IOException {
        float[][] first;
        try (CachingEncoder encoder = open()) {
            first = encoder.encode(TEXTS);
        }
        Path vectors = cacheRoot.resolve("all-minilm-l6-v2").resolve("vectors.f32");
        try (RandomAccessFile file = new RandomAccessFile(vectors.toFile(), "rw")) {
            file.seek(10);
            file.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        }
        try (CachingEncoder encoder = open()) {
            float[][] again = encoder.encode(TEXTS);
            assertNotNull(encoder.cache().recoveryNote(), "corruption reported");
            for (int i = 0; i < TEXTS.size(); i++) {
                for (int d = 0; d < first[i].length; d++) {
                    assertEquals(first[i][d], again[i][d], 1e-5, "text " + i + " dim " + d);
                }
            }
        }
        try (CachingEncoder encoder = open()) {
            encoder.encode(TEXTS);
            assertEquals(4, encoder.cache().hits(), "re-embedded row served after reopen");
        }
    }

    @Test
    void truncatedCacheFileIsDetected() throws IOException {
        try (CachingEncoder encoder = open()) {
            encoder.encode(TEXTS);
        }
        Path vectors = cacheRoot.resolve("all-minilm-l6-v2").resolve("vectors.f32");
        try (RandomAccessFile file = new RandomAccessFile(vectors.toFile(), "rw")) {
            file.setLength(file.length() - 100);
        }
        try (CachingEncoder encoder = open()) {
            assertNotNull(encoder.cache().recoveryNote());
            assertTrue(encoder.cache().size() < 3);
            float[][] again = encoder.encode(TEXTS);
            assertEquals(4, again.length);
            assertEquals(3, encoder.cache().size());
        }
    }

    @Test
    void otherWindowSettingsDoNotReuseVectors() {
        try (CachingEncoder encoder = open()) {
            encoder.encode(TEXTS);
        }
        try (CachingEncoder encoder = CachingEncoder.open(TestModels.minilm(),
                EncoderOptions.DEFAULTS.withMaxTokens(64), cacheRoot)) {
            assertEquals(0, encoder.cache().size());
            assertNotNull(encoder.cache().recoveryNote());
        }
    }
}
