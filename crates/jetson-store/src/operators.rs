//! Each organisation's choice of what replaces each kind of sensitive data (by the kind's label,
//! `EMAIL_ADDRESS`, and the operator's name, `mask`). Kinds without a row get a typed placeholder.

use jetson_domain::OrgId;

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, Tx};

pub async fn get(db: &Db, org: OrgId) -> Result<Vec<(String, String)>> {
    let sql = "SELECT kind, operator FROM privacy_operators WHERE org_id = $1 ORDER BY kind";
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).fetch_all(p).await)?)
}

/// [`get`] inside a transaction (an import reads the choice with what it writes).
pub async fn get_in_tx(tx: &mut Tx, org: OrgId) -> Result<Vec<(String, String)>> {
    let sql = "SELECT kind, operator FROM privacy_operators WHERE org_id = $1 ORDER BY kind";
    Ok(on_tx!(tx, |c| sqlx::query_as(sql).bind(org.as_uuid()).fetch_all(c).await)?)
}

/// Replaces the organisation's choices.
pub async fn set(tx: &mut Tx, org: OrgId, choices: &[(String, String)]) -> Result<()> {
    let delete = "DELETE FROM privacy_operators WHERE org_id = $1";
    on_tx!(tx, |c| sqlx::query(delete).bind(org.as_uuid()).execute(c).await.map(|_| ()))?;
    let insert = "INSERT INTO privacy_operators (org_id, kind, operator) VALUES ($1, $2, $3)";
    for (kind, operator) in choices {
        on_tx!(tx, |c| sqlx::query(insert).bind(org.as_uuid()).bind(kind).bind(operator).execute(c).await.map(|_| ()))?;
    }
    Ok(())
}
