package quarry.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class WindowsTest {

    /** [CLS]=101, content 1..n, [SEP]=102. */
    private static long[] ids(int content) {
        long[] ids = new long[content + 2];
        ids[0] = 101;
        for (int i = 1; i <= content; i++) {
            ids[i] = i;
        }
        ids[content + 1] = 102;
        return ids;
    }

    private static long[] mask(int content) {
        long[] mask = new long[content + 2];
        mask[0] = 1;
        mask[content + 1] = 1;
        return mask;
    }

    @Test
    void shortTextIsOneWindow() {
        List<long[]> windows = Windows.split(ids(5), mask(5), 10, 2);
        assertEquals(1, windows.size());
        assertArrayEquals(ids(5), windows.get(0));
    }

    @Test
    void longTextIsSplitIntoOverlappingWindowsWithSpecialsKept() {
        // window 10 = 8 content tokens; step 8 - 3 = 5: content 1-8, 6-13, 11-18, 16-20
        List<long[]> windows = Windows.split(ids(20), mask(20), 10, 3);
        assertEquals(4, windows.size());
        assertArrayEquals(new long[] {101, 1, 2, 3, 4, 5, 6, 7, 8, 102}, windows.get(0));
        assertArrayEquals(new long[] {101, 6, 7, 8, 9, 10, 11, 12, 13, 102}, windows.get(1));
        assertArrayEquals(new long[] {101, 16, 17, 18, 19, 20, 102}, windows.get(3));
        for (long[] w : windows) {
            assertTrue(w.length <= 10);
        }
    }

    @Test
    void overlapAsLargeAsTheWindowIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Windows.split(ids(20), mask(20), 10, 8));
    }

    @Test
    void meanOfWindowsIsRenormalised() {
        float[] v = Windows.mean(List.of(new float[] {1, 0}, new float[] {0, 1}), true);
        assertEquals(Math.sqrt(0.5), v[0], 1e-6);
        assertEquals(Math.sqrt(0.5), v[1], 1e-6);
    }
}
