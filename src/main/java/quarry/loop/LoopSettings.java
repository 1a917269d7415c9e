package quarry.loop;

import quarry.model.HeadConfig;
import quarry.query.Strategies;

/**
 * How an active-learning loop runs.
 *
 * @param strategy      query strategy name (see {@link Strategies#names()})
 * @param options       diversity, class balance, density and exploration settings
 * @param batchSize     documents asked per round
 * @param head          classifier head settings; its seed seeds the whole loop
 * @param mcPasses      Monte Carlo dropout passes for BALD and variation ratio
 * @param committeeSize heads in the committee for QBC strategies
 * @param stopSetSize   unlabeled documents whose predictions the stopping criteria watch
 * @param stopping      stopping criteria settings
 * @param cvFolds       folds for estimating accuracy from the labels alone; 0 turns it off
 * @param cvEvery       estimate every this many rounds (cross-validation trains cvFolds heads)
 * @param selfTraining  whether and how the head also learns from the unlabeled pool
 */
public record LoopSettings(String strategy, Strategies.Options options, int batchSize, HeadConfig head,
        int mcPasses, int committeeSize, int stopSetSize, StopSettings stopping, int cvFolds, int cvEvery,
        SelfTraining selfTraining) {

    /**
     * Quarry's default: smallest margin, kept diverse (τ = 0.9). Chosen on CLINC150's valid split
     * against density-weighted margin and BALD (docs/BENCHMARKS.md), never on a test split.
     */
    public static final String DEFAULT_STRATEGY = "coverage-margin";

    /**
     * The default for multi-label data: label cardinality inconsistency (documents whose predicted
     * number of labels is furthest from the labeled data's mean), kept diverse. Chosen on
     * GoEmotions' valid split against random, ml-set and ml-hybrid: the only one above random on
     * subset accuracy and micro-F1 at every checkpoint from 300 to 2,000 labels (docs/MULTILABEL.md),
     * never on a test split.
     */
    public static final String DEFAULT_MULTI_LABEL_STRATEGY = "ml-cardinality";

    /** The default strategy for single-label or multi-label data. */
    public static String defaultStrategy(boolean multiLabel) {
        return multiLabel ? DEFAULT_MULTI_LABEL_STRATEGY : DEFAULT_STRATEGY;
    }

    public LoopSettings {
        Strategies.byName(strategy, options); // fails early, naming the known strategies
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (cvFolds == 1 || cvFolds < 0) {
            throw new IllegalArgumentException("cvFolds must be 0 (off) or >= 2, got " + cvFolds);
        }
        if (selfTraining == null) {
            throw new IllegalArgumentException("selfTraining must not be null (SelfTraining.OFF turns it off)");
        }
        if (cvEvery < 1 || committeeSize < 2 || stopSetSize < 0 || mcPasses < 1) {
            throw new IllegalArgumentException("cvEvery >= 1, committeeSize >= 2, stopSetSize >= 0 and mcPasses >= 1;"
                    + " got " + cvEvery + ", " + committeeSize + ", " + stopSetSize + ", " + mcPasses);
        }
    }

    public static LoopSettings defaults() {
        return new LoopSettings(DEFAULT_STRATEGY, Strategies.Options.DEFAULTS.withDiversity(0.9), 50,
                HeadConfig.defaults(), 20, 5, 1000, StopSettings.defaults(), 5, 1, SelfTraining.defaults());
    }

    public LoopSettings withStrategy(String name, Strategies.Options opts) {
        return new LoopSettings(name, opts, batchSize, head, mcPasses, committeeSize, stopSetSize, stopping, cvFolds,
                cvEvery, selfTraining);
    }

    public LoopSettings withBatchSize(int value) {
        return new LoopSettings(strategy, options, value, head, mcPasses, committeeSize, stopSetSize, stopping, cvFolds,
                cvEvery, selfTraining);
    }

    public LoopSettings withHead(HeadConfig value) {
        return new LoopSettings(strategy, options, batchSize, value, mcPasses, committeeSize, stopSetSize, stopping,
                cvFolds, cvEvery, selfTraining);
    }

    public LoopSettings withStopping(StopSettings value) {
        return new LoopSettings(strategy, options, batchSize, head, mcPasses, committeeSize, stopSetSize, value, cvFolds,
                cvEvery, selfTraining);
    }

    public LoopSettings withCrossValidation(int folds, int every) {
        return new LoopSettings(strategy, options, batchSize, head, mcPasses, committeeSize, stopSetSize, stopping,
                folds, every, selfTraining);
    }

    public LoopSettings withStopSetSize(int value) {
        return new LoopSettings(strategy, options, batchSize, head, mcPasses, committeeSize, value, stopping, cvFolds,
                cvEvery, selfTraining);
    }

    public LoopSettings withSelfTraining(SelfTraining value) {
        return new LoopSettings(strategy, options, batchSize, head, mcPasses, committeeSize, stopSetSize, stopping,
                cvFolds, cvEvery, value);
    }

    public long seed() {
        return head.seed();
    }
}
