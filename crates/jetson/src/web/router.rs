//! Every route, in one place.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::AppState;
use crate::web::{api, ui};

/// The API's operations as `(method, path)`; a test checks the OpenAPI document against this list
/// and that each one is routed.
pub const API_ROUTES: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", "/api/v1/openapi.json"),
    ("get", "/api/v1/work-items"),
    ("get", "/api/v1/work-items/{id}"),
    ("post", "/api/v1/work-items/{id}/status"),
    ("post", "/api/v1/work-items/{id}/merge"),
    ("post", "/api/v1/work-items/{id}/unmerge"),
    ("post", "/api/v1/reports/{id}/move"),
    ("get", "/api/v1/conversations"),
    ("get", "/api/v1/conversations/{id}"),
    ("post", "/api/v1/conversations/{id}/reclassify"),
    ("post", "/webhooks/helpscout/{connection}"),
    ("post", "/webhooks/github/{connection}"),
];

pub fn build(state: AppState) -> Router {
    let api = Router::new()
        .route("/healthz", get(api::healthz::handler))
        .route("/readyz", get(api::readyz::handler))
        .route("/metrics", get(api::metrics::handler))
        .route("/api/v1/openapi.json", get(api::openapi::handler))
        .route("/api/v1/work-items", get(api::work_items_list::handler))
        .route("/api/v1/work-items/{id}", get(api::work_item_get::handler))
        .route("/api/v1/work-items/{id}/status", post(api::work_item_status::handler))
        .route("/api/v1/work-items/{id}/merge", post(api::work_item_merge::handler))
        .route("/api/v1/work-items/{id}/unmerge", post(api::work_item_unmerge::handler))
        .route("/api/v1/reports/{id}/move", post(api::report_move::handler))
        .route("/api/v1/conversations", get(api::conversations_list::handler))
        .route("/api/v1/conversations/{id}", get(api::conversation_get::handler))
        .route("/api/v1/conversations/{id}/reclassify", post(api::conversation_reclassify::handler))
        .route("/webhooks/helpscout/{connection}", post(api::helpscout_webhook::handler))
        .route("/webhooks/github/{connection}", post(api::github_webhook::handler))
        .fallback(|| async { crate::web::error::ApiError::NotFound });

    let pages = Router::new()
        .route("/", get(ui::inbox::handler))
        .route("/login", get(ui::login::page).post(ui::login::submit))
        .route("/signup", get(ui::signup::page).post(ui::signup::submit))
        .route("/invite/{token}", get(ui::invite::page).post(ui::invite::accept))
        .route("/login/forgot", get(ui::forgot::page).post(ui::forgot::submit))
        .route("/reset/{token}", get(ui::invite::reset_page).post(ui::invite::reset))
        .route("/settings/members", get(ui::members::page))
        .route("/settings/members/invite", post(ui::members::invite))
        .route("/settings/members/invites/{id}/withdraw", post(ui::members::withdraw))
        .route("/settings/members/{id}/role", post(ui::members::set_role))
        .route("/settings/members/{id}/remove", post(ui::members::remove))
        .route("/settings/members/{id}/reset-link", post(ui::members::reset_link))
        .route("/settings/members/{id}/products", post(ui::members::set_products))
        .route("/login/two-factor", get(ui::login::second_factor_page).post(ui::login::second_factor_submit))
        .route("/logout", post(ui::logout::handler))
        .route("/account/sessions", get(ui::sessions::page))
        .route("/account/sessions/revoke-others", post(ui::sessions::revoke_others))
        .route("/account/sessions/{id}/revoke", post(ui::sessions::revoke))
        .route("/account/organisations", get(ui::organisations::page))
        .route("/account/organisations/{id}/switch", post(ui::organisations::switch))
        .route("/account/organisations/{id}/leave", post(ui::organisations::leave))
        .route("/account/tokens", get(ui::tokens::page).post(ui::tokens::create))
        .route("/account/tokens/{id}/revoke", post(ui::tokens::revoke))
        .route("/account/password", get(ui::password::page).post(ui::password::change))
        .route("/account/two-factor", get(ui::two_factor::page))
        .route("/account/two-factor/start", post(ui::two_factor::start))
        .route("/account/two-factor/enable", post(ui::two_factor::enable))
        .route("/account/two-factor/recovery-codes", post(ui::two_factor::renew_codes))
        .route("/account/two-factor/disable", post(ui::two_factor::disable))
        .route("/items", get(ui::items::handler))
        .route("/items/{id}", get(ui::item::handler))
        .route("/items/{id}/status", post(ui::item_status::handler))
        .route("/items/{id}/merge", post(ui::item_merge::merge))
        .route("/items/{id}/unmerge", post(ui::item_merge::unmerge))
        .route("/reports/{id}/move", post(ui::report_move::handler))
        .route("/items/{id}/github/new", get(ui::github_issue::new))
        .route("/items/{id}/github", post(ui::github_issue::create))
        .route("/items/{id}/github/link", post(ui::github_issue::link))
        .route("/items/{id}/github/unlink", post(ui::github_issue::unlink))
        .route("/board", get(ui::board::page))
        .route("/github/queue", get(ui::github_queue::page))
        .route("/github/queue/{id}/dismiss", post(ui::github_queue::dismiss))
        .route("/messages", get(ui::messages::handler))
        .route("/conversations/{id}", get(ui::conversation::handler))
        .route("/conversations/{id}/reclassify", post(ui::reclassify::handler))
        .route("/conversations/{id}/reveal", post(ui::conversation::reveal))
        .route("/held", get(ui::held::page))
        .route("/held/{id}/release", post(ui::held::release))
        .route("/held/{id}/keep-out", post(ui::held::keep_out))
        .route("/settings/integrations", get(ui::integrations::handler))
        .route("/settings/integrations/helpscout/connect", post(ui::helpscout_connect::connect))
        .route("/settings/integrations/helpscout/callback", get(ui::helpscout_connect::callback))
        .route("/settings/integrations/helpscout/disconnect", post(ui::helpscout_connect::disconnect))
        .route("/settings/integrations/helpscout/webhook", post(ui::helpscout_connect::webhook))
        .route("/settings/integrations/helpscout/mailboxes/refresh", post(ui::helpscout_mailboxes::refresh))
        .route("/settings/integrations/helpscout/mailboxes/{id}", post(ui::helpscout_mailboxes::link))
        .route("/settings/integrations/helpscout/imports", post(ui::helpscout_imports::start))
        .route("/settings/integrations/helpscout/imports/{id}", get(ui::helpscout_imports::view))
        .route("/settings/integrations/helpscout/imports/{id}/stop", post(ui::helpscout_imports::stop))
        .route("/settings/integrations/helpscout/imports/{id}/resume", post(ui::helpscout_imports::resume))
        .route("/settings/integrations/github", get(ui::github_settings::handler))
        .route("/settings/integrations/github/connect", post(ui::github_settings::connect))
        .route("/settings/integrations/github/check", post(ui::github_settings::check))
        .route("/settings/integrations/github/disconnect", post(ui::github_settings::disconnect))
        .route("/settings/integrations/github/repos/{id}", post(ui::github_settings::link_repo))
        .route("/settings/integrations/github/repos/{id}/rules", post(ui::github_settings::save_rules))
        .route("/settings/integrations/github/repos/{id}/training", post(ui::github_settings::import_training))
        .route("/settings/products", get(ui::products::page))
        .route("/settings/privacy", get(ui::privacy_settings::page))
        .route("/settings/audit", get(ui::audit::page))
        .route("/settings/audit/export", post(ui::audit::export))
        .route("/settings/audit/alerts/seen", post(ui::audit::alerts_seen))
        .route("/settings/privacy/retention", post(ui::privacy_settings::save))
        .route("/settings/privacy/operators", post(ui::privacy_settings::save_operators))
        .route("/settings/privacy/two-factor", post(ui::privacy_settings::save_two_factor))
        .route("/settings/products/{id}", post(ui::products::save))
        .route("/settings/products/{id}/learning/reset", post(ui::products::reset_learning))
        .route("/settings/products/{id}/model", get(ui::products::download_model))
        .route("/assets/{*path}", get(ui::assets::handler))
        .layer(middleware::from_fn(same_origin_posts));

    Router::new()
        .merge(pages)
        .merge(api)
        .layer(middleware::from_fn_with_state(state.clone(), crate::web::rate_limit::limit))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(1024 * 1024))
        .layer(header("content-security-policy", CSP))
        .layer(header("x-frame-options", "DENY"))
        .layer(header("x-content-type-options", "nosniff"))
        .layer(header("referrer-policy", "same-origin"))
        // Pages and API answers hold an organisation's data: no cache keeps them (assets set their own).
        .layer(header("cache-control", "no-store"))
        .layer(middleware::from_fn(crate::web::observe::observe))
        .with_state(state)
}

/// No inline script or style anywhere, so the policy can forbid both.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

fn header(name: &'static str, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(header::HeaderName::from_static(name), HeaderValue::from_static(value))
}

/// A second line of CSRF defence beside the form token: a browser's cross-site POST carries an
/// `Origin` that is not ours. `Origin: null` (a sandboxed frame, a `data:` page) is not ours
/// either: it is how a forged sign-in form would post.
async fn same_origin_posts(req: Request, next: Next) -> Response {
    if req.method() == Method::POST {
        let origin = req.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok());
        let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok());
        if let (Some(origin), Some(host)) = (origin, host) {
            let origin_host = origin.split("://").nth(1).unwrap_or(origin);
            if origin == "null" || origin_host != host {
                return (StatusCode::FORBIDDEN, "Cross-site form submissions are refused.").into_response();
            }
        }
    }
    next.run(req).await
}
