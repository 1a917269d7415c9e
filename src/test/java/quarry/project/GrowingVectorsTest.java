package quarry.project;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.Vectors;

/** Pool vectors in a mapped scratch file: the same rows back, across segments, and no file left after. */
@Tag("unit")
class GrowingVectorsTest {

    private static float[][] rows(int n, int dim, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] out = new float[n][dim];
        for (float[] row : out) {
            for (int d = 0; d < dim; d++) {
                row[d] = (float) random.nextGaussian();
            }
        }
        return out;
    }

    @Test
    void rowsComeBackAsWrittenAcrossSegments(@TempDir Path dir) {
        Path file = dir.resolve("pool.vectors");
        float[][] first = rows(13, 5, 1);
        float[][] second = rows(9, 5, 2);
        // 7 rows a segment: 22 rows span four mappings, and chunks straddle their edges
        try (GrowingVectors v = new GrowingVectors(5, file, 7 * 5 * 4)) {
            v.append(first);
            Vectors before = v.view(v.size());
            v.append(second);
            assertEquals(13, before.size(), "a view keeps the size it was taken at");
            assertEquals(22, v.size());
            Vectors all = v.view(22);
            for (int i = 0; i < 22; i++) {
                assertArrayEquals(i < 13 ? first[i] : second[i - 13], all.row(i));
            }
            assertArrayEquals(first[12], before.row(12));
            assertThrows(IndexOutOfBoundsException.class, () -> before.row(13));

            float[] dst = new float[3 * 5];
            all.copyRows(new int[] {20, 0, 7}, dst);
            assertArrayEquals(second[7], Arrays.copyOfRange(dst, 0, 5));
            assertArrayEquals(first[0], Arrays.copyOfRange(dst, 5, 10));
            assertArrayEquals(first[7], Arrays.copyOfRange(dst, 10, 15));

            Vectors slice = v.slice(12, 16);
            assertEquals(4, slice.size());
            float[] range = new float[4 * 5];
            slice.copyRows(0, 4, range);
            assertArrayEquals(first[12], Arrays.copyOfRange(range, 0, 5));
            assertArrayEquals(second[2], Arrays.copyOfRange(range, 15, 20));
            assertArrayEquals(second[8], v.row(21));
            assertTrue(Files.exists(file));
        }
        assertFalse(Files.exists(file), "the scratch file goes with the pool");
    }

    @Test
    void badRowsAndRangesAreRefusedAndAddNothing(@TempDir Path dir) {
        try (GrowingVectors v = new GrowingVectors(4, dir.resolve("v"))) {
            v.append(rows(2, 4, 3));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> v.append(new float[][] {new float[4], new float[3]}));
            assertTrue(e.getMessage().contains("3 floats"), e.getMessage());
            assertEquals(2, v.size(), "a batch with one bad row adds none");
            assertThrows(IllegalArgumentException.class, () -> v.view(3));
            assertThrows(IllegalArgumentException.class, () -> v.slice(2, 1));
        }
    }

    @Test
    void reopeningStartsEmpty(@TempDir Path dir) {
        Path file = dir.resolve("v");
        try (GrowingVectors v = new GrowingVectors(4, file)) {
            v.append(rows(3, 4, 4));
        }
        try (GrowingVectors v = new GrowingVectors(4, file)) {
            assertEquals(0, v.size(), "the file is a scratch copy, rebuilt from the embedding cache");
        }
    }
}
