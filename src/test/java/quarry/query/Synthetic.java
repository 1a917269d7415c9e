package quarry.query;

import java.util.Random;

/** Seeded, L2-normalised Gaussian clusters: the shape of embeddings of texts from distinct classes. */
final class Synthetic {

    final float[][] vectors;
    final int[] cluster;

    private Synthetic(float[][] vectors, int[] cluster) {
        this.vectors = vectors;
        this.cluster = cluster;
    }

    static Synthetic clusters(int clusters, int perCluster, int dim, double spread, long seed) {
        Random random = new Random(seed);
        float[][] centres = new float[clusters][];
        for (int c = 0; c < clusters; c++) {
            centres[c] = gaussian(random, dim, 1.0);
        }
        float[][] vectors = new float[clusters * perCluster][];
        int[] cluster = new int[vectors.length];
        for (int i = 0; i < vectors.length; i++) {
            int c = i % clusters;
            float[] noise = gaussian(random, dim, spread);
            float[] v = new float[dim];
            for (int d = 0; d < dim; d++) {
                v[d] = centres[c][d] + noise[d];
            }
            vectors[i] = normalise(v);
            cluster[i] = c;
        }
        return new Synthetic(vectors, cluster);
    }

    private static float[] gaussian(Random random, int dim, double scale) {
        float[] v = new float[dim];
        for (int d = 0; d < dim; d++) {
            v[d] = (float) (random.nextGaussian() * scale / Math.sqrt(dim));
        }
        return v;
    }

    static float[] normalise(float[] v) {
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        float[] out = new float[v.length];
        for (int d = 0; d < v.length; d++) {
            out[d] = (float) (v[d] / Math.sqrt(n));
        }
        return out;
    }
}
