-- What people taught each product (corrected categories, same / different problem), and the
-- product's own trained classifier.
CREATE TABLE product_examples (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    product_id UUID NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    category TEXT,
    text TEXT NOT NULL,
    other_text TEXT,
    source TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX product_examples_product ON product_examples (product_id, kind);

CREATE TABLE product_models (
    product_id UUID PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
    org_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    model BYTEA NOT NULL,
    examples BIGINT NOT NULL,
    trained_at TIMESTAMPTZ NOT NULL
);

-- Each product's own priority definitions (JSON: level, description, signal words); NULL: none.
ALTER TABLE products ADD COLUMN priority_definitions TEXT;
-- How many same/different pairs the match threshold has already learned from (each moves it once).
ALTER TABLE products ADD COLUMN learned_pairs BIGINT NOT NULL DEFAULT 0;
