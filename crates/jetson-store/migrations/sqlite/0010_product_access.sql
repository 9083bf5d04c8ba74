-- Need-to-know: a member or viewer may be limited to some of the organisation's products. The flag
-- says whether they are limited at all, so a member limited to products that were all deleted sees
-- none rather than every one. Owners and admins always see every product.
ALTER TABLE memberships ADD COLUMN limited_to_products BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE membership_products (
    org_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    product_id BLOB NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    PRIMARY KEY (org_id, user_id, product_id),
    FOREIGN KEY (org_id, user_id) REFERENCES memberships(org_id, user_id) ON DELETE CASCADE
);
