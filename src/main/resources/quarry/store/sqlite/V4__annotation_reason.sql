-- Version 4: reviewers. Why a label was given, when someone says so: a reviewer's decision on a
-- suspect label (kept or changed) is an annotation like any other, by the reviewer, with the
-- reason; an annotator's own labels carry none. Tokens may have the reviewer role (SQLite cannot
-- change a CHECK constraint in place: the table is copied).
ALTER TABLE annotations ADD COLUMN reason TEXT
;
CREATE TABLE tokens_v4 (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('admin', 'reviewer', 'annotator')),
  hash TEXT NOT NULL UNIQUE,
  created TEXT NOT NULL
)
;
INSERT INTO tokens_v4 (name, role, hash, created) SELECT name, role, hash, created FROM tokens
;
DROP TABLE tokens
;
ALTER TABLE tokens_v4 RENAME TO tokens
