//! Settings → Products: each product's thresholds, its own priority definitions, and what it has
//! learned from its people (with export and reset).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use jetson_analysis::priority::PriorityDefinition;
use jetson_domain::{InboxMinimum, Priority, ProductId};
use jetson_store::learning::{self, ProductModel};
use jetson_store::products::{self, Product};
use serde::Deserialize;

use super::CsrfOnly;
use super::{Layout, UiError, render};
use crate::state::AppState;
use crate::web::guards::{Administer, Allowed, CsrfForm, Id};

/// Levels a product can define, most severe first.
const LEVELS: [Priority; 4] = [Priority::Urgent, Priority::High, Priority::Medium, Priority::Low];

struct ProductSettings {
    product: Product,
    /// One per level in [`LEVELS`] order (empty when the product has not defined it).
    definitions: Vec<PriorityDefinition>,
    corrected: i64,
    same: i64,
    different: i64,
    model: Option<ProductModel>,
}

#[derive(Template)]
#[template(path = "products.html")]
struct ProductsPage {
    layout: Layout,
    products: Vec<ProductSettings>,
    notice: Option<String>,
    /// Whether the embedding tier is on for this instance (it applies to every product).
    embedding_tier: bool,
}

#[derive(Deserialize, Default)]
pub struct Params {
    pub notice: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    Query(p): Query<Params>,
) -> Result<Response, UiError> {
    let mut list = Vec::new();
    for product in products::list(&state.db, user.org_id).await? {
        let own = crate::models::priority_definitions(&product);
        let definitions = LEVELS
            .iter()
            .map(|l| {
                own.iter().find(|d| d.level == *l).cloned().unwrap_or(PriorityDefinition {
                    level: *l,
                    description: String::new(),
                    words: Vec::new(),
                })
            })
            .collect();
        let (corrected, same, different) = learning::counts(&state.db, user.org_id, product.id).await?;
        let model = learning::model(&state.db, user.org_id, product.id).await?;
        list.push(ProductSettings { product, definitions, corrected, same, different, model });
    }
    let notice = p.notice.as_deref().map(|n| match n {
        "saved" => "Saved. New conversations are analysed with these settings.".to_string(),
        "reset" => "The product forgot what it learned; it uses the built-in model again.".to_string(),
        other => other.to_string(),
    });
    Ok(render(&ProductsPage {
        layout: Layout::new(&user, "products"),
        products: list,
        notice,
        embedding_tier: state.embeddings.is_some(),
    }))
}

/// The settings form: thresholds, then per level `description_<level>` and `words_<level>`.
#[derive(Deserialize)]
pub struct SettingsForm {
    pub review_threshold: String,
    pub match_threshold: String,
    /// Kept as it is when the form leaves it out.
    #[serde(default)]
    pub inbox_min_customers: Option<String>,
    #[serde(flatten)]
    pub levels: std::collections::HashMap<String, String>,
}

pub async fn save(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    Id(id): Id<ProductId>,
    CsrfForm(f): CsrfForm<SettingsForm>,
) -> Result<Response, UiError> {
    let threshold = |name: &str, v: &str| -> Result<f64, UiError> {
        v.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| (0.0..=1.0).contains(x))
            .ok_or_else(|| UiError::bad_request(format!("The {name} must be a number between 0 and 1.")))
    };
    let review = threshold("review threshold", &f.review_threshold)?;
    let matching = threshold("match threshold", &f.match_threshold)?;
    let inbox = match f.inbox_min_customers.as_deref().map(str::trim) {
        Some(n) => Some(n.parse::<i64>().ok().and_then(|n| InboxMinimum::parse(n).ok()).ok_or_else(|| {
            UiError::bad_request(format!("The inbox minimum must be a whole number from 1 to {}.", InboxMinimum::MAX))
        })?),
        None => None,
    };
    let mut definitions = Vec::new();
    for level in LEVELS {
        let get = |k: &str| f.levels.get(&format!("{k}_{}", level.as_str())).map(|s| s.trim().to_string());
        let description = get("description").unwrap_or_default();
        let words: Vec<String> = get("words")
            .unwrap_or_default()
            .split([',', '\n'])
            .map(|w| w.trim().to_string())
            .filter(|w| !w.is_empty())
            .collect();
        if words.iter().any(|w| w.chars().count() > 80) || words.len() > 100 || description.chars().count() > 500 {
            return Err(UiError::bad_request("Keep each signal word under 80 characters, at most 100 per level."));
        }
        if !description.is_empty() || !words.is_empty() {
            definitions.push(PriorityDefinition { level, description, words });
        }
    }
    let json = if definitions.is_empty() {
        None
    } else {
        Some(serde_json::to_string(&definitions).map_err(anyhow::Error::from)?)
    };
    let mut tx = state.db.begin().await?;
    let product = products::get_in_tx(&mut tx, user.org_id, id).await?;
    let inbox = inbox.unwrap_or(product.inbox_min_customers);
    products::set_thresholds(&mut tx, user.org_id, id, review, matching).await?;
    products::set_inbox_minimum(&mut tx, user.org_id, id, inbox).await?;
    products::set_priority_definitions(&mut tx, user.org_id, id, json.as_deref()).await?;
    let detail = format!(
        "review threshold {review}, match threshold {matching}, inbox from {} customer(s), {} priority level(s) defined",
        inbox.get(),
        definitions.len()
    );
    user.actor().record(&mut tx, user.org_id, "settings.product", &format!("product:{id}"), &detail).await?;
    tx.commit().await?;
    Ok(Redirect::to("/settings/products?notice=saved").into_response())
}

pub async fn reset_learning(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    Id(id): Id<ProductId>,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    let mut tx = state.db.begin().await?;
    products::get_in_tx(&mut tx, user.org_id, id).await?;
    learning::reset(&mut tx, user.org_id, id).await?;
    user.actor().record(&mut tx, user.org_id, "settings.product_model_reset", &format!("product:{id}"), "").await?;
    tx.commit().await?;
    Ok(Redirect::to("/settings/products?notice=reset").into_response())
}

/// The product's model file (the built-in one when it has none), for `jetson eval --model`.
pub async fn download_model(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    Id(id): Id<ProductId>,
) -> Result<Response, UiError> {
    let product = products::get(&state.db, user.org_id, id).await?;
    let bytes = match learning::model(&state.db, user.org_id, id).await? {
        Some(m) => m.model,
        None => jetson_analysis::BUILTIN_MODEL.to_vec(),
    };
    let mut tx = state.db.begin().await?;
    crate::services::alerts::ensure_not_paused(&state, &mut tx, user.org_id, user.user_id).await?;
    user.actor()
        .record(&mut tx, user.org_id, "model.export", &format!("product:{id}"), "model file downloaded")
        .await?;
    tx.commit().await?;
    let name: String = product.name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let disposition = format!("attachment; filename=\"{name}-model.bin\"");
    Ok((
        [(header::CONTENT_TYPE, "application/octet-stream".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        bytes,
    )
        .into_response())
}
