package quarry.eval;

/**
 * Cohen's κ between two labelings of the same items: agreement corrected for the agreement that two
 * independent labelers with the same label frequencies would reach by chance,
 * κ = (p<sub>o</sub> − p<sub>e</sub>) / (1 − p<sub>e</sub>). Used to compare successive models'
 * predictions on a fixed stop set: κ near 1 means the model has stopped changing its mind.
 *
 * <p><b>Degenerate case.</b> When both labelings put every item in the same single class, chance
 * agreement p<sub>e</sub> is 1 and the formula is 0/0. We define κ = 1 there: the two labelings
 * are identical, and for a stopping rule "identical" must read as "stable". (If both are constant
 * but in different classes, p<sub>e</sub> = 0 and the formula gives κ = 0 without special care.)
 */
public final class CohenKappa {

    private CohenKappa() {
    }

    /**
     * @param a       one labeling, classes in {@code [0, classes)}
     * @param b       the other, same length
     * @param classes the size of the label schema
     * @return κ in [−1, 1]; 1 for identical labelings
     */
    public static double of(int[] a, int[] b, int classes) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("labelings differ in length: " + a.length + " and " + b.length);
        }
        if (a.length == 0) {
            throw new IllegalArgumentException("no items to compare");
        }
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        }
        long[] countA = new long[classes];
        long[] countB = new long[classes];
        long agree = 0;
        for (int i = 0; i < a.length; i++) {
            int x = a[i];
            int y = b[i];
            if (x < 0 || x >= classes || y < 0 || y >= classes) {
                throw new IllegalArgumentException("item " + i + " has classes " + x + " and " + y
                        + ", outside [0, " + classes + ")");
            }
            countA[x]++;
            countB[y]++;
            if (x == y) {
                agree++;
            }
        }
        double n = a.length;
        double observed = agree / n;
        double chance = 0;
        for (int c = 0; c < classes; c++) {
            chance += (countA[c] / n) * (countB[c] / n);
        }
        if (agree == a.length) {
            return 1; // identical, including the constant-and-equal case where chance = 1
        }
        return (observed - chance) / (1 - chance);
    }

    /** As {@link #of(int[], int[], int)}, with the schema size taken as the largest class seen + 1. */
    public static double of(int[] a, int[] b) {
        int max = 0;
        for (int x : a) {
            max = Math.max(max, x);
        }
        for (int y : b) {
            max = Math.max(max, y);
        }
        return of(a, b, max + 1);
    }
}
