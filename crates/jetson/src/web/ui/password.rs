//! Changing one's password: the current one, then a new one that zxcvbn finds hard to guess. The
//! change signs out every other session (a password is changed because it may be known) and is
//! audited.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use jetson_store::{sessions, users};
use serde::Deserialize;

use super::{Layout, UiError, render};
use crate::services::actions::Actor;
use crate::services::auth::password;
use crate::state::AppState;
use crate::web::UiUser;
use crate::web::guards::CsrfForm;

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    layout: Layout,
    account_tab: &'static str,
    /// What went wrong with the last attempt, or that it worked.
    problem: Option<String>,
    done: Option<String>,
}

fn page_with(user: &UiUser, problem: Option<String>, done: Option<String>) -> Response {
    render(&PasswordPage { layout: Layout::new(user, "account"), account_tab: "password", problem, done })
}

pub async fn page(user: UiUser) -> Response {
    page_with(&user, None, None)
}

#[derive(Deserialize)]
pub struct ChangeForm {
    pub current: String,
    pub new: String,
    pub confirm: String,
}

pub async fn change(
    State(state): State<AppState>,
    user: UiUser,
    CsrfForm(f): CsrfForm<ChangeForm>,
) -> Result<Response, UiError> {
    let stored = users::get(&state.db, user.user_id).await?;
    let refuse = |why: &str| Ok(with_status(page_with(&user, Some(why.to_string()), None)));
    if !password::verify(f.current, stored.password_hash).await? {
        return refuse("Your current password is not that.");
    }
    if f.new != f.confirm {
        return refuse("The new password and its confirmation differ.");
    }
    if let Some(why) = password::weakness(&f.new, &[&user.email, &user.name]) {
        return refuse(&why);
    }
    let hash = password::hash(f.new).await?;
    let mut tx = state.db.begin().await?;
    users::set_password(&mut tx, user.user_id, &hash).await?;
    let ended = sessions::revoke_others(&mut tx, user.user_id, user.session_id).await?;
    let actor = Actor { user_id: user.user_id, email: &user.email };
    let detail = format!("{ended} other session(s) signed out");
    actor.record(&mut tx, user.org_id, "auth.password_change", &format!("user:{}", user.user_id), &detail).await?;
    tx.commit().await?;
    let done = format!("Password changed. {ended} other session(s) were signed out.");
    Ok(page_with(&user, None, Some(done)))
}

/// A refused change is a 400, with the form again and the reason.
fn with_status(mut page: Response) -> Response {
    *page.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    page
}
