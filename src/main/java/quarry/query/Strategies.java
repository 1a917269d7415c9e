package quarry.query;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import quarry.core.Pick;
import quarry.core.QuarryException;

/** Every query strategy, by name, with the options that apply on top of any of them. */
public final class Strategies {

    /**
     * Settings on top of a strategy's scores.
     *
     * @param diversityTau  no two picks with cosine ≥ τ; NaN for no diversity
     * @param classBalanced predicted classes take turns, fewest labels first
     * @param densityBeta   exponent of density for {@code density} strategies
     * @param exploreRatio  share of a {@code hybrid} batch that explores
     * @param mcShortlist   Monte Carlo dropout strategies (BALD, variation ratio) score only this
     *                      many candidates, or a tenth of them if more, chosen by margin first; 0
     *                      scores every candidate
     */
    public record Options(double diversityTau, boolean classBalanced, double densityBeta, double exploreRatio,
            int mcShortlist) {

        /** Below this many candidates MC dropout scores them all; above, the margin shortlist saves most passes. */
        public static final int MC_SHORTLIST = 50_000;

        public static final Options DEFAULTS = new Options(Double.NaN, false, 1.0, 0.2, MC_SHORTLIST);

        public Options {
            if (mcShortlist < 0) {
                throw new IllegalArgumentException("mcShortlist must be >= 0, got " + mcShortlist);
            }
        }

        public Options withDiversity(double tau) {
            return new Options(tau, classBalanced, densityBeta, exploreRatio, mcShortlist);
        }

        public Options withClassBalanced(boolean value) {
            return new Options(diversityTau, value, densityBeta, exploreRatio, mcShortlist);
        }

        public Options withDensityBeta(double value) {
            return new Options(diversityTau, classBalanced, value, exploreRatio, mcShortlist);
        }

        public Options withExploreRatio(double value) {
            return new Options(diversityTau, classBalanced, densityBeta, value, mcShortlist);
        }

        public Options withMcShortlist(int value) {
            return new Options(diversityTau, classBalanced, densityBeta, exploreRatio, value);
        }
    }

    private static final Map<String, Function<Options, Scorer>> SCORERS = new TreeMap<>();

    static {
        SCORERS.put("random", o -> Scorers.random());
        SCORERS.put("least-confidence", o -> Scorers.probabilities("least-confidence", Uncertainty::leastConfidence));
        SCORERS.put("margin", o -> Scorers.probabilities("margin", p -> 1 - Uncertainty.margin(p)));
        SCORERS.put("entropy", o -> Scorers.probabilities("entropy", Uncertainty::entropy));
        SCORERS.put("bald", o -> Scorers.shortlisted(SCORERS.get("margin").apply(o),
                Scorers.monteCarlo("bald", Scorers.Mc.BALD), o.mcShortlist()));
        SCORERS.put("variation-ratio", o -> Scorers.shortlisted(SCORERS.get("margin").apply(o),
                Scorers.monteCarlo("variation-ratio", Scorers.Mc.VARIATION_RATIO), o.mcShortlist()));
        SCORERS.put("qbc-vote", o -> Scorers.committee("qbc-vote", Scorers.Qbc.VOTE_ENTROPY));
        SCORERS.put("qbc-kl", o -> Scorers.committee("qbc-kl", Scorers.Qbc.KL));
        SCORERS.put("egl", o -> Scorers.expectedGradientLength());
        SCORERS.put("density-margin", o -> Scorers.densityWeighted(SCORERS.get("margin").apply(o), o.densityBeta()));
        SCORERS.put("density-bald", o -> Scorers.densityWeighted(SCORERS.get("bald").apply(o), o.densityBeta()));
        SCORERS.put("density-entropy", o -> Scorers.densityWeighted(SCORERS.get("entropy").apply(o), o.densityBeta()));
        SCORERS.put("upkeep", o -> Scorers.upkeep(Strategies.UPKEEP_NOVELTY, o.densityBeta()));
        SCORERS.put("ml-mean", o -> Scorers.probabilities("ml-mean", p -> Uncertainty.bernoulliEntropy(p) / p.length));
        SCORERS.put("ml-max", o -> Scorers.probabilities("ml-max", Strategies::maxBernoulliEntropy));
        SCORERS.put("ml-cardinality", o -> Scorers.cardinalityInconsistency());
        SCORERS.put("ml-margin", o -> Scorers.labelSets("ml-margin",
                (p, thresholds, predicted) -> Uncertainty.nearestToThreshold(Uncertainty.centred(p, thresholds))));
        SCORERS.put("ml-set", o -> Scorers.labelSets("ml-set", (p, thresholds, predicted) ->
                Uncertainty.labelSetDoubt(p, predicted)));
    }

    /**
     * Weight of novelty (distance to the labeled data) beside margin uncertainty in {@code upkeep};
     * chosen on CLINC150's valid split by {@code bench drift} (docs/BENCHMARKS.md).
     */
    public static final double UPKEEP_NOVELTY = 1.0;

    /** Labels per class up to which {@code coverage-margin} asks for coverage. */
    static final double COVERAGE_PER_CLASS = 2.0;

    private Strategies() {
    }

    /** Strategy names {@link #byName} accepts. */
    public static List<String> names() {
        List<String> names = new ArrayList<>(SCORERS.keySet());
        names.add("hybrid");
        names.add("ml-hybrid");
        names.add("cold-start");
        names.add("coverage");
        names.add("coverage-margin");
        names.sort(Comparator.naturalOrder());
        return names;
    }

    /** Names that apply to single-label data (the multi-label ones start with {@code ml-}). */
    public static List<String> singleLabelNames() {
        return names().stream().filter(n -> !n.startsWith("ml-")).toList();
    }

    public static QueryStrategy byName(String name, Options options) {
        String key = name.toLowerCase(Locale.ROOT).trim();
        Selector selector = new Selector(options.diversityTau(), options.classBalanced());
        if (key.equals("cold-start")) {
            return new ColdStart();
        }
        if (key.equals("coverage")) {
            return new CoverageFirst("coverage", new ScoredStrategy("margin", SCORERS.get("margin").apply(options),
                    selector), Double.POSITIVE_INFINITY);
        }
        if (key.equals("coverage-margin") || key.startsWith("coverage-margin@")) {
            // coverage-margin[@N]: coverage up to N labels per class (default COVERAGE_PER_CLASS)
            double perClass = key.contains("@") ? perClass(name, key.substring(key.indexOf('@') + 1))
                    : COVERAGE_PER_CLASS;
            return new CoverageFirst(key, new ScoredStrategy("margin", SCORERS.get("margin").apply(options), selector),
                    perClass);
        }
        if (key.equals("hybrid") || key.equals("ml-hybrid")) {
            // ml-hybrid exploits what ml-set ranks: the documents whose label set the head is least sure of
            QueryStrategy exploit = new ScoredStrategy(key + "/exploit",
                    SCORERS.get(key.equals("hybrid") ? "density-margin" : "ml-set").apply(options), selector);
            return new Hybrid(key, exploit, options.exploreRatio());
        }
        Function<Options, Scorer> scorer = SCORERS.get(key);
        if (scorer == null) {
            throw new QuarryException("unknown strategy '" + name + "'; known: " + String.join(", ", names()));
        }
        return new ScoredStrategy(key, scorer.apply(options), selector);
    }

    private static double perClass(String name, String value) {
        try {
            double perClass = Double.parseDouble(value);
            if (perClass >= 0 && perClass <= 1000) {
                return perClass;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new QuarryException("strategy '" + name + "': coverage-margin@N needs N, the labels per class to "
                + "cover first, between 0 and 1000; got '" + value + "'");
    }

    /** The upkeep strategy with its novelty weight set (for tuning it; {@link #byName} uses {@link #UPKEEP_NOVELTY}). */
    public static QueryStrategy upkeep(double noveltyWeight, Options options) {
        if (!(noveltyWeight >= 0)) {
            throw new IllegalArgumentException("novelty weight must be >= 0, got " + noveltyWeight);
        }
        return new ScoredStrategy("upkeep", Scorers.upkeep(noveltyWeight, options.densityBeta()),
                new Selector(options.diversityTau(), options.classBalanced()));
    }

    public static QueryStrategy byName(String name) {
        return byName(name, Options.DEFAULTS);
    }

    /**
     * The best {@code k} of candidates scored elsewhere (higher first), no two with cosine ≥
     * {@code tau} (NaN: no thinning), equal scores in a seeded order: the selection a strategy's
     * diverse batch makes, for candidates whose scores were computed apart (a Spark job's partitions).
     *
     * @param vectors unit vectors of the candidates
     * @return indexes into {@code vectors} and {@code scores}, best first
     */
    public static int[] thin(float[][] vectors, float[] scores, int k, double tau, long seed) {
        if (vectors.length != scores.length) {
            throw new IllegalArgumentException(vectors.length + " vectors for " + scores.length + " scores");
        }
        int[] rows = java.util.stream.IntStream.range(0, scores.length).toArray();
        Scores none = Scores.empty(rows);
        return new Selector(tau, false).select(QueryContext.of(quarry.core.Vectors.of(vectors), rows).withSeed(seed),
                new Scores(rows, scores, none.uncertainty(), none.density(), none.predicted()), k);
    }

    /** A batch in curriculum order, easiest (least uncertain) first; picks without an uncertainty go last. */
    public static List<Pick> easyToHard(List<Pick> picks) {
        List<Pick> ordered = new ArrayList<>(picks);
        ordered.sort(Comparator.comparingDouble(p -> Double.isNaN(p.uncertainty()) ? Double.MAX_VALUE : p.uncertainty()));
        return ordered;
    }

    private static double maxBernoulliEntropy(float[] p) {
        double max = 0;
        for (float v : p) {
            max = Math.max(max, Uncertainty.bernoulliEntropy(new float[] {v}));
        }
        return max;
    }
}
