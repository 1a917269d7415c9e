-- Version 8: cost accounting (see the SQLite script of this version).
ALTER TABLE annotations ADD COLUMN seconds DOUBLE PRECISION
