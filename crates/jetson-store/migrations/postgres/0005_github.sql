-- GitHub: one connection per organisation, a repository per product with its rules, each work
-- item's issue and release, the webhook deliveries already handled, and the repositories' issues
-- (for "link instead of duplicate").
CREATE TABLE github_connections (
    org_id UUID PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    id UUID NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    token_enc TEXT,
    app_id BIGINT,
    installation_id BIGINT,
    private_key_enc TEXT,
    webhook_secret_enc TEXT NOT NULL,
    identity TEXT,
    scopes TEXT,
    rate_limit BIGINT,
    rate_remaining BIGINT,
    rate_reset_at TIMESTAMPTZ,
    checked_at TIMESTAMPTZ,
    last_error TEXT,
    last_error_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE github_repos (
    product_id UUID PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    repo TEXT NOT NULL,
    label_map TEXT NOT NULL,
    training_map TEXT NOT NULL,
    issue_instructions TEXT NOT NULL DEFAULT '',
    auto_create BOOLEAN NOT NULL DEFAULT FALSE,
    auto_min_customers BIGINT NOT NULL DEFAULT 5,
    auto_min_confidence DOUBLE PRECISION NOT NULL DEFAULT 0.8,
    auto_max_per_hour BIGINT NOT NULL DEFAULT 3,
    webhook_id BIGINT,
    webhook_state TEXT,
    issues_etag TEXT,
    polled_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX github_repos_by_repo ON github_repos (org_id, repo);

ALTER TABLE work_items ADD COLUMN github_repo TEXT;
ALTER TABLE work_items ADD COLUMN github_number BIGINT;
ALTER TABLE work_items ADD COLUMN github_url TEXT;
ALTER TABLE work_items ADD COLUMN github_state TEXT;
ALTER TABLE work_items ADD COLUMN github_linked_by TEXT;
ALTER TABLE work_items ADD COLUMN github_created_at TIMESTAMPTZ;
ALTER TABLE work_items ADD COLUMN github_pending_at TIMESTAMPTZ;
ALTER TABLE work_items ADD COLUMN github_closing_commit TEXT;
ALTER TABLE work_items ADD COLUMN github_told_customers BIGINT;
ALTER TABLE work_items ADD COLUMN github_commented_at TIMESTAMPTZ;
ALTER TABLE work_items ADD COLUMN shipped_release TEXT;
ALTER TABLE work_items ADD COLUMN shipped_at TIMESTAMPTZ;
ALTER TABLE work_items ADD COLUMN approval TEXT;
CREATE INDEX work_items_by_issue ON work_items (org_id, github_repo, github_number);

CREATE TABLE github_deliveries (
    delivery_id TEXT PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE github_issues (
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    repo TEXT NOT NULL,
    number BIGINT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    labels TEXT NOT NULL,
    html_url TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    closed_at TIMESTAMPTZ,
    PRIMARY KEY (org_id, repo, number)
);
