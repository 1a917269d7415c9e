package quarry.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class EmbeddingCacheTest {

    static final String ENCODER = "all-minilm-l6-v2";
    static final String FINGERPRINT = "onnx:90387630:tok=abc:max=256";
    static final int DIM = 8;

    @TempDir
    Path dir;

    /** A deterministic vector per text, so any thread or reopen can check what it got back. */
    static float[] vectorFor(String text, int dimension) {
        Random random = new Random(text.hashCode());
        float[] vector = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            vector[i] = random.nextFloat() * 2 - 1;
        }
        return vector;
    }

    static List<String> texts(String prefix, int count) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            texts.add(prefix + i);
        }
        return texts;
    }

    static List<float[]> vectorsFor(List<String> texts, int dimension) {
        List<float[]> vectors = new ArrayList<>();
        for (String text : texts) {
            vectors.add(vectorFor(text, dimension));
        }
        return vectors;
    }

    private EmbeddingCache open() throws IOException {
        return EmbeddingCache.open(dir, ENCODER, FINGERPRINT, DIM);
    }

    @Test
    void missThenHit() throws IOException {
        try (EmbeddingCache cache = open()) {
            assertNull(cache.get("hello"));
            assertEquals(1, cache.misses());
            assertEquals(-1, cache.rowOf("hello"));

            cache.put("hello", vectorFor("hello", DIM));
            assertArrayEquals(vectorFor("hello", DIM), cache.get("hello"));
            assertEquals(1, cache.hits());
            assertEquals(1, cache.misses());
            assertEquals(1, cache.size());
            assertEquals(0, cache.rowOf("hello"));
            assertNull(cache.recoveryNote());
        }
    }

    @Test
    void valuesRoundTripBitForBit() throws IOException {
        float[] awkward = {-0.0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN,
            Float.NEGATIVE_INFINITY, 1e-38f, (float) Math.PI, -123456.79f};
        try (EmbeddingCache cache = open()) {
            cache.put("awkward", awkward);
            assertSameBits(awkward, cache.get("awkward"));
        }
        try (EmbeddingCache cache = open()) {
            assertSameBits(awkward, cache.get("awkward"));
        }
    }

    @Test
    void survivesCloseAndReopen() throws IOException {
        List<String> texts = texts("doc ", 100);
        try (EmbeddingCache cache = open()) {
            cache.putAll(texts, vectorsFor(texts, DIM));
        }
        try (EmbeddingCache cache = open()) {
            assertNull(cache.recoveryNote());
            assertEquals(100, cache.size());
            float[][] found = cache.getAll(texts);
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(vectorFor(texts.get(i), DIM), found[i], texts.get(i));
                assertEquals(i, cache.rowOf(texts.get(i)));
            }
            assertEquals(100, cache.hits());
        }
    }

    @Test
    void getAllReturnsNullForMisses() throws IOException {
        try (EmbeddingCache cache = open()) {
            cache.put("b", vectorFor("b", DIM));
            float[][] found = cache.getAll(List.of("a", "b", "c"));
            assertNull(found[0]);
            assertArrayEquals(vectorFor("b", DIM), found[1]);
            assertNull(found[2]);
            assertEquals(1, cache.hits());
            assertEquals(2, cache.misses());
        }
    }

    @Test
    void textsAreKeyedByExactUtf8Content() throws IOException {
        try (EmbeddingCache cache = open()) {
            cache.putAll(List.of("café", "cafe", "Café", ""),
                    List.of(vectorFor("1", DIM), vectorFor("2", DIM), vectorFor("3", DIM), vectorFor("4", DIM)));
            assertArrayEquals(vectorFor("1", DIM), cache.get("café"));
            assertArrayEquals(vectorFor("2", DIM), cache.get("cafe"));
            assertArrayEquals(vectorFor("3", DIM), cache.get("Café"));
            assertArrayEquals(vectorFor("4", DIM), cache.get(""));
        }
    }

    @Test
    void sameTextInDifferentEncoderDirectoriesIsIndependent() throws IOException {
        Path minilm = dir.resolve("cache").resolve("all-minilm-l6-v2");
        Path bge = dir.resolve("cache").resolve("bge-small-en-v1.5");
        try (EmbeddingCache a = EmbeddingCache.open(minilm, "all-minilm-l6-v2", "fp-a", DIM);
                EmbeddingCache b = EmbeddingCache.open(bge, "bge-small-en-v1.5", "fp-b", DIM)) {
            a.put("shared text", vectorFor("from minilm", DIM));
            assertNull(b.get("shared text"));
            b.put("shared text", vectorFor("from bge", DIM));
            assertArrayEquals(vectorFor("from minilm", DIM), a.get("shared text"));
            assertArrayEquals(vectorFor("from bge", DIM), b.get("shared text"));
        }
        try (EmbeddingCache a = EmbeddingCache.open(minilm, "all-minilm-l6-v2", "fp-a", DIM)) {
            assertArrayEquals(vectorFor("from minilm", DIM), a.get("shared text"));
        }
    }

    @Test
    void fingerprintChangeDiscardsTheCache() throws IOException {
        try (EmbeddingCache cache = open()) {
            cache.put("x", vectorFor("x", DIM));
        }
        try (EmbeddingCache cache = EmbeddingCache.open(dir, ENCODER, "other weights", DIM)) {
            assertTrue(cache.recoveryNote().contains("fingerprint changed"), cache.recoveryNote());
            assertTrue(cache.recoveryNote().contains("discarded"), cache.recoveryNote());
            assertEquals(0, cache.size());
            assertNull(cache.get("x"));
            assertEquals(0, Files.size(cache.vectorsFile()));
            cache.put("y", vectorFor("y", DIM));
        }
        try (EmbeddingCache cache = EmbeddingCache.open(dir, ENCODER, "other weights", DIM)) {
            assertNull(cache.recoveryNote());
            assertArrayEquals(vectorFor("y", DIM), cache.get("y"));
        }
    }

    @Test
    void dimensionChangeDiscardsTheCache() throws IOException {
        try (EmbeddingCache cache = open()) {
            cache.put("x", vectorFor("x", DIM));
        }
        try (EmbeddingCache cache = EmbeddingCache.open(dir, ENCODER, FINGERPRINT, 16)) {
            assertTrue(cache.recoveryNote().contains("dimension changed from 8 to 16"), cache.recoveryNote());
            assertEquals(0, cache.size());
            assertNull(cache.get("x"));
        }
    }

    @Test
    void encoderIdChangeDiscardsTheCache() throws IOException {
        try (EmbeddingCache cache = open()) {
            cache.put("x", vectorFor("x", DIM));
        }
        try (EmbeddingCache cache = EmbeddingCache.open(dir, "e5-small-v2", FINGERPRINT, DIM)) {
            assertTrue(cache.recoveryNote().contains("encoder id changed"), cache.recoveryNote());
            assertEquals(0, cache.size());
        }
    }

    @Test
    void wrongLengthVectorIsRejectedAndNothingIsWritten() throws IOException {
        try (EmbeddingCache cache = open()) {
            IllegalArgumentException single = assertThrows(IllegalArgumentException.class,
                    () -> cache.put("short", new float[3]));
            assertTrue(single.getMessage().contains("length 3"), single.getMessage());
            assertTrue(single.getMessage().contains("dimension 8"), single.getMessage());

            IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                    () -> cache.putAll(List.of("ok", "long"), List.of(new float[DIM], new float[DIM + 1])));
            assertTrue(batch.getMessage().contains("vectors[1] has length 9"), batch.getMessage());
            assertEquals(0, cache.size());
            assertEquals(0, Files.size(cache.vectorsFile()));
        }
    }

    @Test
    void badArgumentsAreRejectedWithTheValue() throws IOException {
        IllegalArgumentException dimension = assertThrows(IllegalArgumentException.class,
                () -> EmbeddingCache.open(dir, ENCODER, FINGERPRINT, 0));
        assertTrue(dimension.getMessage().endsWith(": 0"), dimension.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EmbeddingCache.open(dir, " ", FINGERPRINT, DIM));
        try (EmbeddingCache cache = open()) {
            IllegalArgumentException sizes = assertThrows(IllegalArgumentException.class,
                    () -> cache.putAll(List.of("a", "b"), List.of(new float[DIM])));
            assertTrue(sizes.getMessage().contains("2 texts, 1 vectors"), sizes.getMessage());
            NullPointerException nullText = assertThrows(NullPointerException.class,
                    () -> cache.getAll(Arrays.asList("a", null)));
            assertTrue(nullText.getMessage().contains("texts[1]"), nullText.getMessage());
        }
    }

    @Test
    void putAllSkipsTextsAlreadyPresentAndRepeatsInTheBatch() throws IOException {
        try (EmbeddingCache cache = open()) {
            cache.put("a", vectorFor("a", DIM));
            cache.putAll(List.of("a", "b", "b"), List.of(vectorFor("other", DIM), vectorFor("b", DIM),
                    vectorFor("other", DIM)));
            assertArrayEquals(vectorFor("a", DIM), cache.get("a"));
            assertArrayEquals(vectorFor("b", DIM), cache.get("b"));
            assertEquals(2, cache.size());
            assertEquals(2L * DIM * Float.BYTES, Files.size(cache.vectorsFile()));
        }
    }

    @Test
    void vectorsFileIsAPlainLittleEndianMatrix() throws IOException {
        List<String> texts = texts("row ", 5);
        try (EmbeddingCache cache = open()) {
            cache.putAll(texts, vectorsFor(texts, DIM));
            cache.flush();
            ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(cache.vectorsFile())).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(5 * DIM * Float.BYTES, bytes.capacity());
            for (String text : texts) {
                float[] row = new float[DIM];
                bytes.position(cache.rowOf(text) * DIM * Float.BYTES);
                bytes.asFloatBuffer().get(row);
                assertArrayEquals(vectorFor(text, DIM), row, text);
            }
        }
    }

    @Test
    void aSecondOpenOnlyReadsWhatTheFirstWrites() throws Exception {
        try (EmbeddingCache writer = open()) {
            writer.put("x", vectorFor("x", DIM));
            writer.flush();
            long bytes = Files.size(writer.vectorsFile());
            try (EmbeddingCache reader = open()) {
                assertTrue(reader.readOnly());
                assertFalse(writer.readOnly());
                assertTrue(reader.recoveryNote().contains("read-only"), reader.recoveryNote());
                assertArrayEquals(vectorFor("x", DIM), reader.get("x"));
                // The reader stores nothing: a second appender would interleave rows.
                reader.put("z", vectorFor("z", DIM));
                reader.flush();
                assertNull(reader.get("z"));
                assertNull(writer.get("z"));
                assertEquals(bytes, Files.size(writer.vectorsFile()));
                // What the writer stores later reaches the reader (it reads the index again within a second or so).
                writer.put("y", vectorFor("y", DIM));
                writer.flush();
                float[] y = null;
                for (long deadline = System.nanoTime() + 5_000_000_000L; y == null && System.nanoTime() < deadline; ) {
                    y = reader.get("y");
                    Thread.sleep(100);
                }
                assertArrayEquals(vectorFor("y", DIM), y);
            }
            writer.put("w", vectorFor("w", DIM)); // the writer goes on after the reader closed
        }
        try (EmbeddingCache cache = open()) {
            assertFalse(cache.readOnly());
            assertArrayEquals(vectorFor("x", DIM), cache.get("x"));
            assertArrayEquals(vectorFor("y", DIM), cache.get("y"));
            assertArrayEquals(vectorFor("w", DIM), cache.get("w"));
            assertNull(cache.get("z"));
            assertNull(cache.recoveryNote(), "nothing to repair after a reader");
        }
    }

    @Test
    void closedCacheRefusesWorkAndClosesIdempotently() throws IOException {
        EmbeddingCache cache = open();
        cache.close();
        cache.close();
        assertThrows(IllegalStateException.class, () -> cache.get("x"));
        assertThrows(IllegalStateException.class, () -> cache.put("x", new float[DIM]));
    }

    @Test
    void largeBatchesAreWrittenInChunksAndStayReadable() throws IOException {
        // 384 floats per row: 8 MiB chunks hold 5461 rows, so 12,000 rows take three chunks.
        int dimension = 384;
        List<String> texts = texts("big ", 12_000);
        try (EmbeddingCache cache = EmbeddingCache.open(dir, ENCODER, FINGERPRINT, dimension)) {
            cache.putAll(texts, vectorsFor(texts, dimension));
        }
        try (EmbeddingCache cache = EmbeddingCache.open(dir, ENCODER, FINGERPRINT, dimension)) {
            assertNull(cache.recoveryNote());
            assertEquals(12_000, cache.size());
            for (int i = 0; i < texts.size(); i += 997) {
                assertArrayEquals(vectorFor(texts.get(i), dimension), cache.get(texts.get(i)));
                assertEquals(i, cache.rowOf(texts.get(i)));
            }
        }
    }

    static void assertSameBits(float[] expected, float[] actual) {
        assertNotNull(actual);
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "element " + i);
        }
    }
}
