package quarry.model;

import java.util.Arrays;

/**
 * The simplest useful head: each class is the normalised mean of its labeled vectors, and a
 * vector's class probabilities are a softmax over its cosine to each centroid. No training loop,
 * no randomness; a baseline, and what the demo uses. Classes without any example get probability 0.
 */
public final class NearestCentroid {

    /** Sharpens cosines (which differ by hundredths) into usable probabilities. */
    private static final double TEMPERATURE = 20;

    private final float[][] centroids;

    private NearestCentroid(float[][] centroids) {
        this.centroids = centroids;
    }

    /**
     * @param vectors L2-normalised vectors of the labeled documents
     * @param labels  class index of each, in {@code [0, classes)}
     */
    public static NearestCentroid fit(float[][] vectors, int[] labels, int classes) {
        if (vectors.length != labels.length) {
            throw new IllegalArgumentException(vectors.length + " vectors but " + labels.length + " labels");
        }
        if (vectors.length == 0) {
            throw new IllegalArgumentException("no labeled vectors to fit");
        }
        int dim = vectors[0].length;
        float[][] centroids = new float[classes][];
        for (int i = 0; i < vectors.length; i++) {
            int c = labels[i];
            if (c < 0 || c >= classes) {
                throw new IllegalArgumentException("label " + c + " outside [0, " + classes + ")");
            }
            if (centroids[c] == null) {
                centroids[c] = new float[dim];
            }
            for (int d = 0; d < dim; d++) {
                centroids[c][d] += vectors[i][d];
            }
        }
        for (float[] centroid : centroids) {
            if (centroid != null) {
                double norm = 0;
                for (float x : centroid) {
                    norm += (double) x * x;
                }
                double scale = norm == 0 ? 0 : 1 / Math.sqrt(norm);
                for (int d = 0; d < dim; d++) {
                    centroid[d] = (float) (centroid[d] * scale);
                }
            }
        }
        return new NearestCentroid(centroids);
    }

    public double[] probabilities(float[] vector) {
        double[] p = new double[centroids.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < centroids.length; c++) {
            if (centroids[c] == null) {
                p[c] = Double.NEGATIVE_INFINITY;
                continue;
            }
            double dot = 0;
            for (int d = 0; d < vector.length; d++) {
                dot += vector[d] * centroids[c][d];
            }
            p[c] = dot * TEMPERATURE;
            max = Math.max(max, p[c]);
        }
        double sum = 0;
        for (int c = 0; c < p.length; c++) {
            p[c] = p[c] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(p[c] - max);
            sum += p[c];
        }
        for (int c = 0; c < p.length; c++) {
            p[c] /= sum;
        }
        return p;
    }

    public int predict(float[] vector) {
        double[] p = probabilities(vector);
        int best = 0;
        for (int c = 1; c < p.length; c++) {
            if (p[c] > p[best]) {
                best = c;
            }
        }
        return best;
    }

    /** Top-1 minus top-2 probability: small means the model cannot tell two classes apart. */
    public double margin(float[] vector) {
        double[] p = probabilities(vector);
        Arrays.sort(p);
        return p.length < 2 ? 1 : p[p.length - 1] - p[p.length - 2];
    }
}
