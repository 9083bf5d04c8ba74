//! One work item: what it is, who reported it, and what a person can do to it.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jetson_domain::{ReportId, WorkItemId};
use jetson_store::reports::{self, Report};
use jetson_store::work_items::{self, Filter, WorkItem};
use serde::Deserialize;

use super::{Layout, UiError, render};
use crate::services::need_to_know::{self, SeesProducts};
use crate::state::AppState;
use crate::web::caller::UiUser;
use crate::web::guards::Id;

#[derive(Template)]
#[template(path = "item.html")]
struct ItemPage {
    layout: Layout,
    item: WorkItem,
    merged_into: Option<WorkItem>,
    merged_sources: Vec<WorkItem>,
    companies: Vec<String>,
    /// One page of the reports, oldest first.
    reports: Vec<Report>,
    /// Which page (from 1), how many there are, and the number of its first report.
    page: i64,
    pages: i64,
    first: i64,
    /// Other items of the same product, for merge and move.
    others: Vec<WorkItem>,
    can_write: bool,
    /// A report just moved away from this item, and where it went: offered for undoing.
    moved: Option<(Report, WorkItem)>,
    github: super::github_issue::Card,
}

/// Reports shown per page.
const REPORTS_PER_PAGE: i64 = 50;

/// `?page=N` for the reports; after a move, `?moved=REPORT&to=ITEM`.
#[derive(Deserialize, Default)]
pub struct Params {
    moved: Option<String>,
    to: Option<String>,
    page: Option<String>,
}

impl ItemPage {
    /// What a report shares with the earlier report it was matched to, in its own words.
    fn shared_words(&self, r: &Report) -> String {
        let theirs = r.matched_text.as_deref().unwrap_or_default();
        jetson_analysis::features::shared_words(&r.match_text, theirs, 6).join(", ")
    }
}

pub async fn handler(
    State(state): State<AppState>,
    user: UiUser,
    Id(id): Id<WorkItemId>,
    Query(params): Query<Params>,
) -> Result<Response, UiError> {
    let item = need_to_know::work_item(&state, &user, id).await?;
    let merged_into = match item.merged_into {
        Some(t) => need_to_know::work_item(&state, &user, t.into()).await.ok(),
        None => None,
    };
    let filter = Filter { product: Some(item.product_id), ..Default::default() };
    let others = work_items::list(&state.db, user.org_id, &filter, None, 200)
        .await?
        .into_iter()
        .filter(|w| w.id != item.id)
        .collect();
    let moved = match (params.moved.and_then(|r| r.parse::<ReportId>().ok()), params.to.and_then(|t| t.parse().ok())) {
        (Some(report), Some(to)) => {
            let target: WorkItem = need_to_know::work_item(&state, &user, to).await?;
            let report = reports::for_work_item(&state.db, user.org_id, to).await?.into_iter().find(|r| r.id == report);
            report.map(|r| (r, target))
        }
        _ => None,
    };
    let github = super::github_issue::card(&state, user.org_id, &item).await?;
    let pages = ((item.report_count + REPORTS_PER_PAGE - 1) / REPORTS_PER_PAGE).max(1);
    let page = params.page.and_then(|p| p.parse::<i64>().ok()).unwrap_or(1).clamp(1, pages);
    let skip = (page - 1) * REPORTS_PER_PAGE;
    let reports = reports::page_for_work_item(&state.db, user.org_id, id, skip, REPORTS_PER_PAGE).await?;
    let page = ItemPage {
        layout: Layout::new(&user, "items"),
        merged_sources: work_items::merged_sources(&state.db, user.org_id, id)
            .await?
            .into_iter()
            .filter(|w| user.sees(w.product_id))
            .collect(),
        companies: work_items::companies(&state.db, user.org_id, id).await?,
        reports,
        page,
        pages,
        first: skip + 1,
        item,
        merged_into,
        others,
        can_write: user.role.can_write(),
        moved,
        github,
    };
    Ok(render(&page))
}
