//! Every conversation with its category, confidence and work item; "needs review" shows the ones
//! the model was not sure about.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jetson_domain::{Category, ConversationId};
use jetson_store::conversations::{self, Conversation, Filter};
use jetson_store::products::Product;
use serde::Deserialize;

use super::{Layout, UiError, render, view};
use crate::services::need_to_know::{self, SeesProducts};
use crate::state::AppState;
use crate::web::caller::UiUser;

const PAGE: i64 = 100;

#[derive(Template)]
#[template(path = "messages.html")]
struct MessagesPage {
    layout: Layout,
    products: Vec<Product>,
    params: Params,
    conversations: Vec<Conversation>,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct Params {
    pub product: Option<String>,
    pub category: Option<String>,
    pub review: Option<String>,
    pub before: Option<String>,
}

impl Params {
    fn is(&self, field: &Option<String>, value: &str) -> bool {
        view::is(field, value)
    }

    fn needs_review(&self) -> bool {
        self.review.as_deref() == Some("1")
    }

    /// The query string of these filters with another cursor.
    fn with_before(&self, before: &str) -> String {
        view::query_with_before(
            &[("product", &self.product), ("category", &self.category), ("review", &self.review)],
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
        needs_review: p.needs_review(),
        before: view::opt(&p.before, str::parse::<ConversationId>),
        limit: PAGE,
    };
    let conversations = conversations::list(&state.db, user.org_id, &filter).await?;
    let next = (conversations.len() as i64 == PAGE)
        .then(|| conversations.last().map(|c| p.with_before(&c.id.to_string())))
        .flatten();
    let products = need_to_know::products(&state, &user).await?;
    Ok(render(&MessagesPage { layout: Layout::new(&user, "messages"), products, params: p, conversations, next }))
}
