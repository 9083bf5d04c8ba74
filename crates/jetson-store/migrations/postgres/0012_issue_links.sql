-- Each work item's GitHub issue, and what followed from it (the release that shipped the fix, the
-- counts told, the approval queue), in one row of its own instead of thirteen columns on
-- work_items: a merge moves the row as a whole, and a work item without an issue has none.
CREATE TABLE issue_links (
    work_item_id UUID PRIMARY KEY REFERENCES work_items(id) ON DELETE CASCADE,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    repo TEXT,
    number BIGINT,
    url TEXT,
    state TEXT,
    -- created, auto or linked
    linked_by TEXT,
    created_at TIMESTAMPTZ,
    pending_at TIMESTAMPTZ,
    closing_commit TEXT,
    told_customers BIGINT,
    commented_at TIMESTAMPTZ,
    shipped_release TEXT,
    shipped_at TIMESTAMPTZ,
    -- waiting or dismissed
    approval TEXT
);
CREATE INDEX issue_links_by_issue ON issue_links (org_id, repo, number);

INSERT INTO issue_links (work_item_id, org_id, repo, number, url, state, linked_by, created_at, pending_at,
        closing_commit, told_customers, commented_at, shipped_release, shipped_at, approval)
    SELECT id, org_id, github_repo, github_number, github_url, github_state, github_linked_by, github_created_at,
        github_pending_at, github_closing_commit, github_told_customers, github_commented_at, shipped_release,
        shipped_at, approval
    FROM work_items
    WHERE github_repo IS NOT NULL OR github_number IS NOT NULL OR github_pending_at IS NOT NULL
        OR github_told_customers IS NOT NULL OR github_commented_at IS NOT NULL OR shipped_release IS NOT NULL
        OR approval IS NOT NULL;

DROP INDEX work_items_by_issue;
ALTER TABLE work_items DROP COLUMN github_repo;
ALTER TABLE work_items DROP COLUMN github_number;
ALTER TABLE work_items DROP COLUMN github_url;
ALTER TABLE work_items DROP COLUMN github_state;
ALTER TABLE work_items DROP COLUMN github_linked_by;
ALTER TABLE work_items DROP COLUMN github_created_at;
ALTER TABLE work_items DROP COLUMN github_pending_at;
ALTER TABLE work_items DROP COLUMN github_closing_commit;
ALTER TABLE work_items DROP COLUMN github_told_customers;
ALTER TABLE work_items DROP COLUMN github_commented_at;
ALTER TABLE work_items DROP COLUMN shipped_release;
ALTER TABLE work_items DROP COLUMN shipped_at;
ALTER TABLE work_items DROP COLUMN approval;
