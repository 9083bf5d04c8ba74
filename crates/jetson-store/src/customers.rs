//! Customers: one person per email address within an organisation, with a company by email domain.

use jetson_domain::{CustomerId, Email, OrgId};

use std::collections::HashMap;

use crate::db::on_tx;
use crate::{Result, Tx, batch};

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

/// [`upsert`] for many customers at once; returns each email's customer id.
pub async fn upsert_many(tx: &mut Tx, org: OrgId, people: &[(&Email, &str)]) -> Result<HashMap<String, CustomerId>> {
    let mut unique: Vec<(&Email, &str)> = Vec::new();
    for (e, n) in people {
        if !unique.iter().any(|(u, _)| u == e) {
            unique.push((e, n));
        }
    }
    let mut ids = HashMap::new();
    let now = crate::now();
    for chunk in unique.chunks(batch::CHUNK) {
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO customers (id, org_id, email, name, company, created_at) VALUES {}
             ON CONFLICT (org_id, email) DO UPDATE
               SET name = CASE WHEN customers.name = '' THEN excluded.name ELSE customers.name END
             RETURNING email, id",
            batch::values(chunk.len(), 6)
        ));
        let rows: Vec<(String, uuid::Uuid)> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as(sql);
            for (email, name) in chunk {
                q = q
                    .bind(CustomerId::new().as_uuid())
                    .bind(org.as_uuid())
                    .bind(email.as_str())
                    .bind(*name)
                    .bind(email.company())
                    .bind(now);
            }
            q.fetch_all(c).await
        })?;
        ids.extend(rows.into_iter().map(|(e, id)| (e, CustomerId::from(id))));
    }
    Ok(ids)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Customer {
    #[sqlx(try_from = "uuid::Uuid")]
    pub id: CustomerId,
    pub email: String,
    pub name: String,
    pub company: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

pub async fn find(tx: &mut Tx, org: OrgId, email: &Email) -> Result<Option<Customer>> {
    let sql = "SELECT id, email, name, company, created_at FROM customers WHERE org_id = $1 AND email = $2";
    Ok(on_tx!(tx, |c| sqlx::query_as(sql).bind(org.as_uuid()).bind(email.as_str()).fetch_optional(c).await)?)
}

/// Deletes the customer; their conversations must be gone first.
pub async fn delete(tx: &mut Tx, org: OrgId, id: CustomerId) -> Result<bool> {
    let sql = "DELETE FROM customers WHERE org_id = $1 AND id = $2";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(org.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}
