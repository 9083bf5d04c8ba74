//! The approval queue: work items that automatic creation held back (below the product's
//! thresholds, or over the repository's hourly cap). A person reviews the draft and creates the
//! issue, or dismisses the item so that it is not proposed again.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jetson_store::github as store;
use jetson_store::work_items::{self, WorkItem};

use super::{CsrfOnly, Layout, UiError, render};
use crate::services::need_to_know::SeesProducts;
use crate::state::AppState;
use crate::web::caller::UiUser;
use crate::web::guards::{Allowed, CsrfForm, Visible, Write};

#[derive(Template)]
#[template(path = "github_queue.html")]
struct QueuePage {
    layout: Layout,
    items: Vec<WorkItem>,
    can_write: bool,
}

pub async fn page(State(state): State<AppState>, user: UiUser) -> Result<Response, UiError> {
    let mut items = work_items::awaiting_approval(&state.db, user.org_id).await?;
    items.retain(|w| user.sees(w.product_id));
    Ok(render(&QueuePage { layout: Layout::new(&user, "queue"), items, can_write: user.role.can_write() }))
}

pub async fn dismiss(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Write>,
    Visible(item): Visible<WorkItem>,
    _: CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    store::set_approval(&state.db, user.org_id, item.id, Some(jetson_domain::Approval::Dismissed)).await?;
    Ok(Redirect::to("/github/queue").into_response())
}
