//! Held for review: conversations screening flagged as harmful, kept out of analysis until an
//! owner or admin releases them (they are analysed then) or keeps them out for good. Threats and
//! self-harm are escalated and listed first. Every decision is recorded in the audit trail.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jetson_domain::ConversationId;
use jetson_store::holds::{self, Decision, Held};

use super::{CsrfOnly, Layout, UiError, render};
use crate::services::actions::Actor;
use crate::state::AppState;
use crate::web::guards::{Allowed, CsrfForm, DecideHeld, Id};

#[derive(Template)]
#[template(path = "held.html")]
struct HeldPage {
    layout: Layout,
    escalated: Vec<Held>,
    others: Vec<Held>,
}

pub async fn page(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<DecideHeld>,
) -> Result<Response, UiError> {
    let (escalated, others) = holds::waiting(&state.db, user.org_id, 500).await?.into_iter().partition(|h| h.escalated);
    Ok(render(&HeldPage { layout: Layout::new(&user, "held"), escalated, others }))
}

pub async fn release(
    state: State<AppState>,
    allowed: Allowed<DecideHeld>,
    id: Id<ConversationId>,
    _: CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    decide(state, allowed, id, Decision::Release).await
}

pub async fn keep_out(
    state: State<AppState>,
    allowed: Allowed<DecideHeld>,
    id: Id<ConversationId>,
    _: CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    decide(state, allowed, id, Decision::KeepOut).await
}

async fn decide(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<DecideHeld>,
    Id(id): Id<ConversationId>,
    decision: Decision,
) -> Result<Response, UiError> {
    let actor = Actor { user_id: user.user_id, email: &user.email };
    if !crate::services::actions::decide_hold(&state, user.org_id, id, decision, actor).await? {
        return Err(UiError::bad_request(
            "That conversation is not waiting for review (someone may have decided already).",
        ));
    }
    Ok(Redirect::to("/held").into_response())
}
