//! `/login/forgot`: someone who forgot their password asks for a reset link by email. Without a
//! mail server the page says whom to ask instead (an owner or admin makes the link). The answer is
//! the same whether or not the address has an account.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use jetson_domain::Email;
use serde::Deserialize;

use super::render;
use crate::services::members;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    can_email: bool,
    /// The address a link was asked for, once the form is sent.
    asked_for: Option<String>,
    problem: Option<String>,
}

pub async fn page(State(state): State<AppState>) -> Response {
    render(&ForgotPage { can_email: state.mailer.is_some(), asked_for: None, problem: None })
}

#[derive(Deserialize)]
pub struct ForgotForm {
    pub email: String,
}

pub async fn submit(State(state): State<AppState>, Form(f): Form<ForgotForm>) -> Response {
    let can_email = state.mailer.is_some();
    let Ok(email) = Email::parse(f.email.trim()) else {
        let problem = Some("That is not an email address.".to_string());
        return render(&ForgotPage { can_email, asked_for: None, problem });
    };
    let asked_for = email.to_string();
    tokio::spawn(async move {
        if let Err(e) = members::ask_for_reset(&state, &email).await {
            tracing::warn!(error = %format!("{e:#}"), "a password reset asked for by email failed");
        }
    });
    render(&ForgotPage { can_email, asked_for: Some(asked_for), problem: None })
}
