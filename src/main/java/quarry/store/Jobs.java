package quarry.store;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import quarry.store.Records.Job;

/** Background jobs (batch predictions) and their result lines. */
public interface Jobs {

    /** Creates a queued job; an id in use throws {@link DuplicateException}. */
    Job add(String id, long projectId, String kind, long total, String owner);

    /** Sets a job's state and progress; any state but queued and running also sets its finish time. */
    void update(String id, String state, long done, String error);

    Optional<Job> find(String id);

    /** A project's jobs, oldest first. */
    List<Job> list(long projectId);

    /** Appends result lines of a job, numbered from {@code firstSeq}, with its progress, in one commit. */
    void addResults(String jobId, long firstSeq, List<String> lines);

    /** How many jobs there are of each kind and state, over every project. */
    List<Records.JobCount> counts();

    /**
     * Raises the heartbeat of each of the given jobs that is still queued or running: the server
     * that holds them is alive. Unknown and finished ids are ignored.
     */
    void beat(Collection<String> ids);

    /** Every queued or running job, over every project, with its heartbeat. */
    List<Records.JobPulse> unfinished();

    /**
     * Marks a job failed with {@code error}, only if it is still queued or running and its
     * heartbeat is still {@code heartbeat}: a server that beat meanwhile keeps its job.
     *
     * @return whether the job was marked
     */
    boolean failIfSilent(String id, long heartbeat, String error);

    /** Up to {@code limit} result lines from number {@code offset} on. */
    List<String> results(String jobId, long offset, int limit);
}
