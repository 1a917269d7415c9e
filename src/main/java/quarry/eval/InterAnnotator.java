package quarry.eval;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Agreement among annotators who labeled the same items with one nominal class each: Krippendorff's
 * α overall and per class (one-vs-rest), the share of agreeing pairs, and Cohen's κ for each pair of
 * annotators and for each annotator against the others. Items with fewer than two annotators carry
 * no pairs and are left out of everything.
 *
 * <p>κ is computed only where a pair of annotators (or an annotator and the others) share at least
 * {@code minShared} items; below it κ is NaN and only the counts are given, as κ from a handful of
 * items says little. Per class, {@code specificAgreement} is the share of that class's pairable
 * values whose partners in a pair chose it too (proportion of specific agreement: 2·n<sub>cc</sub> /
 * (n<sub>c·</sub> + n<sub>·c</sub>) for two annotators).
 */
public final class InterAnnotator {

    private InterAnnotator() {
    }

    /** One item: the annotators who labeled it (distinct) and the class each gave, in the same order. */
    public record Item(int[] annotators, int[] values) {
    }

    /** Two annotators: how many items they share, the share on which they agree, and Cohen's κ. */
    public record Pair(int a, int b, int shared, double agreement, double kappa) {
    }

    /**
     * One annotator against everyone who labeled the same items: the items they share with someone,
     * the pairings (one per other annotator per item), the share of those that agree, Cohen's κ of
     * their classes against their partners' over all pairings, and the mean κ of their pairs that
     * have one.
     */
    public record Annotator(int annotator, int items, int pairings, double agreement, double kappa,
            double meanPairKappa) {
    }

    /** One class: how many pairable values it has, its one-vs-rest α, and its specific agreement. */
    public record PerClass(int value, int values, double alpha, double specificAgreement) {
    }

    /**
     * @param items       items with two or more annotators (overall α)
     * @param alpha       Krippendorff's α (nominal) over those items; NaN when there are none
     * @param agreement   the share of pairs of annotators on an item who chose the same class
     */
    public record Result(int items, double alpha, double agreement, List<PerClass> classes,
            List<Annotator> annotators, List<Pair> pairs) {
    }

    /**
     * @param items      the items, with any number of annotators each
     * @param annotators annotator indexes are in {@code [0, annotators)}
     * @param classes    class values are in {@code [0, classes)}
     * @param minShared  κ is given only for pairs (and annotators) with at least this many shared items (pairings)
     */
    public static Result measure(List<Item> items, int annotators, int classes, int minShared) {
        if (annotators < 0 || classes < 1 || minShared < 1) {
            throw new IllegalArgumentException("annotators must be >= 0, classes >= 1 and minShared >= 1, got "
                    + annotators + ", " + classes + ", " + minShared);
        }
        List<Item> pairable = new ArrayList<>();
        for (int u = 0; u < items.size(); u++) {
            Item it = check(items.get(u), u, annotators, classes);
            if (it.values().length >= 2) {
                pairable.add(it);
            }
        }
        List<int[]> values = pairable.stream().map(Item::values).toList();
        double alpha = KrippendorffAlpha.nominal(values, classes);
        // Pair (a, b), a < b: their classes on the items they share, in item order.
        List<List<int[]>> byPair = new ArrayList<>();
        for (int i = 0; i < annotators * annotators; i++) {
            byPair.add(null);
        }
        List<List<int[]>> byAnnotator = new ArrayList<>();
        int[] itemsOf = new int[annotators];
        for (int i = 0; i < annotators; i++) {
            byAnnotator.add(new ArrayList<>());
        }
        long pairs = 0;
        long agreeing = 0;
        for (Item it : pairable) {
            int[] who = it.annotators();
            int[] v = it.values();
            for (int i = 0; i < who.length; i++) {
                itemsOf[who[i]]++;
                for (int j = 0; j < who.length; j++) {
                    if (i == j) {
                        continue;
                    }
                    byAnnotator.get(who[i]).add(new int[] {v[i], v[j]});
                    if (who[i] < who[j]) {
                        int key = who[i] * annotators + who[j];
                        if (byPair.get(key) == null) {
                            byPair.set(key, new ArrayList<>());
                        }
                        byPair.get(key).add(new int[] {v[i], v[j]});
                        pairs++;
                        agreeing += v[i] == v[j] ? 1 : 0;
                    }
                }
            }
        }
        List<Pair> pairList = new ArrayList<>();
        double[] kappaSum = new double[annotators];
        int[] kappaCount = new int[annotators];
        for (int a = 0; a < annotators; a++) {
            for (int b = a + 1; b < annotators; b++) {
                List<int[]> shared = byPair.get(a * annotators + b);
                if (shared == null) {
                    continue;
                }
                Pair p = new Pair(a, b, shared.size(), agreement(shared), kappa(shared, classes, minShared));
                pairList.add(p);
                if (!Double.isNaN(p.kappa())) {
                    kappaSum[a] += p.kappa();
                    kappaSum[b] += p.kappa();
                    kappaCount[a]++;
                    kappaCount[b]++;
                }
            }
        }
        List<Annotator> annotatorList = new ArrayList<>();
        for (int a = 0; a < annotators; a++) {
            List<int[]> pairings = byAnnotator.get(a);
            annotatorList.add(new Annotator(a, itemsOf[a], pairings.size(), agreement(pairings),
                    kappa(pairings, classes, minShared), kappaCount[a] == 0 ? Double.NaN : kappaSum[a] / kappaCount[a]));
        }
        double[] perValue = KrippendorffAlpha.perValue(values, classes);
        List<PerClass> perClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            perClass.add(specific(values, c, perValue[c]));
        }
        return new Result(pairable.size(), alpha, pairs == 0 ? Double.NaN : (double) agreeing / pairs,
                List.copyOf(perClass), List.copyOf(annotatorList), List.copyOf(pairList));
    }

    private static Item check(Item it, int u, int annotators, int classes) {
        int[] who = it.annotators();
        int[] v = it.values();
        if (who.length != v.length) {
            throw new IllegalArgumentException("item " + u + " has " + who.length + " annotators but " + v.length
                    + " values");
        }
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < who.length; i++) {
            if (who[i] < 0 || who[i] >= annotators || !seen.add(who[i])) {
                throw new IllegalArgumentException("item " + u + " has annotator " + who[i] + ", outside [0, "
                        + annotators + ") or twice");
            }
            if (v[i] < 0 || v[i] >= classes) {
                throw new IllegalArgumentException("item " + u + " has value " + v[i] + ", outside [0, " + classes
                        + ")");
            }
        }
        return it;
    }

    private static double agreement(List<int[]> pairs) {
        if (pairs.isEmpty()) {
            return Double.NaN;
        }
        return pairs.stream().filter(p -> p[0] == p[1]).count() / (double) pairs.size();
    }

    private static double kappa(List<int[]> pairs, int classes, int minShared) {
        if (pairs.size() < minShared) {
            return Double.NaN;
        }
        int[] a = pairs.stream().mapToInt(p -> p[0]).toArray();
        int[] b = pairs.stream().mapToInt(p -> p[1]).toArray();
        return CohenKappa.of(a, b, classes);
    }

    /** Class {@code c}: its pairable values, and the share of them whose partners chose it too (o_cc / n_c). */
    private static PerClass specific(List<int[]> items, int c, double alpha) {
        double withC = 0;
        double bothC = 0;
        int count = 0;
        for (int[] v : items) {
            int m = v.length;
            int k = 0;
            for (int x : v) {
                k += x == c ? 1 : 0;
            }
            count += k;
            // Each of the k values of c pairs with m − 1 others, k − 1 of them c too; weighted 1/(m − 1).
            withC += k;
            bothC += k * (k - 1) / (double) (m - 1);
        }
        return new PerClass(c, count, alpha, count == 0 ? Double.NaN : bothC / withC);
    }
}
