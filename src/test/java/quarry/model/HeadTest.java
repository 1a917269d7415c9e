package quarry.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import quarry.core.ArrayVectors;
import quarry.core.McStats;
import quarry.core.Vectors;

@Tag("integration")
class HeadTest {

    /** 4 clusters × 60 points in 32-d; rows [0, 160) train (40 per cluster), [160, 240) held out. */
    private static final Toy TOY = new Toy(4, 60, 32, 0.8, 11);
    private static final int[] TRAIN = Toy.range(0, 160);
    private static final int[] HELD_OUT = Toy.range(160, 240);
    private static final HeadConfig SMALL = HeadConfig.defaults().withHidden(32).withSeed(1);

    private static Head mlp;
    private static Head linear;

    @BeforeAll
    static void train() {
        mlp = Head.train(TOY.vectors(), TRAIN, TOY.targets(TRAIN), SMALL, null, "toy");
        linear = Head.train(TOY.vectors(), TRAIN, TOY.targets(TRAIN), SMALL.withKind(HeadConfig.Kind.LINEAR), null,
                "toy");
    }

    @AfterAll
    static void close() {
        mlp.close();
        linear.close();
    }

    @Test
    void bothKindsLearnSeparableClusters() {
        for (Head head : List.of(mlp, linear)) {
            assertTrue(TOY.accuracy(head, HELD_OUT) >= 0.95, head.config().kind() + " held-out accuracy "
                    + TOY.accuracy(head, HELD_OUT));
            for (float[] p : head.probabilities(TOY.vectors(), HELD_OUT)) {
                assertEquals(4, p.length);
                assertEquals(1.0, sum(p), 1e-5);
            }
            assertNull(head.thresholds());
            assertEquals(List.of("label-0", "label-1", "label-2", "label-3"), head.labels());
            assertEquals(32, head.dimension());
            assertEquals("toy", head.encoderId());
            assertFalse(head.multiLabel());
        }
        TrainingInfo info = mlp.training();
        assertEquals(160, info.examples());
        assertFalse(info.warmStarted());
        // 160 examples are 3 batches of 64: the step floor, not the 20 epochs, sets the schedule
        assertEquals(HeadTrainer.epochs(160, SMALL, false), info.epochs());
        assertTrue(info.steps() >= HeadTrainer.MIN_STEPS, "steps " + info.steps());
    }

    @Test
    void sameSeedGivesIdenticalProbabilitiesAndAnotherSeedDoesNot() {
        float[][] first = mlp.probabilities(TOY.vectors(), HELD_OUT);
        try (Head again = Head.train(TOY.vectors(), TRAIN, TOY.targets(TRAIN), SMALL, null, "toy");
             Head other = Head.train(TOY.vectors(), TRAIN, TOY.targets(TRAIN), SMALL.withSeed(2), null, "toy")) {
            float[][] same = again.probabilities(TOY.vectors(), HELD_OUT);
            for (int i = 0; i < first.length; i++) {
                assertArrayEquals(first[i], same[i], "row " + i);
            }
            float[][] different = other.probabilities(TOY.vectors(), HELD_OUT);
            assertFalse(Arrays.deepEquals(first, different), "seed 2 must give other weights");
        }
    }

    @Test
    void warmStartContinuesFromThePreviousWeights() {
        // At a learning rate that cannot move anything, a warm start is the previous head and a cold
        // start is an untrained one.
        HeadConfig frozen = SMALL.withLearningRate(1e-8f).withWarmEpochs(1);
        try (Head warm = Head.train(TOY.vectors(), TRAIN, TOY.targets(TRAIN), frozen, mlp, "toy");
             Head cold = Head.train(TOY.vectors(), TRAIN, TOY.targets(TRAIN), frozen, null, "toy")) {
            assertTrue(warm.training().warmStarted());
            assertTrue(warm.training().steps() < HeadTrainer.MIN_WARM_STEPS + 3, "a few steps only: "
                    + warm.training().steps());
            float[][] before = mlp.probabilities(TOY.vectors(), HELD_OUT);
            float[][] after = warm.probabilities(TOY.vectors(), HELD_OUT);
            for (int i = 0; i < before.length; i++) {
                assertArrayEquals(before[i], after[i], 1e-3f);
            }
            assertTrue(TOY.accuracy(warm, HELD_OUT) >= 0.95);
            assertTrue(TOY.accuracy(cold, HELD_OUT) < 0.8, "cold start accuracy " + TOY.accuracy(cold, HELD_OUT));
        }
    }

    @Test
    void warmStartAddsNewLabelsAndKeepsKnownOnes() {
        // a head that has only seen clusters 0-2, then labels for cluster 3 arrive under a new name
        int[] firstRows = Arrays.stream(TRAIN).filter(r -> TOY.cluster[r] < 3).toArray();
        int[] firstClasses = Arrays.stream(firstRows).map(r -> TOY.cluster[r]).toArray();
        List<String> three = List.of("label-0", "label-1", "label-2");
        // the grown label set lists the old labels in another order: rows must follow the names
        List<String> four = List.of("label-3", "label-2", "label-0", "label-1");
        int[] grownClasses = Arrays.stream(TRAIN).map(r -> four.indexOf("label-" + TOY.cluster[r])).toArray();
        try (Head first = Head.train(TOY.vectors(), firstRows, Targets.singleLabel(three, firstClasses), SMALL, null,
                "toy");
             Head grown = Head.train(TOY.vectors(), TRAIN, Targets.singleLabel(four, grownClasses), SMALL, first,
                     "toy")) {
            assertEquals(four, grown.labels());
            int[][] predicted = grown.predict(TOY.vectors(), HELD_OUT);
            int right = 0;
            for (int i = 0; i < HELD_OUT.length; i++) {
                if (four.get(predicted[i][0]).equals("label-" + TOY.cluster[HELD_OUT[i]])) {
                    right++;
                }
            }
            assertTrue(right >= 0.9 * HELD_OUT.length, right + " of " + HELD_OUT.length + " right after growing");

            Weights start = Weights.warm(first.weights(), first.labels(), four, SMALL);
            Weights old = first.weights();
            int f = old.features();
            for (int c = 0; c < four.size(); c++) {
                int was = three.indexOf(four.get(c));
                float[] row = Arrays.copyOfRange(start.w2(), c * f, (c + 1) * f);
                if (was >= 0) {
                    assertArrayEquals(Arrays.copyOfRange(old.w2(), was * f, (was + 1) * f), row);
                    assertEquals(old.b2()[was], start.b2()[c]);
                } else {
                    assertEquals(0f, start.b2()[c]);
                    assertTrue(norm(row) > 0, "a new label starts from fresh random weights");
                }
            }
            assertArrayEquals(old.w1(), start.w1());
        }
    }

    @Test
    void warmStartRefusesAnIncompatibleHead() {
        IllegalArgumentException encoder = assertThrows(IllegalArgumentException.class,
                () -> Head.train(TOY.vectors(), TRAIN, TOY.targets(TRAIN), SMALL, mlp, "other-encoder"));
        assertTrue(encoder.getMessage().contains("other-encoder"), encoder.getMessage());
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class,
                () -> Head.train(TOY.vectors(), TRAIN, TOY.targets(TRAIN), SMALL, linear, "toy"));
        assertTrue(kind.getMessage().contains("LINEAR"), kind.getMessage());
        IllegalArgumentException hidden = assertThrows(IllegalArgumentException.class,
                () -> Head.train(TOY.vectors(), TRAIN, TOY.targets(TRAIN), SMALL.withHidden(64), mlp, "toy"));
        assertTrue(hidden.getMessage().contains("64"), hidden.getMessage());
    }

    @Test
    void classesWithOneOrNoExamplesTrainWithAndWithoutWeighting() {
        // labels 4 and 5: one example (a point of its own) and none at all
        float[][] rows = Arrays.copyOf(TOY.rows, TOY.rows.length + 1);
        rows[TOY.rows.length] = Toy.normalised(Toy.gaussian(new SplittableRandom(5), 32, 1));
        Vectors x = new ArrayVectors(rows);
        int[] train = Arrays.copyOf(TRAIN, TRAIN.length + 1);
        train[TRAIN.length] = TOY.rows.length;
        int[] classes = new int[train.length];
        for (int i = 0; i < TRAIN.length; i++) {
            classes[i] = TOY.cluster[train[i]];
        }
        classes[TRAIN.length] = 4;
        Targets y = Targets.singleLabel(Toy.labels(6), classes);
        for (boolean weighting : new boolean[] {false, true}) {
            try (Head head = Head.train(x, train, y, SMALL.withClassWeighting(weighting), null, "toy")) {
                float[][] p = head.probabilities(x, train);
                for (float[] row : p) {
                    assertEquals(1.0, sum(row), 1e-5);
                    for (float v : row) {
                        assertTrue(Float.isFinite(v));
                    }
                }
                assertTrue(TOY.accuracy(head, HELD_OUT) >= 0.95, "weighting " + weighting);
                assertTrue(p[TRAIN.length][5] < 0.5, "a class without examples is not predicted");
                assertTrue(head.mcDropout(x, train, 5, 1).bald().length == train.length);
            }
        }
        float[] weights = HeadTrainer.exampleWeights(y);
        assertEquals(HeadTrainer.MAX_CLASS_WEIGHT, weights[TRAIN.length], 0f, "the lone example is capped");
        assertEquals(161.0 / (5 * 40), weights[0], 1e-6);
    }

    @Test
    void twoClassesWork() {
        Toy two = new Toy(2, 50, 16, 0.8, 3);
        int[] train = Toy.range(0, 60);
        try (Head head = Head.train(two.vectors(), train, two.targets(train), SMALL, null, "toy")) {
            assertTrue(two.accuracy(head, Toy.range(60, 100)) >= 0.95);
            assertEquals(2, head.probabilities(two.vectors(), train)[0].length);
        }
    }

    @Test
    void aThousandClassesWork() {
        Toy many = new Toy(1000, 2, 64, 0.5, 4);
        int[] train = Toy.range(0, 1000);
        try (Head head = Head.train(many.vectors(), train, many.targets(train), SMALL.withHidden(128), null, "toy")) {
            float[][] p = head.probabilities(many.vectors(), Toy.range(0, 2000));
            assertEquals(1000, p[0].length);
            assertTrue(many.accuracy(head, train) >= 0.9, "training accuracy " + many.accuracy(head, train));
            assertTrue(many.accuracy(head, Toy.range(1000, 2000)) >= 0.8,
                    "held-out accuracy " + many.accuracy(head, Toy.range(1000, 2000)));
            McStats mc = head.mcDropout(many.vectors(), Toy.range(0, 50), 8, 1);
            assertEquals(1000, mc.meanProbs()[0].length);
        }
    }

    @Test
    void multiLabelLearnsAndTunesThresholds() {
        MultiToy toy = new MultiToy(400, 5);
        int[] train = Toy.range(0, 300);
        int[] test = Toy.range(300, 400);
        try (Head head = Head.train(toy.vectors(), train, toy.targets(train), SMALL, null, "toy")) {
            assertTrue(head.multiLabel());
            float[] thresholds = head.thresholds();
            assertNotNull(thresholds);
            assertEquals(4, thresholds.length);
            for (int c = 0; c < 3; c++) {
                assertTrue(thresholds[c] >= Thresholds.MIN_THRESHOLD && thresholds[c] <= Thresholds.MAX_THRESHOLD);
            }
            assertEquals(Thresholds.DEFAULT, thresholds[3], "a label with one positive keeps 0.5");
            assertTrue(head.emptyBelow() <= 0);
            // Rows without a topic ("none of these") are trained on as negatives for every label, and
            // the rule learns that an empty answer is a real one here.
            int[] none = Arrays.stream(test).filter(r -> toy.labels[r].length == 0).toArray();
            assertTrue(none.length >= 10, "held-out rows without a label: " + none.length);
            long empty = Arrays.stream(head.predict(toy.vectors(), none)).filter(c -> c.length == 0).count();
            assertTrue(empty >= 0.8 * none.length, empty + " of " + none.length + " label-less rows predicted empty");
            int[][] predicted = head.predict(toy.vectors(), test);
            for (int c = 0; c < 3; c++) {
                assertTrue(f1(predicted, toy, test, c) >= 0.9, "label " + c + " F1 " + f1(predicted, toy, test, c));
            }
            for (float[] p : head.probabilities(toy.vectors(), test)) {
                for (float v : p) {
                    assertTrue(v >= 0 && v <= 1);
                }
            }
        }
    }

    @Test
    void aLabelWhosePositivesScoreLowGetsALowerThreshold() {
        // every row carries b (always above 0.5); a's positives score 0.35-0.45, its negatives at most 0.2
        Targets y = Targets.multiLabel(List.of("a", "b"),
                new int[][] {{0, 1}, {0, 1}, {0, 1}, {0, 1}, {1}, {1}, {1}, {1}});
        float[][] p = {{0.45f, 0.9f}, {0.4f, 0.9f}, {0.38f, 0.9f}, {0.35f, 0.9f}, {0.2f, 0.9f}, {0.1f, 0.8f},
            {0.15f, 0.9f}, {0.1f, 0.7f}};
        Thresholds.Decision d = Thresholds.choose(p, y);
        assertTrue(d.thresholds()[0] > 0.2f && d.thresholds()[0] <= 0.35f, "threshold " + d.thresholds()[0]);
        assertEquals(0.5f, d.thresholds()[1], "b is already right at 0.5: it stays");
        assertEquals(0f, d.emptyBelow(), "nothing to fall back from: no fallback");
        assertArrayEquals(new int[0], Thresholds.decide(new float[] {0.1f, 0.1f}, d.thresholds(), d.emptyBelow()));
    }

    @Test
    void dataWhereEveryDocumentHasALabelLearnsToFallBack() {
        // nothing reaches 0.5, but the top label is always right
        Targets y = Targets.multiLabel(List.of("a", "b", "c"), new int[][] {{0}, {1}, {2}, {0}, {1}, {2}});
        float[][] p = {{0.3f, 0.1f, 0.1f}, {0.1f, 0.3f, 0.1f}, {0.1f, 0.1f, 0.3f}, {0.3f, 0.2f, 0.1f},
            {0.1f, 0.3f, 0.2f}, {0.2f, 0.1f, 0.3f}};
        Thresholds.Decision d = Thresholds.choose(p, y);
        for (int i = 0; i < p.length; i++) {
            assertArrayEquals(y.classes()[i], Thresholds.decide(p[i], d.thresholds(), d.emptyBelow()), "row " + i);
        }
        // a label with fewer than MIN_POSITIVES positives keeps the default
        Targets rare = Targets.multiLabel(List.of("a", "b"), new int[][] {{0}, {0}, {0}, {1}, {}, {}});
        float[][] q = {{0.9f, 0.3f}, {0.8f, 0.1f}, {0.7f, 0.1f}, {0.1f, 0.3f}, {0.1f, 0.1f}, {0.1f, 0.1f}};
        assertEquals(Thresholds.DEFAULT, Thresholds.choose(q, rare).thresholds()[1]);
    }

    @Test
    void theChosenRuleIsALocalOptimumOfItsObjective() {
        // The search keeps per-row bookkeeping; scoring every neighbour the slow way checks it.
        SplittableRandom random = new SplittableRandom(3);
        int n = 300;
        int labels = 5;
        int[][] classes = new int[n][];
        float[][] p = new float[n][labels];
        for (int i = 0; i < n; i++) {
            List<Integer> mine = new ArrayList<>();
            for (int c = 0; c < labels; c++) {
                boolean has = random.nextDouble() < 0.1 + 0.1 * c;
                if (has) {
                    mine.add(c);
                }
                p[i][c] = (float) Math.min(0.99, Math.max(0.01, (has ? 0.45 : 0.15) + 0.3 * (random.nextDouble() - 0.5)));
            }
            classes[i] = mine.stream().mapToInt(Integer::intValue).toArray();
        }
        Targets y = Targets.multiLabel(List.of("a", "b", "c", "d", "e"), classes);
        Thresholds.Decision d = Thresholds.choose(p, y);
        double chosen = slowObjective(p, classes, d.thresholds(), d.emptyBelow());
        float[] half = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
        assertTrue(chosen > slowObjective(p, classes, half, 0f), "better than where it started");
        for (int c = 0; c < labels; c++) {
            for (float t = 0.05f; t <= 0.951f; t += 0.025f) {
                float[] other = d.thresholds().clone();
                other[c] = t;
                assertTrue(slowObjective(p, classes, other, d.emptyBelow()) <= chosen + 1e-12, "label " + c + " at " + t);
            }
        }
        for (float f : new float[] {0f, -1f, Thresholds.ALWAYS}) {
            assertTrue(slowObjective(p, classes, d.thresholds(), f) <= chosen + 1e-12, "fallback " + f);
        }
    }

    /** Mean of subset accuracy and micro-F1 of the rule, row by row through {@link Thresholds#decide}. */
    private static double slowObjective(float[][] p, int[][] truth, float[] thresholds, float emptyBelow) {
        int exact = 0;
        int tp = 0;
        int predicted = 0;
        int actual = 0;
        for (int i = 0; i < p.length; i++) {
            int[] chosen = Thresholds.decide(p[i], thresholds, emptyBelow);
            int[] sortedTruth = truth[i].clone();
            Arrays.sort(sortedTruth);
            exact += Arrays.equals(chosen, sortedTruth) ? 1 : 0;
            for (int c : chosen) {
                tp += Arrays.stream(truth[i]).anyMatch(t -> t == c) ? 1 : 0;
            }
            predicted += chosen.length;
            actual += truth[i].length;
        }
        return ((double) exact / p.length + 2.0 * tp / (predicted + actual)) / 2;
    }

    @Test
    void expectedGradientLengthIsLargerWhereTheHeadIsUnsure() {
        float[] confident = TOY.rows[0];
        float[] ambiguous = Toy.between(TOY.rows[0], TOY.rows[1]);
        Vectors x = Vectors.of(new float[][] {confident, ambiguous});
        for (Head head : List.of(mlp, linear)) {
            float[] egl = head.expectedGradientLength(x, new int[] {0, 1});
            assertTrue(egl[1] > egl[0], head.config().kind() + " EGL " + Arrays.toString(egl));
        }
    }

    @Test
    void expectedGradientLengthMatchesItsDefinition() {
        int[] rows = {0, 1, 170, 200};
        float[] egl = mlp.expectedGradientLength(TOY.vectors(), rows);
        float[][] p = mlp.probabilities(TOY.vectors(), rows);
        Weights w = mlp.weights();
        for (int i = 0; i < rows.length; i++) {
            double[] h = McDropoutTest.hidden(w, TOY.rows[rows[i]]);
            double hNorm = 1;
            for (double v : h) {
                hNorm += v * v;
            }
            hNorm = Math.sqrt(hNorm);
            double expected = 0;
            for (int y = 0; y < p[i].length; y++) {
                double d = 0;
                for (int c = 0; c < p[i].length; c++) {
                    double diff = p[i][c] - (c == y ? 1 : 0);
                    d += diff * diff;
                }
                expected += p[i][y] * Math.sqrt(d) * hNorm;
            }
            assertEquals(expected, egl[i], 1e-4 * Math.max(1, expected), "row " + rows[i]);
        }
    }

    @Test
    void argumentsAreCheckedWithTheBadValueInTheMessage() {
        IllegalArgumentException row = assertThrows(IllegalArgumentException.class,
                () -> mlp.probabilities(TOY.vectors(), new int[] {0, 999}));
        assertTrue(row.getMessage().contains("999"), row.getMessage());
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> Head.train(TOY.vectors(), new int[] {0, 1}, TOY.targets(new int[] {0}), SMALL, null, "toy"));
        assertTrue(count.getMessage().contains("2 rows"), count.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Head.train(TOY.vectors(), new int[0], TOY.targets(new int[0]), SMALL, null, "toy"));
        IllegalArgumentException dropout = assertThrows(IllegalArgumentException.class,
                () -> SMALL.withDropout(1.5f));
        assertTrue(dropout.getMessage().contains("1.5"), dropout.getMessage());
        IllegalArgumentException lr = assertThrows(IllegalArgumentException.class, () -> SMALL.withLearningRate(-1));
        assertTrue(lr.getMessage().contains("-1"), lr.getMessage());
        IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
                () -> Targets.singleLabel(List.of("a", "b"), new int[] {0, 2}));
        assertTrue(label.getMessage().contains("2"), label.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Targets.singleLabel(List.of("a", "a"), new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> Targets.singleLabel(List.of("a"), new int[] {0}));
        IllegalArgumentException passes = assertThrows(IllegalArgumentException.class,
                () -> mlp.mcDropout(TOY.vectors(), TRAIN, 0, 1));
        assertTrue(passes.getMessage().contains("0"), passes.getMessage());
        IllegalArgumentException dimension = assertThrows(IllegalArgumentException.class,
                () -> mlp.probabilities(Vectors.of(new float[][] {new float[8]}), new int[] {0}));
        assertTrue(dimension.getMessage().contains("8"), dimension.getMessage());
    }

    @Test
    void theDocumentedScheduleIsTheTrainers() {
        // HeadConfig's documentation quotes these numbers
        assertEquals(300, HeadTrainer.MIN_STEPS);
        assertEquals(60, HeadTrainer.MIN_WARM_STEPS);
        assertEquals(10f, HeadTrainer.MAX_CLASS_WEIGHT);
        HeadConfig d = HeadConfig.defaults();
        assertEquals(150, HeadTrainer.epochs(150, d, false), "150 labels: 2 steps an epoch, 150 epochs");
        assertEquals(20, HeadTrainer.epochs(20_000, d, false));
        assertEquals(3, HeadTrainer.epochs(5_010, d, true));
        assertEquals(3, d.thresholdFolds());
    }

    @Test
    void targetsAndConfigAreImmutable() {
        int[][] classes = {{0}, {1}};
        Targets y = new Targets(List.of("a", "b"), false, classes);
        classes[0][0] = 1;
        assertEquals(0, y.classes()[0][0]);
        y.classes()[0][0] = 1;
        assertEquals(0, y.classes()[0][0]);
        HeadConfig config = HeadConfig.defaults();
        assertEquals(0.5f, config.withDropout(0.5f).dropout());
        assertEquals(0.25f, config.dropout());
    }

    static double sum(float[] p) {
        double s = 0;
        for (float v : p) {
            s += v;
        }
        return s;
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    private static double f1(int[][] predicted, MultiToy toy, int[] rows, int label) {
        int tp = 0;
        int fp = 0;
        int fn = 0;
        for (int i = 0; i < rows.length; i++) {
            boolean truth = toy.has(rows[i], label);
            boolean guess = Arrays.stream(predicted[i]).anyMatch(c -> c == label);
            if (truth && guess) {
                tp++;
            } else if (guess) {
                fp++;
            } else if (truth) {
                fn++;
            }
        }
        return 2.0 * tp / (2.0 * tp + fp + fn);
    }

    /**
     * Multi-label toy: three topics with unit centres in 32-d; each point carries each topic with
     * probability 0.4 and sits at the normalised sum of its topics' centres plus noise. A fourth
     * label is carried by the first point only.
     */
    static final class MultiToy {

        final float[][] rows;
        final int[][] labels;

        MultiToy(int n, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            float[][] centres = new float[3][];
            for (int k = 0; k < 3; k++) {
                centres[k] = Toy.normalised(Toy.gaussian(random, 32, 1));
            }
            rows = new float[n][];
            labels = new int[n][];
            for (int i = 0; i < n; i++) {
                List<Integer> mine = new ArrayList<>();
                float[] v = Toy.gaussian(random, 32, 0.5 / Math.sqrt(32));
                for (int k = 0; k < 3; k++) {
                    if (random.nextDouble() < 0.4) {
                        mine.add(k);
                        for (int d = 0; d < 32; d++) {
                            v[d] += centres[k][d];
                        }
                    }
                }
                if (i == 0) {
                    mine.add(3);
                }
                rows[i] = Toy.normalised(v);
                labels[i] = mine.stream().mapToInt(Integer::intValue).toArray();
            }
        }

        Vectors vectors() {
            return new ArrayVectors(rows);
        }

        boolean has(int row, int label) {
            return Arrays.stream(labels[row]).anyMatch(c -> c == label);
        }

        Targets targets(int[] rowIds) {
            int[][] classes = new int[rowIds.length][];
            for (int i = 0; i < rowIds.length; i++) {
                classes[i] = labels[rowIds[i]];
            }
            return Targets.multiLabel(List.of("topic-0", "topic-1", "topic-2", "rare"), classes);
        }
    }
}
