-- Jetson schema, first cut (SQLite). Ids are UUIDs (BLOB), timestamps RFC 3339 text, job times epoch ms.
CREATE TABLE organizations (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id BLOB PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE memberships (
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);

CREATE TABLE sessions (
    id BLOB PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    last_used_at TEXT
);

CREATE TABLE products (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    inbox_min_customers INTEGER NOT NULL DEFAULT 2,
    review_threshold DOUBLE PRECISION NOT NULL DEFAULT 0.5,
    match_threshold DOUBLE PRECISION NOT NULL DEFAULT 0.16,
    match_version BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE customers (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    company TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (org_id, email)
);

CREATE TABLE conversations (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    product_id BLOB NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    customer_id BLOB NOT NULL REFERENCES customers(id),
    status TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    category TEXT,
    confidence DOUBLE PRECISION,
    priority TEXT,
    needs_review BOOLEAN NOT NULL DEFAULT FALSE,
    category_source TEXT,
    explanation TEXT,
    analyzed_at TEXT,
    UNIQUE (product_id, external_id)
);
CREATE INDEX conversations_by_org_time ON conversations (org_id, created_at);

CREATE TABLE messages (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    conversation_id BLOB NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    author TEXT NOT NULL,
    author_name TEXT NOT NULL,
    body_html TEXT NOT NULL,
    analysis_text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (conversation_id, external_id)
);

CREATE TABLE work_items (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    product_id BLOB NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    customer_count INTEGER NOT NULL DEFAULT 0,
    company_count INTEGER NOT NULL DEFAULT 0,
    report_count INTEGER NOT NULL DEFAULT 0,
    merged_into BLOB REFERENCES work_items(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX work_items_by_product ON work_items (org_id, product_id, status);

CREATE TABLE reports (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    work_item_id BLOB NOT NULL REFERENCES work_items(id),
    conversation_id BLOB NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    customer_id BLOB NOT NULL REFERENCES customers(id),
    -- The customer's company when reported, kept here so counting companies needs no join.
    company TEXT,
    category TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    match_text TEXT NOT NULL,
    similarity DOUBLE PRECISION,
    matched_report_id BLOB,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (conversation_id, ordinal)
);
-- Covering indexes: a work item's distinct customers and companies are counted from the index alone.
CREATE INDEX reports_item_customer ON reports (work_item_id, customer_id);
CREATE INDEX reports_item_company ON reports (work_item_id, company);

CREATE TABLE merges (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    source_id BLOB NOT NULL REFERENCES work_items(id),
    target_id BLOB NOT NULL REFERENCES work_items(id),
    report_ids TEXT NOT NULL,
    created_at TEXT NOT NULL,
    undone_at TEXT
);

CREATE TABLE jobs (
    id BLOB PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    dedup_key TEXT UNIQUE,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at BIGINT NOT NULL,
    locked_until BIGINT,
    locked_by TEXT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX jobs_ready ON jobs (status, run_at);
