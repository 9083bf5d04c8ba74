-- Per-organisation retention: original message bodies, whole conversations and audit events are
-- kept this many days (NULL: for good). The daily job records what each run deleted.
CREATE TABLE retention_policies (
    org_id UUID PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    raw_body_days BIGINT,
    conversation_days BIGINT,
    audit_days BIGINT,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE deletion_reports (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    ran_at TIMESTAMPTZ NOT NULL,
    policy JSONB NOT NULL,
    counts JSONB NOT NULL
);
CREATE INDEX deletion_reports_by_org ON deletion_reports (org_id, ran_at);
