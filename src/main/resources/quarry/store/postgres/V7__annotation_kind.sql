-- Version 7: overlap and agreement (see the SQLite script of this version).
ALTER TABLE annotations ADD COLUMN kind TEXT NOT NULL DEFAULT 'label' CHECK (kind IN ('label', 'import', 'review'))
;
UPDATE annotations SET kind = 'review' WHERE reason IS NOT NULL
