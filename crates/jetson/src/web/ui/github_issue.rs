//! A work item's GitHub issue: the card on the item page, the draft a person reviews and edits
//! before the issue is created, linking an existing issue instead, and unlinking.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jetson_domain::{OrgId, WorkItemId};
use jetson_store::github::{self as store, IssueLink};
use jetson_store::github_issues::RepoIssue;
use jetson_store::work_items::{self, WorkItem};
use serde::Deserialize;

use super::{CsrfOnly, Layout, UiError, render};
use crate::services::github::draft::Draft;
use crate::services::github::issues;
use crate::services::need_to_know;
use crate::state::AppState;
use crate::web::guards::{Allowed, CsrfForm, Write};

/// What the item page shows about GitHub.
pub struct Card {
    pub link: IssueLink,
    /// The product's repository, when it has one.
    pub repo: Option<String>,
    /// Issues that look like the same problem (only while the item has no issue).
    pub suggestions: Vec<(RepoIssue, f64)>,
}

pub async fn card(state: &AppState, org: OrgId, item: &WorkItem) -> anyhow::Result<Card> {
    let link = store::issue_link(&state.db, org, item.id).await?;
    let repo = store::repo_for_product(&state.db, org, item.product_id).await?.map(|r| r.repo);
    let suggestions = if link.github_number.is_none() && repo.is_some() {
        issues::suggestions(state, org, item.id).await?
    } else {
        Vec::new()
    };
    Ok(Card { link, repo, suggestions })
}

fn item_id(id: &str) -> Result<WorkItemId, UiError> {
    id.parse().map_err(|_| UiError::bad_request("That is not a work item id."))
}

#[derive(Template)]
#[template(path = "github_draft.html")]
struct DraftPage {
    layout: Layout,
    item: WorkItem,
    repo: String,
    draft: Draft,
    suggestions: Vec<(RepoIssue, f64)>,
    error: Option<String>,
}

/// `GET /items/{id}/github/new`: the proposed issue, editable.
pub async fn new(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Write>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = item_id(&id)?;
    let item = need_to_know::work_item(&state, &user, id).await?;
    if store::issue_link(&state.db, user.org_id, id).await?.github_number.is_some() {
        return Ok(Redirect::to(&format!("/items/{id}")).into_response());
    }
    let repo = issues::repo_of(&state, user.org_id, id).await.map_err(|e| UiError::bad_request(format!("{e:#}")))?;
    let draft = issues::draft_for(&state, user.org_id, id).await?;
    let suggestions = issues::suggestions(&state, user.org_id, id).await?;
    let page =
        DraftPage { layout: Layout::new(&user, "items"), item, repo: repo.repo, draft, suggestions, error: None };
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct CreateForm {
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub labels: String,
}

/// `POST /items/{id}/github`: creates the issue as the person edited it.
pub async fn create(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Write>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<CreateForm>,
) -> Result<Response, UiError> {
    let id = item_id(&id)?;
    need_to_know::work_item(&state, &user, id).await?;
    let labels: Vec<String> = f.labels.split(',').map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
    let draft = Draft { title: f.title.trim().to_string(), body: f.body.replace("\r\n", "\n"), labels };
    let problem = if draft.title.is_empty() {
        Some("The issue needs a title.".to_string())
    } else if draft.title.chars().count() > 256 || draft.body.len() > 60_000 {
        Some("The title or the body is longer than GitHub accepts.".to_string())
    } else {
        None
    };
    let result = match problem {
        Some(p) => Err(anyhow::anyhow!(p)),
        None => issues::create(&state, user.org_id, id, &draft, "created").await,
    };
    match result {
        Ok(_) => {
            store::set_approval(&state.db, user.org_id, id, None).await?;
            Ok(Redirect::to(&format!("/items/{id}")).into_response())
        }
        Err(e) => {
            let item = work_items::get(&state.db, user.org_id, id).await?;
            let repo = issues::repo_of(&state, user.org_id, id).await.map(|r| r.repo).unwrap_or_default();
            let suggestions = issues::suggestions(&state, user.org_id, id).await.unwrap_or_default();
            let page = DraftPage {
                layout: Layout::new(&user, "items"),
                item,
                repo,
                draft,
                suggestions,
                error: Some(format!("{e:#}")),
            };
            Ok((axum::http::StatusCode::BAD_GATEWAY, render(&page)).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct LinkForm {
    pub number: String,
}

/// `POST /items/{id}/github/link`: links an existing issue instead of creating one.
pub async fn link(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Write>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<LinkForm>,
) -> Result<Response, UiError> {
    let id = item_id(&id)?;
    let number: u64 = f
        .number
        .trim()
        .trim_start_matches('#')
        .parse()
        .map_err(|_| UiError::bad_request("An issue number, such as 42."))?;
    need_to_know::work_item(&state, &user, id).await?;
    match issues::link(&state, user.org_id, id, number).await {
        Ok(_) => {
            store::set_approval(&state.db, user.org_id, id, None).await?;
            Ok(Redirect::to(&format!("/items/{id}")).into_response())
        }
        Err(e) => Err(UiError::bad_request(format!("The issue was not linked: {e:#}"))),
    }
}

pub async fn unlink(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Write>,
    Path(id): Path<String>,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    let id = item_id(&id)?;
    need_to_know::work_item(&state, &user, id).await?;
    issues::unlink(&state, user.org_id, id).await?;
    Ok(Redirect::to(&format!("/items/{id}")).into_response())
}
