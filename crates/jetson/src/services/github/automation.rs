//! What the periodic GitHub job does for each linked repository after reading its issues:
//!
//! - **Automatic creation, with brakes**: an item in the product's inbox that has reached the
//!   product's N distinct customers and confidence c gets an issue, at most M per hour per
//!   repository; items below the thresholds, or over the hourly cap, wait in the approval queue.
//! - **Counts for linked issues**: when new customers report a linked problem, the issue gets
//!   one comment a day at most, with counts and never customer details.
//! - **Shipped**: a resolved item whose issue was closed by a commit is marked shipped when that
//!   commit first appears in a published release.

use chrono::{Duration, Utc};
use jetson_connectors::github::Client;
use jetson_domain::{Approval, IssueState, OrgId, WorkItemStatus};
use jetson_store::github::{self as store, RepoLink};
use jetson_store::work_items;

use super::{issues, repo_name};
use crate::state::AppState;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub created: usize,
    pub queued: usize,
    pub commented: usize,
    pub shipped: usize,
}

pub async fn auto_create(state: &AppState, org: OrgId, repo: &RepoLink, out: &mut Outcome) -> anyhow::Result<()> {
    if !repo.auto_create {
        return Ok(());
    }
    let mut this_hour = store::created_since(&state.db, org, &repo.repo, Utc::now() - Duration::hours(1)).await?;
    for item in work_items::inbox(&state.db, org, Some(repo.product_id), None, 500).await? {
        let link = store::issue_link(&state.db, org, item.id).await?;
        if link.github_number.is_some()
            || link.github_pending_at.is_some()
            || link.approval == Some(Approval::Dismissed)
        {
            continue;
        }
        let confidence = work_items::confidence(&state.db, org, item.id).await?;
        let ready = item.customer_count >= repo.auto_min_customers && confidence >= repo.auto_min_confidence;
        if ready && this_hour < repo.auto_max_per_hour {
            let draft = issues::draft_for(state, org, item.id).await?;
            match issues::create(state, org, item.id, &draft, "auto").await {
                Ok(_) => {
                    out.created += 1;
                    this_hour += 1;
                }
                Err(e) => {
                    tracing::warn!(item = %item.id, error = %format!("{e:#}"), "github.auto_create.failed");
                    store::set_approval(&state.db, org, item.id, Some(Approval::Waiting)).await?;
                    out.queued += 1;
                }
            }
        } else if link.approval.is_none() {
            store::set_approval(&state.db, org, item.id, Some(Approval::Waiting)).await?;
            out.queued += 1;
        }
    }
    Ok(())
}

/// The comment that tells a linked issue how many more customers reported it.
pub fn count_comment(new: i64, total: i64, companies: i64) -> String {
    format!(
        "{new} more customer{} reported this through support. In all, {total} distinct customer{} at {companies} compan{} ({}).",
        if new == 1 { "" } else { "s" },
        if total == 1 { "" } else { "s" },
        if companies == 1 { "y" } else { "ies" },
        "counted by Jetson; no customer details are shared here"
    )
}

pub async fn comment_counts(
    state: &AppState,
    org: OrgId,
    gh: &Client,
    repo: &RepoLink,
    out: &mut Outcome,
) -> anyhow::Result<()> {
    let day_ago = Utc::now() - Duration::days(1);
    for link in store::linked_items(&state.db, org, &repo.repo).await? {
        let told = link.github_told_customers.unwrap_or(0);
        let recent = link.github_commented_at.is_some_and(|t| t > day_ago);
        if link.customer_count <= told || recent || link.github_state != Some(IssueState::Open) {
            continue;
        }
        let (Some(number), Some(r)) = (link.github_number, link.github_repo.as_deref()) else { continue };
        let w = work_items::get(&state.db, org, link.id).await?;
        let counts = count_comment(link.customer_count - told, link.customer_count, w.company_count);
        let text = jetson_privacy::Redactor.redact(&counts, &jetson_privacy::Known::default()).text;
        gh.comment(&repo_name(r)?, number as u64, &text).await?;
        store::set_commented(&state.db, org, link.id, link.customer_count).await?;
        out.commented += 1;
    }
    Ok(())
}

pub async fn check_shipped(
    state: &AppState,
    org: OrgId,
    gh: &Client,
    repo: &RepoLink,
    out: &mut Outcome,
) -> anyhow::Result<()> {
    let waiting: Vec<_> = store::linked_items(&state.db, org, &repo.repo)
        .await?
        .into_iter()
        .filter(|l| l.status == WorkItemStatus::Resolved && l.github_state == Some(IssueState::Closed))
        .filter(|l| l.shipped_release.is_none())
        .collect();
    if waiting.is_empty() {
        return Ok(());
    }
    let name = repo_name(&repo.repo)?;
    let releases = gh.releases(&name).await?;
    for link in waiting {
        let Some(number) = link.github_number else { continue };
        let sha = match link.github_closing_commit.clone() {
            Some(s) => Some(s),
            None => {
                let found = gh.closing_commit(&name, number as u64).await?;
                store::set_closing_commit(&state.db, org, link.id, found.as_deref()).await?;
                found
            }
        };
        // Closed by hand: nothing says which code fixed it, so nothing can say it shipped.
        let Some(sha) = sha else { continue };
        for r in &releases {
            if gh.tag_contains(&name, &r.tag_name, &sha).await? {
                let at = r.published_at.unwrap_or_else(Utc::now);
                if store::set_shipped(&state.db, org, link.id, r.title(), at).await? {
                    out.shipped += 1;
                }
                break;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_count_comment_has_counts_and_no_one_in_it() {
        assert_eq!(
            super::count_comment(1, 5, 3),
            "1 more customer reported this through support. In all, 5 distinct customers at 3 companies (counted by Jetson; no customer details are shared here)."
        );
    }
}
