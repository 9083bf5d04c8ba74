//! `jetson bench helpscout`: a history import from a fake Help Scout that behaves like a busy real
//! one (every answer after 50 ms, at most 400 requests a minute with 429 beyond, pages of 25),
//! timed from the first request until every conversation is stored and analysed.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::config::Settings;

const PAGE: usize = 25;
const LIMIT_PER_MINUTE: usize = 400;
const LATENCY: Duration = Duration::from_millis(50);

struct Fake {
    conversations: Vec<Value>,
    base: String,
    window: Mutex<(Instant, usize)>,
    requests: AtomicU64,
    refused: AtomicU64,
}

/// Counts the request against the minute's limit; `Err` is the 429 to send.
async fn admit(fake: &Fake) -> Result<HeaderMap, Response> {
    fake.requests.fetch_add(1, Ordering::Relaxed);
    tokio::time::sleep(LATENCY).await;
    let mut w = fake.window.lock().await;
    if w.0.elapsed() >= Duration::from_secs(60) {
        *w = (Instant::now(), 0);
    }
    let mut h = HeaderMap::new();
    h.insert("X-RateLimit-Limit-Minute", HeaderValue::from(LIMIT_PER_MINUTE));
    if w.1 >= LIMIT_PER_MINUTE {
        fake.refused.fetch_add(1, Ordering::Relaxed);
        let wait = 60 - w.0.elapsed().as_secs().min(59);
        h.insert("X-RateLimit-Remaining-Minute", HeaderValue::from(0));
        h.insert("X-RateLimit-Retry-After", HeaderValue::from(wait));
        return Err((StatusCode::TOO_MANY_REQUESTS, h, axum::Json(json!({"message": "API rate limit exceeded"})))
            .into_response());
    }
    w.1 += 1;
    h.insert("X-RateLimit-Remaining-Minute", HeaderValue::from(LIMIT_PER_MINUTE - w.1));
    Ok(h)
}

async fn token() -> axum::Json<Value> {
    axum::Json(json!({"token_type": "bearer", "access_token": "bench-token", "expires_in": 7200}))
}

async fn mailboxes(State(fake): State<Arc<Fake>>) -> Response {
    match admit(&fake).await {
        Ok(h) => (
            h,
            axum::Json(json!({"_embedded": {"mailboxes": [{"id": 1, "name": "Bench"}]},
            "page": {"size": 50, "totalElements": 1, "totalPages": 1, "number": 1}})),
        )
            .into_response(),
        Err(r) => r,
    }
}

async fn webhook(State(fake): State<Arc<Fake>>) -> Response {
    match admit(&fake).await {
        Ok(mut h) => {
            h.insert("Resource-ID", HeaderValue::from(1));
            (StatusCode::CREATED, h).into_response()
        }
        Err(r) => r,
    }
}

async fn conversation_page(State(fake): State<Arc<Fake>>, Query(q): Query<Vec<(String, String)>>) -> Response {
    let headers = match admit(&fake).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    let page: usize = q.iter().find(|(k, _)| k == "page").and_then(|(_, v)| v.parse().ok()).unwrap_or(1).max(1);
    let total = fake.conversations.len();
    let pages = total.div_ceil(PAGE);
    let items: Vec<&Value> = fake.conversations.iter().skip((page - 1) * PAGE).take(PAGE).collect();
    let mut links = json!({"self": {"href": format!("{}/v2/conversations?page={page}", fake.base)}});
    if page < pages {
        links["next"] = json!({"href": format!("{}/v2/conversations?mailbox=1&status=all&embed=threads&page={}", fake.base, page + 1)});
    }
    let body = json!({"_embedded": {"conversations": items}, "_links": links,
        "page": {"size": PAGE, "totalElements": total, "totalPages": pages, "number": page}});
    (headers, axum::Json(body)).into_response()
}

/// Serves `conversations` on a free local port until the process ends; returns its base URL.
async fn serve(conversations: Vec<Value>) -> anyhow::Result<Arc<Fake>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let fake = Arc::new(Fake {
        conversations,
        base,
        window: Mutex::new((Instant::now(), 0)),
        requests: AtomicU64::new(0),
        refused: AtomicU64::new(0),
    });
    let app = Router::new()
        .route("/v2/oauth2/token", post(token))
        .route("/v2/mailboxes", get(mailboxes))
        .route("/v2/webhooks", post(webhook))
        .route("/v2/conversations", get(conversation_page))
        .with_state(fake.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(fake)
}

pub async fn run(n: usize) -> anyhow::Result<()> {
    anyhow::ensure!(n > 0, "--conversations must be at least 1");
    let conversations: Vec<Value> = super::synthetic_conversations(n)?
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let mut v: Value = serde_json::from_str(line).expect("generated JSON");
            v["id"] = json!(i + 1);
            v["mailboxId"] = json!(1);
            // Help Scout's ids are numbers.
            if let Some(threads) = v["_embedded"]["threads"].as_array_mut() {
                for (j, t) in threads.iter_mut().enumerate() {
                    t["id"] = json!((i + 1) * 100 + j);
                }
            }
            v
        })
        .collect();
    let fake = serve(conversations).await?;
    let dir = crate::tools::tempfile_dir()?;
    let mut settings = Settings::for_data_dir(&dir);
    settings.helpscout = jetson_connectors::helpscout::Endpoints::for_api(&fake.base);
    let state = crate::startup::open(settings).await?;
    let org = crate::services::accounts::ensure_org(&state, "Bench").await?;

    let started = Instant::now();
    let app = jetson_connectors::helpscout::Credentials { client_id: "bench".into(), client_secret: "bench".into() };
    crate::services::helpscout::connect::with_client_credentials(&state, org, &app).await?;
    crate::services::helpscout::imports::link_mailbox(&state, org, "Bench", "Bench").await?;
    let run = crate::jobs::helpscout_sync::import_now(&state, org, "Bench", None, None).await?;
    crate::startup::analyse_pending(&state).await?;
    let secs = started.elapsed().as_secs_f64();
    let stored = jetson_store::conversations::count(&state.db, org).await?;
    anyhow::ensure!(stored as usize == n && run.done as usize == n, "expected {n} conversations, stored {stored}");
    state.db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!(
        "requests: {}, refused with 429: {}",
        fake.requests.load(Ordering::Relaxed),
        fake.refused.load(Ordering::Relaxed)
    );
    println!("helpscout: {n} conversations in {secs:.1} s");
    Ok(())
}
