package quarry.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;
import quarry.core.Neighbor;
import quarry.core.NeighbourIndex;

/**
 * The statistics behind a drift report, each on bounded, seeded samples: nothing here is N×N over
 * a pool, reads a file or keeps state. Vectors are unit length (cosine = dot product).
 */
public final class Drift {

    private Drift() {
    }

    /**
     * A kernel two-sample test.
     *
     * @param mmd2      unbiased squared maximum mean discrepancy with an RBF kernel
     * @param pValue    permutation p-value, (1 + as large) / (1 + permutations)
     * @param bandwidth the kernel's squared length scale: the median pairwise squared distance
     */
    public record TwoSample(double mmd2, double pValue, double bandwidth, int n, int m) {
    }

    /**
     * MMD² between samples {@code a} and {@code b} with the kernel exp(−‖x−y‖² / (2·median)), the
     * median taken over the pooled sample's pairs, and a p-value from {@code permutations}
     * reshuffles of the pooled sample. Costs (n+m)² dot products once, then (n+m)² additions a
     * permutation; callers bound n and m by sampling.
     */
    public static TwoSample mmd(float[][] a, float[][] b, int permutations, long seed) {
        if (a.length < 2 || b.length < 2) {
            throw new IllegalArgumentException("each sample needs at least 2 rows, got " + a.length + " and " + b.length);
        }
        if (permutations < 1) {
            throw new IllegalArgumentException("permutations must be >= 1, got " + permutations);
        }
        int n = a.length;
        int total = n + b.length;
        float[][] x = new float[total][];
        System.arraycopy(a, 0, x, 0, n);
        System.arraycopy(b, 0, x, n, b.length);
        double[][] d2 = new double[total][total];
        double[] upper = new double[total * (total - 1) / 2];
        int u = 0;
        for (int i = 0; i < total; i++) {
            for (int j = i + 1; j < total; j++) {
                double d = Math.max(0, squaredDistance(x[i], x[j]));
                d2[i][j] = d;
                d2[j][i] = d;
                upper[u++] = d;
            }
        }
        Arrays.sort(upper);
        double median = upper[upper.length / 2];
        // identical samples have median 0; any positive scale then gives MMD² = 0
        double bandwidth = median > 0 ? median : 1;
        double[][] k = d2; // reused in place: the distances are not needed again
        for (int i = 0; i < total; i++) {
            for (int j = 0; j < total; j++) {
                k[i][j] = i == j ? 1 : Math.exp(-d2[i][j] / (2 * bandwidth));
            }
        }
        int[] order = new int[total];
        Arrays.setAll(order, i -> i);
        double observed = mmd2(k, order, n);
        SplittableRandom random = new SplittableRandom(seed);
        int asLarge = 0;
        for (int p = 0; p < permutations; p++) {
            for (int i = total - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            asLarge += mmd2(k, order, n) >= observed ? 1 : 0;
        }
        return new TwoSample(observed, (1.0 + asLarge) / (1.0 + permutations), bandwidth, n, b.length);
    }

    /** Unbiased MMD² with the first {@code n} of {@code order} as one sample and the rest as the other. */
    private static double mmd2(double[][] k, int[] order, int n) {
        int m = order.length - n;
        double xx = 0;
        double yy = 0;
        double xy = 0;
        for (int i = 0; i < order.length; i++) {
            double[] ki = k[order[i]];
            boolean first = i < n;
            for (int j = i + 1; j < order.length; j++) {
                double v = ki[order[j]];
                boolean second = j < n;
                if (first && second) {
                    xx += v;
                } else if (!first && !second) {
                    yy += v;
                } else {
                    xy += v;
                }
            }
        }
        return 2 * xx / ((double) n * (n - 1)) + 2 * yy / ((double) m * (m - 1)) - 2 * xy / ((double) n * m);
    }

    private static double squaredDistance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }

    /** Share of rows whose top probability is below {@code threshold}. */
    public static double lowConfidenceShare(float[] topProbability, double threshold) {
        if (topProbability.length == 0) {
            return Double.NaN;
        }
        long low = 0;
        for (float p : topProbability) {
            low += p < threshold ? 1 : 0;
        }
        return (double) low / topProbability.length;
    }

    /** Two-proportion z statistic of shares {@code after} (of {@code m}) over {@code before} (of {@code n}). */
    public static double proportionZ(double before, int n, double after, int m) {
        double pooled = (before * n + after * m) / (n + m);
        double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / n + 1.0 / m));
        return se == 0 ? 0 : (after - before) / se;
    }

    /** A label whose share of predictions moved. */
    public record Moved(int label, double before, double after) {
    }

    /**
     * How far the predicted-label distribution moved: total variation distance, a permutation
     * p-value (a batch of 200 over 150 labels has a large TVD by chance alone), and the labels that
     * moved most.
     */
    public record LabelShift(double tvd, double pValue, List<Moved> moved) {
    }

    public static LabelShift labelShift(int[] before, int[] after, int labels, int top, int permutations, long seed) {
        if (before.length == 0 || after.length == 0) {
            throw new IllegalArgumentException("both samples need predictions, got " + before.length + " and "
                    + after.length);
        }
        int[] pooled = new int[before.length + after.length];
        System.arraycopy(before, 0, pooled, 0, before.length);
        System.arraycopy(after, 0, pooled, before.length, after.length);
        double observed = tvd(pooled, before.length, labels);
        SplittableRandom random = new SplittableRandom(seed);
        int asLarge = 0;
        int[] shuffled = pooled.clone();
        for (int p = 0; p < permutations; p++) {
            for (int i = shuffled.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = t;
            }
            asLarge += tvd(shuffled, before.length, labels) >= observed - 1e-12 ? 1 : 0;
        }
        double[] b = shares(before, labels);
        double[] a = shares(after, labels);
        List<Moved> moved = new ArrayList<>();
        for (int c = 0; c < labels; c++) {
            if (a[c] != b[c]) {
                moved.add(new Moved(c, b[c], a[c]));
            }
        }
        moved.sort(Comparator.comparingDouble((Moved mv) -> -Math.abs(mv.after() - mv.before())).thenComparingInt(Moved::label));
        return new LabelShift(observed, (1.0 + asLarge) / (1.0 + permutations), List.copyOf(moved.subList(0,
                Math.min(top, moved.size()))));
    }

    private static double tvd(int[] pooled, int n, int labels) {
        double[] b = new double[labels];
        double[] a = new double[labels];
        for (int i = 0; i < pooled.length; i++) {
            if (i < n) {
                b[pooled[i]]++;
            } else {
                a[pooled[i]]++;
            }
        }
        double s = 0;
        for (int c = 0; c < labels; c++) {
            s += Math.abs(b[c] / n - a[c] / (pooled.length - n));
        }
        return s / 2;
    }

    private static double[] shares(int[] predicted, int labels) {
        double[] s = new double[labels];
        for (int p : predicted) {
            s[p] += 1.0 / predicted.length;
        }
        return s;
    }

    /** Each row's highest cosine to any of {@code labeled}; −1 where there is none. Rows × labeled dot products. */
    public static float[] nearestSimilarity(float[][] rows, float[][] labeled) {
        float[] best = new float[rows.length];
        Arrays.fill(best, -1);
        for (int i = 0; i < rows.length; i++) {
            for (float[] l : labeled) {
                float dot = 0;
                for (int d = 0; d < l.length; d++) {
                    dot += rows[i][d] * l[d];
                }
                best[i] = Math.max(best[i], dot);
            }
        }
        return best;
    }

    /** The value below which {@code share} of {@code values} lie (NaN when empty). */
    public static double quantile(float[] values, double share) {
        if (values.length == 0) {
            return Double.NaN;
        }
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(share * sorted.length))];
    }

    /** A dense group of arrivals without a labeled neighbour: its rows, most central first. */
    public record Region(int[] rows, double meanSimilarityToLabeled) {
        public int size() {
            return rows.length;
        }
    }

    /**
     * Dense groups among {@code rows} (arrivals) that sit far from the labeled data. A row is novel
     * when its nearest labeled document has cosine below {@code farBelow} and at least
     * {@code arrivalShare} of its {@code k} nearest pool neighbours are arrivals too; novel rows
     * that are each other's neighbours form one region. Regions of at least {@code minSize} rows
     * come back, largest first; each region's rows are ordered by how many of its own rows list
     * them as a neighbour (the most typical first).
     *
     * @param nearestLabeled each row's highest cosine to a labeled document, parallel to rows
     * @param isArrival      whether a pool row is an arrival (of this batch or later)
     */
    public static List<Region> novelRegions(int[] rows, float[] nearestLabeled, double farBelow, IntPredicate isArrival,
            NeighbourIndex index, int k, double arrivalShare, int minSize) {
        int n = rows.length;
        boolean[] novel = new boolean[n];
        List<List<Neighbor>> near = new ArrayList<>(n);
        java.util.Map<Integer, Integer> at = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            at.put(rows[i], i);
            List<Neighbor> nb = nearestLabeled[i] < farBelow ? index.neighbours(rows[i], k) : List.of();
            near.add(nb);
            long arrivals = nb.stream().filter(x -> isArrival.test(x.row())).count();
            novel[i] = !nb.isEmpty() && arrivals >= arrivalShare * nb.size();
        }
        int[] parent = new int[n];
        Arrays.setAll(parent, i -> i);
        int[] inDegree = new int[n];
        for (int i = 0; i < n; i++) {
            if (!novel[i]) {
                continue;
            }
            for (Neighbor x : near.get(i)) {
                Integer j = at.get(x.row());
                if (j != null && novel[j]) {
                    inDegree[j]++;
                    parent[find(parent, i)] = find(parent, j);
                }
            }
        }
        java.util.Map<Integer, List<Integer>> groups = new java.util.TreeMap<>();
        for (int i = 0; i < n; i++) {
            if (novel[i]) {
                groups.computeIfAbsent(find(parent, i), r -> new ArrayList<>()).add(i);
            }
        }
        List<Region> regions = new ArrayList<>();
        for (List<Integer> g : groups.values()) {
            if (g.size() < minSize) {
                continue;
            }
            g.sort(Comparator.comparingInt((Integer i) -> -inDegree[i]).thenComparingInt(i -> rows[i]));
            double sim = g.stream().mapToDouble(i -> nearestLabeled[i]).average().orElse(Double.NaN);
            regions.add(new Region(g.stream().mapToInt(i -> rows[i]).toArray(), sim));
        }
        regions.sort(Comparator.comparingInt((Region r) -> -r.size()).thenComparingInt(r -> r.rows()[0]));
        return regions;
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }
}
