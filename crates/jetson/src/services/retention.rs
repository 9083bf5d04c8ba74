//! Enforcing each organisation's retention policy: original bodies older than N days are
//! emptied (their redacted text stays), conversations idle for M days are forgotten with
//! everything derived from them, audit events older than K days are trimmed. One transaction per
//! run; each run writes a deletion report (counted by kind) and an audit event.

use chrono::{DateTime, Duration, Utc};
use jetson_domain::OrgId;
use jetson_store::retention::{self, Policy};
use jetson_store::{Tx, audit};
use serde::Serialize;

use crate::services::erasure::{Forgotten, forget_conversations};
use crate::state::AppState;

/// What one run deleted. Redacted texts go with their messages, and the search (matching) index
/// entries with their reports; GitHub drafts are not stored, so there are none to delete.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deleted {
    pub raw_bodies: u64,
    pub conversations: u64,
    pub messages: u64,
    pub redacted_texts: u64,
    pub reports: u64,
    pub search_index_entries: u64,
    pub embeddings: u64,
    pub learned_examples: u64,
    pub work_items_removed: u64,
    pub work_items_recounted: u64,
    pub audit_events: u64,
}

impl Deleted {
    fn from_forgotten(raw_bodies: u64, f: Forgotten, audit_events: u64) -> Deleted {
        Deleted {
            raw_bodies,
            conversations: f.conversations,
            messages: f.messages,
            redacted_texts: f.messages,
            reports: f.reports,
            search_index_entries: f.reports,
            embeddings: f.embeddings,
            learned_examples: f.learned_examples,
            work_items_removed: f.work_items_removed,
            work_items_recounted: f.work_items_recounted,
            audit_events,
        }
    }
}

/// Applies the organisation's policy as of `now`. None when it has no policy.
pub async fn enforce(state: &AppState, org: OrgId, now: DateTime<Utc>) -> anyhow::Result<Option<Deleted>> {
    let policy = retention::policy(&state.db, org).await?;
    if policy.is_empty() {
        return Ok(None);
    }
    let mut tx = state.db.begin().await?;
    let deleted = delete(&mut tx, org, policy, now).await?;
    // The run's own event goes in before old events are trimmed, so the chain that remains
    // still ends with it.
    let counts = serde_json::to_value(deleted)?;
    retention::record_report(&mut tx, org, policy, &counts).await?;
    record(&mut tx, org, &counts.to_string()).await?;
    if let Some(days) = policy.audit_days {
        retention::drop_audit_events(&mut tx, org, now - Duration::days(days)).await?;
    }
    tx.commit().await?;
    Ok(Some(deleted))
}

/// What `policy` would delete as of `now`, without deleting anything: the same work as
/// [`enforce`], in a transaction that is rolled back.
pub async fn preview(state: &AppState, org: OrgId, policy: Policy, now: DateTime<Utc>) -> anyhow::Result<Deleted> {
    let mut tx = state.db.begin().await?;
    let deleted = delete(&mut tx, org, policy, now).await?;
    drop(tx);
    Ok(deleted)
}

/// Empties old bodies and forgets old conversations; counts (but leaves) old audit events.
async fn delete(tx: &mut Tx, org: OrgId, policy: Policy, now: DateTime<Utc>) -> anyhow::Result<Deleted> {
    let before = |days: i64| now - Duration::days(days);
    let raw_bodies = match policy.raw_body_days {
        Some(days) => retention::drop_raw_bodies(tx, org, before(days)).await?,
        None => 0,
    };
    let forgotten = match policy.conversation_days {
        Some(days) => {
            let expired = retention::expired_conversations(tx, org, before(days)).await?;
            forget_conversations(tx, org, &expired).await?
        }
        None => Forgotten::default(),
    };
    let mut deleted = Deleted::from_forgotten(raw_bodies, forgotten, 0);
    if let Some(days) = policy.audit_days {
        deleted.audit_events = retention::count_audit_events_before(tx, org, before(days)).await?;
    }
    Ok(deleted)
}

impl Deleted {
    pub fn is_nothing(&self) -> bool {
        *self == Deleted::default()
    }
}

async fn record(tx: &mut Tx, org: OrgId, detail: &str) -> anyhow::Result<()> {
    let event = audit::NewEvent {
        actor_user_id: None,
        actor: "system",
        action: "retention.run",
        target: "organization",
        detail,
    };
    audit::record(tx, org, event).await?;
    Ok(())
}

/// Sets the policy and runs it at once (then daily).
pub async fn set(state: &AppState, org: OrgId, policy: Policy, actor: &str) -> anyhow::Result<()> {
    for days in [policy.raw_body_days, policy.conversation_days, policy.audit_days].into_iter().flatten() {
        anyhow::ensure!((1..=36_500).contains(&days), "retention is 1 to 36500 days, or kept for good");
    }
    let mut tx = state.db.begin().await?;
    retention::set_policy(&mut tx, org, policy).await?;
    let detail = serde_json::to_string(&policy)?;
    let event = audit::NewEvent {
        actor_user_id: None,
        actor,
        action: "settings.retention",
        target: "organization",
        detail: &detail,
    };
    audit::record(&mut tx, org, event).await?;
    tx.commit().await?;
    crate::queue::retention::schedule(state, org, 0).await
}
