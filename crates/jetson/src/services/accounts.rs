//! Creating organisations, people and API tokens (for `demo` and the admin CLI).

use anyhow::Context;
use chrono::{Duration, Utc};
use jetson_domain::{ApiTokenId, Email, OrgId, Role, Scope, UserId};
use jetson_store::{audit, orgs, tokens, users};

use crate::secret;
use crate::services::actions::Actor;
use crate::services::auth::password;
use crate::state::AppState;

/// The organisation with this name, created if missing.
pub async fn ensure_org(state: &AppState, name: &str) -> anyhow::Result<OrgId> {
    if let Some(org) = orgs::find_by_name(&state.db, name).await? {
        return Ok(org.id);
    }
    let mut tx = state.db.begin().await?;
    let org = orgs::create(&mut tx, name).await?;
    tx.commit().await?;
    Ok(org.id)
}

/// A user with a fresh random password, member of `org` with `role`. Returns the password, which
/// is shown once and stored only as an Argon2id hash. An existing user gets a new password.
pub async fn create_user(
    state: &AppState,
    org: OrgId,
    email: &Email,
    name: &str,
    role: Role,
) -> anyhow::Result<(UserId, String)> {
    let password = secret::generate("");
    let hash = password::hash(password.clone()).await?;
    let mut tx = state.db.begin().await?;
    let user = match users::find_by_email(&state.db, email).await? {
        Some(u) => {
            users::set_password(&mut tx, u.id, &hash).await?;
            u.id
        }
        None => users::create(&mut tx, email, name, &hash).await?.id,
    };
    users::add_membership(&mut tx, org, user, role).await?;
    tx.commit().await.context("saving the user")?;
    Ok((user, password))
}

/// A new API token for the user in `org`, recorded in the audit trail as `token.create` by `by`
/// (the person on the tokens page; `None` for the command line). Returns the token, shown once
/// and stored hashed.
pub async fn create_token(
    state: &AppState,
    org: OrgId,
    user: UserId,
    name: &str,
    scope: Scope,
    days: Option<i64>,
    by: Option<Actor<'_>>,
) -> anyhow::Result<(ApiTokenId, String)> {
    anyhow::ensure!(days.is_none_or(|d| (1..=3650).contains(&d)), "a token expires after 1 to 3650 days");
    // The page offers only scopes the role allows; the command line and anything else are held
    // to the same.
    let role =
        users::role_in(&state.db, org, user).await?.context("that person is not a member of this organisation")?;
    let widest = Scope::widest_for(role);
    anyhow::ensure!(
        scope <= widest,
        "a {} may hold tokens of at most `{}` scope, not `{}`",
        role.as_str(),
        widest.as_str(),
        scope.as_str()
    );
    let token = secret::generate("jt_");
    let mut tx = state.db.begin().await?;
    let id = tokens::create(
        &mut tx,
        tokens::NewToken {
            org_id: org,
            user_id: user,
            name,
            token_hash: &secret::hash(&token),
            scope,
            expires_at: days.map(|d| Utc::now() + Duration::days(d)),
        },
    )
    .await?;
    let target = format!("token:{id}");
    let expiry = days.map_or("never expires".to_string(), |d| format!("expires in {d} days"));
    let detail = format!("\"{name}\", scope {scope}, {expiry}");
    let event = audit::NewEvent {
        actor_user_id: by.as_ref().map(|a| a.user_id),
        actor: by.as_ref().map_or("cli", |a| a.email),
        action: "token.create",
        target: &target,
        detail: &detail,
    };
    audit::record(&mut tx, org, event).await?;
    tx.commit().await?;
    Ok((id, token))
}
