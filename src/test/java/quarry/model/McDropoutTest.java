package quarry.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import quarry.core.McStats;
import quarry.core.Vectors;

@Tag("integration")
class McDropoutTest {

    private static final Toy TOY = new Toy(3, 40, 24, 0.9, 21);
    private static final int[] TRAIN = Toy.range(0, 90);
    private static final int[] ALL = Toy.range(0, 120);
    private static final HeadConfig SMALL = HeadConfig.defaults().withHidden(24).withSeed(5);

    private static Head noDropout;
    private static Head heavyDropout;
    private static Head multi;
    private static HeadTest.MultiToy multiToy;

    @BeforeAll
    static void train() {
        noDropout = Head.train(TOY.vectors(), TRAIN, TOY.targets(TRAIN), SMALL.withDropout(0), null, "toy");
        heavyDropout = Head.train(TOY.vectors(), TRAIN, TOY.targets(TRAIN), SMALL.withDropout(0.5f), null, "toy");
        multiToy = new HeadTest.MultiToy(200, 9);
        multi = Head.train(multiToy.vectors(), Toy.range(0, 150), multiToy.targets(Toy.range(0, 150)), SMALL, null,
                "toy");
    }

    @AfterAll
    static void close() {
        noDropout.close();
        heavyDropout.close();
        multi.close();
    }

    @Test
    void withoutDropoutAllPassesAgree() {
        McStats mc = noDropout.mcDropout(TOY.vectors(), ALL, 20, 3);
        float[][] p = noDropout.probabilities(TOY.vectors(), ALL);
        for (int i = 0; i < ALL.length; i++) {
            assertEquals(0f, mc.bald()[i], 1e-5f, "BALD of row " + i);
            assertEquals(0f, mc.variationRatio()[i], "variation ratio of row " + i);
            assertEquals(mc.predictiveEntropy()[i], mc.expectedEntropy()[i], 1e-5f);
            assertArrayEquals(p[i], mc.meanProbs()[i], 1e-5f);
        }
    }

    @Test
    void dropoutMakesAnAmbiguousPointDisagree() {
        Vectors x = Vectors.of(new float[][] {TOY.rows[0], Toy.between(TOY.rows[0], TOY.rows[1])});
        McStats mc = heavyDropout.mcDropout(x, new int[] {0, 1}, 50, 7);
        assertTrue(mc.bald()[1] > 1e-3, "BALD on the ambiguous point " + mc.bald()[1]);
        assertTrue(mc.bald()[1] > mc.bald()[0], "ambiguous " + mc.bald()[1] + " vs confident " + mc.bald()[0]);
        assertTrue(mc.predictiveEntropy()[1] > mc.predictiveEntropy()[0]);
    }

    @Test
    void statisticsMatchAStraightforwardComputationFromThePasses() {
        int[] rows = {0, 1, 2, 45, 91, 100, 119};
        int passes = 9;
        float[][][] p = heavyDropout.passProbabilities(TOY.vectors(), rows, passes, 13);
        McStats mc = heavyDropout.mcDropout(TOY.vectors(), rows, passes, 13);
        for (int i = 0; i < rows.length; i++) {
            Expected e = softmaxReference(p[i]);
            assertArrayEquals(e.mean, mc.meanProbs()[i], 1e-5f);
            assertEquals(e.predictive, mc.predictiveEntropy()[i], 1e-4, "predictive, row " + rows[i]);
            assertEquals(e.expected, mc.expectedEntropy()[i], 1e-4, "expected, row " + rows[i]);
            assertEquals(Math.max(0, e.predictive - e.expected), mc.bald()[i], 1e-4, "BALD, row " + rows[i]);
            assertEquals(e.variation, mc.variationRatio()[i], 1e-6, "variation ratio, row " + rows[i]);
        }
    }

    @Test
    void multiLabelStatisticsAreSumsOfBernoulliStatistics() {
        int[] rows = {0, 3, 160, 170, 199};
        int passes = 11;
        float[][][] p = multi.passProbabilities(multiToy.vectors(), rows, passes, 17);
        McStats mc = multi.mcDropout(multiToy.vectors(), rows, passes, 17);
        float[] thresholds = multi.thresholds();
        for (int i = 0; i < rows.length; i++) {
            int labels = p[i][0].length;
            double predictive = 0;
            double expected = 0;
            double variation = 0;
            float[] mean = new float[labels];
            for (int c = 0; c < labels; c++) {
                double m = 0;
                int positive = 0;
                for (int t = 0; t < passes; t++) {
                    double q = p[i][t][c];
                    m += q / passes;
                    expected += bernoulli(q) / passes;
                    positive += q >= thresholds[c] ? 1 : 0;
                }
                mean[c] = (float) m;
                predictive += bernoulli(m);
                variation += 1 - (double) Math.max(positive, passes - positive) / passes;
            }
            assertArrayEquals(mean, mc.meanProbs()[i], 1e-5f);
            assertEquals(predictive, mc.predictiveEntropy()[i], 1e-4);
            assertEquals(expected, mc.expectedEntropy()[i], 1e-4);
            assertEquals(Math.max(0, predictive - expected), mc.bald()[i], 1e-4);
            assertEquals(variation, mc.variationRatio()[i], 1e-5);
        }
    }

    @Test
    void passesAreExactlyDropoutOnTheOutputLayersInput() {
        // both ways the passes are computed (dropped units at rate < 0.5, kept units above), and LINEAR
        try (Head kept = Head.train(TOY.vectors(), TRAIN, TOY.targets(TRAIN), SMALL.withDropout(0.7f), null, "toy");
             Head lin = Head.train(TOY.vectors(), TRAIN, TOY.targets(TRAIN),
                     SMALL.withKind(HeadConfig.Kind.LINEAR).withDropout(0.3f), null, "toy")) {
            for (Head head : new Head[] {heavyDropout, kept, lin}) {
                int[] rows = {0, 50, 110};
                int passes = 6;
                long seed = 99;
                float[][][] p = head.passProbabilities(TOY.vectors(), rows, passes, seed);
                Weights w = head.weights();
                float rate = head.config().dropout();
                boolean[][] masks = Scoring.PassPlan.of(w, rate, passes, seed).masks();
                for (int i = 0; i < rows.length; i++) {
                    double[] f = hidden(w, TOY.rows[rows[i]]);
                    for (int t = 0; t < passes; t++) {
                        double[] logits = new double[w.classes()];
                        for (int c = 0; c < w.classes(); c++) {
                            double z = w.b2()[c];
                            for (int u = 0; u < w.features(); u++) {
                                if (masks[t][u]) {
                                    z += f[u] / (1 - rate) * w.w2()[c * w.features() + u];
                                }
                            }
                            logits[c] = z;
                        }
                        assertArrayEquals(softmax(logits), p[i][t], 1e-5f,
                                head.config().kind() + " rate " + rate + " row " + i + " pass " + t);
                    }
                }
                int kept0 = 0;
                for (boolean k : masks[0]) {
                    kept0 += k ? 1 : 0;
                }
                assertTrue(kept0 > 0 && kept0 < w.features(), "masks drop some units and keep others");
            }
        }
    }

    @Test
    void chunkingAndCompanyDoNotChangeARowsStatistics() {
        McStats whole = heavyDropout.mcDropout(TOY.vectors(), ALL, 12, 21, true, 10_000);
        McStats chunked = heavyDropout.mcDropout(TOY.vectors(), ALL, 12, 21, true, 7);
        assertArrayEquals(whole.bald(), chunked.bald(), 1e-6f);
        assertArrayEquals(whole.predictiveEntropy(), chunked.predictiveEntropy(), 1e-6f);
        assertArrayEquals(whole.expectedEntropy(), chunked.expectedEntropy(), 1e-6f);
        assertArrayEquals(whole.variationRatio(), chunked.variationRatio());
        for (int i = 0; i < ALL.length; i++) {
            assertArrayEquals(whole.meanProbs()[i], chunked.meanProbs()[i], 1e-6f);
        }
        McStats alone = heavyDropout.mcDropout(TOY.vectors(), new int[] {77}, 12, 21);
        assertEquals(whole.bald()[77], alone.bald()[0], 1e-6f);
        McStats scalarsOnly = heavyDropout.mcDropout(TOY.vectors(), ALL, 12, 21, false);
        assertEquals(null, scalarsOnly.meanProbs());
        assertArrayEquals(whole.bald(), scalarsOnly.bald(), 1e-6f);

        float[][] one = heavyDropout.probabilities(TOY.vectors(), ALL, 10_000);
        float[][] many = heavyDropout.probabilities(TOY.vectors(), ALL, 7);
        for (int i = 0; i < ALL.length; i++) {
            assertArrayEquals(one[i], many[i], 1e-6f);
        }
    }

    @Test
    void sameSeedSameStatisticsOtherSeedOthers() {
        McStats a = heavyDropout.mcDropout(TOY.vectors(), ALL, 10, 1);
        McStats b = heavyDropout.mcDropout(TOY.vectors(), ALL, 10, 1);
        McStats c = heavyDropout.mcDropout(TOY.vectors(), ALL, 10, 2);
        assertArrayEquals(a.bald(), b.bald());
        assertArrayEquals(a.expectedEntropy(), b.expectedEntropy());
        assertFalse(Arrays.equals(a.expectedEntropy(), c.expectedEntropy()));
    }

    @Test
    void passesThatDropEveryUnitGiveTheBias() {
        try (Head head = Head.train(TOY.vectors(), TRAIN, TOY.targets(TRAIN), SMALL.withHidden(2).withDropout(0.99f),
                null, "toy")) {
            boolean[][] masks = Scoring.PassPlan.of(head.weights(), 0.99f, 3, 4).masks();
            float[][][] p = head.passProbabilities(TOY.vectors(), new int[] {0, 1}, 3, 4);
            double[] b = new double[head.weights().b2().length];
            for (int c = 0; c < b.length; c++) {
                b[c] = head.weights().b2()[c];
            }
            float[] bias = softmax(b);
            for (int t = 0; t < 3; t++) {
                if (!masks[t][0] && !masks[t][1]) {
                    assertArrayEquals(bias, p[0][t], 1e-6f);
                    assertArrayEquals(bias, p[1][t], 1e-6f);
                }
            }
            McStats mc = head.mcDropout(TOY.vectors(), ALL, 3, 4);
            for (float v : mc.expectedEntropy()) {
                assertTrue(Float.isFinite(v));
            }
        }
    }

    @Test
    void variationRatioCountsTheModalVote() {
        quarry.djl.DjlSettings.apply();
        int passes = 5;
        int classes = 8;
        // row 0: votes 0,0,0,1,2; row 1: every pass a different class; row 2: 2,2,5,5,5 with a tie
        // between classes 2 and 7 in pass 0 (the first maximum wins)
        int[][] winners = {{0, 0, 0, 1, 2}, {3, 4, 5, 6, 7}, {2, 2, 5, 5, 5}};
        float[] logits = new float[passes * winners.length * classes];
        for (int t = 0; t < passes; t++) {
            for (int i = 0; i < winners.length; i++) {
                for (int c = 0; c < classes; c++) {
                    logits[(t * winners.length + i) * classes + c] = c == winners[i][t] ? 3f : c * 0.01f;
                }
            }
        }
        logits[(0 * winners.length + 2) * classes + 7] = 3f; // pass 0 of row 2 also has class 7 at the max
        try (ai.djl.ndarray.NDManager m = ai.djl.engine.Engine.getEngine(Net.ENGINE).newBaseManager()) {
            ai.djl.ndarray.NDArray l = m.create(logits, new ai.djl.ndarray.types.Shape(passes, winners.length,
                    classes));
            ai.djl.ndarray.NDArray[] stats = Scoring.softmaxStats(l, passes);
            float[] vr = stats[4].toFloatArray();
            assertEquals(1 - 3f / 5, vr[0], 1e-6f);
            assertEquals(1 - 1f / 5, vr[1], 1e-6f);
            assertEquals(1 - 3f / 5, vr[2], 1e-6f);
        }
    }

    @Test
    void aHeadScoresFromSeveralThreadsAtOnce() throws Exception {
        McStats expected = heavyDropout.mcDropout(TOY.vectors(), ALL, 10, 3);
        float[][] probabilities = heavyDropout.probabilities(TOY.vectors(), ALL);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            java.util.List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
            for (int k = 0; k < 6; k++) {
                results.add(pool.submit(() -> Arrays.equals(expected.bald(),
                        heavyDropout.mcDropout(TOY.vectors(), ALL, 10, 3).bald())
                        && Arrays.deepEquals(probabilities, heavyDropout.probabilities(TOY.vectors(), ALL))));
            }
            for (java.util.concurrent.Future<Boolean> result : results) {
                assertTrue(result.get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void emptyRowsGiveEmptyStatistics() {
        McStats mc = heavyDropout.mcDropout(TOY.vectors(), new int[0], 10, 1);
        assertEquals(0, mc.size());
        assertEquals(0, heavyDropout.probabilities(TOY.vectors(), new int[0]).length);
        assertEquals(0, heavyDropout.expectedGradientLength(TOY.vectors(), new int[0]).length);
    }

    /** Input of the output layer with dropout off, in double precision. */
    static double[] hidden(Weights w, float[] x) {
        if (w.kind() == HeadConfig.Kind.LINEAR) {
            double[] f = new double[x.length];
            for (int d = 0; d < x.length; d++) {
                f[d] = x[d];
            }
            return f;
        }
        double[] h = new double[w.features()];
        for (int u = 0; u < h.length; u++) {
            double z = w.b1()[u];
            for (int d = 0; d < x.length; d++) {
                z += (double) w.w1()[u * x.length + d] * x[d];
            }
            h[u] = Math.max(0, z);
        }
        return h;
    }

    static float[] softmax(double[] logits) {
        double max = Arrays.stream(logits).max().orElse(0);
        double sum = 0;
        for (double z : logits) {
            sum += Math.exp(z - max);
        }
        float[] p = new float[logits.length];
        for (int c = 0; c < logits.length; c++) {
            p[c] = (float) (Math.exp(logits[c] - max) / sum);
        }
        return p;
    }

    private static double bernoulli(double q) {
        return -(q > 0 ? q * Math.log(q) : 0) - (q < 1 ? (1 - q) * Math.log(1 - q) : 0);
    }

    private record Expected(float[] mean, double predictive, double expected, double variation) {
    }

    /** The textbook definitions, from the T passes' probabilities of one row. */
    private static Expected softmaxReference(float[][] passes) {
        int t = passes.length;
        int classes = passes[0].length;
        float[] mean = new float[classes];
        double expected = 0;
        int[] votes = new int[classes];
        for (float[] p : passes) {
            double entropy = 0;
            int best = 0;
            for (int c = 0; c < classes; c++) {
                mean[c] += p[c] / t;
                entropy -= p[c] > 0 ? p[c] * Math.log(p[c]) : 0;
                if (p[c] > p[best]) {
                    best = c;
                }
            }
            expected += entropy / t;
            votes[best]++;
        }
        double predictive = 0;
        for (float m : mean) {
            predictive -= m > 0 ? m * Math.log(m) : 0;
        }
        int modal = Arrays.stream(votes).max().orElse(0);
        return new Expected(mean, predictive, expected, 1 - (double) modal / t);
    }
}
