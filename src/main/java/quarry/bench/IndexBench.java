package quarry.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import quarry.core.ArrayVectors;
import quarry.core.Vectors;
import quarry.core.Neighbor;
import quarry.index.VectorIndex;

/**
 * Benchmark of {@link VectorIndex} on synthetic embeddings shaped like a 150-label task: unit
 * vectors around 150 Gaussian cluster centres (within-cluster cosine about 0.55, like sentence
 * embeddings of one intent) plus 2% scattered outliers. Builds the index in a temporary folder
 * and reports build, density and query figures as a Markdown table; the folder is deleted after.
 *
 * <p>The pool is indexed in two steps to time both paths: 99% as the initial build, then the last
 * 1% as a later batch (the incremental path: new rows' neighbours plus folding into older rows).
 *
 * <p>Uses only the index's public API: the candidate sweep reopens the index with each
 * {@link VectorIndex.Options#minCandidates()}, and segments are counted from Lucene's files.
 */
public final class IndexBench {

    private static final int CLUSTERS = 150;
    /** Per-coordinate noise; at 384-d it puts a member at cosine ≈ 0.75 from its centre. */
    private static final double NOISE_384 = 0.045;
    private static final int QUERIES = 1000;
    private static final int RECALL_QUERIES = 100;
    private static final int DENSITY_SAMPLE = 100;
    private static final int[] SWEEP = {10, 20, 40, 80};
    /** The density file in the index folder, as {@link VectorIndex}'s class note lays the folder out. */
    private static final String DENSITY_FILE = "density.bin";

    private IndexBench() {
    }

    /** Runs with default {@link VectorIndex.Options}. */
    public static String run(int n, int dim, long seed) {
        return run(n, dim, seed, VectorIndex.Options.defaults());
    }

    public static String run(int n, int dim, long seed, VectorIndex.Options options) {
        if (n < 200) {
            throw new IllegalArgumentException("n must be at least 200, got " + n);
        }
        if (dim < 2) {
            throw new IllegalArgumentException("dim must be at least 2, got " + dim);
        }
        return run(new ArrayVectors(pool(n, dim, seed)), String.format(Locale.ROOT,
                "%,d synthetic %d-d unit vectors (%d clusters + 2%% outliers, seed %d)", n, dim, CLUSTERS, seed),
                seed, options);
    }

    /**
     * As {@link #run(int, int, long, VectorIndex.Options)} on given vectors (real embeddings, say),
     * described in the report's title as {@code what}.
     */
    public static String run(Vectors vectors, String what, long seed, VectorIndex.Options options) {
        int n = vectors.size();
        int dim = vectors.dimension();
        if (n < 200) {
            throw new IllegalArgumentException("need at least 200 vectors, got " + n);
        }
        int later = Math.max(1, n / 100);
        int initial = n - later;
        Path dir;
        try {
            dir = Files.createTempDirectory("quarry-index-bench");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder", e);
        }
        StringBuilder out = new StringBuilder();
        try {
            long t0;
            double buildS;
            double refreshS;
            double commitS;
            double addLaterS;
            double refreshLaterS;
            int segments;
            int buildSegments;
            long[] repairs;
            long bytes;
            double[] latency = new double[QUERIES];
            double recall;
            double densityError;
            double densityExact;
            List<String> sweep = new ArrayList<>();
            float[][] queries = new float[QUERIES][];
            List<Set<Integer>> truths = new ArrayList<>();
            try (VectorIndex index = VectorIndex.open(dir, dim, options)) {
                t0 = System.nanoTime();
                index.add(range(0, initial), vectors, null);
                buildS = seconds(t0);
                t0 = System.nanoTime();
                index.refreshDensities(null);
                refreshS = seconds(t0);
                repairs = index.searchRepairs();
                buildSegments = index.segments();
                t0 = System.nanoTime();
                index.commit();
                commitS = seconds(t0);

                t0 = System.nanoTime();
                index.add(range(initial, n), vectors, null);
                addLaterS = seconds(t0);
                t0 = System.nanoTime();
                index.refreshDensities(null);
                refreshLaterS = seconds(t0);
                index.commit();
                segments = segmentsOnDisk(dir);

                Random random = new Random(seed + 1);
                for (int q = 0; q < QUERIES; q++) {
                    queries[q] = near(vectors.row(random.nextInt(n)), random, 0.02);
                }
                for (int q = 0; q < 100; q++) {
                    index.nearest(queries[q], 10); // warm-up: JIT and page cache
                }
                for (int q = 0; q < QUERIES; q++) {
                    long s = System.nanoTime();
                    index.nearest(queries[q], 10);
                    latency[q] = (System.nanoTime() - s) / 1e6;
                }
                for (int q = 0; q < RECALL_QUERIES; q++) {
                    Set<Integer> truth = new HashSet<>();
                    for (Neighbor hit : bruteForce(vectors, n, queries[q], 10, -1)) {
                        truth.add(hit.row());
                    }
                    truths.add(truth);
                }
                recall = recall(index, queries, truths);
                // Older rows' densities after the later batch, against brute force on the full pool.
                double error = 0;
                int exact = 0;
                for (int i = 0; i < DENSITY_SAMPLE; i++) {
                    int row = random.nextInt(initial);
                    List<Neighbor> near = bruteForce(vectors, n, vectors.row(row), index.densityK(), row);
                    double truth = near.stream().mapToDouble(Neighbor::similarity).average().orElse(Double.NaN);
                    double e = Math.abs(truth - index.density(row));
                    error += e;
                    exact += e <= 1e-4 ? 1 : 0;
                }
                densityError = error / DENSITY_SAMPLE;
                densityExact = exact / (double) DENSITY_SAMPLE;
            }
            // What more candidates buy: recall against latency, the index reopened for each setting.
            for (int candidates : SWEEP) {
                try (VectorIndex index = VectorIndex.open(dir, dim, options.withMinCandidates(candidates))) {
                    for (int q = 0; q < 100; q++) {
                        index.nearest(queries[q], 10); // warm-up after the reopen
                    }
                    long s = System.nanoTime();
                    for (int q = 0; q < QUERIES; q++) {
                        index.nearest(queries[q], 10);
                    }
                    double ms = (System.nanoTime() - s) / 1e6 / QUERIES;
                    sweep.add(String.format(Locale.ROOT, "%d: %.3f ms, recall %.3f", candidates, ms,
                            recall(index, queries, truths)));
                }
            }
            bytes = sizeOf(dir);
            long densityBytes = sizeOf(dir.resolve(DENSITY_FILE));
            Arrays.sort(latency);
            double mean = Arrays.stream(latency).average().orElse(Double.NaN);

            out.append(String.format(Locale.ROOT, "Vector index: %s; %d threads, maxConn %d, beamWidth %d, "
                    + "density k %d; dot products: %s%n%n", what, options.threads(), options.maxConn(), options.beamWidth(),
                    options.densityK(), quarry.index.VectorMath.implementation()));
            out.append("| step | figure |\n|---|---|\n");
            row(out, "build (add " + String.format(Locale.ROOT, "%,d", initial) + " rows, graph, flush)",
                    String.format(Locale.ROOT, "%.1f s (%.2f ms/vector)", buildS, buildS * 1000 / initial));
            row(out, "density refresh, all rows", String.format(Locale.ROOT, "%.1f s (%.2f ms/row)",
                    refreshS, refreshS * 1000 / initial));
            row(out, "row searches of the refresh that missed the row itself: retried with more candidates, "
                    + "then scanned", String.format(Locale.ROOT, "%,d, %,d (segments searched: %d)", repairs[0],
                    repairs[1], buildSegments));
            row(out, "commit", String.format(Locale.ROOT, "%.2f s", commitS));
            row(out, "add a later batch of " + later + " rows", String.format(Locale.ROOT, "%.2f s", addLaterS));
            row(out, "density refresh for that batch (incl. folding into older rows)",
                    String.format(Locale.ROOT, "%.2f s", refreshLaterS));
            row(out, "older rows' density vs brute force (" + DENSITY_SAMPLE + " sampled)",
                    String.format(Locale.ROOT, "mean |error| %.1e, %.0f%% within 1e-4", densityError,
                            densityExact * 100));
            row(out, "query, k=10, one thread", String.format(Locale.ROOT, "mean %.3f ms, p50 %.3f ms, p99 %.3f ms",
                    mean, latency[QUERIES / 2], latency[QUERIES * 99 / 100]));
            row(out, "recall@10 vs brute force (" + RECALL_QUERIES + " queries)",
                    String.format(Locale.ROOT, "%.3f", recall));
            row(out, "query k=10 by graph candidates (mean latency, recall@10)", String.join("; ", sweep));
            row(out, "segments", Integer.toString(segments));
            row(out, "on disk", String.format(Locale.ROOT,
                    "%.1f MB = Lucene %.1f MB + density file %.1f MB (%.0f bytes/row; the raw vector is %d)",
                    bytes / 1e6, (bytes - densityBytes) / 1e6, densityBytes / 1e6, bytes / (double) n, 4 * dim));
            return out.toString();
        } finally {
            delete(dir);
        }
    }

    private static double recall(VectorIndex index, float[][] queries, List<Set<Integer>> truths) {
        int found = 0;
        for (int q = 0; q < truths.size(); q++) {
            for (Neighbor hit : index.nearest(queries[q], 10)) {
                found += truths.get(q).contains(hit.row()) ? 1 : 0;
            }
        }
        return found / (10.0 * truths.size());
    }

    private static void row(StringBuilder out, String step, String figure) {
        out.append("| ").append(step).append(" | ").append(figure).append(" |\n");
    }

    static float[][] pool(int n, int dim, long seed) {
        Random random = new Random(seed);
        double noise = NOISE_384 * Math.sqrt(384.0 / dim);
        float[][] centres = new float[CLUSTERS][];
        for (int c = 0; c < CLUSTERS; c++) {
            centres[c] = near(new float[dim], random, 1);
        }
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) {
            // Outliers spread through the pool so that both indexing steps get some.
            rows[i] = i % 50 == 49 ? near(new float[dim], random, 1)
                    : near(centres[random.nextInt(CLUSTERS)], random, noise);
        }
        return rows;
    }

    /** {@code base} plus Gaussian noise of {@code sigma} per coordinate, L2-normalised. */
    private static float[] near(float[] base, Random random, double sigma) {
        float[] v = new float[base.length];
        double sum = 0;
        for (int d = 0; d < v.length; d++) {
            v[d] = (float) (base[d] + random.nextGaussian() * sigma);
            sum += (double) v[d] * v[d];
        }
        float inv = (float) (1 / Math.sqrt(sum));
        for (int d = 0; d < v.length; d++) {
            v[d] *= inv;
        }
        return v;
    }

    private static List<Neighbor> bruteForce(Vectors vectors, int n, float[] query, int k, int exclude) {
        PriorityQueue<Neighbor> top = new PriorityQueue<>(
                Comparator.comparingDouble(Neighbor::similarity));
        for (int r = 0; r < n; r++) {
            if (r == exclude) {
                continue;
            }
            float[] v = vectors.row(r);
            float dot = 0;
            for (int d = 0; d < v.length; d++) {
                dot += query[d] * v[d];
            }
            if (top.size() < k) {
                top.add(new Neighbor(r, dot));
            } else if (dot > top.peek().similarity()) {
                top.poll();
                top.add(new Neighbor(r, dot));
            }
        }
        return top.stream().sorted(Comparator.comparingDouble(Neighbor::similarity).reversed()).toList();
    }

    private static int[] range(int from, int to) {
        int[] rows = new int[to - from];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = from + i;
        }
        return rows;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    /** Lucene writes one segment-info ({@code .si}) file per segment; merged-away ones go at commit. */
    private static int segmentsOnDisk(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return (int) files.filter(f -> f.getFileName().toString().endsWith(".si")).count();
        } catch (IOException e) {
            return -1;
        }
    }

    private static long sizeOf(Path path) {
        try (Stream<Path> files = Files.walk(path)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return -1;
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // Best effort: a leftover temporary folder is harmless.
        }
    }
}
