-- Version 3: machine labels. The model's own predictions, accepted in batches above the
-- safe-to-accept threshold, live in tables of their own, apart from the annotation log, so that
-- nothing that reads annotations can take one for a person's label.
CREATE TABLE machine_batches (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  model_version INTEGER NOT NULL,
  estimate_version INTEGER,
  threshold REAL NOT NULL,
  accepted_by TEXT NOT NULL,
  audit_seed INTEGER NOT NULL,
  created TEXT NOT NULL
)
;
CREATE TABLE machine_labels (
  id INTEGER PRIMARY KEY,
  batch_id INTEGER NOT NULL REFERENCES machine_batches(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL,
  row_no INTEGER NOT NULL,
  labels TEXT NOT NULL,
  confidence REAL NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
  -- 0: not in the batch's audit sample; k: drawn k-th into it (audits are served in that order)
  audit_rank INTEGER NOT NULL DEFAULT 0 CHECK (audit_rank >= 0),
  revoked TEXT,
  revoked_by TEXT,
  FOREIGN KEY (project_id, row_no) REFERENCES documents(project_id, row_no) ON DELETE CASCADE
)
;
-- At most one live (unrevoked) machine label per document.
CREATE UNIQUE INDEX machine_labels_live ON machine_labels (project_id, row_no) WHERE revoked IS NULL
;
CREATE INDEX machine_labels_batch ON machine_labels (batch_id)
