//! GitHub: the organisation's connection, each product's repository and rules, each work item's
//! issue (and the release that shipped its fix), and webhook deliveries already handled; the
//! repositories' own issues are in [`crate::github_issues`]. Secrets arrive here already
//! encrypted; this module never sees them in the clear.

use chrono::{DateTime, Utc};
use jetson_domain::{Approval, IssueState, OrgId, ProductId, WorkItemId, WorkItemStatus};

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, StoreError, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Connection {
    #[sqlx(try_from = "uuid::Uuid")]
    pub org_id: OrgId,
    /// Public and unguessable: it names the connection in the webhook URL.
    pub id: uuid::Uuid,
    /// `token` or `app`.
    pub kind: String,
    pub token_enc: Option<String>,
    pub app_id: Option<i64>,
    pub installation_id: Option<i64>,
    pub private_key_enc: Option<String>,
    pub webhook_secret_enc: String,
    pub identity: Option<String>,
    pub scopes: Option<String>,
    pub rate_limit: Option<i64>,
    pub rate_remaining: Option<i64>,
    pub rate_reset_at: Option<DateTime<Utc>>,
    pub checked_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

const CONNECTION: &str = "org_id, id, kind, token_enc, app_id, installation_id, private_key_enc, webhook_secret_enc,
    identity, scopes, rate_limit, rate_remaining, rate_reset_at, checked_at, last_error, last_error_at, created_at";

pub struct NewConnection<'a> {
    pub kind: &'a str,
    pub token_enc: Option<&'a str>,
    pub app_id: Option<i64>,
    pub installation_id: Option<i64>,
    pub private_key_enc: Option<&'a str>,
    /// Kept when the organisation reconnects, so registered webhooks keep verifying.
    pub webhook_secret_enc: &'a str,
}

pub async fn connection(db: &Db, org: OrgId) -> Result<Option<Connection>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {CONNECTION} FROM github_connections WHERE org_id = $1"));
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).fetch_optional(p).await)?)
}

pub async fn connection_by_id(db: &Db, id: uuid::Uuid) -> Result<Option<Connection>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {CONNECTION} FROM github_connections WHERE id = $1"));
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(id).fetch_optional(p).await)?)
}

pub async fn connections(db: &Db) -> Result<Vec<Connection>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {CONNECTION} FROM github_connections ORDER BY created_at"));
    Ok(on_pool!(db, |p| sqlx::query_as(sql).fetch_all(p).await)?)
}

/// Creates or replaces the organisation's connection; returns its id (the same one on reconnect).
pub async fn save_connection(db: &Db, org: OrgId, c: NewConnection<'_>) -> Result<uuid::Uuid> {
    let sql = "INSERT INTO github_connections (org_id, id, kind, token_enc, app_id, installation_id, private_key_enc,
                 webhook_secret_enc, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
               ON CONFLICT (org_id) DO UPDATE SET kind = excluded.kind, token_enc = excluded.token_enc,
                 app_id = excluded.app_id, installation_id = excluded.installation_id,
                 private_key_enc = excluded.private_key_enc, identity = NULL, scopes = NULL,
                 last_error = NULL, last_error_at = NULL
               RETURNING id";
    Ok(on_pool!(db, |p| sqlx::query_scalar(sql)
        .bind(org.as_uuid())
        .bind(uuid::Uuid::now_v7())
        .bind(c.kind)
        .bind(c.token_enc)
        .bind(c.app_id)
        .bind(c.installation_id)
        .bind(c.private_key_enc)
        .bind(c.webhook_secret_enc)
        .bind(crate::now())
        .fetch_one(p)
        .await)?)
}

pub async fn delete_connection(db: &Db, org: OrgId) -> Result<()> {
    let sql = "DELETE FROM github_connections WHERE org_id = $1";
    on_pool!(db, |p| sqlx::query(sql).bind(org.as_uuid()).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// What the last call to GitHub showed: who the credentials are, what they may do, and the
/// budget left. A success clears the last error.
pub struct Health<'a> {
    pub identity: Option<&'a str>,
    pub scopes: Option<&'a str>,
    pub rate_limit: Option<i64>,
    pub rate_remaining: Option<i64>,
    pub rate_reset_at: Option<DateTime<Utc>>,
}

pub async fn record_health(db: &Db, org: OrgId, h: Health<'_>) -> Result<()> {
    let sql = "UPDATE github_connections SET identity = COALESCE($1, identity), scopes = COALESCE($2, scopes),
                 rate_limit = COALESCE($3, rate_limit), rate_remaining = COALESCE($4, rate_remaining),
                 rate_reset_at = COALESCE($5, rate_reset_at), checked_at = $6, last_error = NULL, last_error_at = NULL
               WHERE org_id = $7";
    on_pool!(db, |p| sqlx::query(sql)
        .bind(h.identity)
        .bind(h.scopes)
        .bind(h.rate_limit)
        .bind(h.rate_remaining)
        .bind(h.rate_reset_at)
        .bind(crate::now())
        .bind(org.as_uuid())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn record_error(db: &Db, org: OrgId, message: &str) -> Result<()> {
    let sql = "UPDATE github_connections SET last_error = $1, last_error_at = $2 WHERE org_id = $3";
    on_pool!(db, |p| sqlx::query(sql)
        .bind(message)
        .bind(crate::now())
        .bind(org.as_uuid())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A product's repository and what Jetson may do in it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RepoLink {
    #[sqlx(try_from = "uuid::Uuid")]
    pub product_id: ProductId,
    pub product_name: String,
    #[sqlx(try_from = "uuid::Uuid")]
    pub org_id: OrgId,
    pub repo: String,
    /// JSON: category or priority → labels.
    pub label_map: String,
    /// JSON: repository label → category, for training.
    pub training_map: String,
    pub issue_instructions: String,
    pub auto_create: bool,
    pub auto_min_customers: i64,
    pub auto_min_confidence: f64,
    pub auto_max_per_hour: i64,
    pub webhook_id: Option<i64>,
    pub webhook_state: Option<String>,
    pub issues_etag: Option<String>,
    pub polled_at: Option<DateTime<Utc>>,
}

const REPO: &str = "SELECT g.product_id, p.name AS product_name, g.org_id, g.repo, g.label_map, g.training_map,
    g.issue_instructions, g.auto_create, g.auto_min_customers, g.auto_min_confidence, g.auto_max_per_hour,
    g.webhook_id, g.webhook_state, g.issues_etag, g.polled_at
    FROM github_repos g JOIN products p ON p.id = g.product_id ";

pub async fn repo_for_product(db: &Db, org: OrgId, product: ProductId) -> Result<Option<RepoLink>> {
    let sql = sqlx::AssertSqlSafe(format!("{REPO} WHERE g.org_id = $1 AND g.product_id = $2"));
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(product.as_uuid()).fetch_optional(p).await)?)
}

pub async fn repos(db: &Db, org: OrgId) -> Result<Vec<RepoLink>> {
    let sql = sqlx::AssertSqlSafe(format!("{REPO} WHERE g.org_id = $1 ORDER BY p.name"));
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).fetch_all(p).await)?)
}

/// The products that use `repo` (a webhook names the repository, not the product).
pub async fn repos_named(db: &Db, org: OrgId, repo: &str) -> Result<Vec<RepoLink>> {
    let sql = sqlx::AssertSqlSafe(format!("{REPO} WHERE g.org_id = $1 AND lower(g.repo) = lower($2)"));
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(repo).fetch_all(p).await)?)
}

/// Links (or relinks) a product to a repository with default rules.
pub async fn link_repo(
    db: &Db,
    org: OrgId,
    product: ProductId,
    repo: &str,
    label_map: &str,
    training_map: &str,
) -> Result<()> {
    let sql = "INSERT INTO github_repos (product_id, org_id, repo, label_map, training_map, created_at)
               SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM products WHERE id = $1 AND org_id = $2)
               ON CONFLICT (product_id) DO UPDATE SET repo = excluded.repo, webhook_id = NULL, webhook_state = NULL,
                 issues_etag = NULL, polled_at = NULL";
    let n = on_pool!(db, |p| sqlx::query(sql)
        .bind(product.as_uuid())
        .bind(org.as_uuid())
        .bind(repo)
        .bind(label_map)
        .bind(training_map)
        .bind(crate::now())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

pub async fn unlink_repo(db: &Db, org: OrgId, product: ProductId) -> Result<()> {
    let sql = "DELETE FROM github_repos WHERE org_id = $1 AND product_id = $2";
    on_pool!(db, |p| sqlx::query(sql)
        .bind(org.as_uuid())
        .bind(product.as_uuid())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub struct Rules<'a> {
    pub label_map: &'a str,
    pub training_map: &'a str,
    pub issue_instructions: &'a str,
    pub auto_create: bool,
    pub auto_min_customers: i64,
    pub auto_min_confidence: f64,
    pub auto_max_per_hour: i64,
}

pub async fn save_rules(db: &Db, org: OrgId, product: ProductId, r: Rules<'_>) -> Result<()> {
    let sql = "UPDATE github_repos SET label_map = $1, training_map = $2, issue_instructions = $3, auto_create = $4,
                 auto_min_customers = $5, auto_min_confidence = $6, auto_max_per_hour = $7
               WHERE org_id = $8 AND product_id = $9";
    let n = on_pool!(db, |p| sqlx::query(sql)
        .bind(r.label_map)
        .bind(r.training_map)
        .bind(r.issue_instructions)
        .bind(r.auto_create)
        .bind(r.auto_min_customers)
        .bind(r.auto_min_confidence)
        .bind(r.auto_max_per_hour)
        .bind(org.as_uuid())
        .bind(product.as_uuid())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

pub async fn set_repo_webhook(db: &Db, org: OrgId, product: ProductId, id: Option<i64>, state: &str) -> Result<()> {
    let sql = "UPDATE github_repos SET webhook_id = $1, webhook_state = $2 WHERE org_id = $3 AND product_id = $4";
    on_pool!(db, |p| sqlx::query(sql)
        .bind(id)
        .bind(state)
        .bind(org.as_uuid())
        .bind(product.as_uuid())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// After a poll: the first page's ETag (for the next conditional read) and when.
pub async fn set_polled(db: &Db, org: OrgId, repo: &str, etag: Option<&str>) -> Result<()> {
    let sql = "UPDATE github_repos SET issues_etag = COALESCE($1, issues_etag), polled_at = $2
               WHERE org_id = $3 AND lower(repo) = lower($4)";
    on_pool!(db, |p| sqlx::query(sql)
        .bind(etag)
        .bind(crate::now())
        .bind(org.as_uuid())
        .bind(repo)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A work item's side of its GitHub issue: the item's status and count, and its `issue_links`
/// row (every field `None` when it has none).
#[derive(Debug, Clone)]
pub struct IssueLink {
    pub id: WorkItemId,
    pub product_id: ProductId,
    pub status: WorkItemStatus,
    pub customer_count: i64,
    pub github_repo: Option<String>,
    pub github_number: Option<i64>,
    pub github_url: Option<String>,
    pub github_state: Option<IssueState>,
    /// `created`, `auto` or `linked`.
    pub github_linked_by: Option<String>,
    pub github_created_at: Option<DateTime<Utc>>,
    pub github_pending_at: Option<DateTime<Utc>>,
    pub github_closing_commit: Option<String>,
    pub github_told_customers: Option<i64>,
    pub github_commented_at: Option<DateTime<Utc>>,
    pub shipped_release: Option<String>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub approval: Option<Approval>,
}

/// The row as read; the states are parsed into [`IssueLink`]'s types (an unknown one is an error).
#[derive(sqlx::FromRow)]
struct LinkRow {
    #[sqlx(try_from = "uuid::Uuid")]
    id: WorkItemId,
    #[sqlx(try_from = "uuid::Uuid")]
    product_id: ProductId,
    #[sqlx(try_from = "String")]
    status: WorkItemStatus,
    customer_count: i64,
    repo: Option<String>,
    number: Option<i64>,
    url: Option<String>,
    state: Option<String>,
    linked_by: Option<String>,
    created_at: Option<DateTime<Utc>>,
    pending_at: Option<DateTime<Utc>>,
    closing_commit: Option<String>,
    told_customers: Option<i64>,
    commented_at: Option<DateTime<Utc>>,
    shipped_release: Option<String>,
    shipped_at: Option<DateTime<Utc>>,
    approval: Option<String>,
}

impl TryFrom<LinkRow> for IssueLink {
    type Error = StoreError;

    fn try_from(r: LinkRow) -> Result<IssueLink> {
        let parse_err = |e: jetson_domain::ParseError| StoreError::Invalid(e.0);
        Ok(IssueLink {
            id: r.id,
            product_id: r.product_id,
            status: r.status,
            customer_count: r.customer_count,
            github_repo: r.repo,
            github_number: r.number,
            github_url: r.url,
            github_state: r.state.as_deref().map(IssueState::parse).transpose().map_err(parse_err)?,
            github_linked_by: r.linked_by,
            github_created_at: r.created_at,
            github_pending_at: r.pending_at,
            github_closing_commit: r.closing_commit,
            github_told_customers: r.told_customers,
            github_commented_at: r.commented_at,
            shipped_release: r.shipped_release,
            shipped_at: r.shipped_at,
            approval: r.approval.as_deref().map(Approval::parse).transpose().map_err(parse_err)?,
        })
    }
}

fn links(rows: Vec<LinkRow>) -> Result<Vec<IssueLink>> {
    rows.into_iter().map(IssueLink::try_from).collect()
}

const LINK: &str = "SELECT w.id, w.product_id, w.status, w.customer_count, l.repo, l.number, l.url, l.state,
    l.linked_by, l.created_at, l.pending_at, l.closing_commit, l.told_customers, l.commented_at, l.shipped_release,
    l.shipped_at, l.approval
    FROM work_items w LEFT JOIN issue_links l ON l.work_item_id = w.id ";

pub async fn issue_link(db: &Db, org: OrgId, item: WorkItemId) -> Result<IssueLink> {
    let sql = sqlx::AssertSqlSafe(format!("{LINK} WHERE w.org_id = $1 AND w.id = $2"));
    let row: LinkRow =
        on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(item.as_uuid()).fetch_one(p).await)?;
    row.try_into()
}

pub async fn issue_link_in_tx(tx: &mut Tx, org: OrgId, item: WorkItemId) -> Result<IssueLink> {
    let sql = sqlx::AssertSqlSafe(format!("{LINK} WHERE w.org_id = $1 AND w.id = $2"));
    let row: LinkRow = on_tx!(tx, |c| sqlx::query_as(sql).bind(org.as_uuid()).bind(item.as_uuid()).fetch_one(c).await)?;
    row.try_into()
}

/// The work items linked to an issue (normally one).
pub async fn items_for_issue(db: &Db, org: OrgId, repo: &str, number: i64) -> Result<Vec<IssueLink>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{LINK} WHERE w.org_id = $1 AND lower(l.repo) = lower($2) AND l.number = $3 AND w.merged_into IS NULL"
    ));
    links(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(repo).bind(number).fetch_all(p).await)?)
}

/// Every live work item linked to an issue in `repo`.
pub async fn linked_items(db: &Db, org: OrgId, repo: &str) -> Result<Vec<IssueLink>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{LINK} WHERE w.org_id = $1 AND lower(l.repo) = lower($2) AND l.number IS NOT NULL
           AND w.merged_into IS NULL ORDER BY w.id"
    ));
    links(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(repo).fetch_all(p).await)?)
}

/// Writes to a work item's link, creating its row when it has none: `INSERT … SELECT $1, $2, …
/// WHERE the item is the organisation's … ON CONFLICT DO UPDATE`. `$1` is the item, `$2` the
/// organisation; `columns` and `values` the new row's, `update` the conflict's `SET`.
fn upsert(columns: &str, values: &str, update: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!(
        "INSERT INTO issue_links (work_item_id, org_id, {columns}) SELECT $1, $2, {values}
         WHERE EXISTS (SELECT 1 FROM work_items WHERE id = $1 AND org_id = $2)
         ON CONFLICT (work_item_id) DO UPDATE SET {update}"
    ))
}

/// Claims the right to create an issue for an item: false when it already has one or another
/// attempt is in flight. An attempt older than `stale` is taken over (its answer never came).
pub async fn claim_creation(db: &Db, org: OrgId, item: WorkItemId, stale: DateTime<Utc>) -> Result<bool> {
    let sql = upsert(
        "pending_at",
        "$3",
        "pending_at = excluded.pending_at
         WHERE issue_links.number IS NULL AND (issue_links.pending_at IS NULL OR issue_links.pending_at < $4)",
    );
    let n = on_pool!(db, |p| sqlx::query(sql)
        .bind(item.as_uuid())
        .bind(org.as_uuid())
        .bind(crate::now())
        .bind(stale)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Sets the link's columns named in `set` (binding `$3`, `$4`, … in order) where the item has a
/// link and `when` (SQL, or empty) holds; returns how many rows changed (0 or 1).
async fn update(tx: &mut Tx, org: OrgId, item: WorkItemId, set: &str, when: &str, binds: &[Bind<'_>]) -> Result<u64> {
    let when = if when.is_empty() { String::new() } else { format!(" AND ({when})") };
    let sql =
        sqlx::AssertSqlSafe(format!("UPDATE issue_links SET {set} WHERE work_item_id = $1 AND org_id = $2{when}"));
    Ok(on_tx!(tx, |c| {
        let mut q = sqlx::query(sql).bind(item.as_uuid()).bind(org.as_uuid());
        for b in binds {
            q = match b {
                Bind::Text(t) => q.bind(*t),
                Bind::Int(i) => q.bind(*i),
                Bind::Time(t) => q.bind(*t),
            };
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?)
}

/// [`update`] in a transaction of its own.
async fn update_alone(db: &Db, org: OrgId, item: WorkItemId, set: &str, when: &str, binds: &[Bind<'_>]) -> Result<u64> {
    let mut tx = db.begin().await?;
    let n = update(&mut tx, org, item, set, when, binds).await?;
    tx.commit().await?;
    Ok(n)
}

/// A value for [`update`]: the link's columns are text, numbers and times.
enum Bind<'a> {
    Text(Option<&'a str>),
    Int(Option<i64>),
    Time(Option<DateTime<Utc>>),
}

pub async fn release_claim(db: &Db, org: OrgId, item: WorkItemId) -> Result<()> {
    update_alone(db, org, item, "pending_at = NULL", "", &[]).await?;
    Ok(())
}

pub struct Linked<'a> {
    pub repo: &'a str,
    pub number: i64,
    pub url: &'a str,
    pub state: IssueState,
    /// `created`, `auto` or `linked`.
    pub by: &'a str,
    /// How many customers the issue was told about when linked.
    pub customers: i64,
}

/// Links the item to an issue, starting its link afresh (a release it shipped in stays).
pub async fn set_issue(db: &Db, org: OrgId, item: WorkItemId, l: Linked<'_>) -> Result<()> {
    let created = (l.by != "linked").then(crate::now);
    let sql = upsert(
        "repo, number, url, state, linked_by, created_at, told_customers",
        "$3, $4, $5, $6, $7, $8, $9",
        "repo = excluded.repo, number = excluded.number, url = excluded.url, state = excluded.state,
         linked_by = excluded.linked_by, created_at = excluded.created_at, pending_at = NULL,
         told_customers = excluded.told_customers, commented_at = NULL, closing_commit = NULL, approval = NULL",
    );
    let n = on_pool!(db, |p| sqlx::query(sql)
        .bind(item.as_uuid())
        .bind(org.as_uuid())
        .bind(l.repo)
        .bind(l.number)
        .bind(l.url)
        .bind(l.state.as_str())
        .bind(l.by)
        .bind(created)
        .bind(l.customers)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// The issue moved (transferred) or changed state on GitHub.
pub async fn update_issue(
    tx: &mut Tx,
    org: OrgId,
    item: WorkItemId,
    repo: &str,
    number: i64,
    url: &str,
    state: IssueState,
) -> Result<()> {
    let binds =
        [Bind::Text(Some(repo)), Bind::Int(Some(number)), Bind::Text(Some(url)), Bind::Text(Some(state.as_str()))];
    update(tx, org, item, "repo = $3, number = $4, url = $5, state = $6", "", &binds).await?;
    Ok(())
}

/// The issue is gone (deleted on GitHub, or unlinked by a person): the item keeps its history
/// of reports but no longer points anywhere.
pub async fn unlink_issue(tx: &mut Tx, org: OrgId, item: WorkItemId) -> Result<()> {
    let set = "repo = NULL, number = NULL, url = NULL, state = NULL, linked_by = NULL, pending_at = NULL,
               closing_commit = NULL";
    update(tx, org, item, set, "", &[]).await?;
    Ok(())
}

pub async fn set_closing_commit(db: &Db, org: OrgId, item: WorkItemId, sha: Option<&str>) -> Result<()> {
    update_alone(db, org, item, "closing_commit = $3", "", &[Bind::Text(sha)]).await?;
    Ok(())
}

/// Marks the fix shipped in a release, once: the first release that contains it wins.
pub async fn set_shipped(db: &Db, org: OrgId, item: WorkItemId, release: &str, at: DateTime<Utc>) -> Result<bool> {
    let binds = [Bind::Text(Some(release)), Bind::Time(Some(at))];
    let n =
        update_alone(db, org, item, "shipped_release = $3, shipped_at = $4", "shipped_release IS NULL", &binds).await?;
    Ok(n == 1)
}

/// A reopened issue's fix has not shipped after all.
pub async fn clear_shipped(tx: &mut Tx, org: OrgId, item: WorkItemId) -> Result<()> {
    update(tx, org, item, "shipped_release = NULL, shipped_at = NULL, closing_commit = NULL", "", &[]).await?;
    Ok(())
}

pub async fn set_commented(db: &Db, org: OrgId, item: WorkItemId, customers: i64) -> Result<()> {
    let binds = [Bind::Int(Some(customers)), Bind::Time(Some(crate::now()))];
    update_alone(db, org, item, "told_customers = $3, commented_at = $4", "", &binds).await?;
    Ok(())
}

/// Puts the item in the approval queue, dismisses it, or (`None`) neither.
pub async fn set_approval(db: &Db, org: OrgId, item: WorkItemId, approval: Option<Approval>) -> Result<()> {
    let sql = upsert("approval", "$3", "approval = excluded.approval");
    on_pool!(db, |p| sqlx::query(sql)
        .bind(item.as_uuid())
        .bind(org.as_uuid())
        .bind(approval.map(|a| a.as_str()))
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Issues Jetson created in `repo` since `since` (the hourly brake counts these).
pub async fn created_since(db: &Db, org: OrgId, repo: &str, since: DateTime<Utc>) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM issue_links WHERE org_id = $1 AND lower(repo) = lower($2) AND created_at >= $3";
    Ok(on_pool!(db, |p| sqlx::query_scalar(sql).bind(org.as_uuid()).bind(repo).bind(since).fetch_one(p).await)?)
}

pub async fn delivery_seen(db: &Db, delivery: &str) -> Result<bool> {
    let sql = "SELECT COUNT(*) FROM github_deliveries WHERE delivery_id = $1";
    let n: i64 = on_pool!(db, |p| sqlx::query_scalar(sql).bind(delivery).fetch_one(p).await)?;
    Ok(n > 0)
}

/// Records a webhook delivery; false when it was seen before (a replay, or GitHub's redelivery).
pub async fn record_delivery(tx: &mut Tx, org: OrgId, delivery: &str, event: &str) -> Result<bool> {
    let sql = "INSERT INTO github_deliveries (delivery_id, org_id, event, received_at) VALUES ($1, $2, $3, $4)
               ON CONFLICT (delivery_id) DO NOTHING";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(delivery)
        .bind(org.as_uuid())
        .bind(event)
        .bind(crate::now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
