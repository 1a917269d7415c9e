package quarry.project;

import quarry.core.DomainException;
import quarry.eval.CostAccounting;
import quarry.loop.LoopSettings;
import quarry.loop.SelfTraining;
import quarry.loop.StopSettings;
import quarry.query.Strategies;

/**
 * How a project's loop runs, as clients set it when they create a project. Any field left out
 * takes Quarry's default. Stored with the project as JSON.
 *
 * @param strategy       query strategy (see GET /api/strategies)
 * @param diversity      diverse batches: no two queued items with cosine ≥ this (0 turns it off)
 * @param queueSize      items ranked per retrain (the loop's batch)
 * @param retrainEvery   retrain in the background after this many new labels
 * @param retrainSeconds retrain at the latest this many seconds after a label no retrain has taken yet
 * @param leaseSeconds   how long an item handed to an annotator stays reserved for them
 * @param budget         labels the team plans to spend (0: none); a stopping criterion
 * @param kappaWindow    stabilising predictions: rounds in a row with κ at or above the threshold
 * @param kappaThreshold stabilising predictions: the κ threshold
 * @param cvFolds        folds for the accuracy estimate from the labels alone (0 turns it off)
 * @param seed           seeds training and selection, and the audit samples of machine labels
 * @param selfTraining   the head also learns from the unlabeled pool (pseudo-labels rebuilt every
 *                       retrain, never stored); on by default
 * @param trainOnMachineLabels whether the head trains on machine labels too (by default only on
 *                       people's labels; machine labels are never used to judge the model)
 * @param auditShare     share of each batch of machine labels sent to annotators to check
 * @param auditMin       at least this many of a batch are checked (all of a smaller batch)
 * @param auditMax       at most this many of a batch are checked
 * @param overlapShare   share of documents that go to several annotators, one after another, so that
 *                       their agreement can be measured (0: none; single-label projects only)
 * @param overlapAnnotators how many distinct annotators label each overlap document
 * @param cost           cost accounting: hourly rate or cost per label, currency, and the savings
 *                       ratio a simulation measured ({@link CostAccounting.Settings}); none by default
 */
public record ProjectSettings(String strategy, Double diversity, Integer queueSize, Integer retrainEvery,
        Integer retrainSeconds, Integer leaseSeconds, Integer budget, Integer kappaWindow, Double kappaThreshold,
        Integer cvFolds, Long seed, Boolean selfTraining, Boolean trainOnMachineLabels, Double auditShare,
        Integer auditMin, Integer auditMax, Double overlapShare, Integer overlapAnnotators,
        CostAccounting.Settings cost) {

    /** Most annotators an overlap document may go to. */
    public static final int MAX_OVERLAP_ANNOTATORS = 10;

    public static final ProjectSettings DEFAULTS = new ProjectSettings(LoopSettings.DEFAULT_STRATEGY, 0.9, 50, 10, 5,
            600, 0, StopSettings.defaults().kappaWindow(), StopSettings.defaults().kappaThreshold(), 5, 42L, true,
            false, 0.05, 20, 200, 0.0, 2, CostAccounting.Settings.NONE);

    /** The loop's settings alone; the machine-label settings take their defaults. */
    public ProjectSettings(String strategy, Double diversity, Integer queueSize, Integer retrainEvery,
            Integer retrainSeconds, Integer leaseSeconds, Integer budget, Integer kappaWindow, Double kappaThreshold,
            Integer cvFolds, Long seed, Boolean selfTraining) {
        this(strategy, diversity, queueSize, retrainEvery, retrainSeconds, leaseSeconds, budget, kappaWindow,
                kappaThreshold, cvFolds, seed, selfTraining, null, null, null, null, null, null, null);
    }

    /**
     * The settings of a new project ({@code given} may be null: all defaults): a missing strategy
     * is the default for its kind of labels ({@link LoopSettings#defaultStrategy}), every other
     * missing field as in {@link #complete()}.
     */
    public static ProjectSettings forNewProject(ProjectSettings given, boolean multiLabel) {
        ProjectSettings s = given == null ? DEFAULTS : given;
        String strategy = given == null || given.strategy == null ? LoopSettings.defaultStrategy(multiLabel)
                : given.strategy;
        ProjectSettings complete = new ProjectSettings(strategy, s.diversity, s.queueSize, s.retrainEvery,
                s.retrainSeconds, s.leaseSeconds, s.budget, s.kappaWindow, s.kappaThreshold, s.cvFolds, s.seed,
                s.selfTraining, s.trainOnMachineLabels, s.auditShare, s.auditMin, s.auditMax, s.overlapShare, s.overlapAnnotators,
                s.cost).complete();
        if (multiLabel && complete.overlapShare > 0) {
            throw new DomainException.InvalidInput("bad_request", "settings: overlapShare: overlap and agreement are"
                    + " measured on single-label projects only; leave overlapShare at 0 for a multi-label project",
                    java.util.Map.of("field", "overlapShare"));
        }
        return complete;
    }

    /** These settings with every missing field taken from the defaults, checked. */
    public ProjectSettings complete() {
        ProjectSettings d = DEFAULTS;
        ProjectSettings s = new ProjectSettings(or(strategy, d.strategy), or(diversity, d.diversity),
                or(queueSize, d.queueSize), or(retrainEvery, d.retrainEvery), or(retrainSeconds, d.retrainSeconds),
                or(leaseSeconds, d.leaseSeconds), or(budget, d.budget), or(kappaWindow, d.kappaWindow), or(kappaThreshold, d.kappaThreshold),
                or(cvFolds, d.cvFolds), or(seed, d.seed), or(selfTraining, d.selfTraining),
                or(trainOnMachineLabels, d.trainOnMachineLabels), or(auditShare, d.auditShare),
                or(auditMin, d.auditMin), or(auditMax, d.auditMax), or(overlapShare, d.overlapShare),
                or(overlapAnnotators, d.overlapAnnotators), or(cost, d.cost).checked());
        try {
            s.loopSettings(); // names the bad value, if any
        } catch (IllegalArgumentException e) {
            throw new DomainException.InvalidInput("settings: " + e.getMessage());
        }
        require(s.retrainEvery >= 1, "retrainEvery must be >= 1, got " + s.retrainEvery);
        require(s.retrainSeconds >= 1 && s.retrainSeconds <= 3600, "retrainSeconds must be in [1, 3600], got "
                + s.retrainSeconds);
        require(s.leaseSeconds >= 5, "leaseSeconds must be >= 5, got " + s.leaseSeconds);
        require(s.queueSize <= 1000, "queueSize must be <= 1000, got " + s.queueSize);
        require(s.budget >= 0, "budget must be >= 0, got " + s.budget);
        require(s.diversity >= 0 && s.diversity <= 1, "diversity must be in [0, 1], got " + s.diversity);
        require(s.auditShare >= 0 && s.auditShare <= 1, "auditShare must be in [0, 1], got " + s.auditShare);
        require(s.auditMin >= 0, "auditMin must be >= 0, got " + s.auditMin);
        require(s.auditMax >= s.auditMin && s.auditMax <= 100_000, "auditMax must be in [auditMin, 100000], got "
                + s.auditMax);
        require(s.overlapShare >= 0 && s.overlapShare <= 1, "overlapShare must be in [0, 1], got " + s.overlapShare);
        require(s.overlapAnnotators >= 2 && s.overlapAnnotators <= MAX_OVERLAP_ANNOTATORS, "overlapAnnotators must be"
                + " in [2, " + MAX_OVERLAP_ANNOTATORS + "], got " + s.overlapAnnotators);
        return s;
    }

    /** These settings with the machine-label ones replaced by those given (not null), checked. */
    public ProjectSettings withMachineLabels(Boolean train, Double share, Integer min, Integer max) {
        return new ProjectSettings(strategy, diversity, queueSize, retrainEvery, retrainSeconds, leaseSeconds, budget,
                kappaWindow, kappaThreshold, cvFolds, seed, selfTraining, or(train, trainOnMachineLabels), or(share, auditShare),
                or(min, auditMin), or(max, auditMax), overlapShare, overlapAnnotators, cost).complete();
    }

    /** These settings with the cost settings replaced as a whole by {@code next}, checked. */
    public ProjectSettings withCost(CostAccounting.Settings next) {
        return new ProjectSettings(strategy, diversity, queueSize, retrainEvery, retrainSeconds, leaseSeconds, budget,
                kappaWindow, kappaThreshold, cvFolds, seed, selfTraining, trainOnMachineLabels, auditShare, auditMin,
                auditMax, overlapShare, overlapAnnotators, next == null ? CostAccounting.Settings.NONE : next).complete();
    }

    /**
     * How many of a batch of {@code accepted} machine labels are audited: {@code auditShare} of them,
     * rounded, kept within [{@code auditMin}, {@code auditMax}] and at most the batch.
     */
    public int auditSize(int accepted) {
        int wanted = (int) Math.round(auditShare * accepted);
        return Math.min(accepted, Math.max(auditMin, Math.min(auditMax, wanted)));
    }

    public LoopSettings loopSettings() {
        Strategies.Options options = strategy.equals("random") || diversity == 0 ? Strategies.Options.DEFAULTS
                : Strategies.Options.DEFAULTS.withDiversity(diversity);
        StopSettings stop = StopSettings.defaults().withKappa(kappaWindow, kappaThreshold);
        if (budget > 0) {
            stop = stop.withBudget(budget);
        }
        LoopSettings d = LoopSettings.defaults();
        return d.withStrategy(strategy, options).withBatchSize(queueSize).withStopping(stop)
                .withHead(d.head().withSeed(seed)).withCrossValidation(cvFolds, 1)
                .withSelfTraining(selfTraining ? d.selfTraining() : SelfTraining.OFF);
    }

    /** Settings as stored with a project, completed with today's defaults. */
    public static ProjectSettings fromJson(String json) {
        return Json.readStored(json, ProjectSettings.class).complete();
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new DomainException.InvalidInput("settings: " + message);
        }
    }
}
