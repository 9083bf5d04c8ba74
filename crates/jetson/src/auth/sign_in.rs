//! Signing in: checking a password and opening a session. Unknown accounts cost the same time as
//! wrong passwords (a dummy hash is verified), so timing does not reveal who has an account.

use jetson_domain::Email;
use jetson_store::{sessions, users};

use super::{password, secret};
use crate::state::AppState;

pub const SESSION_DAYS: i64 = 7;

/// The new session's token if the credentials are right and the person belongs to an
/// organisation (their oldest membership is the one signed into); `None` otherwise.
pub async fn sign_in(state: &AppState, email: &str, given_password: String) -> anyhow::Result<Option<String>> {
    let user = match Email::parse(email) {
        Ok(email) => users::find_by_email(&state.db, &email).await?,
        Err(_) => None,
    };
    let stored = user.as_ref().map_or_else(|| password::dummy_hash().to_string(), |u| u.password_hash.clone());
    let ok = password::verify(given_password, stored).await;
    let Some(user) = user.filter(|_| ok) else { return Ok(None) };
    let Some((org, _)) = users::memberships(&state.db, user.id).await?.into_iter().next() else { return Ok(None) };
    let token = secret::generate("");
    let mut tx = state.db.begin().await?;
    sessions::create(
        &mut tx,
        sessions::NewSession {
            token_hash: &secret::hash(&token),
            user_id: user.id,
            org_id: org,
            csrf_token: &secret::generate(""),
            expires_at: chrono::Utc::now() + chrono::Duration::days(SESSION_DAYS),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(token))
}
