package quarry.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Labels most likely wrong, by confident learning (Northcutt, Jiang and Chuang, JAIR 2021) on
 * out-of-fold predicted probabilities: each label's threshold is the mean probability the model
 * gives it on the examples carrying it; an example counts as confidently belonging to every label
 * whose probability clears that label's threshold, and to the likeliest of them. These counts form
 * the confident joint of given and likely labels; for each pair of a given label and another, as
 * many of its examples as the joint holds are flagged, those with the largest margin of the other
 * label over the given one ("prune by noise rate"). Flagged examples rank first, least self-confident
 * first; the rest follow in the same order, so a reviewer can go on past the flagged ones.
 */
public final class SuspectLabels {

    /**
     * One labeled example's place in the ranking.
     *
     * @param index          position in the input arrays
     * @param given          the label it carries
     * @param likely         the label the model finds likeliest
     * @param selfConfidence the out-of-fold probability of the given label
     * @param flagged        whether confident learning counts it as a label error
     */
    public record Suspect(int index, int given, int likely, double selfConfidence, boolean flagged) {
    }

    private SuspectLabels() {
    }

    /**
     * @param probabilities out-of-fold probabilities, one row per example, one column per label
     * @param given         each example's label (single-label)
     * @return every example, most suspect first
     */
    public static List<Suspect> rank(float[][] probabilities, int[] given) {
        int n = given.length;
        if (probabilities.length != n) {
            throw new IllegalArgumentException(probabilities.length + " probability rows for " + n + " labels");
        }
        if (n == 0) {
            return List.of();
        }
        int labels = probabilities[0].length;
        for (int i = 0; i < n; i++) {
            if (given[i] < 0 || given[i] >= labels || probabilities[i].length != labels) {
                throw new IllegalArgumentException("example " + i + ": label " + given[i] + " with "
                        + probabilities[i].length + " probabilities, expected a label in 0.." + (labels - 1));
            }
        }
        double[] threshold = thresholds(probabilities, given, labels);
        // The confident joint: given label × the likeliest label whose threshold the example clears.
        int[] confident = new int[n];
        int[][] joint = new int[labels][labels];
        for (int i = 0; i < n; i++) {
            confident[i] = -1;
            float[] p = probabilities[i];
            for (int j = 0; j < labels; j++) {
                if (p[j] >= threshold[j] && (confident[i] < 0 || p[j] > p[confident[i]])) {
                    confident[i] = j;
                }
            }
            if (confident[i] >= 0) {
                joint[given[i]][confident[i]]++;
            }
        }
        boolean[] flagged = new boolean[n];
        for (int g = 0; g < labels; g++) {
            for (int j = 0; j < labels; j++) {
                if (g != j && joint[g][j] > 0) {
                    flagLargestMargins(probabilities, given, g, j, joint[g][j], flagged);
                }
            }
        }
        List<Suspect> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int gi = given[i];
            out.add(new Suspect(i, gi, argmax(probabilities[i]), probabilities[i][gi], flagged[i]));
        }
        out.sort(Comparator.comparing((Suspect s) -> !s.flagged()).thenComparingDouble(Suspect::selfConfidence)
                .thenComparingInt(Suspect::index));
        return out;
    }

    /** Mean probability of each label over the examples that carry it (1 when none does: never cleared). */
    private static double[] thresholds(float[][] probabilities, int[] given, int labels) {
        double[] sum = new double[labels];
        int[] count = new int[labels];
        for (int i = 0; i < given.length; i++) {
            sum[given[i]] += probabilities[i][given[i]];
            count[given[i]]++;
        }
        double[] t = new double[labels];
        for (int j = 0; j < labels; j++) {
            t[j] = count[j] == 0 ? 1.0 : sum[j] / count[j];
        }
        return t;
    }

    /** Flags the {@code k} examples given {@code g} with the largest margin of {@code j} over {@code g}. */
    private static void flagLargestMargins(float[][] p, int[] given, int g, int j, int k, boolean[] flagged) {
        Integer[] carrying = new Integer[given.length];
        int m = 0;
        for (int i = 0; i < given.length; i++) {
            if (given[i] == g && !flagged[i]) {
                carrying[m++] = i;
            }
        }
        Integer[] candidates = Arrays.copyOf(carrying, m);
        Arrays.sort(candidates, Comparator.comparingDouble((Integer i) -> p[i][g] - p[i][j]).thenComparingInt(i -> i));
        for (int r = 0; r < Math.min(k, candidates.length); r++) {
            flagged[candidates[r]] = true;
        }
    }

    private static int argmax(float[] p) {
        int best = 0;
        for (int j = 1; j < p.length; j++) {
            if (p[j] > p[best]) {
                best = j;
            }
        }
        return best;
    }
}
