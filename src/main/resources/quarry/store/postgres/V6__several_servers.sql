-- Version 6: what several servers on one database share (see the SQLite script of this version).
CREATE TABLE leases (
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  row_no INTEGER NOT NULL,
  annotator TEXT NOT NULL,
  expires BIGINT NOT NULL,
  ord BIGINT NOT NULL,
  labeled INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, row_no)
)
;
CREATE INDEX leases_live ON leases (project_id, expires) WHERE labeled = 0
;
-- Numbers every change to the log (an annotation added or undone), across every server.
CREATE SEQUENCE annotation_changes
;
ALTER TABLE annotations ADD COLUMN changed BIGINT DEFAULT nextval('annotation_changes')
;
CREATE INDEX annotations_changed ON annotations (project_id, changed)
;
CREATE TABLE rankings (
  project_id BIGINT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  seq BIGINT NOT NULL,
  labels_at INTEGER NOT NULL,
  picks TEXT NOT NULL,
  created TEXT NOT NULL
)
;
CREATE TABLE model_files (
  project_id BIGINT NOT NULL,
  version INTEGER NOT NULL,
  name TEXT NOT NULL,
  bytes BYTEA NOT NULL,
  PRIMARY KEY (project_id, version, name),
  FOREIGN KEY (project_id, version) REFERENCES models(project_id, version) ON DELETE CASCADE
)
