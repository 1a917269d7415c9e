package quarry.project;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import quarry.store.Jobs;
import quarry.store.Records.JobPulse;

/**
 * Keeps the job list true on a database several servers share. A job runs on the server that
 * accepted it; if that server dies, nobody would ever finish the job or say it failed. So each
 * server raises the heartbeat of the jobs it holds on every {@link #tick}, and marks failed any
 * other server's job whose heartbeat stood still for {@code silentAfterNanos} of its own clock.
 * Only heartbeat changes are compared, never time stamps, so servers whose clocks disagree judge
 * alike. A server with a database of its own settles its jobs at start instead
 * ({@link PredictionJobs#recover}).
 */
final class JobWatch {

    /** How often a server beats for its jobs and looks at the others'. */
    static final long BEAT_SECONDS = 10;
    /** A job whose heartbeat stands still this long is taken as dead: nine missed beats. */
    static final long SILENT_SECONDS = 90;

    private final Jobs jobs;
    private final Supplier<Collection<String>> held;
    private final long silentAfterNanos;
    /** Other servers' jobs: the heartbeat last seen, and when it was first seen at that value. */
    private final Map<String, Seen> seen = new HashMap<>();

    private record Seen(long heartbeat, long since) {
    }

    /**
     * @param held the ids of the queued and running jobs this server holds, asked on every tick
     */
    JobWatch(Jobs jobs, Supplier<Collection<String>> held, long silentAfterNanos) {
        this.jobs = jobs;
        this.held = held;
        this.silentAfterNanos = silentAfterNanos;
    }

    /**
     * Beats for this server's jobs, then marks failed the others' jobs silent since
     * {@code silentAfterNanos} before {@code now} ({@link System#nanoTime} or a test's clock).
     *
     * @return the ids of the jobs marked failed
     */
    synchronized List<String> tick(long now) {
        Set<String> mine = new HashSet<>(held.get());
        jobs.beat(mine);
        List<String> failed = new ArrayList<>();
        Map<String, Seen> next = new HashMap<>();
        for (JobPulse job : jobs.unfinished()) {
            if (mine.contains(job.id())) {
                continue;
            }
            Seen before = seen.get(job.id());
            if (before == null || before.heartbeat() != job.heartbeat()) {
                next.put(job.id(), new Seen(job.heartbeat(), now));
            } else if (now - before.since() < silentAfterNanos) {
                next.put(job.id(), before);
            } else if (jobs.failIfSilent(job.id(), job.heartbeat(), PredictionJobs.stoppedMessage(job.kind()))) {
                failed.add(job.id());
            }
        }
        seen.clear();
        seen.putAll(next);
        return failed;
    }
}
