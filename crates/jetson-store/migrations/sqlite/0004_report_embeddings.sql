-- The embedding tier's sentence embedding of each report's match text (little-endian f32s), when
-- the tier is on; NULL otherwise. It lives and dies with its report.
ALTER TABLE reports ADD COLUMN embedding BLOB;
