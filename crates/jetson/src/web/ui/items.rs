//! All work items, filtered by product, category, priority and status.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jetson_domain::{Category, Priority, WorkItemId, WorkItemStatus};
use jetson_store::products::Product;
use jetson_store::work_items::{self, Filter, WorkItem};
use serde::Deserialize;

use super::{Layout, UiError, render, view};
use crate::services::need_to_know::{self, SeesProducts};
use crate::state::AppState;
use crate::web::caller::UiUser;

const PAGE: i64 = 100;

#[derive(Template)]
#[template(path = "items.html")]
struct ItemsPage {
    layout: Layout,
    products: Vec<Product>,
    params: Params,
    items: Vec<WorkItem>,
    next: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
pub struct Params {
    pub product: Option<String>,
    pub category: Option<String>,
    pub priority: Option<String>,
    pub status: Option<String>,
    pub before: Option<String>,
}

impl Params {
    fn is(&self, field: &Option<String>, value: &str) -> bool {
        view::is(field, value)
    }

    /// The query string of these filters with another cursor.
    fn with_before(&self, before: &str) -> String {
        view::query_with_before(
            &[
                ("product", &self.product),
                ("category", &self.category),
                ("priority", &self.priority),
                ("status", &self.status),
            ],
            before,
        )
    }
}

pub async fn handler(
    State(state): State<AppState>,
    user: UiUser,
    Query(p): Query<Params>,
) -> Result<Response, UiError> {
    let filter = Filter {
        product: view::opt(&p.product, str::parse),
        visible_to: user.visible_to(),
        category: view::opt(&p.category, Category::parse),
        priority: view::opt(&p.priority, Priority::parse),
        status: view::opt(&p.status, WorkItemStatus::parse),
        min_customers: 0,
    };
    let before = view::opt(&p.before, str::parse::<WorkItemId>);
    let items = work_items::list(&state.db, user.org_id, &filter, before, PAGE).await?;
    let next = (items.len() as i64 == PAGE).then(|| items.last().map(|w| p.with_before(&w.id.to_string()))).flatten();
    let products = need_to_know::products(&state, &user).await?;
    Ok(render(&ItemsPage { layout: Layout::new(&user, "items"), products, params: p, items, next }))
}
