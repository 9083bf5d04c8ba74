//! The board: work items in columns by status. Cards are dragged between columns, or moved with
//! the keyboard (arrow keys on a focused card), or, without JavaScript, with each card's own
//! status form; all three post the same status change as the item page, so a linked GitHub issue
//! follows.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jetson_domain::{ProductId, WorkItemStatus};
use jetson_store::products::Product;
use jetson_store::work_items::{self, Filter, WorkItem};
use serde::Deserialize;

use super::{Layout, UiError, render};
use crate::services::need_to_know::{self, SeesProducts};
use crate::state::AppState;
use crate::web::caller::UiUser;

/// Cards per column; the oldest beyond this are left to the list view.
const PER_COLUMN: i64 = 100;

pub struct Column {
    pub status: WorkItemStatus,
    pub items: Vec<WorkItem>,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    layout: Layout,
    columns: Vec<Column>,
    products: Vec<Product>,
    product: Option<ProductId>,
    can_write: bool,
    statuses: Vec<WorkItemStatus>,
}

impl BoardPage {
    fn is_selected(&self, p: &Product) -> bool {
        self.product == Some(p.id)
    }
}

#[derive(Deserialize, Default)]
pub struct Params {
    pub product: Option<String>,
}

pub async fn page(State(state): State<AppState>, user: UiUser, Query(p): Query<Params>) -> Result<Response, UiError> {
    let product = p
        .product
        .filter(|s| !s.is_empty())
        .map(|s| s.parse())
        .transpose()
        .map_err(|_| UiError::bad_request("Unknown product."))?;
    let statuses =
        vec![WorkItemStatus::Open, WorkItemStatus::InProgress, WorkItemStatus::Resolved, WorkItemStatus::Deferred];
    let mut columns = Vec::new();
    for status in &statuses {
        let filter = Filter { product, visible_to: user.visible_to(), status: Some(*status), ..Default::default() };
        let mut items = work_items::list(&state.db, user.org_id, &filter, None, PER_COLUMN).await?;
        items.sort_by(|a, b| b.customer_count.cmp(&a.customer_count).then(b.id.cmp(&a.id)));
        columns.push(Column { status: *status, items });
    }
    let page = BoardPage {
        layout: Layout::new(&user, "board"),
        columns,
        products: need_to_know::products(&state, &user).await?,
        product,
        can_write: user.role.can_write(),
        statuses,
    };
    Ok(render(&page))
}
