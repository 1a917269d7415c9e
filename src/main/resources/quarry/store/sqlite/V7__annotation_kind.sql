-- Version 7: overlap and agreement. What each annotation is: an annotator's own label ('label'), a
-- label that came with imported documents ('import'), or a reviewer's decision ('review': a suspect
-- label kept or changed, a disagreement settled; these carry a reason). Agreement is measured on
-- annotators' own labels only, and an overlap document goes to several annotators until enough of
-- them have labeled it. Decisions made before this version are recognised by their reason; labels
-- imported before it cannot be told from annotators' own and stay 'label'.
ALTER TABLE annotations ADD COLUMN kind TEXT NOT NULL DEFAULT 'label' CHECK (kind IN ('label', 'import', 'review'))
;
UPDATE annotations SET kind = 'review' WHERE reason IS NOT NULL
