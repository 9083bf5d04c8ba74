-- Per-organisation retention: original message bodies, whole conversations and audit events are
-- kept this many days (NULL: for good). The daily job records what each run deleted.
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
