package quarry.index;

import java.util.Arrays;
import java.util.Random;

import quarry.core.Vectors;

/** Seeded synthetic pools: tight Gaussian clusters of unit vectors, plus scattered outliers. */
final class Synthetic {

    private Synthetic() {
    }

    /**
     * {@code n} unit vectors in {@code dim} dimensions: the last {@code outliers} are uniformly
     * random directions, the rest belong round-robin to {@code clusters} clusters whose members
     * are a random centre plus Gaussian noise of {@code noise} per coordinate.
     */
    static float[][] clustered(int n, int dim, int clusters, float noise, int outliers, long seed) {
        Random random = new Random(seed);
        float[][] centres = new float[clusters][];
        for (int c = 0; c < clusters; c++) {
            centres[c] = normalise(gaussian(random, dim, 1f));
        }
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) {
            if (i >= n - outliers) {
                rows[i] = normalise(gaussian(random, dim, 1f));
            } else {
                float[] centre = centres[i % clusters];
                float[] v = gaussian(random, dim, noise);
                for (int d = 0; d < dim; d++) {
                    v[d] += centre[d];
                }
                rows[i] = normalise(v);
            }
        }
        return rows;
    }

    static float[] gaussian(Random random, int dim, float sigma) {
        float[] v = new float[dim];
        for (int d = 0; d < dim; d++) {
            v[d] = (float) (random.nextGaussian() * sigma);
        }
        return v;
    }

    static float[] normalise(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        float inv = (float) (1 / Math.sqrt(sum));
        for (int d = 0; d < v.length; d++) {
            v[d] *= inv;
        }
        return v;
    }

    static float dot(float[] a, float[] b) {
        float sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    static int[] range(int from, int to) {
        int[] rows = new int[to - from];
        Arrays.setAll(rows, i -> from + i);
        return rows;
    }

    /** Rows of {@code pool} (indexes into {@code vectors}) by similarity to {@code query}, best first. */
    static int[] bruteForce(Vectors vectors, int[] pool, float[] query, int k, int exclude) {
        return Arrays.stream(pool)
                .filter(r -> r != exclude)
                .boxed()
                .sorted((a, b) -> Float.compare(dot(query, vectors.row(b)), dot(query, vectors.row(a))))
                .limit(k)
                .mapToInt(Integer::intValue)
                .toArray();
    }

    /** Mean similarity of {@code row} to its {@code k} nearest other rows of {@code pool}. */
    static float bruteForceDensity(Vectors vectors, int[] pool, int row, int k) {
        int[] near = bruteForce(vectors, pool, vectors.row(row), k, row);
        double sum = 0;
        for (int r : near) {
            sum += dot(vectors.row(row), vectors.row(r));
        }
        return (float) (sum / near.length);
    }
}
