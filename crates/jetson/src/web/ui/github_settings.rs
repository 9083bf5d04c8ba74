//! Settings → Integrations → GitHub: connecting (token or app) with the connection's health, each
//! product's repository and rules (labels, issue instructions, automatic creation with brakes,
//! training labels), and importing labelled issues as training examples.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jetson_domain::ProductId;
use jetson_store::github::{self as store, Connection, RepoLink, Rules};
use jetson_store::products::{self, Product};
use serde::Deserialize;

use super::{CsrfOnly, Layout, UiError, render};
use crate::services::github::connect::{self, Credentials};
use crate::services::github::{draft, training};
use crate::state::AppState;
use crate::web::caller::UiUser;
use crate::web::guards::{Administer, Allowed, CsrfForm};

#[derive(Template)]
#[template(path = "github_settings.html")]
struct GithubPage {
    layout: Layout,
    connection: Option<Connection>,
    webhook_url: String,
    products: Vec<Product>,
    repos: Vec<RepoLink>,
    error: Option<String>,
    notice: Option<String>,
}

impl GithubPage {
    fn repo_of(&self, p: &Product) -> Option<&RepoLink> {
        self.repos.iter().find(|r| r.product_id == p.id)
    }
}

#[derive(Deserialize, Default)]
pub struct Params {
    pub notice: Option<String>,
}

fn notice_text(code: &str) -> &'static str {
    match code {
        "connected" => "GitHub is connected. Pick a repository for each product below.",
        "checked" => "The connection was checked; see its health above.",
        "disconnected" => "GitHub is disconnected. Linked issues keep their links.",
        "linked" => "The repository was linked and its issues are being read.",
        "rules" => "The repository's rules were saved.",
        "training" => "The repository's labelled issues are being imported; the product's model is retrained after.",
        _ => "",
    }
}

pub async fn handler(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    Query(p): Query<Params>,
) -> Result<Response, UiError> {
    page(&state, &user, None, p.notice.as_deref().map(notice_text).map(str::to_string)).await
}

/// The page, for handlers that took `Allowed<Administer>`.
pub async fn page(
    state: &AppState,
    user: &UiUser,
    error: Option<String>,
    notice: Option<String>,
) -> Result<Response, UiError> {
    let connection = store::connection(&state.db, user.org_id).await?;
    let page = GithubPage {
        layout: Layout::new(user, "settings"),
        webhook_url: connection.as_ref().map(|c| connect::webhook_url(state, c.id)).unwrap_or_default(),
        connection,
        products: products::list(&state.db, user.org_id).await?,
        repos: store::repos(&state.db, user.org_id).await?,
        error,
        notice: notice.filter(|n| !n.is_empty()),
    };
    Ok(render(&page))
}

fn back(notice: &str) -> Response {
    Redirect::to(&format!("/settings/integrations/github?notice={notice}")).into_response()
}

#[derive(Deserialize)]
pub struct ConnectForm {
    pub mode: String,
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub app_id: String,
    #[serde(default)]
    pub installation_id: String,
    #[serde(default)]
    pub private_key: String,
}

pub async fn connect(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    CsrfForm(f): CsrfForm<ConnectForm>,
) -> Result<Response, UiError> {
    let creds = match f.mode.as_str() {
        "token" => Ok(Credentials::Token(f.token)),
        "app" => match (f.app_id.trim().parse::<u64>(), f.installation_id.trim().parse::<u64>()) {
            (Ok(app_id), Ok(installation_id)) => {
                Ok(Credentials::App { app_id, installation_id, private_key: f.private_key })
            }
            _ => Err("The app ID and the installation ID are numbers (see the app's settings on GitHub)."),
        },
        _ => return Err(UiError::bad_request("Unknown way to connect.")),
    };
    let result = match creds {
        Ok(c) => connect::connect(&state, user.org_id, c).await,
        Err(m) => Err(anyhow::anyhow!(m)),
    };
    match result {
        Ok(()) => {
            let how = if f.mode == "app" { "GitHub App" } else { "token" };
            user.actor().record_alone(&state, user.org_id, "integration.connect", "github", how).await?;
            Ok(back("connected"))
        }
        Err(e) => page(&state, &user, Some(format!("GitHub was not connected: {e:#}")), None).await,
    }
}

pub async fn check(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    match connect::check(&state, user.org_id).await {
        Ok(()) => Ok(back("checked")),
        Err(e) => page(&state, &user, Some(format!("The check failed: {e:#}")), None).await,
    }
}

pub async fn disconnect(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    connect::disconnect(&state, user.org_id).await?;
    user.actor().record_alone(&state, user.org_id, "integration.disconnect", "github", "").await?;
    Ok(back("disconnected"))
}

fn product_id(id: &str) -> Result<ProductId, UiError> {
    id.parse().map_err(|_| UiError::bad_request("That is not a product id."))
}

#[derive(Deserialize)]
pub struct RepoForm {
    pub repo: String,
}

pub async fn link_repo(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<RepoForm>,
) -> Result<Response, UiError> {
    let product = product_id(&id)?;
    let target = format!("product:{product}");
    if f.repo.trim().is_empty() {
        store::unlink_repo(&state.db, user.org_id, product).await?;
        user.actor().record_alone(&state, user.org_id, "settings.github_repository", &target, "unlinked").await?;
        return Ok(back("rules"));
    }
    let linked = connect::link_repo(&state, user.org_id, product, &f.repo).await;
    if linked.is_ok() {
        let detail = format!("linked {}", f.repo.trim());
        user.actor().record_alone(&state, user.org_id, "settings.github_repository", &target, &detail).await?;
    }
    match linked {
        Ok(None) => Ok(back("linked")),
        Ok(Some(warning)) => {
            page(&state, &user, None, Some(format!("The repository was linked, but {warning}."))).await
        }
        Err(e) => page(&state, &user, Some(format!("The repository was not linked: {e:#}")), None).await,
    }
}

#[derive(Deserialize)]
pub struct RulesForm {
    pub label_map: String,
    pub training_map: String,
    #[serde(default)]
    pub issue_instructions: String,
    #[serde(default)]
    pub auto_create: Option<String>,
    pub auto_min_customers: String,
    pub auto_min_confidence: String,
    pub auto_max_per_hour: String,
}

pub async fn save_rules(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<RulesForm>,
) -> Result<Response, UiError> {
    let product = product_id(&id)?;
    let checked = (|| -> Result<(i64, f64, i64), String> {
        draft::parse_label_map(&f.label_map)?;
        training::parse_training_map(&f.training_map)?;
        let n: i64 = f.auto_min_customers.trim().parse().map_err(|_| "Customers must be a whole number.")?;
        let c: f64 = f.auto_min_confidence.trim().parse().map_err(|_| "Confidence must be a number from 0 to 1.")?;
        let m: i64 = f.auto_max_per_hour.trim().parse().map_err(|_| "Issues per hour must be a whole number.")?;
        if n < 1 || !(0.0..=1.0).contains(&c) || !(0..=60).contains(&m) {
            return Err(
                "Customers must be at least 1, confidence from 0 to 1, and issues per hour from 0 to 60.".into()
            );
        }
        Ok((n, c, m))
    })();
    let (n, c, m) = match checked {
        Ok(v) => v,
        Err(e) => return page(&state, &user, Some(format!("The rules were not saved: {e}")), None).await,
    };
    let rules = Rules {
        label_map: f.label_map.trim(),
        training_map: f.training_map.trim(),
        issue_instructions: f.issue_instructions.trim(),
        auto_create: f.auto_create.is_some(),
        auto_min_customers: n,
        auto_min_confidence: c,
        auto_max_per_hour: m,
    };
    store::save_rules(&state.db, user.org_id, product, rules).await?;
    let detail = format!("automatic issues {}", if f.auto_create.is_some() { "on" } else { "off" });
    user.actor()
        .record_alone(&state, user.org_id, "settings.github_rules", &format!("product:{product}"), &detail)
        .await?;
    Ok(back("rules"))
}

pub async fn import_training(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    Path(id): Path<String>,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    let product = product_id(&id)?;
    store::repo_for_product(&state.db, user.org_id, product)
        .await?
        .ok_or_else(|| UiError::bad_request("Link a repository to this product first."))?;
    let mut tx = state.db.begin().await?;
    crate::queue::github_training::enqueue(&mut tx, user.org_id, product).await?;
    tx.commit().await?;
    Ok(back("training"))
}
