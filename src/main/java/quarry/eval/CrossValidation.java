package quarry.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Deterministic k-fold splits of the labeled set, for estimating accuracy from the labels alone
 * (the loop trains one model per fold and scores it on the fold it did not see). Only the
 * splitting lives here.
 *
 * <p><b>Stratified.</b> Items are grouped by class (classes in ascending order), each group is
 * shuffled with a {@link Random} seeded once per call, and the groups are then dealt out one item
 * at a time round-robin across folds, continuing from fold to fold between classes. So each class
 * is spread as evenly as it can be, fold sizes differ by at most one, and a class with fewer
 * members than k simply lands in fewer folds (some folds have none of it). The same labels, k and
 * seed always give the same folds.
 *
 * <p>See {@link #BIAS_NOTE} for what the resulting estimate does and does not mean.
 */
public final class CrossValidation {

    /** What a cross-validated accuracy on an actively chosen labeled set is biased by, in words. */
    public static final String BIAS_NOTE = "Estimated by k-fold cross-validation on the labeled items only. "
            + "Each fold's model is trained on (k-1)/k of the labels, which understates the full model a little; "
            + "and active learning picks hard, ambiguous items to label, so the labeled set is harder than the "
            + "pool and the estimate is usually pessimistic (with random picks it is close to unbiased). Classes "
            + "with fewer labeled items than folds are sometimes absent from a fold's training data.";

    private CrossValidation() {
    }

    /**
     * One split.
     *
     * @param index which fold, in {@code [0, k)}
     * @param train indices of the items to train on, ascending
     * @param test  indices of the items held out, ascending
     */
    public record Fold(int index, int[] train, int[] test) {
    }

    /**
     * The fold each item is held out in.
     *
     * @param labels the class of each labeled item (any ints; only equality counts)
     * @param k      number of folds, at least 2 and at most the number of items
     * @param seed   the shuffle seed
     * @return for each item, its fold in {@code [0, k)}
     */
    public static int[] stratifiedAssignment(int[] labels, int k, long seed) {
        checkK(labels.length, k);
        Map<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < labels.length; i++) {
            byClass.computeIfAbsent(labels[i], c -> new ArrayList<>()).add(i);
        }
        Random random = new Random(seed);
        int[] fold = new int[labels.length];
        int dealt = 0;
        for (List<Integer> members : byClass.values()) {
            int[] shuffled = members.stream().mapToInt(Integer::intValue).toArray();
            shuffle(shuffled, random);
            for (int i : shuffled) {
                fold[i] = dealt++ % k;
            }
        }
        return fold;
    }

    /** Stratified folds (see the class comment). */
    public static List<Fold> stratifiedFolds(int[] labels, int k, long seed) {
        return toFolds(stratifiedAssignment(labels, k, seed), k);
    }

    /**
     * Plain shuffled folds of {@code n} items, for when there is no single class to stratify by
     * (multi-label). Fold sizes differ by at most one.
     */
    public static List<Fold> folds(int n, int k, long seed) {
        checkK(n, k);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        shuffle(order, new Random(seed));
        int[] fold = new int[n];
        for (int p = 0; p < n; p++) {
            fold[order[p]] = p % k;
        }
        return toFolds(fold, k);
    }

    private static List<Fold> toFolds(int[] assignment, int k) {
        int[] testSize = new int[k];
        for (int f : assignment) {
            testSize[f]++;
        }
        List<Fold> folds = new ArrayList<>(k);
        for (int f = 0; f < k; f++) {
            int[] test = new int[testSize[f]];
            int[] train = new int[assignment.length - testSize[f]];
            int t = 0;
            int r = 0;
            for (int i = 0; i < assignment.length; i++) {
                if (assignment[i] == f) {
                    test[t++] = i;
                } else {
                    train[r++] = i;
                }
            }
            folds.add(new Fold(f, train, test));
        }
        return folds;
    }

    private static void checkK(int n, int k) {
        if (k < 2) {
            throw new IllegalArgumentException("k-fold cross-validation needs k >= 2, got " + k);
        }
        if (k > n) {
            throw new IllegalArgumentException("cannot make " + k + " folds from " + n + " labeled items");
        }
    }

    /** Fisher–Yates, with a seeded {@link Random} so the result is the same on every JVM. */
    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }
}
