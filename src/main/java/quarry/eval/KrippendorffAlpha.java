package quarry.eval;

import java.util.List;

/**
 * Krippendorff's α for nominal values: agreement among any number of annotators, with any of them
 * missing on any item, corrected for chance, α = 1 − D<sub>o</sub> / D<sub>e</sub>. Observed
 * disagreement D<sub>o</sub> comes from the coincidence matrix (every ordered pair of values within
 * an item, weighted 1/(m − 1) for an item with m values); expected disagreement D<sub>e</sub> from
 * the values' overall frequencies. Items with fewer than two values carry no pairs and are left out.
 *
 * <p><b>Degenerate case.</b> When every pairable value is the same, D<sub>e</sub> is 0 and the formula
 * is 0/0; α is 1 there (perfect, if uninformative, agreement), as for {@link CohenKappa}.
 */
public final class KrippendorffAlpha {

    private KrippendorffAlpha() {
    }

    /**
     * @param items   per item, the values its annotators gave (classes in {@code [0, classes)})
     * @param classes the number of distinct values
     * @return α in [−1, 1]; NaN when no item has two values
     */
    public static double nominal(List<int[]> items, int classes) {
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        }
        double[][] coincidence = new double[classes][classes];
        for (int u = 0; u < items.size(); u++) {
            int[] values = items.get(u);
            for (int v : values) {
                if (v < 0 || v >= classes) {
                    throw new IllegalArgumentException("item " + u + " has value " + v + ", outside [0, " + classes
                            + ")");
                }
            }
            int m = values.length;
            if (m < 2) {
                continue;
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++) {
                    if (i != j) {
                        coincidence[values[i]][values[j]] += 1.0 / (m - 1);
                    }
                }
            }
        }
        double[] marginal = new double[classes];
        double n = 0;
        double observed = 0;
        for (int c = 0; c < classes; c++) {
            for (int k = 0; k < classes; k++) {
                marginal[c] += coincidence[c][k];
                if (c != k) {
                    observed += coincidence[c][k];
                }
            }
            n += marginal[c];
        }
        if (n == 0) {
            return Double.NaN;
        }
        double expected = 0;
        for (int c = 0; c < classes; c++) {
            for (int k = 0; k < classes; k++) {
                if (c != k) {
                    expected += marginal[c] * marginal[k];
                }
            }
        }
        if (expected == 0) {
            return 1;
        }
        return 1 - (n - 1) * observed / expected;
    }

    /**
     * Per value, α of the items recoded one-vs-rest (that value, or any other): how reliably the
     * annotators tell this value from the rest. NaN for a value no pairable item holds, and for
     * every value when no item has two values.
     *
     * @param items   as for {@link #nominal}
     * @param classes the number of distinct values
     */
    public static double[] perValue(List<int[]> items, int classes) {
        nominal(items, classes); // checks the values
        double[] out = new double[classes];
        for (int c = 0; c < classes; c++) {
            int value = c;
            boolean used = false;
            List<int[]> binary = new java.util.ArrayList<>(items.size());
            for (int[] values : items) {
                int[] b = new int[values.length];
                for (int i = 0; i < values.length; i++) {
                    b[i] = values[i] == value ? 1 : 0;
                    used |= values.length >= 2 && b[i] == 1;
                }
                binary.add(b);
            }
            out[c] = used ? nominal(binary, 2) : Double.NaN;
        }
        return out;
    }
}
