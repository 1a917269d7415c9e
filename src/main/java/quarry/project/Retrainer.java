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
 */
final class Retrainer {

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
