-- Version 2: batch prediction jobs belong to the token that started them.
ALTER TABLE jobs ADD COLUMN owner TEXT
