package quarry.core;

/**
 * Receives progress of long work: {@code done} of {@code total} units so far. Called from worker
 * threads, so implementations must be thread-safe and cheap.
 */
@FunctionalInterface
public interface Progress {

    Progress NONE = (done, total) -> { };

    void update(long done, long total);
}
