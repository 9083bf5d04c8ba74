//! The inbox: open work items with enough distinct customers (or urgent), most customers first.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jetson_domain::ProductId;
use jetson_store::products::Product;
use jetson_store::work_items::{self, WorkItem};
use serde::Deserialize;

use super::{Layout, UiError, render, view};
use crate::services::need_to_know::{self, SeesProducts};
use crate::state::AppState;
use crate::web::caller::UiUser;

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    layout: Layout,
    products: Vec<Product>,
    product: Option<ProductId>,
    items: Vec<WorkItem>,
}

impl InboxPage {
    fn product_is(&self, id: &ProductId) -> bool {
        self.product == Some(*id)
    }
}

#[derive(Deserialize)]
pub struct Params {
    pub product: Option<String>,
}

pub async fn handler(
    State(state): State<AppState>,
    user: UiUser,
    Query(p): Query<Params>,
) -> Result<Response, UiError> {
    let product = view::opt(&p.product, str::parse::<ProductId>);
    let items = work_items::inbox(&state.db, user.org_id, product, user.visible_to(), 200).await?;
    let products = need_to_know::products(&state, &user).await?;
    Ok(render(&InboxPage { layout: Layout::new(&user, "inbox"), products, product, items }))
}
