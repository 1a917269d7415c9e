package quarry.bench;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Embeddings shaped like a real labeled pool, made fast and reproducibly: {@code classes}
 * Gaussian clusters on the unit sphere, each row drawn from a seed of its own (so rows can be made
 * in parallel and any prefix of a pool is the same), L2-normalised.
 */
public final class SyntheticPool {

    private final float[][] vectors;
    private final int[] labels;

    private SyntheticPool(float[][] vectors, int[] labels) {
        this.vectors = vectors;
        this.labels = labels;
    }

    /**
     * @param spread noise norm relative to the cluster centre's: 1.0 makes neighbouring classes overlap
     *               the way intent embeddings do (cosine to own centre ≈ 0.7)
     */
    public static SyntheticPool make(int size, int dimension, int classes, double spread, long seed) {
        float[][] centres = new float[classes][];
        SplittableRandom centreRandom = new SplittableRandom(seed);
        for (int c = 0; c < classes; c++) {
            centres[c] = gaussian(centreRandom, dimension, 1);
        }
        float[][] vectors = new float[size][];
        int[] labels = new int[size];
        IntStream.range(0, size).parallel().forEach(i -> {
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + i);
            int c = random.nextInt(classes);
            float[] noise = gaussian(random, dimension, spread);
            float[] v = new float[dimension];
            double norm = 0;
            for (int d = 0; d < dimension; d++) {
                v[d] = centres[c][d] + noise[d];
                norm += v[d] * v[d];
            }
            float scale = (float) (1 / Math.sqrt(norm));
            for (int d = 0; d < dimension; d++) {
                v[d] *= scale;
            }
            vectors[i] = v;
            labels[i] = c;
        });
        return new SyntheticPool(vectors, labels);
    }

    private static float[] gaussian(SplittableRandom random, int dimension, double scale) {
        float[] v = new float[dimension];
        double s = scale / Math.sqrt(dimension);
        for (int d = 0; d < dimension; d += 2) {
            // Box–Muller gives two normal draws per pair of uniforms.
            double r = Math.sqrt(-2 * Math.log(1 - random.nextDouble()));
            double theta = 2 * Math.PI * random.nextDouble();
            v[d] = (float) (r * Math.cos(theta) * s);
            if (d + 1 < dimension) {
                v[d + 1] = (float) (r * Math.sin(theta) * s);
            }
        }
        return v;
    }

    public float[][] vectors() {
        return vectors;
    }

    public int[] labels() {
        return labels;
    }
}
