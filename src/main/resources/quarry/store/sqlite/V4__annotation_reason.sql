-- Version 4: why a label was given, when someone says so. A reviewer's decision on a suspect
-- label (kept or changed) is an annotation like any other, by the reviewer, with the reason;
-- an annotator's own labels carry none.
ALTER TABLE annotations ADD COLUMN reason TEXT
