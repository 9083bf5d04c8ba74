-- Harmful content: a flagged conversation is held out of analysis until a person releases it or
-- keeps it out. And the audit trail of sensitive access (revealing an original message).
ALTER TABLE conversations ADD COLUMN hold TEXT;
ALTER TABLE conversations ADD COLUMN screen_flags JSONB;
ALTER TABLE conversations ADD COLUMN escalated BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE conversations ADD COLUMN held_at TIMESTAMPTZ;
ALTER TABLE conversations ADD COLUMN hold_reviewed_by UUID REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE conversations ADD COLUMN hold_reviewed_at TIMESTAMPTZ;
CREATE INDEX conversations_by_hold ON conversations (org_id, hold);

-- Append-only: nothing in the product updates or deletes a row. Each row carries the hash of the
-- organisation's previous row, so a change or a gap shows.
CREATE TABLE audit_events (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    actor_user_id UUID,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (org_id, seq)
);
