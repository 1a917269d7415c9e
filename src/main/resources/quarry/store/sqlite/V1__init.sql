-- Quarry workspace schema, version 1. Statements are separated by lines holding only ';'.
CREATE TABLE tokens (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('admin', 'annotator')),
  hash TEXT NOT NULL UNIQUE,
  created TEXT NOT NULL
)
;
CREATE TABLE projects (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  multi_label INTEGER NOT NULL,
  encoder TEXT NOT NULL,
  settings TEXT NOT NULL,
  created TEXT NOT NULL
)
;
CREATE TABLE labels (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  PRIMARY KEY (project_id, idx),
  UNIQUE (project_id, name)
)
;
CREATE TABLE documents (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  row_no INTEGER NOT NULL,
  ext_id TEXT NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (project_id, row_no),
  UNIQUE (project_id, ext_id)
)
;
CREATE TABLE annotations (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  row_no INTEGER NOT NULL,
  labels TEXT,
  skipped INTEGER NOT NULL,
  annotator TEXT NOT NULL,
  request_id TEXT,
  created TEXT NOT NULL,
  undone INTEGER NOT NULL DEFAULT 0,
  UNIQUE (project_id, annotator, request_id)
)
;
CREATE INDEX annotations_row ON annotations (project_id, row_no)
;
CREATE TABLE models (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  labels_used INTEGER NOT NULL,
  created TEXT NOT NULL,
  report TEXT NOT NULL,
  PRIMARY KEY (project_id, version)
)
;
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  total INTEGER NOT NULL,
  done INTEGER NOT NULL,
  created TEXT NOT NULL,
  finished TEXT,
  error TEXT
)
;
CREATE TABLE job_results (
  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  line TEXT NOT NULL,
  PRIMARY KEY (job_id, seq)
)
