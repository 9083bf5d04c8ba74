//! The audit trail: append-only and hash-chained per organisation. Each event carries the hash of
//! the one before it and its own hash over everything it says, so [`verify`] finds an edited, a
//! removed or an inserted event. Nothing in the product updates or deletes events (retention
//! trims whole prefixes of the chain and records where it now starts).

use chrono::{DateTime, Utc};
use jetson_domain::{OrgId, UserId};
use sha2::{Digest, Sha256};

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, Tx, dialect};

/// The hash before an organisation's first event.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub struct NewEvent<'a> {
    pub actor_user_id: Option<UserId>,
    /// Who, in words: an email address, or `system` for jobs.
    pub actor: &'a str,
    /// What, as a dotted name: `message.reveal`, `hold.release`, …
    pub action: &'a str,
    /// On what: `conversation:<id>`, …
    pub target: &'a str,
    /// Anything else worth keeping (never the sensitive content itself).
    pub detail: &'a str,
}

/// An event as stored; serialised as is (hashes included) when the trail is exported.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Event {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<uuid::Uuid>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

fn event_hash(prev: &str, seq: i64, at: DateTime<Utc>, e: &NewEvent<'_>) -> String {
    let mut h = Sha256::new();
    let user = e.actor_user_id.map(|u| u.to_string()).unwrap_or_default();
    for part in [prev, &seq.to_string(), &at.to_rfc3339(), &user, e.actor, e.action, e.target, e.detail] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends an event in the caller's transaction, so the event and what it records commit together.
pub async fn record(tx: &mut Tx, org: OrgId, e: NewEvent<'_>) -> Result<()> {
    dialect::lock_audit(tx, org).await?;
    let last_sql = "SELECT seq, hash FROM audit_events WHERE org_id = $1 ORDER BY seq DESC LIMIT 1";
    let last: Option<(i64, String)> =
        on_tx!(tx, |c| sqlx::query_as(last_sql).bind(org.as_uuid()).fetch_optional(c).await)?;
    let (seq, prev) = last.map_or((1, GENESIS.to_string()), |(s, h)| (s + 1, h));
    let at = crate::now();
    let hash = event_hash(&prev, seq, at, &e);
    let sql =
        "INSERT INTO audit_events (id, org_id, seq, at, actor_user_id, actor, action, target, detail, prev_hash, hash)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(uuid::Uuid::now_v7())
        .bind(org.as_uuid())
        .bind(seq)
        .bind(at)
        .bind(e.actor_user_id.map(|u| u.as_uuid()))
        .bind(e.actor)
        .bind(e.action)
        .bind(e.target)
        .bind(e.detail)
        .bind(&prev)
        .bind(&hash)
        .execute(c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Newest first; `action` filters by prefix (`message.` for every message event).
pub async fn list(db: &Db, org: OrgId, action: Option<&str>, limit: i64) -> Result<Vec<Event>> {
    page(db, org, action, None, limit).await
}

/// Like [`list`], from the event before `before` (a `seq`) backwards: the next page.
pub async fn page(db: &Db, org: OrgId, action: Option<&str>, before: Option<i64>, limit: i64) -> Result<Vec<Event>> {
    let sql = "SELECT seq, at, actor_user_id, actor, action, target, detail, prev_hash, hash FROM audit_events
               WHERE org_id = $1 AND ($2 IS NULL OR action LIKE $2) AND ($3 IS NULL OR seq < $3)
               ORDER BY seq DESC LIMIT $4";
    let pattern = action.map(|a| format!("{}%", a.replace('%', "")));
    Ok(on_pool!(db, |p| sqlx::query_as(sql)
        .bind(org.as_uuid())
        .bind(&pattern)
        .bind(before)
        .bind(limit)
        .fetch_all(p)
        .await)?)
}

/// Every event of an organisation, oldest first (for export and verification).
pub async fn all(db: &Db, org: OrgId) -> Result<Vec<Event>> {
    let sql = "SELECT seq, at, actor_user_id, actor, action, target, detail, prev_hash, hash FROM audit_events
               WHERE org_id = $1 ORDER BY seq";
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).fetch_all(p).await)?)
}

/// The first event whose chain does not hold, or None when every event is intact and in sequence.
pub async fn verify(db: &Db, org: OrgId) -> Result<Option<(i64, &'static str)>> {
    let events = all(db, org).await?;
    let mut expected: Option<(i64, String)> = None;
    for ev in &events {
        if let Some((seq, prev)) = &expected {
            if ev.seq != seq + 1 {
                return Ok(Some((ev.seq, "a gap in the sequence before this event")));
            }
            if &ev.prev_hash != prev {
                return Ok(Some((ev.seq, "does not follow from the event before it")));
            }
        }
        let new = NewEvent {
            actor_user_id: ev.actor_user_id.map(Into::into),
            actor: &ev.actor,
            action: &ev.action,
            target: &ev.target,
            detail: &ev.detail,
        };
        if event_hash(&ev.prev_hash, ev.seq, ev.at, &new) != ev.hash {
            return Ok(Some((ev.seq, "its content was changed")));
        }
        expected = Some((ev.seq, ev.hash.clone()));
    }
    Ok(None)
}

/// How many times this person did `action` in the organisation since `since`.
pub async fn count_by(tx: &mut Tx, org: OrgId, user: UserId, action: &str, since: DateTime<Utc>) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM audit_events WHERE org_id = $1 AND actor_user_id = $2 AND action = $3 AND at > $4";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(org.as_uuid())
        .bind(user.as_uuid())
        .bind(action)
        .bind(since)
        .fetch_one(c)
        .await)?)
}
