//! Need-to-know: the products a member or viewer is limited to. Lists filter on them in SQL (the
//! `visible_to` of `conversations::Filter` and `work_items::Filter`); single objects are checked
//! against [`limited_to`] by the caller.

use jetson_domain::{OrgId, ProductId, UserId};

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, Tx};

/// The products this member is limited to, or None when they are not limited.
pub async fn limited_to(db: &Db, org: OrgId, user: UserId) -> Result<Option<Vec<ProductId>>> {
    let flag = "SELECT limited_to_products FROM memberships WHERE org_id = $1 AND user_id = $2";
    let limited: Option<bool> =
        on_pool!(db, |p| sqlx::query_scalar(flag).bind(org.as_uuid()).bind(user.as_uuid()).fetch_optional(p).await)?;
    if limited != Some(true) {
        return Ok(None);
    }
    let sql = "SELECT product_id FROM membership_products WHERE org_id = $1 AND user_id = $2 ORDER BY product_id";
    let ids: Vec<uuid::Uuid> =
        on_pool!(db, |p| sqlx::query_scalar(sql).bind(org.as_uuid()).bind(user.as_uuid()).fetch_all(p).await)?;
    Ok(Some(ids.into_iter().map(ProductId::from).collect()))
}

/// Limits a member to these products (only the organisation's own count), or lifts the limit.
pub async fn set(tx: &mut Tx, org: OrgId, user: UserId, products: Option<&[ProductId]>) -> Result<()> {
    let flag = "UPDATE memberships SET limited_to_products = $3 WHERE org_id = $1 AND user_id = $2";
    let n = on_tx!(tx, |c| sqlx::query(flag)
        .bind(org.as_uuid())
        .bind(user.as_uuid())
        .bind(products.is_some())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(crate::StoreError::NotFound);
    }
    let clear = "DELETE FROM membership_products WHERE org_id = $1 AND user_id = $2";
    on_tx!(tx, |c| sqlx::query(clear)
        .bind(org.as_uuid())
        .bind(user.as_uuid())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    let add = "INSERT INTO membership_products (org_id, user_id, product_id)
               SELECT $1, $2, id FROM products WHERE org_id = $1 AND id = $3";
    for product in products.unwrap_or_default() {
        on_tx!(tx, |c| sqlx::query(add)
            .bind(org.as_uuid())
            .bind(user.as_uuid())
            .bind(product.as_uuid())
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Every limited member of the organisation with the products they see (none: an empty list).
pub async fn limits(db: &Db, org: OrgId) -> Result<Vec<(UserId, Vec<ProductId>)>> {
    let sql = "SELECT m.user_id, mp.product_id FROM memberships m
               LEFT JOIN membership_products mp ON mp.org_id = m.org_id AND mp.user_id = m.user_id
               WHERE m.org_id = $1 AND m.limited_to_products = TRUE ORDER BY m.user_id";
    let rows: Vec<(uuid::Uuid, Option<uuid::Uuid>)> =
        on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).fetch_all(p).await)?;
    let mut out: Vec<(UserId, Vec<ProductId>)> = Vec::new();
    for (user, product) in rows {
        let user = UserId::from(user);
        if out.last().is_none_or(|(u, _)| *u != user) {
            out.push((user, Vec::new()));
        }
        if let Some(p) = product {
            out.last_mut().expect("pushed above").1.push(p.into());
        }
    }
    Ok(out)
}
