//! The approval queue: work items that automatic creation held back (below the product's
//! thresholds, or over the repository's hourly cap). A person reviews the draft and creates the
//! issue, or dismisses the item so that it is not proposed again.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jetson_domain::WorkItemId;
use jetson_store::github as store;
use jetson_store::work_items::{self, WorkItem};

use super::{CsrfOnly, Layout, UiError, render};
use crate::services::need_to_know::{self, SeesProducts};
use crate::state::AppState;
use crate::web::caller::UiUser;

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
    user: UiUser,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, UiError> {
    user.check_csrf(&f.csrf)?;
    super::require_write(&user)?;
    let id: WorkItemId = id.parse().map_err(|_| UiError::bad_request("That is not a work item id."))?;
    need_to_know::work_item(&state, &user, id).await?;
    store::set_approval(&state.db, user.org_id, id, Some(jetson_domain::Approval::Dismissed)).await?;
    Ok(Redirect::to("/github/queue").into_response())
}
