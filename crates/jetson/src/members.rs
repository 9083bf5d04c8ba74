//! The people of an organisation: invitations by one-time link, roles, removal, and password-reset
//! links an owner or admin hands a member who forgot theirs (there is no email to send one by).
//! Owners alone make or unmake owners, and an organisation always keeps one. Everything is audited.

use anyhow::bail;
use chrono::{Duration, Utc};
use jetson_domain::{Email, LinkId, OrgId, Role, UserId};
use jetson_store::one_time_links::{self, Kind, Link, NewLink};
use jetson_store::{StoreError, sessions, users};

use crate::actions::Actor;
use crate::auth::{password, secret};
use crate::state::AppState;

pub const INVITE_DAYS: i64 = 7;
pub const RESET_HOURS: i64 = 24;

/// Why a change to the members was refused, in words for the person who tried.
fn refuse(why: &str) -> anyhow::Error {
    StoreError::Conflict(why.trim_end_matches('.').to_string()).into()
}

/// The address of a one-time link: `/invite/TOKEN` or `/reset/TOKEN` on this instance.
pub fn link_url(state: &AppState, path: &str, token: &str) -> String {
    format!("{}{path}/{token}", state.settings.public_url.clone().unwrap_or_default().trim_end_matches('/'))
}

/// A new invitation to join `org` as `role`; returns its token, shown once.
pub async fn invite(
    state: &AppState,
    org: OrgId,
    by: Actor<'_>,
    by_role: Role,
    role: Role,
    note: &str,
) -> anyhow::Result<String> {
    if role == Role::Owner && by_role != Role::Owner {
        return Err(refuse("Only an owner can invite another owner."));
    }
    let token = secret::generate("");
    let mut tx = state.db.begin().await?;
    let link = NewLink {
        kind: Kind::Invite,
        token_hash: &secret::hash(&token),
        org_id: org,
        role: Some(role),
        user_id: None,
        note,
        created_by: by.user_id,
        expires_at: Utc::now() + Duration::days(INVITE_DAYS),
    };
    let id = one_time_links::create(&mut tx, link).await?;
    by.record(&mut tx, org, "member.invite", &format!("link:{id}"), &format!("as {role}; for \"{note}\"")).await?;
    tx.commit().await?;
    Ok(token)
}

pub async fn withdraw_invite(state: &AppState, org: OrgId, by: Actor<'_>, id: LinkId) -> anyhow::Result<bool> {
    let mut tx = state.db.begin().await?;
    if !one_time_links::revoke(&mut tx, org, id).await? {
        return Ok(false);
    }
    by.record(&mut tx, org, "member.invite_withdrawn", &format!("link:{id}"), "").await?;
    tx.commit().await?;
    Ok(true)
}

/// The owner rules for changing `user`'s membership to `to` (`None`: removing them): owners are
/// changed only by owners, and the last owner stays one. Returns their current role.
async fn check_change(
    tx: &mut jetson_store::Tx,
    state: &AppState,
    org: OrgId,
    by_role: Role,
    user: UserId,
    to: Option<Role>,
) -> anyhow::Result<Role> {
    let Some(current) = users::role_in(&state.db, org, user).await? else {
        return Err(StoreError::NotFound.into());
    };
    if current == Role::Owner && by_role != Role::Owner {
        return Err(refuse("Only an owner can change or remove an owner."));
    }
    if current == Role::Owner && to != Some(Role::Owner) && users::count_owners(tx, org).await? <= 1 {
        return Err(refuse("This is the organisation's only owner: make someone else owner first."));
    }
    Ok(current)
}

pub async fn set_role(
    state: &AppState,
    org: OrgId,
    by: Actor<'_>,
    by_role: Role,
    user: UserId,
    role: Role,
) -> anyhow::Result<()> {
    if role == Role::Owner && by_role != Role::Owner {
        return Err(refuse("Only an owner can make someone an owner."));
    }
    let mut tx = state.db.begin().await?;
    let before = check_change(&mut tx, state, org, by_role, user, Some(role)).await?;
    users::add_membership(&mut tx, org, user, role).await?;
    by.record(&mut tx, org, "member.role", &format!("user:{user}"), &format!("{before} -> {role}")).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove(state: &AppState, org: OrgId, by: Actor<'_>, by_role: Role, user: UserId) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    check_change(&mut tx, state, org, by_role, user, None).await?;
    users::remove_membership(&mut tx, org, user).await?;
    by.record(&mut tx, org, "member.remove", &format!("user:{user}"), "").await?;
    tx.commit().await?;
    Ok(())
}

/// A one-time link that lets a member choose a new password; returns its token, shown once.
pub async fn reset_link(
    state: &AppState,
    org: OrgId,
    by: Actor<'_>,
    by_role: Role,
    user: UserId,
) -> anyhow::Result<String> {
    match users::role_in(&state.db, org, user).await? {
        None => return Err(StoreError::NotFound.into()),
        Some(Role::Owner) if by_role != Role::Owner => {
            return Err(refuse("Only an owner can reset an owner's password."));
        }
        Some(_) => {}
    }
    let token = secret::generate("");
    let mut tx = state.db.begin().await?;
    let link = NewLink {
        kind: Kind::PasswordReset,
        token_hash: &secret::hash(&token),
        org_id: org,
        role: None,
        user_id: Some(user),
        note: "",
        created_by: by.user_id,
        expires_at: Utc::now() + Duration::hours(RESET_HOURS),
    };
    let id = one_time_links::create(&mut tx, link).await?;
    by.record(&mut tx, org, "member.reset_link", &format!("user:{user}"), &format!("link:{id}")).await?;
    tx.commit().await?;
    Ok(token)
}

pub async fn find_link(state: &AppState, kind: Kind, token: &str) -> anyhow::Result<Option<Link>> {
    Ok(one_time_links::find(&state.db, kind, &secret::hash(token)).await?)
}

/// Someone new accepts an invitation: an account with this email, name and password, a member
/// with the invitation's role. A taken email is refused (that person signs in, then accepts).
pub async fn join_as_new(
    state: &AppState,
    link: &Link,
    email: &Email,
    name: &str,
    new_password: String,
) -> anyhow::Result<UserId> {
    if users::find_by_email(&state.db, email).await?.is_some() {
        return Err(refuse(&format!(
            "there is already an account for {email}: sign in first, then open the invitation again"
        )));
    }
    let hash = password::hash(new_password).await?;
    let mut tx = state.db.begin().await?;
    let user = users::create(&mut tx, email, name, &hash).await?;
    join(&mut tx, link, user.id, email.as_str()).await?;
    tx.commit().await?;
    Ok(user.id)
}

/// A signed-in person accepts an invitation to another (or the same) organisation.
pub async fn join_as_existing(state: &AppState, link: &Link, user: UserId, email: &str) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    join(&mut tx, link, user, email).await?;
    tx.commit().await?;
    Ok(())
}

async fn join(tx: &mut jetson_store::Tx, link: &Link, user: UserId, email: &str) -> anyhow::Result<()> {
    if !one_time_links::use_up(tx, link.id).await? {
        return Err(refuse("This invitation has been used already."));
    }
    let role = link.role().unwrap_or(Role::Viewer);
    // An existing member keeps a higher role than the invitation's.
    let current =
        users::memberships_in_tx(tx, user).await?.into_iter().find(|(o, _)| *o == link.org_id).map(|(_, r)| r);
    if current.is_none_or(|c| rank(role) > rank(c)) {
        users::add_membership(tx, link.org_id, user, role).await?;
    }
    let actor = Actor { user_id: user, email };
    actor
        .record(tx, link.org_id, "member.join", &format!("user:{user}"), &format!("as {role}, link:{}", link.id))
        .await?;
    Ok(())
}

fn rank(role: Role) -> u8 {
    match role {
        Role::Viewer => 0,
        Role::Member => 1,
        Role::Admin => 2,
        Role::Owner => 3,
    }
}

/// A member chooses a new password through a reset link: every session of theirs ends.
pub async fn reset_password(state: &AppState, link: &Link, new_password: String) -> anyhow::Result<()> {
    let Some(user) = link.user_id.map(UserId::from) else { bail!("this link resets no one's password") };
    if users::role_in(&state.db, link.org_id, user).await?.is_none() {
        return Err(refuse("this person is no longer a member of the organisation that made the link"));
    }
    let account = users::get(&state.db, user).await?;
    let hash = password::hash(new_password).await?;
    let mut tx = state.db.begin().await?;
    if !one_time_links::use_up(&mut tx, link.id).await? {
        return Err(refuse("This link has been used already."));
    }
    users::set_password(&mut tx, user, &hash).await?;
    let ended = sessions::revoke_all(&mut tx, user).await?;
    let actor = Actor { user_id: user, email: &account.email };
    let detail = format!("by link:{}; {ended} session(s) signed out", link.id);
    actor.record(&mut tx, link.org_id, "auth.password_reset", &format!("user:{user}"), &detail).await?;
    tx.commit().await?;
    Ok(())
}
