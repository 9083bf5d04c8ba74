//! Customers: one person per email address within an organisation, with a company by email domain.

use jetson_domain::{CustomerId, Email, OrgId};

use crate::db::on_tx;
use crate::{Result, Tx};

/// Finds or creates the customer with this email; a non-empty name fills in a missing one.
pub async fn upsert(tx: &mut Tx, org: OrgId, email: &Email, name: &str) -> Result<CustomerId> {
    let sql = "INSERT INTO customers (id, org_id, email, name, company, created_at) VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (org_id, email) DO UPDATE
                 SET name = CASE WHEN customers.name = '' THEN excluded.name ELSE customers.name END
               RETURNING id";
    let (id, now) = (CustomerId::new().as_uuid(), crate::now());
    let id: uuid::Uuid = on_tx!(tx, |c| {
        sqlx::query_scalar(sql)
            .bind(id)
            .bind(org.as_uuid())
            .bind(email.as_str())
            .bind(name)
            .bind(email.company())
            .bind(now)
            .fetch_one(c)
            .await
    })?;
    Ok(id.into())
}
