//! API tokens: a person makes tokens for scripts in the organisation they are signed in to, with a
//! name, a scope (no wider than their role) and an expiry. The token is shown once, on the page
//! that created it; only its hash is stored. The list shows when each was last used; revoking
//! deletes it. Creating and revoking are audited.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jetson_domain::{ApiTokenId, Scope};
use jetson_store::tokens::{self, Listed};
use serde::Deserialize;

use super::{CsrfOnly, Layout, UiError, render};
use crate::services::actions::Actor;
use crate::state::AppState;
use crate::web::caller::UiUser;
use crate::web::guards::{CsrfForm, Id};

/// The expiries offered, in days; `None` never expires.
const EXPIRIES: [(Option<i64>, &str); 4] =
    [(Some(30), "30 days"), (Some(90), "90 days"), (Some(365), "1 year"), (None, "Never")];

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    layout: Layout,
    account_tab: &'static str,
    tokens: Vec<Listed>,
    scopes: Vec<Scope>,
    expiries: &'static [(Option<i64>, &'static str)],
    /// The token just created: (name, the token itself), shown this once.
    created: Option<(String, String)>,
}

async fn page_with(state: &AppState, user: &UiUser, created: Option<(String, String)>) -> Result<Response, UiError> {
    let tokens = tokens::list_for_user(&state.db, user.org_id, user.user_id).await?;
    let widest = Scope::widest_for(user.role);
    let scopes = Scope::ALL.into_iter().filter(|s| *s <= widest).collect();
    Ok(render(&TokensPage {
        layout: Layout::new(user, "account"),
        account_tab: "tokens",
        tokens,
        scopes,
        expiries: &EXPIRIES,
        created,
    }))
}

pub async fn page(State(state): State<AppState>, user: UiUser) -> Result<Response, UiError> {
    page_with(&state, &user, None).await
}

#[derive(Deserialize)]
pub struct NewTokenForm {
    pub name: String,
    pub scope: String,
    /// Days, or `never`.
    pub expires: String,
}

pub async fn create(
    State(state): State<AppState>,
    user: UiUser,
    CsrfForm(f): CsrfForm<NewTokenForm>,
) -> Result<Response, UiError> {
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(UiError::bad_request(
            "Give the token a name of 1 to 80 characters, such as the script that uses it.",
        ));
    }
    let scope = Scope::parse(&f.scope).map_err(|e| UiError::bad_request(&e.0))?;
    if scope > Scope::widest_for(user.role) {
        return Err(UiError::forbidden("A token cannot do more than your role allows."));
    }
    let days = match f.expires.as_str() {
        "never" => None,
        d => Some(
            d.parse::<i64>()
                .ok()
                .filter(|d| EXPIRIES.iter().any(|(e, _)| *e == Some(*d)))
                .ok_or_else(|| UiError::bad_request("Choose one of the expiries offered."))?,
        ),
    };
    let actor = Actor { user_id: user.user_id, email: &user.email };
    let (_, token) =
        crate::services::accounts::create_token(&state, user.org_id, user.user_id, name, scope, days, Some(actor))
            .await?;
    page_with(&state, &user, Some((name.to_string(), token))).await
}

pub async fn revoke(
    State(state): State<AppState>,
    user: UiUser,
    Id(id): Id<ApiTokenId>,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    let mut tx = state.db.begin().await?;
    if !tokens::revoke(&mut tx, user.org_id, user.user_id, id).await? {
        return Err(UiError::not_found("You have no such token (it may have been revoked already)."));
    }
    let actor = Actor { user_id: user.user_id, email: &user.email };
    actor.record(&mut tx, user.org_id, "token.revoke", &format!("token:{id}"), "").await?;
    tx.commit().await?;
    Ok(Redirect::to("/account/tokens").into_response())
}
