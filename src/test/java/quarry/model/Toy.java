package quarry.model;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import quarry.core.ArrayVectors;
import quarry.core.Vectors;

/** Small seeded problems for the head tests: well-separated clusters on the unit sphere. */
final class Toy {

    final float[][] rows;
    final int[] cluster;
    final int clusters;
    final int dimension;

    /** {@code perCluster} points around each of {@code clusters} random unit centres, noise norm {@code noise}. */
    Toy(int clusters, int perCluster, int dimension, double noise, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] centres = new float[clusters][];
        for (int k = 0; k < clusters; k++) {
            centres[k] = normalised(gaussian(random, dimension, 1));
        }
        this.clusters = clusters;
        this.dimension = dimension;
        rows = new float[clusters * perCluster][];
        cluster = new int[rows.length];
        double std = noise / Math.sqrt(dimension);
        for (int i = 0; i < rows.length; i++) {
            int k = i % clusters;
            float[] v = gaussian(random, dimension, std);
            for (int d = 0; d < dimension; d++) {
                v[d] += centres[k][d];
            }
            rows[i] = normalised(v);
            cluster[i] = k;
        }
    }

    Vectors vectors() {
        return new ArrayVectors(rows);
    }

    /** Rows [from, to). */
    static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    static List<String> labels(int n) {
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            labels.add("label-" + i);
        }
        return labels;
    }

    Targets targets(int[] rowIds) {
        int[] classOf = new int[rowIds.length];
        for (int i = 0; i < rowIds.length; i++) {
            classOf[i] = cluster[rowIds[i]];
        }
        return Targets.singleLabel(labels(clusters), classOf);
    }

    double accuracy(Head head, int[] rowIds) {
        int[][] predicted = head.predict(vectors(), rowIds);
        int right = 0;
        for (int i = 0; i < rowIds.length; i++) {
            if (predicted[i][0] == cluster[rowIds[i]]) {
                right++;
            }
        }
        return (double) right / rowIds.length;
    }

    static float[] normalised(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += (double) x * x;
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int d = 0; d < v.length; d++) {
            v[d] *= scale;
        }
        return v;
    }

    static float[] gaussian(SplittableRandom random, int dimension, double std) {
        float[] v = new float[dimension];
        for (int d = 0; d < dimension; d++) {
            double u = random.nextDouble();
            double w = random.nextDouble();
            v[d] = (float) (Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * w) * std);
        }
        return v;
    }

    /** The normalised midpoint of two rows: a point the head cannot place. */
    static float[] between(float[] a, float[] b) {
        float[] v = new float[a.length];
        for (int d = 0; d < a.length; d++) {
            v[d] = a[d] + b[d];
        }
        return normalised(v);
    }
}
