-- Version 8: cost accounting. How long the annotator spent on the item before labeling or skipping
-- it, in seconds, as the labeling page measured it (time the tab was hidden left out). Null for
-- annotations made before this version, imported labels, and clients that do not measure it.
ALTER TABLE annotations ADD COLUMN seconds REAL
