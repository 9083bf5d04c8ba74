-- Two-factor sign-in (TOTP, RFC 6238). The secret is sealed under the instance key like other
-- secrets; while a person sets it up it waits in totp_pending_enc until they type a code from it.
-- totp_last_step is the time step of the last code accepted, so that a code works only once.
ALTER TABLE users ADD COLUMN totp_secret_enc TEXT;
ALTER TABLE users ADD COLUMN totp_pending_enc TEXT;
ALTER TABLE users ADD COLUMN totp_enabled_at TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

-- Ten one-time recovery codes per person with two-factor on, stored hashed.
CREATE TABLE recovery_codes (
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at TEXT,
    PRIMARY KEY (user_id, code_hash)
);

-- A sign-in whose password was right, waiting for the second factor (a few minutes at most).
CREATE TABLE sign_in_challenges (
    token_hash TEXT PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_agent TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    expires_at TEXT NOT NULL
);

-- An organisation may require every member to sign in with two factors.
ALTER TABLE organizations ADD COLUMN require_two_factor BOOLEAN NOT NULL DEFAULT FALSE;

-- One-time links an owner or admin hands out: an invitation to join the organisation with a role,
-- or a password reset for one of its members. Only a hash of the link's token is kept.
CREATE TABLE one_time_links (
    id BLOB PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    role TEXT,
    user_id BLOB REFERENCES users(id) ON DELETE CASCADE,
    note TEXT NOT NULL DEFAULT '',
    created_by BLOB REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

-- Unusual activity, for the organisation's owners and admins: a sign-in from a new device or
-- network, an account locked by failed sign-ins, a burst of reveals or exports.
CREATE TABLE security_alerts (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    user_id BLOB REFERENCES users(id) ON DELETE SET NULL,
    detail TEXT NOT NULL,
    created_at TEXT NOT NULL,
    seen_at TEXT
);

-- The devices and networks a person has signed in from, as keyed hashes (browser, system and
-- network prefix), so that a new one can be noticed without keeping addresses.
CREATE TABLE known_devices (
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    PRIMARY KEY (user_id, fingerprint)
);

-- An organisation may pause a person's reveals and exports for a while after a burst of them.
ALTER TABLE organizations ADD COLUMN pause_on_burst BOOLEAN NOT NULL DEFAULT FALSE;
