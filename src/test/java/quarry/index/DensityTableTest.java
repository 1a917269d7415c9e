package quarry.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class DensityTableTest {

    @TempDir
    Path dir;

    private static int[] rows(DensityTable table, int row) {
        int[] out = new int[table.count(row)];
        for (int i = 0; i < out.length; i++) {
            out[i] = table.neighbour(row, i);
        }
        return out;
    }

    @Test
    void foldKeepsTheBestKInOrderAndCountsEachNeighbourOnce() {
        DensityTable table = new DensityTable(3);
        table.set(5, new int[] {1, 2}, new float[] {0.9f, 0.5f}, 2);
        assertTrue(table.fold(5, 3, 0.7f), "room left");
        assertArrayEquals(new int[] {1, 3, 2}, rows(table, 5));
        assertFalse(table.fold(5, 3, 0.7f), "already listed");
        assertFalse(table.fold(5, 4, 0.4f), "not closer than the k-th");
        assertTrue(table.fold(5, 4, 0.95f));
        assertArrayEquals(new int[] {4, 1, 3}, rows(table, 5));
        assertEquals((0.95f + 0.9f + 0.7f) / 3, table.density(5, 3), 1e-6);
        assertEquals(0.95f, table.density(5, 1), 1e-6);
        assertFalse(table.fold(6, 1, 0.9f), "rows never computed are left alone");
        assertFalse(table.fold(5, 5, 1f), "a row is not its own neighbour");
        assertTrue(Float.isNaN(table.density(6, 3)));
    }

    @Test
    void saveAndLoadRoundTripAndCutToASmallerK() throws IOException {
        DensityTable table = new DensityTable(3);
        table.set(0, new int[] {2, 1, 7}, new float[] {0.8f, 0.6f, 0.1f}, 3);
        table.set(7, new int[] {0}, new float[] {0.1f}, 1);
        Path file = dir.resolve("density.bin");
        table.save(file, 32);
        DensityTable same = DensityTable.load(file, 32, 3);
        assertEquals(2, same.known());
        assertArrayEquals(new int[] {2, 1, 7}, rows(same, 0));
        assertEquals(table.density(7, 3), same.density(7, 3));
        assertArrayEquals(new int[] {2, 1}, rows(DensityTable.load(file, 32, 2), 0));
        assertThrows(DensityTable.CorruptException.class, () -> DensityTable.load(file, 32, 4));
        assertThrows(DensityTable.CorruptException.class, () -> DensityTable.load(file, 16, 3));
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        assertThrows(DensityTable.CorruptException.class, () -> DensityTable.load(file, 32, 3));
    }
}
