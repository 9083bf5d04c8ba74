//! What a person can do to work items and conversations. The API and the UI both call these, so
//! the two can never disagree about what an action means. Each correction is also a lesson for the
//! product (see [`learning`]).

use jetson_domain::{Category, ConversationId, OrgId, ReportId, UserId, WorkItemId, WorkItemStatus};
use jetson_store::holds::{self, Decision};
use jetson_store::{audit, conversations, merges, reports, work_items};

use crate::services::{learning, pipeline};
use crate::state::AppState;

pub async fn set_status(state: &AppState, org: OrgId, item: WorkItemId, status: WorkItemStatus) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    work_items::set_status(&mut tx, org, item, status).await?;
    // A linked GitHub issue follows (closed, or reopened) once this is committed.
    if jetson_store::github::issue_link_in_tx(&mut tx, org, item).await?.github_number.is_some() {
        crate::queue::github_status::enqueue(&mut tx, org, item).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn merge(state: &AppState, org: OrgId, source: WorkItemId, target: WorkItemId) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    learning::items_compared(&mut tx, org, source, target, true, "merge").await?;
    merges::merge(&mut tx, org, source, target).await?;
    tx.commit().await?;
    Ok(())
}

/// Undoes the merge of `source`; returns the item it had been merged into.
pub async fn unmerge(state: &AppState, org: OrgId, source: WorkItemId) -> anyhow::Result<WorkItemId> {
    let mut tx = state.db.begin().await?;
    let target = merges::unmerge(&mut tx, org, source).await?;
    learning::items_compared(&mut tx, org, source, target, false, "unmerge").await?;
    tx.commit().await?;
    Ok(target)
}

/// Moves a report to another work item; returns the item it left.
pub async fn move_report(state: &AppState, org: OrgId, report: ReportId, to: WorkItemId) -> anyhow::Result<WorkItemId> {
    let mut tx = state.db.begin().await?;
    learning::report_moving(&mut tx, org, report, to).await?;
    let from = reports::move_to(&mut tx, org, report, to).await?;
    tx.commit().await?;
    Ok(from)
}

/// Records a person's category and analyses the conversation again at once, so its work items
/// follow: a conversation reclassified as no action leaves its work items; one reclassified as a
/// bug or feature request joins or starts one.
pub async fn reclassify(state: &AppState, org: OrgId, id: ConversationId, category: Category) -> anyhow::Result<()> {
    // A held conversation teaches nothing until a person releases it.
    if conversations::get(&state.db, org, id).await?.hold.as_deref().is_some_and(|h| h != "released") {
        return Err(jetson_store::StoreError::Conflict(
            "the conversation is held for review (harmful content); release it first".into(),
        )
        .into());
    }
    let mut tx = state.db.begin().await?;
    conversations::set_human_category(&mut tx, org, id, category).await?;
    learning::conversation_reclassified(&mut tx, org, id, category).await?;
    tx.commit().await?;
    pipeline::analyze(state, &[id], None).await?;
    Ok(())
}

/// Who does something, as the audit trail names them.
pub struct Actor<'a> {
    pub user_id: UserId,
    pub email: &'a str,
}

impl Actor<'_> {
    /// Records a change another module has already committed (an integration connected,
    /// settings saved) in a transaction of its own.
    pub(crate) async fn record_alone(
        &self,
        state: &AppState,
        org: OrgId,
        action: &str,
        target: &str,
        detail: &str,
    ) -> anyhow::Result<()> {
        let mut tx = state.db.begin().await?;
        self.record(&mut tx, org, action, target, detail).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn record(
        &self,
        tx: &mut jetson_store::Tx,
        org: OrgId,
        action: &str,
        target: &str,
        detail: &str,
    ) -> anyhow::Result<()> {
        let event = audit::NewEvent { actor_user_id: Some(self.user_id), actor: self.email, action, target, detail };
        audit::record(tx, org, event).await?;
        crate::services::alerts::after_action(tx, org, self.user_id, self.email, action).await
    }
}

/// Releases a held conversation into analysis (queued at once) or keeps it out, and records the
/// decision. False when the conversation is not waiting for review (someone decided already).
pub async fn decide_hold(
    state: &AppState,
    org: OrgId,
    id: ConversationId,
    decision: Decision,
    actor: Actor<'_>,
) -> anyhow::Result<bool> {
    conversations::get(&state.db, org, id).await?;
    let mut tx = state.db.begin().await?;
    if !holds::decide(&mut tx, org, id, decision, actor.user_id).await? {
        return Ok(false);
    }
    let (action, detail) = match decision {
        Decision::Release => ("hold.release", "released into analysis"),
        Decision::KeepOut => ("hold.keep_out", "kept out of analysis"),
    };
    actor.record(&mut tx, org, action, &format!("conversation:{id}"), detail).await?;
    if decision == Decision::Release {
        let version = format!("release:{}", jetson_store::now().timestamp_micros());
        crate::queue::analyze::enqueue(&mut tx, vec![id], &version).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// The organisation's whole audit trail for an export, with the export itself recorded first (so
/// the copy holds its own record).
pub async fn export_audit(
    state: &AppState,
    org: OrgId,
    format: &str,
    actor: Actor<'_>,
) -> anyhow::Result<Vec<audit::Event>> {
    let mut tx = state.db.begin().await?;
    crate::services::alerts::ensure_not_paused(state, &mut tx, org, actor.user_id).await?;
    actor.record(&mut tx, org, "audit.export", &format!("org:{org}"), format).await?;
    tx.commit().await?;
    Ok(audit::all(&state.db, org).await?)
}

/// Sets what the organisation asks of its people's security, recording each setting.
pub async fn set_security_policy(
    state: &AppState,
    org: OrgId,
    policy: jetson_store::orgs::SecurityPolicy,
    actor: Actor<'_>,
) -> anyhow::Result<()> {
    let target = format!("org:{org}");
    let mut tx = state.db.begin().await?;
    jetson_store::orgs::set_security_policy(&mut tx, org, policy).await?;
    let required = if policy.require_two_factor { "required" } else { "not required" };
    actor.record(&mut tx, org, "settings.two_factor", &target, required).await?;
    let pause = if policy.pause_on_burst { "on" } else { "off" };
    actor.record(&mut tx, org, "settings.pause_on_burst", &target, pause).await?;
    tx.commit().await?;
    Ok(())
}

/// Records that a person was shown a conversation's original messages (before they are shown).
pub async fn record_reveal(state: &AppState, org: OrgId, id: ConversationId, actor: Actor<'_>) -> anyhow::Result<()> {
    conversations::get(&state.db, org, id).await?;
    let mut tx = state.db.begin().await?;
    crate::services::alerts::ensure_not_paused(state, &mut tx, org, actor.user_id).await?;
    actor
        .record(&mut tx, org, "message.reveal", &format!("conversation:{id}"), "original message bodies shown")
        .await?;
    tx.commit().await?;
    Ok(())
}
