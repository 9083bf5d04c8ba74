//! Running Jetson as a service: metrics, request ids, what the logs may hold.

use serde_json::Value;

use crate::helpers::{WithLoginCsrf, conversation, spawn_app, spawn_app_with};
use crate::log_watch;

const METRICS_TOKEN: &str = "metrics-token-for-the-test-0001";

fn metric(page: &str, name: &str, labels: &[&str]) -> Option<f64> {
    page.lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| l.starts_with(name) && labels.iter().all(|label| l.contains(label)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_exist_only_with_a_token_and_count_requests_jobs_and_the_queue() {
    let without = spawn_app().await;
    let res = without.api.get(without.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 404, "no token configured: no metrics");

    let app = spawn_app_with(|s| s.metrics_token = Some(METRICS_TOKEN.into())).await;
    for auth in [None, Some("Bearer wrong-token-wrong-token")] {
        let mut req = app.api.get(app.url("/metrics"));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        assert_eq!(req.send().await.unwrap().status(), 401);
    }
    // Some traffic: a page, an API call with a bad token, a webhook with a bad signature, and an
    // import that leaves its analysis queued.
    app.api.get(app.url("/login")).send().await.unwrap();
    app.api
        .get(app.url("/api/v1/work-items/0190aaaa-0000-7000-8000-000000000000"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    let hook = app.api.post(app.url("/webhooks/helpscout/not-a-connection")).body("{}").send().await.unwrap();
    assert_eq!(hook.status(), 401);
    let mut tx = app.state.db.begin().await.unwrap();
    let product =
        jetson_store::products::get_or_create(&mut tx, app.org, &jetson_domain::ProductName::parse("P").unwrap())
            .await
            .unwrap();
    tx.commit().await.unwrap();
    let convs = [conversation("m1", "ann@acme.example", "Export", "The export is blank.")];
    jetson::services::import::write(&app.state, app.org, product.id, &convs, &mut |_, _| {}).await.unwrap();

    let scrape = || async {
        let res = app.api.get(app.url("/metrics")).bearer_auth(METRICS_TOKEN).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        res.text().await.unwrap()
    };
    let page = scrape().await;
    assert!(page.contains("# TYPE jetson_http_request_duration_seconds histogram"), "{page}");
    assert!(metric(&page, "jetson_http_requests_total", &["route=\"/login\"", "status=\"200\""]).unwrap() >= 1.0);
    // Routes are patterns: an id never becomes a label.
    assert!(
        metric(&page, "jetson_http_requests_total", &["route=\"/api/v1/work-items/{id}\"", "status=\"401\""]).is_some()
    );
    assert!(!page.contains("0190aaaa"), "{page}");
    assert!(
        metric(&page, "jetson_webhooks_total", &["provider=\"helpscout\"", "outcome=\"rejected\""]).unwrap() >= 1.0
    );
    assert!(metric(&page, "jetson_conversations_written_total", &["outcome=\"new\""]).unwrap() >= 1.0);
    assert!(metric(&page, "jetson_texts_redacted_total", &[]).unwrap() >= 1.0);
    assert_eq!(
        metric(&page, "jetson_jobs_queued", &["kind=\"analyze\""]),
        Some(1.0),
        "this app's queue, read from its database"
    );
    assert!(metric(&page, "jetson_db_pool_connections", &[]).unwrap() >= 1.0);

    app.run_jobs().await;
    let page = scrape().await;
    assert_eq!(metric(&page, "jetson_jobs_queued", &["kind=\"analyze\""]), Some(0.0), "an emptied queue reads 0");
    assert!(metric(&page, "jetson_jobs_finished_total", &["kind=\"analyze\"", "outcome=\"done\""]).unwrap() >= 1.0);
    assert!(metric(&page, "jetson_conversations_analysed_total", &[]).unwrap() >= 1.0);
}

#[tokio::test]
async fn every_answer_carries_a_request_id_that_api_errors_repeat_and_a_proxys_id_is_kept() {
    let app = spawn_app().await;
    let res = app.api.get(app.url("/api/v1/work-items")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 32);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["request_id"], id.as_str());

    let res = app.api.get(app.url("/healthz")).header("x-request-id", "edge-4f1c").send().await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "edge-4f1c");
    let res = app.api.get(app.url("/healthz")).header("x-request-id", "bad id\twith junk").send().await.unwrap();
    assert_ne!(res.headers()["x-request-id"], "bad id\twith junk");
}

/// The suite-wide check ([`log_watch`]) sees every app's passwords and tokens; this test also puts
/// conversation text, a wrong password and a forged token through the app and looks for them.
#[tokio::test]
async fn no_log_line_holds_a_password_a_token_or_conversation_text() {
    let app = spawn_app().await;
    let canary_text = "my diagnosis is arrhythmia-canary-5521 and my card is 4111 1111 1111 1111";
    let canary_email = "canary.person.5521@hospital.example";
    let wrong_password = "wrong-password-canary-5521";
    let forged_token = "jt_forged_token_canary_5521";
    for (kind, secret) in [
        ("conversation text", "arrhythmia-canary-5521"),
        ("a card number", "4111 1111 1111 1111"),
        ("a customer's email", canary_email),
        ("a password", wrong_password),
        ("an API token", forged_token),
    ] {
        log_watch::never_log(kind, secret);
    }
    app.import("P", &[conversation("leak-1", canary_email, "Heart monitor sync", canary_text)]).await;
    let login = app
        .api
        .post(app.url("/login"))
        .with_login_csrf()
        .form(&[("email", app.admin_email.as_str()), ("password", wrong_password)])
        .send()
        .await
        .unwrap();
    assert!(login.status().is_success() || login.status().is_redirection() || login.status() == 401);
    let res = app.api.get(app.url("/api/v1/work-items")).bearer_auth(forged_token).send().await.unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    // The log was written, in JSON, with the request's id: the check looked at real lines.
    let lines = log_watch::lines_with(&id);
    assert!(!lines.is_empty(), "a debug line for request {id}");
    let line: Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(line["span"]["request_id"], id.as_str(), "{line}");
    log_watch::assert_no_leaks();
}
