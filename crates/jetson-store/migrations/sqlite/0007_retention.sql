-- Per-organisation privacy settings: retention (original message bodies, whole conversations and
-- audit events are kept this many days, NULL: for good; the daily job records what each run
-- deleted), the operator applied to each kind of sensitive data, and one-off upkeep done.
CREATE TABLE retention_policies (
    org_id BLOB PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    raw_body_days BIGINT,
    conversation_days BIGINT,
    audit_days BIGINT,
    updated_at TEXT NOT NULL
);

CREATE TABLE deletion_reports (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    ran_at TEXT NOT NULL,
    policy TEXT NOT NULL,
    counts TEXT NOT NULL
);
CREATE INDEX deletion_reports_by_org ON deletion_reports (org_id, ran_at);

-- What replaces each kind of sensitive data in the text analysis reads (replace, mask, hash,
-- encrypt, drop); a kind without a row gets a typed placeholder.
CREATE TABLE privacy_operators (
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    operator TEXT NOT NULL,
    PRIMARY KEY (org_id, kind)
);

-- One-off upkeep this instance has done (so start-up does not scan for it again).
CREATE TABLE instance_tasks (
    name TEXT PRIMARY KEY,
    done_at TEXT NOT NULL
);
