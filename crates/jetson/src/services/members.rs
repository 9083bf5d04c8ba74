//! The people of an organisation: invitations by one-time link, roles, removal, and password-reset
//! links for a member who forgot theirs. With a mail server configured the links are emailed;
//! without one (or when sending fails) the owner or admin who made one hands it over. Owners alone
//! make or unmake owners, and an organisation always keeps one. Everything is audited.

use anyhow::bail;
use chrono::{Duration, Utc};
use jetson_domain::{Email, LinkId, OrgId, ProductId, Role, UserId};
use jetson_store::one_time_links::{self, Kind, Link, NewLink};
use jetson_store::{StoreError, product_access, sessions, users};

use crate::secret;
use crate::services::actions::Actor;
use crate::services::auth::password;
use crate::state::AppState;

pub const INVITE_DAYS: i64 = 7;
pub const RESET_HOURS: i64 = 24;

/// Why a change to the members was refused, in words for the person who tried.
fn refuse(why: &str) -> anyhow::Error {
    StoreError::Conflict(why.trim_end_matches('.').to_string()).into()
}

/// The address of a one-time link: `/invite/TOKEN` or `/reset/TOKEN` on this instance.
pub fn link_url(state: &AppState, path: &str, token: &str) -> String {
    format!("{}{path}/{token}", state.settings.public_base())
}

/// Emails a one-time link made just now. `Err` says why it was not sent (no mail server, or the
/// server's answer), and the page then shows the link to hand over instead.
pub async fn email_link(state: &AppState, to: &str, subject: &str, body: String) -> Result<(), String> {
    let Some(mailer) = &state.mailer else { return Err("no mail server is configured".into()) };
    mailer.send(crate::mail::Email { to, subject, body }).await.map_err(|e| {
        tracing::warn!(error = %e, "a one-time link was not emailed");
        format!("{e:#}")
    })
}

pub fn invitation_email(org: &str, inviter: &str, role: Role, url: &str) -> (String, String) {
    let subject = format!("{inviter} invites you to {org} on Jetson");
    let body = format!(
        "{inviter} invites you to join {org} on Jetson as {role}.\n\nAccept here (the link works once, for {INVITE_DAYS} days):\n{url}\n\nIf you did not expect this, ignore it.\n"
    );
    (subject, body)
}

pub fn reset_email(url: &str) -> (String, String) {
    let subject = "Choose a new Jetson password".to_string();
    let body = format!(
        "Someone asked for a link to choose a new password for your Jetson account.\n\nChoose one here (the link works once, for {RESET_HOURS} hours; every session of yours then ends):\n{url}\n\nIf you did not ask, ignore this message: your password stays as it is.\n"
    );
    (subject, body)
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
    if role.may(jetson_domain::Permission::Administer) {
        // Owners and admins see every product; a limit would come back on a later demotion.
        product_access::set(&mut tx, org, user, None).await?;
    }
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

/// Limits a member or viewer to some products (need-to-know), or lifts the limit (`None`).
pub async fn set_products(
    state: &AppState,
    org: OrgId,
    by: Actor<'_>,
    user: UserId,
    products: Option<Vec<ProductId>>,
) -> anyhow::Result<()> {
    let Some(role) = users::role_in(&state.db, org, user).await? else { return Err(StoreError::NotFound.into()) };
    if products.is_some() && role.may(jetson_domain::Permission::Administer) {
        return Err(refuse("Owners and admins see every product; make them a member or viewer first."));
    }
    let mut tx = state.db.begin().await?;
    product_access::set(&mut tx, org, user, products.as_deref()).await?;
    let detail = match &products {
        None => "all products".to_string(),
        Some(ids) => format!("only {}", ids.iter().map(|p| format!("product:{p}")).collect::<Vec<_>>().join(", ")),
    };
    by.record(&mut tx, org, "member.products", &format!("user:{user}"), &detail).await?;
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

/// How many reset links someone may have emailed to themselves an hour.
const SELF_RESETS_PER_HOUR: i64 = 3;

/// "Forgot your password?": when a mail server is configured and the address is a member's, a
/// reset link is emailed to it. The caller runs this in the background and answers the same
/// whatever happens, in the same time, so the form tells no one which addresses have accounts.
pub async fn ask_for_reset(state: &AppState, email: &Email) -> anyhow::Result<()> {
    let Some(mailer) = &state.mailer else { return Ok(()) };
    let Some(user) = users::find_by_email(&state.db, email).await? else { return Ok(()) };
    let Some((org, _)) = users::memberships(&state.db, user.id).await?.into_iter().next() else { return Ok(()) };
    let token = secret::generate("");
    let mut tx = state.db.begin().await?;
    if one_time_links::resets_since(&mut tx, user.id, Utc::now() - Duration::hours(1)).await? >= SELF_RESETS_PER_HOUR {
        return Ok(());
    }
    let link = NewLink {
        kind: Kind::PasswordReset,
        token_hash: &secret::hash(&token),
        org_id: org,
        role: None,
        user_id: Some(user.id),
        note: "asked for by email",
        created_by: user.id,
        expires_at: Utc::now() + Duration::hours(RESET_HOURS),
    };
    let id = one_time_links::create(&mut tx, link).await?;
    let actor = Actor { user_id: user.id, email: &user.email };
    actor
        .record(&mut tx, org, "auth.reset_requested", &format!("user:{}", user.id), &format!("link:{id} emailed"))
        .await?;
    tx.commit().await?;
    let (subject, body) = reset_email(&link_url(state, "/reset", &token));
    mailer.send(crate::mail::Email { to: &user.email, subject: &subject, body }).await
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
