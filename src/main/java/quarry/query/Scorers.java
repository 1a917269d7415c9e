package quarry.query;

import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import quarry.core.CommitteeStats;
import quarry.core.McStats;
import quarry.core.QuarryException;

/** The scoring half of each strategy. Model outputs are read in chunks, so memory stays bounded. */
final class Scorers {

    private Scorers() {
    }

    /** Which Monte Carlo dropout statistic to use. */
    enum Mc { BALD, VARIATION_RATIO }

    /** Which committee disagreement to use. */
    enum Qbc { VOTE_ENTROPY, KL }

    static Scorer random() {
        return new Scorer() {
            @Override
            public String name() {
                return "random";
            }

            @Override
            public boolean needsModel() {
                return false;
            }

            @Override
            public Scores score(QueryContext ctx) {
                Scores s = Scores.empty(ctx.candidates());
                SplittableRandom random = new SplittableRandom(ctx.seed());
                for (int i = 0; i < s.score().length; i++) {
                    s.score()[i] = (float) random.nextDouble();
                }
                return s;
            }
        };
    }

    /** An uncertainty measure of each candidate's predicted probabilities (dropout off). */
    static Scorer probabilities(String name, ToDoubleFunction<float[]> uncertainty) {
        return new ChunkedScorer(name) {
            @Override
            void scoreChunk(QueryContext ctx, int[] rows, int offset, Scores out) {
                float[][] p = ctx.head().probabilities(ctx.pool(), rows);
                for (int i = 0; i < rows.length; i++) {
                    double u = uncertainty.applyAsDouble(p[i]);
                    out.score()[offset + i] = (float) u;
                    out.uncertainty()[offset + i] = (float) u;
                    out.predicted()[offset + i] = Uncertainty.argmax(p[i]);
                }
            }
        };
    }

    /** Multi-label: how far the number of labels predicted above threshold is from the labeled mean. */
    static Scorer cardinalityInconsistency() {
        return new ChunkedScorer("ml-cardinality") {
            @Override
            void scoreChunk(QueryContext ctx, int[] rows, int offset, Scores out) {
                float[] thresholds = ctx.head().thresholds();
                if (thresholds == null || Double.isNaN(ctx.labelCardinality())) {
                    throw new QuarryException("ml-cardinality needs a multi-label model and the labeled documents' "
                            + "mean label count");
                }
                float[][] p = ctx.head().probabilities(ctx.pool(), rows);
                for (int i = 0; i < rows.length; i++) {
                    int predicted = 0;
                    for (int c = 0; c < p[i].length; c++) {
                        predicted += p[i][c] >= thresholds[c] ? 1 : 0;
                    }
                    float gap = (float) Math.abs(predicted - ctx.labelCardinality());
                    out.score()[offset + i] = gap;
                    out.uncertainty()[offset + i] = gap;
                    out.predicted()[offset + i] = Uncertainty.argmax(p[i]);
                }
            }
        };
    }

    /** A multi-label uncertainty of one row: its probabilities, the thresholds and the predicted labels. */
    interface LabelSetMeasure {
        double of(float[] p, float[] thresholds, int[] predicted);
    }

    /** Multi-label: an uncertainty read against the head's own decision (its thresholds, its label set). */
    static Scorer labelSets(String name, LabelSetMeasure measure) {
        return new ChunkedScorer(name) {
            @Override
            void scoreChunk(QueryContext ctx, int[] rows, int offset, Scores out) {
                float[] thresholds = ctx.head().thresholds();
                if (thresholds == null) {
                    throw new QuarryException(name + " needs a multi-label model (per-label thresholds)");
                }
                float[][] p = ctx.head().probabilities(ctx.pool(), rows);
                for (int i = 0; i < rows.length; i++) {
                    int[] predicted = ctx.head().decide(p[i]);
                    double u = measure.of(p[i], thresholds, predicted);
                    out.score()[offset + i] = (float) u;
                    out.uncertainty()[offset + i] = (float) u;
                    out.predicted()[offset + i] = predicted.length > 0 ? predicted[0] : Uncertainty.argmax(p[i]);
                }
            }
        };
    }

    static Scorer monteCarlo(String name, Mc statistic) {
        return new ChunkedScorer(name) {
            @Override
            void scoreChunk(QueryContext ctx, int[] rows, int offset, Scores out) {
                // One seed for every chunk: the head draws one dropout mask per pass, shared by all
                // rows, so a row's statistics do not depend on how the pool was chunked.
                McStats mc = ctx.head().mcDropout(ctx.pool(), rows, ctx.mcPasses(), ctx.seed());
                float[] value = statistic == Mc.BALD ? mc.bald() : mc.variationRatio();
                for (int i = 0; i < rows.length; i++) {
                    out.score()[offset + i] = value[i];
                    out.uncertainty()[offset + i] = value[i];
                    out.predicted()[offset + i] = Uncertainty.argmax(mc.meanProbs()[i]);
                }
            }
        };
    }

    /**
     * Scores every candidate with {@code cheap}, then only the best {@code max(floor, n / 10)} of
     * them with {@code costly}; the rest rank below all of those, in the cheap score's order. Costly
     * scores that follow a cheap one (BALD's epistemic doubt mostly lies where the margin is small)
     * then cost a tenth over a large pool. {@code floor} 0, or a pool of at most {@code floor}
     * candidates, scores everything with {@code costly}.
     */
    static Scorer shortlisted(Scorer cheap, Scorer costly, int floor) {
        return new Scorer() {
            @Override
            public String name() {
                return costly.name();
            }

            @Override
            public boolean needsModel() {
                return costly.needsModel();
            }

            @Override
            public Scores score(QueryContext ctx) {
                int n = ctx.candidates().length;
                int size = Math.max(floor, n / SHORTLIST_SHARE);
                if (floor == 0 || n <= size) {
                    return costly.score(ctx);
                }
                Scores first = cheap.score(ctx);
                int[] best = top(first.score(), size);
                int[] rows = new int[size];
                for (int i = 0; i < size; i++) {
                    rows[i] = ctx.candidates()[best[i]];
                }
                Scores second = costly.score(ctx.withCandidates(rows));
                float lowest = Float.POSITIVE_INFINITY;
                for (float v : second.score()) {
                    lowest = Math.min(lowest, v);
                }
                // Left out: below every shortlisted score, and in the cheap score's order among themselves.
                float cheapMax = Float.NEGATIVE_INFINITY;
                for (float v : first.score()) {
                    cheapMax = Math.max(cheapMax, v);
                }
                Scores out = Scores.empty(ctx.candidates());
                for (int i = 0; i < n; i++) {
                    out.score()[i] = lowest - 1 - (cheapMax - first.score()[i]);
                    out.predicted()[i] = first.predicted()[i];
                }
                for (int i = 0; i < size; i++) {
                    int at = best[i];
                    out.score()[at] = second.score()[i];
                    out.uncertainty()[at] = second.uncertainty()[i];
                    out.density()[at] = second.density()[i];
                    out.predicted()[at] = second.predicted()[i];
                }
                return out;
            }
        };
    }

    /** The shortlist is at least a tenth of the candidates. */
    static final int SHORTLIST_SHARE = 10;

    /** Indexes of the {@code k} highest scores (NaN counts as lowest), in index order. */
    static int[] top(float[] score, int k) {
        float[] sorted = score.clone();
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = Float.isNaN(sorted[i]) ? Float.NEGATIVE_INFINITY : sorted[i];
        }
        java.util.Arrays.sort(sorted);
        float threshold = sorted[sorted.length - k];
        int above = 0;
        for (float v : sorted) {
            above += v > threshold ? 1 : 0;
        }
        // Ties at the threshold fill what is left, first by index, so the shortlist is reproducible.
        int ties = k - above;
        int[] out = new int[k];
        int at = 0;
        for (int i = 0; i < score.length && at < k; i++) {
            float v = Float.isNaN(score[i]) ? Float.NEGATIVE_INFINITY : score[i];
            if (v > threshold || (v == threshold && ties-- > 0)) {
                out[at++] = i;
            }
        }
        return out;
    }

    static Scorer committee(String name, Qbc measure) {
        return new ChunkedScorer(name) {
            @Override
            void scoreChunk(QueryContext ctx, int[] rows, int offset, Scores out) {
                if (ctx.committee() == null) {
                    throw new QuarryException(name + " needs a committee of models; none was trained");
                }
                CommitteeStats stats = ctx.committee().stats(ctx.pool(), rows);
                float[] value = measure == Qbc.VOTE_ENTROPY ? stats.voteEntropy() : stats.meanKl();
                for (int i = 0; i < rows.length; i++) {
                    out.score()[offset + i] = value[i];
                    out.uncertainty()[offset + i] = value[i];
                    out.predicted()[offset + i] = Uncertainty.argmax(stats.consensus()[i]);
                }
            }
        };
    }

    static Scorer expectedGradientLength() {
        return new ChunkedScorer("egl") {
            @Override
            void scoreChunk(QueryContext ctx, int[] rows, int offset, Scores out) {
                float[] egl = ctx.head().expectedGradientLength(ctx.pool(), rows);
                for (int i = 0; i < rows.length; i++) {
                    out.score()[offset + i] = egl[i];
                    out.uncertainty()[offset + i] = egl[i];
                }
            }
        };
    }

    /**
     * Information density: uncertainty × density^β, so outliers the model is unsure about (and
     * that teach it little about the rest of the pool) rank below uncertain typical documents.
     */
    static Scorer densityWeighted(Scorer base, double beta) {
        return new Scorer() {
            @Override
            public String name() {
                return base.name() + "+density";
            }

            @Override
            public boolean needsModel() {
                return base.needsModel();
            }

            @Override
            public Scores score(QueryContext ctx) {
                Scores s = base.score(ctx);
                float[] density = Density.of(ctx, s.rows());
                for (int i = 0; i < s.rows().length; i++) {
                    s.density()[i] = density[i];
                    double d = Float.isNaN(density[i]) ? 1 : Math.max(0, density[i]);
                    s.score()[i] = (float) (s.score()[i] * Math.pow(d, beta));
                }
                return s;
            }
        };
    }

    /**
     * Upkeep after drift: a candidate scores its margin uncertainty plus {@code noveltyWeight}
     * times its novelty (1 − cosine to the nearest labeled document), the sum weighted by density^β.
     * Uncertainty alone misses new intents the model is confidently wrong about; novelty alone
     * picks outliers; density keeps the picks where many documents are.
     */
    static Scorer upkeep(double noveltyWeight, double beta) {
        return new ChunkedScorer("upkeep") {
            private float[][] labeled;

            @Override
            public Scores score(QueryContext ctx) {
                labeled = ctx.pool().rows(ctx.labeled());
                try {
                    return super.score(ctx);
                } finally {
                    labeled = null;
                }
            }

            @Override
            void scoreChunk(QueryContext ctx, int[] rows, int offset, Scores out) {
                float[][] x = ctx.pool().rows(rows);
                float[][] p = ctx.head().probabilities(ctx.pool(), rows);
                float[] nearest = quarry.eval.Drift.nearestSimilarity(x, labeled);
                float[] density = Density.of(ctx, rows);
                for (int i = 0; i < rows.length; i++) {
                    double u = 1 - Uncertainty.margin(p[i]);
                    double novelty = labeled.length == 0 ? 1 : 1 - Math.max(0, nearest[i]);
                    double d = Float.isNaN(density[i]) ? 1 : Math.max(0, density[i]);
                    out.score()[offset + i] = (float) ((u + noveltyWeight * novelty) * Math.pow(d, beta));
                    out.uncertainty()[offset + i] = (float) u;
                    out.density()[offset + i] = density[i];
                    out.predicted()[offset + i] = Uncertainty.argmax(p[i]);
                }
            }
        };
    }

    /** Walks the candidates chunk by chunk; subclasses fill their slice of the result. */
    private abstract static class ChunkedScorer implements Scorer {

        private final String name;

        ChunkedScorer(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        abstract void scoreChunk(QueryContext ctx, int[] rows, int offset, Scores out);

        @Override
        public Scores score(QueryContext ctx) {
            Scores out = Scores.empty(ctx.candidates());
            int n = ctx.candidates().length;
            for (int from = 0; from < n; from += ctx.chunkSize()) {
                int to = Math.min(n, from + ctx.chunkSize());
                scoreChunk(ctx, ctx.candidateChunk(from, to), from, out);
            }
            return out;
        }
    }
}
