-- Version 9: arrival batches. Every import after the first documents, file or stream, is one batch:
-- the pool rows [first_row, first_row + documents) it added, stored in the same transaction as its
-- documents, and its drift report (JSON), written once its vectors and a model exist. A document's
-- batch is the one whose rows hold its row.
CREATE TABLE arrival_batches (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  created TEXT NOT NULL,
  first_row INTEGER NOT NULL CHECK (first_row >= 0),
  documents INTEGER NOT NULL CHECK (documents > 0),
  source TEXT NOT NULL CHECK (source IN ('import', 'stream')),
  report TEXT
)
;
CREATE UNIQUE INDEX arrival_batches_rows ON arrival_batches (project_id, first_row)
