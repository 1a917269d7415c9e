package quarry.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import quarry.core.CommitteeStats;
import quarry.core.Vectors;

@Tag("integration")
class CommitteeTest {

    private static final Toy TOY = new Toy(3, 40, 24, 0.9, 31);
    private static final int[] TRAIN = Toy.range(0, 90);
    private static final int[] ALL = Toy.range(0, 120);
    private static final HeadConfig SMALL = HeadConfig.defaults().withHidden(24).withSeed(8);

    @Test
    void identicalMembersHaveNoDisagreement() {
        List<Head> heads = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            heads.add(Head.train(TOY.vectors(), TRAIN, TOY.targets(TRAIN), SMALL, null, "toy"));
        }
        try (Committee committee = Committee.of(heads)) {
            CommitteeStats stats = committee.stats(TOY.vectors(), ALL);
            float[][] p = heads.get(0).probabilities(TOY.vectors(), ALL);
            for (int i = 0; i < ALL.length; i++) {
                assertEquals(0f, stats.voteEntropy()[i], "vote entropy of row " + i);
                assertEquals(0f, stats.meanKl()[i], 1e-6f, "KL of row " + i);
                assertArrayEquals(p[i], stats.consensus()[i], 1e-6f);
            }
        }
    }

    @Test
    void membersDisagreeWhereTheDataIsAmbiguous() {
        Vectors x = Vectors.of(new float[][] {TOY.rows[0], Toy.between(TOY.rows[0], TOY.rows[1])});
        int[] both = {0, 1};
        try (Committee committee = Committee.train(TOY.vectors(), TRAIN, TOY.targets(TRAIN), SMALL, 4, "toy")) {
            assertEquals(4, committee.members().size());
            CommitteeStats pool = committee.stats(TOY.vectors(), ALL);
            for (int i = 0; i < ALL.length; i++) {
                assertEquals(1.0, HeadTest.sum(pool.consensus()[i]), 1e-5);
            }
            // Rows of the clusters are easy: the members agree. Midpoints of two clusters are not.
            float[][] mid = new float[30][];
            for (int i = 0; i < mid.length; i++) {
                mid[i] = Toy.between(TOY.rows[i], TOY.rows[i + 1]); // rows i and i+1 are in different clusters
            }
            CommitteeStats between = committee.stats(Vectors.of(mid), Toy.range(0, mid.length));
            float[] poolKl = pool.meanKl().clone();
            float[] midKl = between.meanKl().clone();
            Arrays.sort(poolKl);
            Arrays.sort(midKl);
            float poolMedian = poolKl[poolKl.length / 2];
            float midMedian = midKl[midKl.length / 2];
            assertTrue(poolMedian < 1e-3f, "median KL on easy rows " + poolMedian);
            assertTrue(midMedian > 10 * poolMedian, "median KL between clusters " + midMedian + " vs on them "
                    + poolMedian);
            for (int i = 0; i < ALL.length; i++) {
                assertEquals(0f, pool.voteEntropy()[i], "members split their votes on easy row " + i);
            }
            double midVotes = 0;
            for (float v : between.voteEntropy()) {
                midVotes += v / mid.length;
            }
            assertTrue(midVotes > 0.05, "mean vote entropy between clusters " + midVotes);
            CommitteeStats stats = committee.stats(x, both);
            assertTrue(stats.meanKl()[1] > stats.meanKl()[0], "KL ambiguous " + stats.meanKl()[1] + " vs confident "
                    + stats.meanKl()[0]);
            checkAgainstMembers(committee, x, both, stats);
            // member k trained with seed + k
            assertEquals(SMALL.seed() + 3, committee.members().get(3).config().seed());
        }
    }

    /**
     * Few labels per class (the active-learning regime): a document the committee was taught is no
     * news. Members trained on bootstrap resamples each miss some classes, so the ones that drew an
     * example are sure of it and the others are not, and KL ranked copies of labeled documents first
     * (CLINC150: 99% of its picks were already predicted right).
     */
    @Test
    void membersAgreeOnTheExamplesTheyWereTaught() {
        Toy toy = new Toy(8, 10, 24, 0.9, 5);
        int[] taught = Toy.range(0, 16); // two examples of each of the 8 classes
        try (Committee committee = Committee.train(toy.vectors(), taught, toy.targets(taught), SMALL, 5, "toy")) {
            CommitteeStats stats = committee.stats(toy.vectors(), taught);
            for (int i = 0; i < taught.length; i++) {
                assertEquals(0f, stats.voteEntropy()[i], "members split their votes on taught row " + i);
                assertTrue(stats.meanKl()[i] < 0.05f, "KL " + stats.meanKl()[i] + " on taught row " + i);
            }
            for (Head member : committee.members()) {
                assertEquals(taught.length, member.training().examples());
            }
        }
    }

    @Test
    void disagreementMatchesHandComputedValues() {
        float ln3 = (float) Math.log(3);
        // weights are [class][input]: member a scores class 0 at ln 3 for either input, member b
        // scores the class matching the input at ln 3; the other class scores 0
        Head a = handMade(ln3, ln3, 0, 0);
        Head b = handMade(ln3, 0, 0, ln3);
        Vectors x = Vectors.of(new float[][] {{1, 0}, {0, 1}});
        try (Committee committee = Committee.of(List.of(a, b))) {
            CommitteeStats stats = committee.stats(x, new int[] {0, 1});
            // row 0: both members say (3/4, 1/4), so nothing to disagree about
            assertArrayEquals(new float[] {0.75f, 0.25f}, stats.consensus()[0], 1e-6f);
            assertEquals(0, stats.voteEntropy()[0], 1e-7);
            assertEquals(0, stats.meanKl()[0], 1e-6);
            // row 1: (3/4, 1/4) against (1/4, 3/4): one vote each, consensus (1/2, 1/2)
            assertArrayEquals(new float[] {0.5f, 0.5f}, stats.consensus()[1], 1e-6f);
            assertEquals(Math.log(2), stats.voteEntropy()[1], 1e-6);
            // either member's KL from the consensus: 3/4 ln(3/2) + 1/4 ln(1/2) ≈ 0.1308
            assertEquals(0.75 * Math.log(1.5) + 0.25 * Math.log(0.5), stats.meanKl()[1], 1e-6);
        }
    }

    /** A single-label LINEAR head over 2-d inputs with output weights {@code w} ([class][input]) and no bias. */
    private static Head handMade(float... w) {
        Weights weights = new Weights(HeadConfig.Kind.LINEAR, 2, 2, 2, null, null, w, new float[2]);
        Model model = Head.newModel();
        Net net = Net.of(weights, 0f);
        net.initialize(model.getNDManager(), false);
        model.setBlock(net.block());
        return Head.restore(model, net, List.of("a", "b"), false,
                HeadConfig.defaults().withKind(HeadConfig.Kind.LINEAR), "hand", null, null);
    }

    @Test
    void multiLabelCommitteeUsesBernoulliVersions() {
        HeadTest.MultiToy toy = new HeadTest.MultiToy(160, 12);
        int[] train = Toy.range(0, 120);
        try (Committee committee = Committee.train(toy.vectors(), train, toy.targets(train), SMALL, 3, "toy")) {
            int[] rows = Toy.range(100, 160);
            CommitteeStats stats = committee.stats(toy.vectors(), rows);
            checkAgainstMembers(committee, toy.vectors(), rows, stats);
        }
    }

    @Test
    void committeesAreChecked() {
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
                () -> Committee.train(TOY.vectors(), TRAIN, TOY.targets(TRAIN), SMALL, 1, "toy"));
        assertTrue(one.getMessage().contains("1"), one.getMessage());
        int[] few = Toy.range(0, 30);
        try (Head a = Head.train(TOY.vectors(), few, TOY.targets(few), SMALL.withEpochs(1), null, "toy");
             Head b = Head.train(TOY.vectors(), few, TOY.targets(few), SMALL.withEpochs(1), null, "other")) {
            assertThrows(IllegalArgumentException.class, () -> Committee.of(List.of(a, b)));
        }
    }

    /** The committee's statistics recomputed in Java from each member's probabilities. */
    private static void checkAgainstMembers(Committee committee, Vectors x, int[] rows, CommitteeStats stats) {
        List<Head> members = committee.members();
        int k = members.size();
        float[][][] p = new float[k][][];
        for (int m = 0; m < k; m++) {
            p[m] = members.get(m).probabilities(x, rows);
        }
        boolean multi = committee.multiLabel();
        for (int i = 0; i < rows.length; i++) {
            int classes = p[0][i].length;
            double[] consensus = new double[classes];
            for (int m = 0; m < k; m++) {
                for (int c = 0; c < classes; c++) {
                    consensus[c] += (double) p[m][i][c] / k;
                }
            }
            double kl = 0;
            double voteEntropy = 0;
            if (multi) {
                for (int c = 0; c < classes; c++) {
                    int votes = 0;
                    for (int m = 0; m < k; m++) {
                        double q = p[m][i][c];
                        kl += (xlogy(q, q) - xlogy(q, consensus[c]) + xlogy(1 - q, 1 - q)
                                - xlogy(1 - q, 1 - consensus[c])) / k;
                        votes += q >= members.get(m).thresholds()[c] ? 1 : 0;
                    }
                    double share = (double) votes / k;
                    voteEntropy -= xlogy(share, share) + xlogy(1 - share, 1 - share);
                }
            } else {
                int[] votes = new int[classes];
                for (int m = 0; m < k; m++) {
                    votes[Head.argMax(p[m][i])]++;
                    for (int c = 0; c < classes; c++) {
                        kl += xlogy(p[m][i][c], p[m][i][c] / consensus[c]) / k;
                    }
                }
                for (int v : votes) {
                    double share = (double) v / k;
                    voteEntropy -= xlogy(share, share);
                }
            }
            for (int c = 0; c < classes; c++) {
                assertEquals(consensus[c], stats.consensus()[i][c], 1e-5);
            }
            assertEquals(Math.max(0, kl), stats.meanKl()[i], 1e-4, "KL of row " + rows[i]);
            assertEquals(voteEntropy, stats.voteEntropy()[i], 1e-5, "vote entropy of row " + rows[i]);
        }
    }

    private static double xlogy(double x, double y) {
        return x == 0 ? 0 : x * Math.log(y);
    }
}
