//! Merging one work item into another, and undoing it. A merge remembers exactly which reports it
//! moved, so an undo moves back those and only those (reports that arrived later stay).

use jetson_domain::{MergeId, OrgId, WorkItemId};
use sqlx::types::Json;

use crate::db::on_tx;
use crate::{Result, StoreError, Tx};

pub async fn merge(tx: &mut Tx, org: OrgId, source: WorkItemId, target: WorkItemId) -> Result<MergeId> {
    if source == target {
        return Err(StoreError::Conflict("a work item cannot be merged into itself".into()));
    }
    let from = crate::work_items::get_in_tx(tx, org, source).await?;
    let into = crate::work_items::get_in_tx(tx, org, target).await?;
    if from.product_id != into.product_id {
        return Err(StoreError::Conflict("only work items of the same product can be merged".into()));
    }
    if from.merged_into.is_some() || into.merged_into.is_some() {
        return Err(StoreError::Conflict("one of these work items is already merged".into()));
    }
    // The issue goes with the reports when the target has none: the merged item is hidden, and
    // GitHub's events for its issue (closed, released) would otherwise reach no customer.
    let issue_moved = crate::github::issue_link_in_tx(tx, org, source).await?.github_number.is_some()
        && crate::github::issue_link_in_tx(tx, org, target).await?.github_number.is_none();
    if issue_moved {
        move_issue(tx, source, target).await?;
    }
    let moved = "UPDATE reports SET work_item_id = $1 WHERE work_item_id = $2 RETURNING id";
    let report_ids: Vec<uuid::Uuid> =
        on_tx!(tx, |c| sqlx::query_scalar(moved).bind(target.as_uuid()).bind(source.as_uuid()).fetch_all(c).await)?;
    let mark = "UPDATE work_items SET merged_into = $1, updated_at = $2 WHERE id = $3";
    let now = crate::now();
    on_tx!(tx, |c| sqlx::query(mark)
        .bind(target.as_uuid())
        .bind(now)
        .bind(source.as_uuid())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    let id = MergeId::new();
    let record = "INSERT INTO merges (id, org_id, source_id, target_id, report_ids, created_at, issue_moved)
                  VALUES ($1, $2, $3, $4, $5, $6, $7)";
    on_tx!(tx, |c| {
        sqlx::query(record)
            .bind(id.as_uuid())
            .bind(org.as_uuid())
            .bind(source.as_uuid())
            .bind(target.as_uuid())
            .bind(Json(&report_ids))
            .bind(now)
            .bind(issue_moved)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    crate::work_items::recount(tx, &[source, target]).await?;
    crate::products::bump_match_version(tx, from.product_id).await?;
    Ok(id)
}

/// Undoes the merge of `source` into whatever it was merged into; returns that target.
pub async fn unmerge(tx: &mut Tx, org: OrgId, source: WorkItemId) -> Result<WorkItemId> {
    // Not found, rather than "not merged", for an item of another organisation.
    crate::work_items::get_in_tx(tx, org, source).await?;
    let find = "SELECT id, target_id, report_ids, issue_moved FROM merges
                WHERE org_id = $1 AND source_id = $2 AND undone_at IS NULL ORDER BY id DESC LIMIT 1";
    let found: Option<(uuid::Uuid, uuid::Uuid, Json<Vec<uuid::Uuid>>, bool)> =
        on_tx!(tx, |c| sqlx::query_as(find).bind(org.as_uuid()).bind(source.as_uuid()).fetch_optional(c).await)?;
    let (merge, target, Json(report_ids), issue_moved) =
        found.ok_or_else(|| StoreError::Conflict("this work item is not merged into another".into()))?;
    let target = WorkItemId::from(target);
    // The issue the merge carried along goes back, unless a person unlinked it in the meantime.
    if issue_moved && crate::github::issue_link_in_tx(tx, org, target).await?.github_number.is_some() {
        move_issue(tx, target, source).await?;
    }
    let back = "UPDATE reports SET work_item_id = $1 WHERE id = $2 AND work_item_id = $3";
    for r in &report_ids {
        on_tx!(tx, |c| sqlx::query(back)
            .bind(source.as_uuid())
            .bind(r)
            .bind(target.as_uuid())
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    let now = crate::now();
    let unmark = "UPDATE work_items SET merged_into = NULL, updated_at = $1 WHERE id = $2";
    on_tx!(tx, |c| sqlx::query(unmark).bind(now).bind(source.as_uuid()).execute(c).await.map(|r| r.rows_affected()))?;
    let done = "UPDATE merges SET undone_at = $1 WHERE id = $2";
    on_tx!(tx, |c| sqlx::query(done).bind(now).bind(merge).execute(c).await.map(|r| r.rows_affected()))?;
    crate::work_items::recount(tx, &[source, target]).await?;
    let item = crate::work_items::get_in_tx(tx, org, source).await?;
    crate::products::bump_match_version(tx, item.product_id).await?;
    Ok(target)
}

/// Moves the issue link from one work item to another (of the same organisation: the callers
/// checked) as a whole, leaving the first with none; what the second held (an approval, say) goes.
async fn move_issue(tx: &mut Tx, from: WorkItemId, to: WorkItemId) -> Result<()> {
    let clear = "DELETE FROM issue_links WHERE work_item_id = $1";
    on_tx!(tx, |c| sqlx::query(clear).bind(to.as_uuid()).execute(c).await.map(|r| r.rows_affected()))?;
    let moved = "UPDATE issue_links SET work_item_id = $1 WHERE work_item_id = $2";
    on_tx!(tx, |c| sqlx::query(moved)
        .bind(to.as_uuid())
        .bind(from.as_uuid())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
