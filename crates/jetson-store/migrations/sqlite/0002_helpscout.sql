-- Help Scout connection, mailboxes, shared rate budgets, history imports; conversation tags.
CREATE TABLE helpscout_connections (
    org_id BLOB PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    id BLOB NOT NULL UNIQUE,
    grant_type TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_secret_enc TEXT NOT NULL,
    oauth_state_hash TEXT,
    access_token_enc TEXT,
    refresh_token_enc TEXT,
    token_expires_at TEXT,
    connected_at TEXT,
    webhook_id BIGINT,
    webhook_secret_enc TEXT,
    webhook_state TEXT,
    last_sync_at TEXT,
    poll_watermark TEXT,
    last_error TEXT,
    last_error_at TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE helpscout_mailboxes (
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    mailbox_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    product_id BLOB REFERENCES products(id) ON DELETE SET NULL,
    PRIMARY KEY (org_id, mailbox_id)
);

CREATE TABLE rate_budgets (
    account TEXT PRIMARY KEY,
    window_started_ms BIGINT NOT NULL,
    used BIGINT NOT NULL,
    limit_per_minute BIGINT NOT NULL,
    blocked_until_ms BIGINT NOT NULL
);

CREATE TABLE sync_runs (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    product_id BLOB NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    mailbox_id BIGINT NOT NULL,
    since TEXT,
    until TEXT,
    status TEXT NOT NULL,
    cursor TEXT,
    watermark TEXT,
    total BIGINT,
    done BIGINT NOT NULL DEFAULT 0,
    inserted BIGINT NOT NULL DEFAULT 0,
    changed BIGINT NOT NULL DEFAULT 0,
    unchanged BIGINT NOT NULL DEFAULT 0,
    skipped BIGINT NOT NULL DEFAULT 0,
    error TEXT,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX sync_runs_by_org ON sync_runs (org_id, started_at);

ALTER TABLE conversations ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
