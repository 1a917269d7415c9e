package quarry.core;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Seeded sampling without replacement (a partial Fisher–Yates shuffle). */
public final class Sampling {

    private Sampling() {
    }

    /** Up to {@code k} of {@code values}, chosen with {@code seed}, in the order drawn; all when fewer. */
    public static int[] sample(int[] values, int k, long seed) {
        int[] copy = values.clone();
        int m = Math.min(k, copy.length);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < m; i++) {
            int j = i + random.nextInt(copy.length - i);
            int t = copy[i];
            copy[i] = copy[j];
            copy[j] = t;
        }
        return Arrays.copyOf(copy, m);
    }

    /** Up to {@code k} of the integers {@code [0, n)}, chosen with {@code seed}, in the order drawn. */
    public static int[] sample(int n, int k, long seed) {
        int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        return sample(all, k, seed);
    }
}
