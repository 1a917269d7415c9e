package quarry.project;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * When a project retrains: after {@code retrainEvery} new labels, on request, and at the latest
 * {@code retrainSeconds} after a label that no round has taken yet, so slow or pausing annotators
 * still see the model follow them. Rounds run on the workspace's one trainer thread (libtorch allows
 * one gradient recorder at a time); at most one is queued per project, and labeling never waits for one.
 * Also when a round cross-validates ({@link #estimateDue}), since that is the costly part of one.
 */
final class Retrainer {

    /**
     * While labels keep coming, cross-validation waits this many times its own last duration, so it
     * takes at most a fifth of the trainer's time and the estimate lags by seconds, not minutes.
     */
    static final int ESTIMATE_SPACING = 4;
    /** …but never more than a minute apart (one slow run, say on a busy machine, must not push the next far out). */
    static final long MAX_ESTIMATE_GAP_NANOS = 60_000_000_000L;

    private final ExecutorService trainer;
    private final ScheduledExecutorService scheduler;
    private final int retrainEvery;
    private final int retrainSeconds;
    private final Runnable round;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean queued = new AtomicBoolean();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private volatile boolean running;
    private volatile boolean closed;
    /** When cross-validation last ran, what it cost, and on how many labels (trainer thread only). */
    private long lastEstimateNanos = System.nanoTime();
    private long lastEstimateCostNanos;
    private int labelsAtLastEstimate;

    Retrainer(ExecutorService trainer, ScheduledExecutorService scheduler, int retrainEvery, int retrainSeconds,
            Runnable round) {
        this.trainer = trainer;
        this.scheduler = scheduler;
        this.retrainEvery = retrainEvery;
        this.retrainSeconds = retrainSeconds;
        this.round = round;
    }

    /** Queues a round unless one is queued already. */
    void request() {
        if (!closed && queued.compareAndSet(false, true)) {
            trainer.submit(this::run);
        }
    }

    /** A label was added, changed or undone. */
    void labelChanged() {
        if (pending.incrementAndGet() >= retrainEvery && !running) {
            request();
        }
        scheduleIdleFlush();
    }

    private void run() {
        queued.set(false);
        if (closed) {
            return;
        }
        running = true;
        try {
            pending.set(0);
            round.run();
        } finally {
            running = false;
            if (pending.get() >= retrainEvery) {
                request();
            }
        }
    }

    private void flush() {
        flushScheduled.set(false);
        if (pending.get() > 0 && !running) {
            request();
        } else if (pending.get() > 0) {
            scheduleIdleFlush(); // a round is running; look again once it may be done
        }
    }

    private void scheduleIdleFlush() {
        if (!closed && flushScheduled.compareAndSet(false, true)) {
            scheduler.schedule(this::flush, retrainSeconds, TimeUnit.SECONDS);
        }
    }

    /** Whether the round in progress, trained on {@code labels}, should cross-validate (trainer thread). */
    boolean estimateDue(int labels) {
        return estimateNow(pending.get(), System.nanoTime() - lastEstimateNanos, lastEstimateCostNanos, labels,
                labelsAtLastEstimate);
    }

    /** Cross-validation over {@code labels} ran from {@code startNanos} until now (trainer thread). */
    void estimated(long startNanos, int labels) {
        lastEstimateNanos = System.nanoTime();
        lastEstimateCostNanos = lastEstimateNanos - startNanos;
        labelsAtLastEstimate = labels;
    }

    /**
     * Whether a round cross-validates: when no label is waiting; when four times its last cost (at
     * most a minute) has passed; or when the labels grew by half since it last ran. Cross-validation
     * trains several heads from scratch: while labels keep coming it would hold the next ranking
     * back (a profile of 8 annotators at a label a second found the trainer in it 84% of the time).
     * The last rule is for the steep start, when a model changes fast: the pool estimate goes through
     * the calibration of the last cross-validation, and one made on 72 labels put a 300-label model
     * 30 points low.
     */
    static boolean estimateNow(int pendingLabels, long sinceLastNanos, long lastCostNanos, int labels,
            int labelsAtLast) {
        return pendingLabels == 0 || sinceLastNanos > Math.min(ESTIMATE_SPACING * lastCostNanos, MAX_ESTIMATE_GAP_NANOS)
                || 2L * labels >= 3L * labelsAtLast;
    }

    boolean busy() {
        return running || queued.get();
    }

    int pending() {
        return pending.get();
    }

    int retrainEvery() {
        return retrainEvery;
    }

    /** Stops queueing rounds; runs {@code last} on the trainer thread after any round in progress. */
    void close(Runnable last) throws Exception {
        closed = true;
        trainer.submit(last).get();
    }
}
