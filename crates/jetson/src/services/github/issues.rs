//! Creating an issue for a work item (once, whatever happens on the way), linking an existing
//! one instead, finding the issues a new item may duplicate, and pushing a status change made in
//! Jetson to the issue.

use anyhow::Context;
use chrono::{Duration, Utc};
use jetson_analysis::matcher::MatchIndex;
use jetson_connectors::github::types::{Issue, NewIssue};
use jetson_connectors::github::{Client, Error};
use jetson_domain::{IssueState, OrgId, WorkItemId, WorkItemStatus};
use jetson_privacy::{Known, Redactor};
use jetson_store::github::{self as store, Linked, RepoLink};
use jetson_store::github_issues::{self, RepoIssue};
use jetson_store::{reports, work_items};

use super::draft::{self, Draft};
use super::{client, connection, marker, repo_name};
use crate::state::AppState;

/// A create whose answer never came is looked for after this long before it is tried again.
const CLAIM_STALE_SECS: i64 = 120;
/// Closed issues younger than this are still offered for linking.
const RECENTLY_CLOSED_DAYS: i64 = 90;
/// Below this similarity an issue is not offered as a duplicate.
const SUGGEST_AT: f64 = 0.2;

/// The product's repository for a work item, or an error that says how to link one.
pub async fn repo_of(state: &AppState, org: OrgId, item: WorkItemId) -> anyhow::Result<RepoLink> {
    let w = work_items::get(&state.db, org, item).await?;
    store::repo_for_product(&state.db, org, w.product_id)
        .await?
        .with_context(|| format!("{} has no GitHub repository: pick one in Settings → Integrations", w.product_name))
}

/// The draft for an item, from the product's rules.
pub async fn draft_for(state: &AppState, org: OrgId, item: WorkItemId) -> anyhow::Result<Draft> {
    let repo = repo_of(state, org, item).await?;
    let w = work_items::get(&state.db, org, item).await?;
    let reports = reports::for_work_item(&state.db, org, item).await?;
    let companies = work_items::companies(&state.db, org, item).await?.len();
    Ok(draft::draft(&w, &reports, companies, &repo.label_map, &repo.issue_instructions))
}

#[derive(Debug)]
pub enum Created {
    Created(Issue),
    /// A previous attempt had made it after all; it is now linked.
    Found(Issue),
}

impl Created {
    pub fn issue(&self) -> &Issue {
        match self {
            Created::Created(i) | Created::Found(i) => i,
        }
    }
}

/// Creates the item's issue, at most once. An attempt whose outcome is unknown (a timeout, a 5xx
/// after the request went out) is never repeated blindly: Jetson first looks for the issue by the
/// marker every body carries, and only creates when it is not there.
pub async fn create(state: &AppState, org: OrgId, item: WorkItemId, d: &Draft, by: &str) -> anyhow::Result<Created> {
    let repo = repo_of(state, org, item).await?;
    let name = repo_name(&repo.repo)?;
    let conn = connection(state, org).await?;
    let gh = client(state, &conn)?;
    let link = store::issue_link(&state.db, org, item).await?;
    if link.github_number.is_some() {
        anyhow::bail!("this work item already has an issue");
    }
    if let Some(pending) = link.github_pending_at
        && let Some(found) = find_created(&gh, &repo, item, pending - Duration::minutes(5)).await?
    {
        save_link(state, org, item, &repo.repo, &found, by, link.customer_count).await?;
        return Ok(Created::Found(found));
    }
    let stale = Utc::now() - Duration::seconds(CLAIM_STALE_SECS);
    if !store::claim_creation(&state.db, org, item, stale).await? {
        anyhow::bail!("an issue for this work item is being created; look again in a minute");
    }
    // A person may have typed anything into the draft: it goes through the privacy step as it
    // leaves. Only Jetson's own link and marker are added after it.
    let own = format!(
        "\n\n[Open the work item in Jetson]({}/items/{item})\n{}\n",
        state.settings.public_base(),
        marker(item)
    );
    let new = NewIssue {
        title: Redactor.redact(&d.title, &Known::default()).text,
        body: Redactor.redact(d.body.trim_end(), &Known::default()).text.followed_by_own(&own),
        labels: d.labels.clone(),
    };
    let outcome = gh.create_issue(&name, &new).await;
    let outcome = match outcome {
        Ok(issue) => Ok(Created::Created(issue)),
        Err(Error::Uncertain(why)) => match find_created(&gh, &repo, item, Utc::now() - Duration::minutes(10)).await {
            Ok(Some(found)) => Ok(Created::Found(found)),
            // The claim stays: the next attempt looks again before it creates.
            Ok(None) | Err(_) => Err(anyhow::anyhow!(
                "GitHub did not confirm the new issue ({why}); Jetson will look for it before trying again"
            )),
        },
        Err(e) => {
            store::release_claim(&state.db, org, item).await?;
            Err(anyhow::Error::new(e).context(format!("the issue was not created in {}", repo.repo)))
        }
    };
    if let Ok(created) = &outcome {
        save_link(state, org, item, &repo.repo, created.issue(), by, link.customer_count).await?;
    }
    super::record(state, org, &gh, outcome.as_ref().map(|_| ())).await?;
    outcome
}

async fn find_created(
    gh: &Client,
    repo: &RepoLink,
    item: WorkItemId,
    since: chrono::DateTime<Utc>,
) -> anyhow::Result<Option<Issue>> {
    let mark = marker(item);
    let recent = gh.recent_issues(&repo_name(&repo.repo)?, since).await?;
    Ok(recent.into_iter().find(|i| i.body.as_deref().is_some_and(|b| b.contains(&mark))))
}

async fn save_link(
    state: &AppState,
    org: OrgId,
    item: WorkItemId,
    repo: &str,
    issue: &Issue,
    by: &str,
    customers: i64,
) -> anyhow::Result<()> {
    let l = Linked {
        repo,
        number: issue.number as i64,
        url: &issue.html_url,
        state: super::state_of(issue),
        by,
        customers,
    };
    store::set_issue(&state.db, org, item, l).await?;
    Ok(())
}

/// Links an existing issue of the product's repository instead of creating one.
pub async fn link(state: &AppState, org: OrgId, item: WorkItemId, number: u64) -> anyhow::Result<Issue> {
    let repo = repo_of(state, org, item).await?;
    let conn = connection(state, org).await?;
    let gh = client(state, &conn)?;
    let issue = gh
        .issue(&repo_name(&repo.repo)?, number)
        .await?
        .with_context(|| format!("{}#{number} does not exist", repo.repo))?;
    anyhow::ensure!(!issue.is_pull_request(), "{}#{number} is a pull request, not an issue", repo.repo);
    let w = work_items::get(&state.db, org, item).await?;
    save_link(state, org, item, &repo.repo, &issue, "linked", w.customer_count).await?;
    Ok(issue)
}

pub async fn unlink(state: &AppState, org: OrgId, item: WorkItemId) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    store::unlink_issue(&mut tx, org, item).await?;
    tx.commit().await?;
    Ok(())
}

/// Issues of the repository (open, or closed lately) that look like the same problem, best
/// first: what the item page offers to link instead of creating a duplicate.
pub async fn suggestions(state: &AppState, org: OrgId, item: WorkItemId) -> anyhow::Result<Vec<(RepoIssue, f64)>> {
    let Ok(repo) = repo_of(state, org, item).await else { return Ok(Vec::new()) };
    let w = work_items::get(&state.db, org, item).await?;
    let issues =
        github_issues::candidate_issues(&state.db, org, &repo.repo, Utc::now() - Duration::days(RECENTLY_CLOSED_DAYS))
            .await?;
    if issues.is_empty() {
        return Ok(Vec::new());
    }
    let mut index: MatchIndex<i64> = MatchIndex::new();
    for i in &issues {
        index.add(i.number, i.number, w.category, &format!("{} {}", i.title, i.body));
    }
    let reports = reports::for_work_item(&state.db, org, item).await?;
    let text = std::iter::once(format!("{} {}", w.title, w.description))
        .chain(reports.iter().take(10).map(|r| r.match_text.clone()))
        .collect::<Vec<_>>()
        .join(" ");
    let ranked = index.rank(w.category, &text, 3);
    Ok(ranked
        .into_iter()
        .filter(|(_, s)| *s >= SUGGEST_AT)
        .filter_map(|(n, s)| issues.iter().find(|i| i.number == n).map(|i| (i.clone(), s)))
        .collect())
}

/// What a status set in Jetson means for the linked issue: resolved closes it as completed,
/// deferred as not planned, open or in progress reopens it.
pub fn issue_state_for(status: WorkItemStatus) -> (IssueState, Option<&'static str>) {
    match status {
        WorkItemStatus::Resolved => (IssueState::Closed, Some("completed")),
        WorkItemStatus::Deferred => (IssueState::Closed, Some("not_planned")),
        WorkItemStatus::Open | WorkItemStatus::InProgress => (IssueState::Open, None),
    }
}

/// Brings the linked issue in line with the item's status (a job runs this after a change made
/// in Jetson; changes that came from GitHub queue no job, so they never echo back).
pub async fn push_status(state: &AppState, org: OrgId, item: WorkItemId) -> anyhow::Result<()> {
    let link = store::issue_link(&state.db, org, item).await?;
    let (Some(repo), Some(number)) = (link.github_repo.as_deref(), link.github_number) else { return Ok(()) };
    let (want, reason) = issue_state_for(link.status);
    // A closed issue is patched again: resolved and deferred close it for different reasons.
    if want == IssueState::Open && link.github_state == Some(IssueState::Open) {
        return Ok(());
    }
    let conn = connection(state, org).await?;
    let gh = client(state, &conn)?;
    let result = gh.set_issue_state(&repo_name(repo)?, number as u64, want.as_str(), reason).await;
    let outcome = match result {
        Ok(issue) => {
            let mut tx = state.db.begin().await?;
            store::update_issue(&mut tx, org, item, repo, number, &issue.html_url, super::state_of(&issue)).await?;
            tx.commit().await?;
            Ok(())
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!("{repo}#{number} was not updated"))),
    };
    super::record(state, org, &gh, outcome.as_ref().copied()).await?;
    outcome
}
