-- Subjects are redacted like message bodies: `subject` holds the redacted line that analysis,
-- titles and outbound calls read; the original, card numbers masked, is kept only sealed under
-- the instance key (NULL for rows stored before this migration until the start-up task
-- re-redacts them, see `services::redaction`).
ALTER TABLE conversations ADD COLUMN subject_sealed TEXT;
