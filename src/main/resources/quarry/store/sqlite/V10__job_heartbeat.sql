-- Version 10: a job's sign of life. The server that holds a queued or running job raises this
-- counter every few seconds; on a database several servers share, another server that sees a
-- job's counter stand still for long enough marks the job failed (its server died). A counter and
-- not a time stamp, so that servers whose clocks disagree still judge it alike.
ALTER TABLE jobs ADD COLUMN heartbeat BIGINT NOT NULL DEFAULT 0
