-- Version 4: reviewers. Why a label was given, when someone says so: a reviewer's decision on a
-- suspect label (kept or changed) is an annotation like any other, by the reviewer, with the
-- reason; an annotator's own labels carry none. Tokens may have the reviewer role.
ALTER TABLE annotations ADD COLUMN reason TEXT
;
ALTER TABLE tokens DROP CONSTRAINT tokens_role_check
;
ALTER TABLE tokens ADD CONSTRAINT tokens_role_check CHECK (role IN ('admin', 'reviewer', 'annotator'))
