-- Version 6: what several servers on one database share. Leases: which annotator holds which row
-- until when (epoch milliseconds), in what order they were handed out, and rows marked labeled,
-- which no server leases again. Each change to the annotation log gets a number (changed), so
-- that a server can follow what the others wrote. The trainer's latest ranking and the files of
-- each model version are kept here too, for the servers that do not train. SQLite serves one
-- process: it keeps leases in memory, leaves changed empty and stores no ranking or files; the
-- tables are here so that version 4 is the same schema on both databases.
CREATE TABLE leases (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  row_no INTEGER NOT NULL,
  annotator TEXT NOT NULL,
  expires INTEGER NOT NULL,
  ord INTEGER NOT NULL,
  labeled INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, row_no)
)
;
CREATE INDEX leases_live ON leases (project_id, expires) WHERE labeled = 0
;
ALTER TABLE annotations ADD COLUMN changed INTEGER
;
CREATE INDEX annotations_changed ON annotations (project_id, changed)
;
CREATE TABLE rankings (
  project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  labels_at INTEGER NOT NULL,
  picks TEXT NOT NULL,
  created TEXT NOT NULL
)
;
CREATE TABLE model_files (
  project_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  name TEXT NOT NULL,
  bytes BLOB NOT NULL,
  PRIMARY KEY (project_id, version, name),
  FOREIGN KEY (project_id, version) REFERENCES models(project_id, version) ON DELETE CASCADE
)
