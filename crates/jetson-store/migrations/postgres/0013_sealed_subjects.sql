-- Subjects are redacted like message bodies: `subject` holds the redacted line that analysis,
-- titles and outbound calls read; the original, card numbers masked, is kept only sealed under
-- the instance key (NULL for rows stored before this migration until the start-up task
-- re-redacts them, see `services::redaction`).
ALTER TABLE conversations ADD COLUMN subject_sealed TEXT;

-- One value sealed under the instance key when the database first met it: at start-up Jetson
-- opens it, so a wrong or replaced key is refused before anything is served.
CREATE TABLE key_canary (
    id UUID PRIMARY KEY,
    sealed TEXT NOT NULL
);

-- A revoked token is kept (without its use) so that its holder is told it was revoked, not
-- that it never existed.
ALTER TABLE api_tokens ADD COLUMN revoked_at TIMESTAMPTZ;
