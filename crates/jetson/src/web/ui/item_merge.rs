//! Merging a work item into another, and undoing it.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jetson_domain::WorkItemId;
use serde::Deserialize;

use super::UiError;
use crate::services::need_to_know;
use crate::state::AppState;
use crate::web::guards::{Allowed, CsrfForm, Write};

#[derive(Deserialize)]
pub struct MergeForm {
    pub into: String,
}

fn item_id(s: &str) -> Result<WorkItemId, UiError> {
    s.parse().map_err(|_| UiError::bad_request("Choose a work item."))
}

pub async fn merge(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Write>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<MergeForm>,
) -> Result<Response, UiError> {
    let (source, target) = (item_id(&id)?, item_id(&f.into)?);
    need_to_know::work_item(&state, &user, source).await?;
    need_to_know::work_item(&state, &user, target).await?;
    crate::services::actions::merge(&state, user.org_id, source, target).await?;
    Ok(Redirect::to(&format!("/items/{target}")).into_response())
}

pub async fn unmerge(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Write>,
    Path(id): Path<String>,
    _: CsrfForm<super::CsrfOnly>,
) -> Result<Response, UiError> {
    let source = item_id(&id)?;
    need_to_know::work_item(&state, &user, source).await?;
    crate::services::actions::unmerge(&state, user.org_id, source).await?;
    Ok(Redirect::to(&format!("/items/{source}")).into_response())
}
