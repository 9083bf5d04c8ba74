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
