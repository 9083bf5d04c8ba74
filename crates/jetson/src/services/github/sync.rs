//! Applying what GitHub says about an issue to the work items linked to it, whether it came by
//! webhook or by the periodic poll: closed as completed → resolved; closed as not planned →
//! deferred; reopened → open (and not shipped after all); transferred → follow it; deleted →
//! unlink. Edits and labels refresh Jetson's copy of the issue (used for matching).

use chrono::{DateTime, Utc};
use jetson_connectors::github::types::Issue;
use jetson_connectors::github::webhook::{IssuesEvent, ReleaseEvent};
use jetson_connectors::github::{Client, Conditional};
use jetson_domain::{IssueState, OrgId, WorkItemStatus};
use jetson_store::github::{self as store, IssueLink};
use jetson_store::github_issues::{self, RepoIssue};
use jetson_store::{Tx, work_items};

use crate::state::AppState;

#[derive(Debug, PartialEq, Eq)]
pub enum Applied {
    /// The repository is not linked to any product of this organisation.
    UnknownRepository,
    /// How many work items changed.
    Items(usize),
    /// Older than what Jetson already knows of the issue (GitHub does not promise delivery
    /// order): applying it would rewind the issue, so nothing changed.
    Stale,
    /// A published release: checking what it ships is queued.
    ReleaseQueued,
}

/// The first read of a repository takes this many pages (100 issues each) at most.
pub const FIRST_READ_PAGES: usize = 20;

pub fn repo_issue(repo: &str, i: &Issue) -> RepoIssue {
    RepoIssue {
        repo: repo.to_string(),
        number: i.number as i64,
        title: i.title.clone(),
        body: i.body.clone().unwrap_or_default(),
        state: i.state.clone().unwrap_or_else(|| "open".into()),
        labels: serde_json::to_string(&i.label_names()).expect("strings serialise"),
        html_url: i.html_url.clone(),
        updated_at: i.updated_at,
        closed_at: i.closed_at,
    }
}

/// The status an issue's state asks for, if it asks for a change. An issue closed as a duplicate
/// is not fixed: the work goes on elsewhere, so the item is deferred like one not planned.
fn wanted(current: WorkItemStatus, issue_state: IssueState, reason: Option<&str>) -> Option<WorkItemStatus> {
    let closed = matches!(current, WorkItemStatus::Resolved | WorkItemStatus::Deferred);
    match (issue_state, reason) {
        (IssueState::Closed, Some("not_planned" | "duplicate")) if current != WorkItemStatus::Deferred => {
            Some(WorkItemStatus::Deferred)
        }
        (IssueState::Closed, Some("not_planned" | "duplicate")) => None,
        (IssueState::Closed, _) if current != WorkItemStatus::Resolved => Some(WorkItemStatus::Resolved),
        (IssueState::Open, _) if closed => Some(WorkItemStatus::Open),
        _ => None,
    }
}

/// Moves one linked item to what the issue says. Returns whether anything changed.
async fn apply_state(tx: &mut Tx, org: OrgId, link: &IssueLink, issue: &Issue) -> anyhow::Result<bool> {
    let (Some(repo), Some(number)) = (link.github_repo.as_deref(), link.github_number) else { return Ok(false) };
    let state = super::state_of(issue);
    store::update_issue(tx, org, link.id, repo, number, &issue.html_url, state).await?;
    let Some(status) = wanted(link.status, state, issue.state_reason.as_deref()) else { return Ok(false) };
    work_items::set_status(tx, org, link.id, status).await?;
    if status == WorkItemStatus::Open {
        store::clear_shipped(tx, org, link.id).await?;
    }
    Ok(true)
}

/// An `issues` webhook delivery.
pub async fn apply_event(state: &AppState, org: OrgId, e: &IssuesEvent) -> anyhow::Result<Applied> {
    let repo = &e.repository.full_name;
    if store::repos_named(&state.db, org, repo).await?.is_empty() {
        return Ok(Applied::UnknownRepository);
    }
    let number = e.issue.number as i64;
    // `deleted` and `transferred` end the issue here whatever came before; anything else carries
    // the issue as it was when the event happened, which a later event may already have passed.
    if !matches!(e.action.as_str(), "deleted" | "transferred")
        && github_issues::updated_at(&state.db, org, repo, number).await?.is_some_and(|seen| e.issue.updated_at < seen)
    {
        return Ok(Applied::Stale);
    }
    let items = store::items_for_issue(&state.db, org, repo, number).await?;
    let mut tx = state.db.begin().await?;
    let mut changed = 0;
    match e.action.as_str() {
        "deleted" => {
            github_issues::delete_repo_issue(&mut tx, org, repo, number).await?;
            for l in &items {
                store::unlink_issue(&mut tx, org, l.id).await?;
                changed += 1;
            }
        }
        "transferred" => {
            github_issues::delete_repo_issue(&mut tx, org, repo, number).await?;
            let changes = e.changes.clone().unwrap_or_default();
            if let (Some(new_issue), Some(new_repo)) = (changes.new_issue, changes.new_repository) {
                for l in &items {
                    let state = super::state_of(&new_issue);
                    let n = new_issue.number as i64;
                    store::update_issue(&mut tx, org, l.id, &new_repo.full_name, n, &new_issue.html_url, state).await?;
                    changed += 1;
                }
            }
        }
        _ => {
            if !e.issue.is_pull_request() {
                github_issues::upsert_issues(&mut tx, org, &[repo_issue(repo, &e.issue)]).await?;
            }
            for l in &items {
                if apply_state(&mut tx, org, l, &e.issue).await? {
                    changed += 1;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(Applied::Items(changed))
}

/// A `release` webhook delivery: a published release of a linked repository queues the check of
/// what it ships.
pub async fn apply_release(state: &AppState, org: OrgId, e: &ReleaseEvent) -> anyhow::Result<Applied> {
    let repo = &e.repository.full_name;
    if store::repos_named(&state.db, org, repo).await?.is_empty() {
        return Ok(Applied::UnknownRepository);
    }
    if e.action != "published" || e.release.draft {
        return Ok(Applied::Items(0));
    }
    let mut tx = state.db.begin().await?;
    crate::queue::github_release::enqueue(&mut tx, org, repo, e.release.id).await?;
    tx.commit().await?;
    Ok(Applied::ReleaseQueued)
}

/// Reads a repository's issues (those changed since `since`, all on a first read) and applies
/// them; returns the new ETag when the repository changed, or None when it did not.
pub async fn read_repo(
    state: &AppState,
    org: OrgId,
    gh: &Client,
    repo: &str,
    etag: Option<&str>,
    since: Option<DateTime<Utc>>,
) -> anyhow::Result<Option<Option<String>>> {
    let name = super::repo_name(repo)?;
    match gh.list_issues(&name, "all", None, etag, since, FIRST_READ_PAGES).await? {
        Conditional::NotModified => Ok(None),
        Conditional::Fresh { value, etag } => {
            apply_polled(state, org, repo, &value).await?;
            Ok(Some(etag))
        }
    }
}

/// Issues read by the poll: keep Jetson's copy, and apply a state that changed on GitHub since
/// Jetson last saw it (a change made in Jetson and not yet pushed is left for the push).
pub async fn apply_polled(state: &AppState, org: OrgId, repo: &str, issues: &[Issue]) -> anyhow::Result<usize> {
    let mut tx = state.db.begin().await?;
    let copies: Vec<RepoIssue> = issues.iter().map(|i| repo_issue(repo, i)).collect();
    github_issues::upsert_issues(&mut tx, org, &copies).await?;
    tx.commit().await?;
    let mut changed = 0;
    let linked = store::linked_items(&state.db, org, repo).await?;
    for i in issues {
        for l in linked.iter().filter(|l| l.github_number == Some(i.number as i64)) {
            if l.github_state == Some(super::state_of(i)) {
                continue;
            }
            let mut tx = state.db.begin().await?;
            if apply_state(&mut tx, org, l, i).await? {
                changed += 1;
            }
            tx.commit().await?;
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_states_map_to_statuses_and_repeat_nothing() {
        assert_eq!(wanted(WorkItemStatus::Open, IssueState::Closed, Some("completed")), Some(WorkItemStatus::Resolved));
        assert_eq!(
            wanted(WorkItemStatus::InProgress, IssueState::Closed, None),
            Some(WorkItemStatus::Resolved),
            "older payloads have no reason"
        );
        assert_eq!(
            wanted(WorkItemStatus::Open, IssueState::Closed, Some("not_planned")),
            Some(WorkItemStatus::Deferred)
        );
        assert_eq!(wanted(WorkItemStatus::Open, IssueState::Closed, Some("duplicate")), Some(WorkItemStatus::Deferred));
        assert_eq!(wanted(WorkItemStatus::Resolved, IssueState::Open, Some("reopened")), Some(WorkItemStatus::Open));
        assert_eq!(wanted(WorkItemStatus::Deferred, IssueState::Open, None), Some(WorkItemStatus::Open));
        assert_eq!(wanted(WorkItemStatus::Resolved, IssueState::Closed, Some("completed")), None);
        assert_eq!(
            wanted(WorkItemStatus::InProgress, IssueState::Open, None),
            None,
            "an open issue leaves work in progress alone"
        );
    }
}
