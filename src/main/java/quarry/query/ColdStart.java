package quarry.query;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import quarry.core.Pick;
import quarry.core.Sampling;
import quarry.core.Vectors;

/**
 * The first batch, before any label: documents that stand for the pool's main regions, so the
 * seed set covers as many classes as it can. k-means++ seeding (each new centre drawn with
 * probability ∝ squared distance to the nearest one) spreads the centres; a few Lloyd iterations
 * pull them into the middle of their clusters; each centre is then replaced by its nearest real
 * document. Works on a seeded sample of the candidates, so cost does not grow with the pool.
 */
public final class ColdStart implements QueryStrategy {

    static final int SAMPLE = 20_000;
    /** Labeled documents that take part in the clustering; more would only slow it down. */
    private static final int MAX_LABELED = 2_000;
    private static final int WORK = 2_000_000;
    private static final int MIN_SAMPLE = 2_000;
    private static final int ITERATIONS = 5;

    @Override
    public String name() {
        return "cold-start";
    }

    @Override
    public List<Pick> select(QueryContext ctx, int batchSize) {
        int[] labeled0 = ctx.labeled();
        // Clustering costs points × clusters: bound it, so a round with hundreds of labels stays
        // within seconds (the sample shrinks as the clusters grow).
        int clusters = batchSize + Math.min(labeled0.length, MAX_LABELED);
        int[] sample = sample(ctx.candidates(), Math.max(MIN_SAMPLE, Math.min(SAMPLE, WORK / Math.max(1, clusters))),
                ctx.seed());
        // Labeled documents join the clustering so that the regions they already cover are skipped
        // (TypiClust: |labeled| + batch clusters, picks from the biggest clusters without a label).
        int[] labeled = sample(labeled0, MAX_LABELED, ctx.seed());
        int k = Math.min(batchSize + labeled.length, sample.length + labeled.length);
        if (sample.length == 0 || batchSize == 0) {
            return List.of();
        }
        int[] points = Arrays.copyOf(labeled, labeled.length + sample.length);
        System.arraycopy(sample, 0, points, labeled.length, sample.length);
        // The clustering visits each point once per centre and iteration: take their vectors once,
        // and from here on a point is its index in them.
        Vectors pool = Vectors.of(ctx.pool().rows(points));
        points = java.util.stream.IntStream.range(0, points.length).toArray();
        int dim = pool.dimension();
        SplittableRandom random = new SplittableRandom(ctx.seed());
        float[][] centres = seed(pool, points, k, random);
        int[] assignment = new int[points.length];
        for (int it = 0; it < ITERATIONS; it++) {
            assign(pool, points, centres, assignment);
            float[][] sums = new float[k][dim];
            for (int i = 0; i < points.length; i++) {
                float[] v = pool.row(points[i]);
                for (int d = 0; d < dim; d++) {
                    sums[assignment[i]][d] += v[d];
                }
            }
            for (int c = 0; c < k; c++) {
                if (norm(sums[c]) > 0) {
                    centres[c] = normalise(sums[c]);
                }
            }
        }
        assign(pool, points, centres, assignment);
        int[] size = new int[k];
        boolean[] covered = new boolean[k];
        for (int i = 0; i < points.length; i++) {
            size[assignment[i]]++;
            covered[assignment[i]] |= i < labeled.length;
        }
        // Nearest distinct unlabeled document to each uncovered centre; the biggest clusters first.
        Integer[] bySize = new Integer[k];
        for (int c = 0; c < k; c++) {
            bySize[c] = c;
        }
        Arrays.sort(bySize, (a, b) -> size[a] != size[b] ? Integer.compare(size[b], size[a]) : Integer.compare(a, b));
        List<Pick> picks = new ArrayList<>();
        float[] density = Density.of(ctx, sample);
        for (int c : bySize) {
            if (covered[c] || picks.size() == batchSize) {
                continue;
            }
            int best = -1;
            double bestSim = Double.NEGATIVE_INFINITY;
            for (int i = labeled.length; i < points.length; i++) {
                if (assignment[i] == c) {
                    double sim = dot(pool.row(points[i]), centres[c]);
                    if (sim > bestSim) {
                        bestSim = sim;
                        best = i - labeled.length;
                    }
                }
            }
            if (best < 0) {
                continue;
            }
            double share = (double) size[c] / points.length;
            picks.add(new Pick(sample[best], labeled.length == 0 ? name() : "coverage", share, Double.NaN,
                    density[best], String.format(java.util.Locale.ROOT, labeled.length == 0
                            ? "no model yet: stands for a cluster holding %.1f%% of the pool"
                            : "coverage: stands for a cluster holding %.1f%% of the pool that no label covers yet",
                            100 * share)));
        }
        return picks;
    }

    private static float[][] seed(Vectors pool, int[] sample, int k, SplittableRandom random) {
        float[][] centres = new float[k][];
        centres[0] = pool.row(sample[random.nextInt(sample.length)]).clone();
        double[] nearest = new double[sample.length];
        Arrays.fill(nearest, Double.POSITIVE_INFINITY);
        for (int c = 1; c < k; c++) {
            double total = 0;
            for (int i = 0; i < sample.length; i++) {
                double d = Math.max(0, 1 - dot(pool.row(sample[i]), centres[c - 1]));
                nearest[i] = Math.min(nearest[i], d * d);
                total += nearest[i];
            }
            int chosen = sample.length - 1; // rounding can leave a sliver of target
            double target = random.nextDouble() * total;
            for (int i = 0; i < sample.length; i++) {
                target -= nearest[i];
                if (target <= 0) {
                    chosen = i;
                    break;
                }
            }
            centres[c] = pool.row(sample[chosen]).clone();
        }
        return centres;
    }

    private static void assign(Vectors pool, int[] sample, float[][] centres, int[] assignment) {
        for (int i = 0; i < sample.length; i++) {
            float[] v = pool.row(sample[i]);
            int best = 0;
            double bestSim = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < centres.length; c++) {
                double sim = dot(v, centres[c]);
                if (sim > bestSim) {
                    bestSim = sim;
                    best = c;
                }
            }
            assignment[i] = best;
        }
    }

    /** Up to {@code max} candidates, chosen with the seed; all of them when there are fewer. */
    static int[] sample(int[] candidates, int max, long seed) {
        return candidates.length <= max ? candidates.clone() : Sampling.sample(candidates, max, seed);
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int d = 0; d < a.length; d++) {
            s += a[d] * b[d];
        }
        return s;
    }

    private static double norm(float[] v) {
        return Math.sqrt(dot(v, v));
    }

    private static float[] normalise(float[] v) {
        double n = norm(v);
        float[] out = new float[v.length];
        for (int d = 0; d < v.length; d++) {
            out[d] = (float) (v[d] / n);
        }
        return out;
    }
}
