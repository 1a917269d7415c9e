package quarry.query;

/**
 * Uncertainty measures over one document's class probabilities, in plain Java. Heads compute the
 * Monte Carlo versions over whole chunks on the tensor engine; these are the definitions, used for
 * scoring and to check the engine's results.
 */
public final class Uncertainty {

    private static final double EPS = 1e-12;

    private Uncertainty() {
    }

    /** 1 − max p: how far the top class is from certain. */
    public static double leastConfidence(float[] p) {
        double max = 0;
        for (float v : p) {
            max = Math.max(max, v);
        }
        return 1 - max;
    }

    /** Top-1 minus top-2 probability: small when the model cannot tell two classes apart. */
    public static double margin(float[] p) {
        double first = Double.NEGATIVE_INFINITY;
        double second = Double.NEGATIVE_INFINITY;
        for (float v : p) {
            if (v > first) {
                second = first;
                first = v;
            } else if (v > second) {
                second = v;
            }
        }
        return p.length < 2 ? 1 : first - second;
    }

    /** Shannon entropy in nats. */
    public static double entropy(float[] p) {
        double h = 0;
        for (float v : p) {
            if (v > 0) {
                h -= v * Math.log(v);
            }
        }
        return h;
    }

    /** Entropy of independent Bernoulli labels (multi-label), summed over labels. */
    public static double bernoulliEntropy(float[] p) {
        double h = 0;
        for (float v : p) {
            double q = Math.min(1 - EPS, Math.max(EPS, v));
            h -= q * Math.log(q) + (1 - q) * Math.log(1 - q);
        }
        return h;
    }

    /** Mean of the passes' probabilities. */
    public static float[] mean(float[][] passes) {
        float[] mean = new float[passes[0].length];
        for (float[] pass : passes) {
            for (int c = 0; c < mean.length; c++) {
                mean[c] += pass[c] / passes.length;
            }
        }
        return mean;
    }

    /** Mutual information between prediction and weights: H[mean p] − mean H[p_t]; 0 when passes agree. */
    public static double bald(float[][] passes) {
        double expected = 0;
        for (float[] pass : passes) {
            expected += entropy(pass) / passes.length;
        }
        return Math.max(0, entropy(mean(passes)) - expected);
    }

    /** 1 − (passes voting for the modal class) / passes. */
    public static double variationRatio(float[][] passes) {
        int[] votes = new int[passes[0].length];
        for (float[] pass : passes) {
            votes[argmax(pass)]++;
        }
        int modal = 0;
        for (int v : votes) {
            modal = Math.max(modal, v);
        }
        return 1 - (double) modal / passes.length;
    }

    /** Entropy of the members' argmax votes. */
    public static double voteEntropy(float[][] members) {
        float[] share = new float[members[0].length];
        for (float[] m : members) {
            share[argmax(m)] += 1f / members.length;
        }
        return entropy(share);
    }

    /** Mean KL(member ‖ consensus), consensus = mean of members. */
    public static double meanKl(float[][] members) {
        float[] consensus = mean(members);
        double kl = 0;
        for (float[] m : members) {
            for (int c = 0; c < m.length; c++) {
                if (m[c] > 0) {
                    kl += m[c] * Math.log(m[c] / Math.max(consensus[c], EPS)) / members.length;
                }
            }
        }
        return Math.max(0, kl);
    }

    /**
     * Multi-label: each probability re-centred on its label's threshold, σ(logit p − logit t), so
     * that 0.5 is where the head's decision flips for every label.
     */
    public static float[] centred(float[] p, float[] thresholds) {
        float[] q = new float[p.length];
        for (int c = 0; c < p.length; c++) {
            double z = logOdds(p[c]) - logOdds(thresholds[c]);
            q[c] = (float) (1 / (1 + Math.exp(-z)));
        }
        return q;
    }

    /**
     * Multi-label, over {@link #centred} probabilities: 1 − |2q − 1| of the label nearest its
     * threshold; 1 when some label sits on its threshold, 0 when every label is decided for sure.
     */
    public static double nearestToThreshold(float[] q) {
        double nearest = 1;
        for (float v : q) {
            nearest = Math.min(nearest, Math.abs(2.0 * v - 1));
        }
        return 1 - nearest;
    }

    /**
     * Multi-label: the chance that the predicted label set is not exactly right, labels taken as
     * independent: 1 − Π_{c in predicted} p_c · Π_{c not in predicted} (1 − p_c).
     */
    public static double labelSetDoubt(float[] p, int[] predicted) {
        boolean[] in = new boolean[p.length];
        for (int c : predicted) {
            in[c] = true;
        }
        double logRight = 0;
        for (int c = 0; c < p.length; c++) {
            logRight += Math.log(Math.max(EPS, in[c] ? p[c] : 1.0 - p[c]));
        }
        return 1 - Math.exp(logRight);
    }

    private static double logOdds(float p) {
        double q = Math.min(1 - EPS, Math.max(EPS, p));
        return Math.log(q / (1 - q));
    }

    public static int argmax(float[] p) {
        int best = 0;
        for (int c = 1; c < p.length; c++) {
            if (p[c] > p[best]) {
                best = c;
            }
        }
        return best;
    }
}
