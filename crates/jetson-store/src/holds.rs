//! Conversations held out of analysis because screening flagged harmful content. A held
//! conversation feeds no work item, draft or outbound call until a person releases it; "keep out"
//! makes the hold permanent. Threats and self-harm are escalated: admins see those first.

use chrono::{DateTime, Utc};
use jetson_domain::{ConversationId, HoldState, OrgId, UserId};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, Tx};

/// A screening flag as stored: the category's name and the screener's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredFlag {
    pub category: String,
    pub score: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Release,
    KeepOut,
}

impl Decision {
    fn state(&self) -> HoldState {
        match self {
            Decision::Release => HoldState::Released,
            Decision::KeepOut => HoldState::KeptOut,
        }
    }
}

/// Holds these conversations with their flags, unless a person already decided to keep them
/// out (a released conversation whose new content is flagged is held again).
pub async fn hold_many(tx: &mut Tx, org: OrgId, held: &[(ConversationId, Vec<StoredFlag>, bool)]) -> Result<()> {
    let sql = "UPDATE conversations SET hold = 'held', screen_flags = $1, escalated = $2, held_at = $3,
               hold_reviewed_by = NULL, hold_reviewed_at = NULL
               WHERE org_id = $4 AND id = $5 AND (hold IS NULL OR hold = 'released')";
    let now = crate::now();
    for (id, flags, escalated) in held {
        on_tx!(tx, |c| sqlx::query(sql)
            .bind(Json(flags))
            .bind(escalated)
            .bind(now)
            .bind(org.as_uuid())
            .bind(id.as_uuid())
            .execute(c)
            .await
            .map(|_| ()))?;
    }
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Held {
    #[sqlx(try_from = "uuid::Uuid")]
    pub id: ConversationId,
    pub subject: String,
    pub product_name: String,
    pub customer_name: String,
    pub screen_flags: Json<Vec<StoredFlag>>,
    pub escalated: bool,
    pub held_at: DateTime<Utc>,
}

/// Conversations waiting for a person: escalated first, then oldest first.
pub async fn waiting(db: &Db, org: OrgId, limit: i64) -> Result<Vec<Held>> {
    let sql = "SELECT c.id, c.subject, p.name AS product_name, cu.name AS customer_name, c.screen_flags,
                      c.escalated, c.held_at
               FROM conversations c JOIN products p ON p.id = c.product_id JOIN customers cu ON cu.id = c.customer_id
               WHERE c.org_id = $1 AND c.hold = 'held'
               ORDER BY c.escalated DESC, c.held_at, c.id LIMIT $2";
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(limit).fetch_all(p).await)?)
}

/// (waiting, of which escalated), for the navigation badge.
pub async fn counts(db: &Db, org: OrgId) -> Result<(i64, i64)> {
    let sql = "SELECT COUNT(*), COALESCE(SUM(CASE WHEN escalated THEN 1 ELSE 0 END), 0)
               FROM conversations WHERE org_id = $1 AND hold = 'held'";
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).fetch_one(p).await)?)
}

/// Records a person's decision on a held conversation. False when it is not held (already
/// decided, or never held).
pub async fn decide(tx: &mut Tx, org: OrgId, id: ConversationId, decision: Decision, by: UserId) -> Result<bool> {
    let sql = "UPDATE conversations SET hold = $1, hold_reviewed_by = $2, hold_reviewed_at = $3
               WHERE org_id = $4 AND id = $5 AND hold = 'held'";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(decision.state().as_str())
        .bind(by.as_uuid())
        .bind(crate::now())
        .bind(org.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}
