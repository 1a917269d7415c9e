package quarry.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static quarry.encode.EmbeddingCacheTest.DIM;
import static quarry.encode.EmbeddingCacheTest.ENCODER;
import static quarry.encode.EmbeddingCacheTest.FINGERPRINT;
import static quarry.encode.EmbeddingCacheTest.texts;
import static quarry.encode.EmbeddingCacheTest.vectorFor;
import static quarry.encode.EmbeddingCacheTest.vectorsFor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damage the files the way crashes, full disks and bit rot do, and check what open and get make of it. */
@Tag("unit")
class EmbeddingCacheRecoveryTest {

    private static final int ROW_BYTES = DIM * Float.BYTES;
    private static final int HEADER_BYTES = new CacheHeader(DIM, ENCODER, FINGERPRINT).encode().length;

    @TempDir
    Path dir;

    private Path vectorsFile() {
        return dir.resolve(EmbeddingCache.VECTORS_FILE);
    }

    private Path indexFile() {
        return dir.resolve(EmbeddingCache.INDEX_FILE);
    }

    private EmbeddingCache open() throws IOException {
        return EmbeddingCache.open(dir, ENCODER, FINGERPRINT, DIM);
    }

    private List<String> populate(int count) throws IOException {
        List<String> texts = texts("text ", count);
        try (EmbeddingCache cache = open()) {
            cache.putAll(texts, vectorsFor(texts, DIM));
        }
        return texts;
    }

    @Test
    void cleanOpenHasNoNote() throws IOException {
        populate(3);
        try (EmbeddingCache cache = open()) {
            assertNull(cache.recoveryNote());
        }
    }

    @Test
    void truncatedVectorsFileDropsEntriesPastTheEnd() throws IOException {
        List<String> texts = populate(10);
        // Cut into row 8: rows 0-7 survive whole, row 8 is partial, row 9 is gone.
        truncate(vectorsFile(), 10L * ROW_BYTES - 40);

        try (EmbeddingCache cache = open()) {
            assertTrue(cache.recoveryNote().contains("truncated"), cache.recoveryNote());
            assertEquals(8, cache.size());
            assertEquals(8L * ROW_BYTES, Files.size(vectorsFile()));
            float[][] found = cache.getAll(texts);
            for (int i = 0; i < 8; i++) {
                assertArrayEquals(vectorFor(texts.get(i), DIM), found[i], texts.get(i));
            }
            assertNull(found[8]);
            assertNull(found[9]);

            // New texts now fill rows 8 and 9, where the lost texts used to be.
            cache.putAll(List.of("new a", "new b"), List.of(vectorFor("new a", DIM), vectorFor("new b", DIM)));
            assertEquals(8, cache.rowOf("new a"));
        }
        try (EmbeddingCache cache = open()) {
            assertNull(cache.recoveryNote());
            // The dropped records must not come back pointing at the reused rows (rowOf is what
            // code that memory-maps the matrix trusts, without a checksum).
            assertEquals(-1, cache.rowOf(texts.get(8)));
            assertEquals(-1, cache.rowOf(texts.get(9)));
            assertNull(cache.get(texts.get(8)));
            assertNull(cache.get(texts.get(9)));
            assertArrayEquals(vectorFor("new a", DIM), cache.get("new a"));

            cache.put(texts.get(9), vectorFor(texts.get(9), DIM));
            assertArrayEquals(vectorFor(texts.get(9), DIM), cache.get(texts.get(9)));
        }
        try (EmbeddingCache cache = open()) {
            assertArrayEquals(vectorFor(texts.get(9), DIM), cache.get(texts.get(9)));
            assertEquals(11, cache.size());
        }
    }

    @Test
    void missingVectorsFileDropsEveryEntry() throws IOException {
        List<String> texts = populate(4);
        Files.delete(vectorsFile());
        try (EmbeddingCache cache = open()) {
            assertTrue(cache.recoveryNote().contains("dropped 4"), cache.recoveryNote());
            assertEquals(0, cache.size());
            assertNull(cache.get(texts.get(0)));
        }
    }

    @Test
    void flippedBytesInARowAreAMissAndTheRePutSurvivesReopen() throws IOException {
        List<String> texts = populate(3);
        flipByte(vectorsFile(), ROW_BYTES + 5);

        try (EmbeddingCache cache = open()) {
            // The damage is inside a row, so only reading that row can see it.
            assertNull(cache.recoveryNote());
            assertNull(cache.get(texts.get(1)));
            assertEquals(1, cache.misses());
            assertTrue(cache.recoveryNote().contains("CRC32"), cache.recoveryNote());
            assertEquals(-1, cache.rowOf(texts.get(1)));
            assertArrayEquals(vectorFor(texts.get(0), DIM), cache.get(texts.get(0)));
            assertArrayEquals(vectorFor(texts.get(2), DIM), cache.get(texts.get(2)));

            cache.put(texts.get(1), vectorFor(texts.get(1), DIM));
            assertEquals(3, cache.rowOf(texts.get(1)));
            assertArrayEquals(vectorFor(texts.get(1), DIM), cache.get(texts.get(1)));
        }
        try (EmbeddingCache cache = open()) {
            assertNull(cache.recoveryNote());
            float[][] found = cache.getAll(texts);
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(vectorFor(texts.get(i), DIM), found[i], texts.get(i));
            }
        }
    }

    @Test
    void corruptRowStaysAMissAcrossReopenUntilReplaced() throws IOException {
        List<String> texts = populate(2);
        flipByte(vectorsFile(), 0);
        try (EmbeddingCache cache = open()) {
            assertNull(cache.get(texts.get(0)));
        }
        try (EmbeddingCache cache = open()) {
            assertNull(cache.get(texts.get(0)));
            assertArrayEquals(vectorFor(texts.get(1), DIM), cache.get(texts.get(1)));
        }
    }

    @Test
    void garbageIndexHeaderRebuildsEmpty() throws IOException {
        List<String> texts = populate(3);
        try (FileChannel index = FileChannel.open(indexFile(), StandardOpenOption.WRITE)) {
            index.write(ByteBuffer.wrap("this is not a header".getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 0);
        }
        try (EmbeddingCache cache = open()) {
            assertTrue(cache.recoveryNote().contains("bad magic"), cache.recoveryNote());
            assertEquals(0, cache.size());
            assertEquals(0, Files.size(vectorsFile()));
            assertNull(cache.get(texts.get(0)));
            cache.put(texts.get(0), vectorFor(texts.get(0), DIM));
        }
        try (EmbeddingCache cache = open()) {
            assertNull(cache.recoveryNote());
            assertArrayEquals(vectorFor(texts.get(0), DIM), cache.get(texts.get(0)));
        }
    }

    @Test
    void unknownFormatVersionRebuildsEmpty() throws IOException {
        populate(2);
        // The version is the int after the 8-byte magic.
        try (FileChannel index = FileChannel.open(indexFile(), StandardOpenOption.WRITE)) {
            index.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 99), 8);
        }
        try (EmbeddingCache cache = open()) {
            assertTrue(cache.recoveryNote().contains("version 99"), cache.recoveryNote());
            assertEquals(0, cache.size());
        }
    }

    @Test
    void damagedHeaderFieldIsCaughtByTheHeaderChecksum() throws IOException {
        populate(2);
        flipByte(indexFile(), 8 + 4 + 4 + 4); // first byte of the encoder id
        try (EmbeddingCache cache = open()) {
            assertTrue(cache.recoveryNote().contains("checksum"), cache.recoveryNote());
            assertEquals(0, cache.size());
        }
    }

    @Test
    void emptyIndexFileRebuildsEmpty() throws IOException {
        populate(2);
        truncate(indexFile(), 0);
        try (EmbeddingCache cache = open()) {
            assertTrue(cache.recoveryNote().contains("header"), cache.recoveryNote());
            assertEquals(0, cache.size());
        }
    }

    @Test
    void partialTrailingIndexRecordIsDropped() throws IOException {
        List<String> texts = populate(5);
        // A crash mid-append: the new row reached the vectors file, only 10 bytes of its record did.
        append(vectorsFile(), new byte[ROW_BYTES]);
        append(indexFile(), new byte[10]);

        try (EmbeddingCache cache = open()) {
            assertTrue(cache.recoveryNote().contains("partial record"), cache.recoveryNote());
            assertTrue(cache.recoveryNote().contains("past the last indexed row"), cache.recoveryNote());
            assertEquals(HEADER_BYTES + 5L * CacheIndexScan.RECORD_BYTES, Files.size(indexFile()));
            assertEquals(5L * ROW_BYTES, Files.size(vectorsFile()));
            float[][] found = cache.getAll(texts);
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(vectorFor(texts.get(i), DIM), found[i], texts.get(i));
            }
            cache.put("after crash", vectorFor("after crash", DIM));
            assertEquals(5, cache.rowOf("after crash"));
        }
        try (EmbeddingCache cache = open()) {
            assertNull(cache.recoveryNote());
            assertEquals(6, cache.size());
            assertArrayEquals(vectorFor("after crash", DIM), cache.get("after crash"));
        }
    }

    @Test
    void unreferencedTrailingVectorBytesAreTrimmed() throws IOException {
        List<String> texts = populate(3);
        append(vectorsFile(), new byte[2 * ROW_BYTES + 7]);
        try (EmbeddingCache cache = open()) {
            assertTrue(cache.recoveryNote().contains((2 * ROW_BYTES + 7) + " bytes past the last indexed row"),
                    cache.recoveryNote());
            assertEquals(3L * ROW_BYTES, Files.size(vectorsFile()));
            assertArrayEquals(vectorFor(texts.get(2), DIM), cache.get(texts.get(2)));
        }
    }

    @Test
    void vectorsWithoutIndexAreDiscarded() throws IOException {
        populate(3);
        Files.delete(indexFile());
        try (EmbeddingCache cache = open()) {
            assertTrue(cache.recoveryNote().contains("without an index"), cache.recoveryNote());
            assertEquals(0, cache.size());
            assertEquals(0, Files.size(vectorsFile()));
        }
    }

    private static void truncate(Path file, long length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(length);
        }
    }

    private static void append(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.APPEND);
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            one.put(0, (byte) ~one.get(0));
            one.rewind();
            channel.write(one, position);
        }
    }
}
