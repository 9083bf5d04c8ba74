//! A GitHub repository's own issues, as Jetson keeps them for "link instead of duplicate": read
//! by the poll and by webhooks, matched against new work items.

use chrono::{DateTime, Utc};
use jetson_domain::OrgId;

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, Tx};

/// One of a repository's issues as Jetson keeps it for matching.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RepoIssue {
    pub repo: String,
    pub number: i64,
    pub title: String,
    pub body: String,
    pub state: String,
    /// JSON list of label names.
    pub labels: String,
    pub html_url: String,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

pub async fn upsert_issues(tx: &mut Tx, org: OrgId, issues: &[RepoIssue]) -> Result<()> {
    let sql =
        "INSERT INTO github_issues (org_id, repo, number, title, body, state, labels, html_url, updated_at, closed_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
               ON CONFLICT (org_id, repo, number) DO UPDATE SET title = excluded.title, body = excluded.body,
                 state = excluded.state, labels = excluded.labels, html_url = excluded.html_url,
                 updated_at = excluded.updated_at, closed_at = excluded.closed_at
               WHERE excluded.updated_at >= github_issues.updated_at";
    for i in issues {
        on_tx!(tx, |c| sqlx::query(sql)
            .bind(org.as_uuid())
            .bind(&i.repo)
            .bind(i.number)
            .bind(&i.title)
            .bind(&i.body)
            .bind(&i.state)
            .bind(&i.labels)
            .bind(&i.html_url)
            .bind(i.updated_at)
            .bind(i.closed_at)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// When GitHub last changed the issue, as far as Jetson has heard; None when Jetson has no copy.
pub async fn updated_at(db: &Db, org: OrgId, repo: &str, number: i64) -> Result<Option<DateTime<Utc>>> {
    let sql = "SELECT updated_at FROM github_issues WHERE org_id = $1 AND lower(repo) = lower($2) AND number = $3";
    Ok(on_pool!(db, |p| sqlx::query_scalar(sql).bind(org.as_uuid()).bind(repo).bind(number).fetch_optional(p).await)?)
}

pub async fn delete_repo_issue(tx: &mut Tx, org: OrgId, repo: &str, number: i64) -> Result<()> {
    let sql = "DELETE FROM github_issues WHERE org_id = $1 AND lower(repo) = lower($2) AND number = $3";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(org.as_uuid())
        .bind(repo)
        .bind(number)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Open issues and those closed since `closed_since`: what a new work item may duplicate.
pub async fn candidate_issues(db: &Db, org: OrgId, repo: &str, closed_since: DateTime<Utc>) -> Result<Vec<RepoIssue>> {
    let sql = "SELECT repo, number, title, body, state, labels, html_url, updated_at, closed_at FROM github_issues
               WHERE org_id = $1 AND lower(repo) = lower($2) AND (state = 'open' OR closed_at >= $3)
               ORDER BY number DESC";
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(repo).bind(closed_since).fetch_all(p).await)?)
}

pub async fn count_issues(db: &Db, org: OrgId, repo: &str) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM github_issues WHERE org_id = $1 AND lower(repo) = lower($2)";
    Ok(on_pool!(db, |p| sqlx::query_scalar(sql).bind(org.as_uuid()).bind(repo).fetch_one(p).await)?)
}
