package quarry.query;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import quarry.core.Pick;
import quarry.core.Vectors;

/**
 * Mixes exploration and exploitation at a set ratio. Exploitation picks what the model is unsure
 * about; exploration picks representative documents in regions no label covers yet (dense, and far
 * from every labeled document), which uncertainty alone never visits when the model is confidently
 * wrong there.
 */
final class Hybrid implements QueryStrategy {

    /** Exploration looks at this many of the densest candidates of a seeded sample. */
    private static final int EXPLORE_POOL = 2_000;
    private static final int MAX_LABELED = 1_000;

    private final String name;
    private final QueryStrategy exploit;
    private final double exploreRatio;

    Hybrid(String name, QueryStrategy exploit, double exploreRatio) {
        if (exploreRatio < 0 || exploreRatio > 1) {
            throw new IllegalArgumentException("explore ratio must be in [0, 1], got " + exploreRatio);
        }
        this.name = name;
        this.exploit = exploit;
        this.exploreRatio = exploreRatio;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Pick> select(QueryContext ctx, int batchSize) {
        if (ctx.head() == null) {
            return new ColdStart().select(ctx, batchSize);
        }
        int explore = (int) Math.round(batchSize * exploreRatio);
        List<Pick> picks = new ArrayList<>(explore(ctx, explore));
        Set<Integer> taken = new HashSet<>();
        picks.forEach(p -> taken.add(p.row()));
        // Ask for enough that the overlap with exploration cannot leave the batch short.
        for (Pick p : exploit.select(ctx, batchSize + picks.size())) {
            if (picks.size() < batchSize && taken.add(p.row())) {
                picks.add(p);
            }
        }
        return picks;
    }

    private List<Pick> explore(QueryContext ctx, int count) {
        if (count == 0) {
            return List.of();
        }
        int[] sample = ColdStart.sample(ctx.candidates(), ColdStart.SAMPLE, ctx.seed());
        float[] density = Density.of(ctx, sample);
        // densest first (or the sample order when density is unknown), then judge coverage
        int[] byDensity = Selector.ranking(density, ctx.seed());
        int n = Math.min(EXPLORE_POOL, sample.length);
        float[] score = new float[n];
        float[] uncovered = new float[n];
        Vectors pool = ctx.pool();
        // Coverage against a sample of the labels bounds the cost once thousands are labeled.
        float[][] labeled = pool.rows(ColdStart.sample(ctx.labeled(), MAX_LABELED, ctx.seed()));
        for (int i = 0; i < n; i++) {
            float[] v = pool.row(sample[byDensity[i]]);
            double nearestLabel = 0;
            for (float[] l : labeled) {
                nearestLabel = Math.max(nearestLabel, ColdStart.dot(v, l));
            }
            float d = density[byDensity[i]];
            uncovered[i] = (float) (1 - nearestLabel);
            score[i] = (float) ((Float.isNaN(d) ? 1 : Math.max(0, d)) * uncovered[i]);
        }
        // Exploration picks are spread out too, or they would cluster in the one biggest gap.
        Selector spread = new Selector(0.9, false);
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = sample[byDensity[i]];
        }
        float[] dens = new float[n];
        for (int i = 0; i < n; i++) {
            dens[i] = density[byDensity[i]];
        }
        Scores scores = new Scores(rows, score, uncovered, dens, new int[n]);
        List<Pick> picks = new ArrayList<>();
        for (int at : spread.select(ctx, scores, count)) {
            picks.add(new Pick(rows[at], name + "/explore", score[at], Double.NaN, dens[at], String.format(Locale.ROOT,
                    "exploration: representative of a region no label covers (similarity to nearest labeled %.2f)",
                    1 - uncovered[at])));
        }
        return picks;
    }
}
