//! People who sign in, and their memberships of organisations.

use chrono::{DateTime, Utc};
use jetson_domain::{Email, OrgId, Role, UserId};

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    #[sqlx(try_from = "uuid::Uuid")]
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, email, name, password_hash, created_at";

pub async fn create(tx: &mut Tx, email: &Email, name: &str, password_hash: &str) -> Result<User> {
    let sql = "INSERT INTO users (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)
               RETURNING id, email, name, password_hash, created_at";
    let (id, now) = (UserId::new().as_uuid(), crate::now());
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sql).bind(id).bind(email.as_str()).bind(name).bind(password_hash).bind(now).fetch_one(c).await
    })?)
}

pub async fn find_by_email(db: &Db, email: &Email) -> Result<Option<User>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM users WHERE email = $1"));
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(email.as_str()).fetch_optional(p).await)?)
}

pub async fn get(db: &Db, id: UserId) -> Result<User> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM users WHERE id = $1"));
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(id.as_uuid()).fetch_one(p).await)?)
}

pub async fn add_membership(tx: &mut Tx, org: OrgId, user: UserId, role: Role) -> Result<()> {
    let sql = "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
               ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role";
    let now = crate::now();
    on_tx!(tx, |c| {
        sqlx::query(sql)
            .bind(org.as_uuid())
            .bind(user.as_uuid())
            .bind(role.as_str())
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The organisations a user belongs to, oldest membership first, with their role in each.
pub async fn memberships(db: &Db, user: UserId) -> Result<Vec<(OrgId, Role)>> {
    let sql = "SELECT org_id, role FROM memberships WHERE user_id = $1 ORDER BY created_at";
    let rows: Vec<(uuid::Uuid, String)> =
        on_pool!(db, |p| sqlx::query_as(sql).bind(user.as_uuid()).fetch_all(p).await)?;
    rows.into_iter().map(|(o, r)| Ok((OrgId::from(o), Role::parse(&r)?))).collect()
}

pub async fn memberships_in_tx(tx: &mut Tx, user: UserId) -> Result<Vec<(OrgId, Role)>> {
    let sql = "SELECT org_id, role FROM memberships WHERE user_id = $1 ORDER BY created_at";
    let rows: Vec<(uuid::Uuid, String)> = on_tx!(tx, |c| sqlx::query_as(sql).bind(user.as_uuid()).fetch_all(c).await)?;
    rows.into_iter().map(|(o, r)| Ok((OrgId::from(o), Role::parse(&r)?))).collect()
}

pub async fn set_password(tx: &mut Tx, user: UserId, password_hash: &str) -> Result<()> {
    let sql = "UPDATE users SET password_hash = $1 WHERE id = $2";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(password_hash)
        .bind(user.as_uuid())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A member of an organisation as the members page lists them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Member {
    #[sqlx(try_from = "uuid::Uuid")]
    pub id: UserId,
    pub email: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub joined_at: DateTime<Utc>,
    pub two_factor: bool,
}

/// The organisation's members, owners first, then by name.
pub async fn members(db: &Db, org: OrgId) -> Result<Vec<Member>> {
    let sql = "SELECT u.id, u.email, u.name, m.role, m.created_at AS joined_at,
                      (u.totp_secret_enc IS NOT NULL) AS two_factor
               FROM memberships m JOIN users u ON u.id = m.user_id
               WHERE m.org_id = $1
               ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 WHEN 'member' THEN 2 ELSE 3 END, u.name";
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).fetch_all(p).await)?)
}

/// The person's role in the organisation, if they belong to it.
pub async fn role_in(db: &Db, org: OrgId, user: UserId) -> Result<Option<Role>> {
    let sql = "SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2";
    let role: Option<String> =
        on_pool!(db, |p| sqlx::query_scalar(sql).bind(org.as_uuid()).bind(user.as_uuid()).fetch_optional(p).await)?;
    role.map(|r| Role::parse(&r).map_err(Into::into)).transpose()
}

pub async fn count_owners(tx: &mut Tx, org: OrgId) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND role = 'owner'";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql).bind(org.as_uuid()).fetch_one(c).await)?)
}

/// Ends a membership and the person's sessions in that organisation; false when there was none.
pub async fn remove_membership(tx: &mut Tx, org: OrgId, user: UserId) -> Result<bool> {
    let sql = "DELETE FROM memberships WHERE org_id = $1 AND user_id = $2";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(org.as_uuid())
        .bind(user.as_uuid())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    let sessions = "DELETE FROM sessions WHERE org_id = $1 AND user_id = $2";
    on_tx!(tx, |c| sqlx::query(sessions)
        .bind(org.as_uuid())
        .bind(user.as_uuid())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
