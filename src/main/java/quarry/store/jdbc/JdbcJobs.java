package quarry.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import quarry.store.Jobs;
import quarry.store.Records.Job;
import quarry.store.Records.JobPulse;

/** Background jobs and their result lines. */
public final class JdbcJobs implements Jobs {

    private static final String SELECT = "SELECT id, project_id, kind, state, total, done, created, finished, error,"
            + " owner FROM jobs";

    private final Jdbc jdbc;

    public JdbcJobs(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Job add(String id, long projectId, String kind, long total, String owner) {
        // Read back in the same transaction, so the job returned is the one just inserted, untouched by an update.
        return jdbc.transaction("create job", c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO jobs (id, project_id, kind, state, total, done,"
                    + " created, owner) VALUES (?, ?, ?, 'queued', ?, 0, ?, ?)")) {
                Jdbc.bind(p, id, projectId, kind, total, Jdbc.now(), owner);
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement(SELECT + " WHERE id = ?")) {
                Jdbc.bind(p, id);
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    return job(r);
                }
            }
        });
    }

    @Override
    public void update(String id, String state, long done, String error) {
        boolean finished = !state.equals("queued") && !state.equals("running");
        jdbc.update("update job", "UPDATE jobs SET state = ?, done = ?, error = ?, finished = ? WHERE id = ?", state,
                done, error, finished ? Jdbc.now() : null, id);
    }

    @Override
    public Optional<Job> find(String id) {
        return jdbc.one("find job", SELECT + " WHERE id = ?", JdbcJobs::job, id);
    }

    @Override
    public List<Job> list(long projectId) {
        return jdbc.list("list jobs", SELECT + " WHERE project_id = ? ORDER BY created", JdbcJobs::job, projectId);
    }

    private static Job job(ResultSet r) throws SQLException {
        return new Job(r.getString(1), r.getLong(2), r.getString(3), r.getString(4), r.getLong(5), r.getLong(6),
                r.getString(7), r.getString(8), r.getString(9), r.getString(10));
    }

    @Override
    public void addResults(String jobId, long firstSeq, List<String> lines) {
        jdbc.transaction("store job results", c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO job_results (job_id, seq, line) VALUES (?, ?, ?)")) {
                long seq = firstSeq;
                for (String line : lines) {
                    Jdbc.bind(p, jobId, seq++, line);
                    p.addBatch();
                }
                p.executeBatch();
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE jobs SET done = ? WHERE id = ?")) {
                Jdbc.bind(p, firstSeq + lines.size(), jobId);
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void beat(Collection<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        jdbc.transaction("beat jobs", c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE jobs SET heartbeat = heartbeat + 1 WHERE id = ?"
                    + " AND state IN ('queued', 'running')")) {
                for (String id : ids) {
                    Jdbc.bind(p, id);
                    p.addBatch();
                }
                p.executeBatch();
            }
            return null;
        });
    }

    @Override
    public List<JobPulse> unfinished() {
        return jdbc.list("list unfinished jobs", "SELECT id, kind, done, heartbeat FROM jobs WHERE state IN"
                + " ('queued', 'running') ORDER BY created", r -> new JobPulse(r.getString(1), r.getString(2),
                r.getLong(3), r.getLong(4)));
    }

    @Override
    public boolean failIfSilent(String id, long heartbeat, String error) {
        return jdbc.update("fail silent job", "UPDATE jobs SET state = 'failed', error = ?, finished = ? WHERE id = ?"
                + " AND heartbeat = ? AND state IN ('queued', 'running')", error, Jdbc.now(), id, heartbeat) == 1;
    }

    @Override
    public List<quarry.store.Records.JobCount> counts() {
        return jdbc.list("count jobs", "SELECT kind, state, COUNT(*) FROM jobs GROUP BY kind, state",
                r -> new quarry.store.Records.JobCount(r.getString(1), r.getString(2), r.getLong(3)));
    }

    @Override
    public List<String> results(String jobId, long offset, int limit) {
        return jdbc.list("read job results", "SELECT line FROM job_results WHERE job_id = ? AND seq >= ? ORDER BY seq"
                + " LIMIT ?", r -> r.getString(1), jobId, offset, limit);
    }
}
