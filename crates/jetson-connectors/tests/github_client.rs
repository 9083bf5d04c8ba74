//! The GitHub client against a fake GitHub (wiremock): `Link` pagination, conditional reads,
//! installation tokens, both kinds of rate limit, and faults retried, reported, or, for a create
//! whose outcome is unknown, never repeated.

use std::time::Duration;

use jetson_connectors::github::types::NewIssue;
use jetson_connectors::github::{AppKey, Auth, Client, Conditional, Error, RepoName, Retry};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn quick() -> Retry {
    Retry {
        attempts: 3,
        base: Duration::from_millis(5),
        max: Duration::from_millis(20),
        max_rate_wait: Duration::from_secs(3),
    }
}

fn client(server: &MockServer, timeout: Duration) -> Client {
    let http = jetson_connectors::http::client(timeout);
    Client::new(http, &server.uri(), Auth::Token("ghp_test".into()), quick())
}

fn repo() -> RepoName {
    RepoName::parse("acme/widgets").unwrap()
}

fn issue(number: u64, title: &str) -> Value {
    json!({
        "id": 1000 + number, "number": number, "title": title, "body": "text", "state": "open",
        "html_url": format!("https://github.com/acme/widgets/issues/{number}"), "labels": [{"name": "bug"}],
        "created_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-02T10:00:00Z"
    })
}

fn rate(remaining: u32, reset: i64) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("X-RateLimit-Limit", "5000")
        .insert_header("X-RateLimit-Remaining", remaining.to_string().as_str())
        .insert_header("X-RateLimit-Reset", reset.to_string().as_str())
}

#[tokio::test]
async fn issues_follow_link_pagination_and_pull_requests_are_left_out() {
    let server = MockServer::start().await;
    let page2 = format!("{}/repositories/1/issues?page=2", server.uri());
    Mock::given(method("GET"))
        .and(path("/repos/acme/widgets/issues"))
        .and(query_param("state", "all"))
        .and(header("authorization", "Bearer ghp_test"))
        .and(header("x-github-api-version", "2022-11-28"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Link", format!("<{page2}>; rel=\"next\", <{page2}>; rel=\"last\"").as_str())
                .insert_header("ETag", "\"v1\"")
                .set_body_json(json!([issue(1, "one"), issue(2, "two")])),
        )
        .mount(&server)
        .await;
    let mut pr = issue(3, "a pull request");
    pr["pull_request"] = json!({"url": "x"});
    Mock::given(method("GET"))
        .and(path("/repositories/1/issues"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([pr, issue(4, "four")])))
        .mount(&server)
        .await;
    let got = client(&server, Duration::from_secs(2)).list_issues(&repo(), "all", None, None, None, 10).await.unwrap();
    let Conditional::Fresh { value, etag } = got else { panic!("{got:?}") };
    assert_eq!(value.iter().map(|i| i.number).collect::<Vec<_>>(), vec![1, 2, 4]);
    assert_eq!(etag.as_deref(), Some("\"v1\""));
}

#[tokio::test]
async fn an_unchanged_repository_answers_304_to_the_etag() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widgets/issues"))
        .and(header("if-none-match", "\"v1\""))
        .respond_with(ResponseTemplate::new(304))
        .expect(1)
        .mount(&server)
        .await;
    let got = client(&server, Duration::from_secs(2))
        .list_issues(&repo(), "all", None, Some("\"v1\""), None, 10)
        .await
        .unwrap();
    assert_eq!(got, Conditional::NotModified);
}

#[tokio::test]
async fn a_link_to_another_host_is_refused_because_the_token_would_go_with_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widgets/issues"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Link", "<https://evil.example/steal?page=2>; rel=\"next\"")
                .set_body_json(json!([issue(1, "one")])),
        )
        .mount(&server)
        .await;
    let e =
        client(&server, Duration::from_secs(2)).list_issues(&repo(), "all", None, None, None, 10).await.unwrap_err();
    assert!(matches!(e, Error::Unsafe(_)), "{e:?}");
}

#[tokio::test]
async fn an_exhausted_budget_is_waited_out_mid_sync_and_a_long_one_is_reported() {
    let server = MockServer::start().await;
    let soon = chrono::Utc::now().timestamp() + 1;
    let page2 = format!("{}/repositories/1/issues?page=2", server.uri());
    Mock::given(method("GET"))
        .and(path("/repos/acme/widgets/issues"))
        .respond_with(
            rate(0, soon)
                .insert_header("Link", format!("<{page2}>; rel=\"next\"").as_str())
                .set_body_json(json!([issue(1, "one")])),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repositories/1/issues"))
        .respond_with(rate(4999, soon + 3600).set_body_json(json!([issue(2, "two")])))
        .mount(&server)
        .await;
    let c = client(&server, Duration::from_secs(5));
    let started = std::time::Instant::now();
    let got = c.list_issues(&repo(), "all", None, None, None, 10).await.unwrap();
    assert!(matches!(got, Conditional::Fresh { ref value, .. } if value.len() == 2));
    assert!(started.elapsed() >= Duration::from_millis(500), "page 2 waited for the reset");
    assert_eq!(c.rate().remaining, Some(4999));

    // Spent for an hour: the client says until when instead of holding the job.
    let server = MockServer::start().await;
    let later = chrono::Utc::now().timestamp() + 3600;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widgets/issues/7"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("X-RateLimit-Remaining", "0")
                .insert_header("X-RateLimit-Reset", later.to_string().as_str())
                .set_body_json(json!({"message": "API rate limit exceeded"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let e = client(&server, Duration::from_secs(2)).issue(&repo(), 7).await.unwrap_err();
    assert!(matches!(e, Error::RateLimited { until } if until.timestamp() == later), "{e:?}");
}

#[tokio::test]
async fn a_secondary_limit_is_retried_after_the_wait_github_asks_for() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widgets/issues/7"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("Retry-After", "1")
                .set_body_json(json!({"message": "You have exceeded a secondary rate limit."})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widgets/issues/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(issue(7, "seven")))
        .mount(&server)
        .await;
    let started = std::time::Instant::now();
    let got = client(&server, Duration::from_secs(2)).issue(&repo(), 7).await.unwrap().unwrap();
    assert_eq!(got.number, 7);
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn server_errors_are_retried_then_reported_and_permissions_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widgets/issues/7"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widgets/issues/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(issue(7, "seven")))
        .mount(&server)
        .await;
    assert!(client(&server, Duration::from_secs(2)).issue(&repo(), 7).await.unwrap().is_some());

    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(500)).expect(3).mount(&server).await;
    let e = client(&server, Duration::from_secs(2)).issue(&repo(), 7).await.unwrap_err();
    assert!(matches!(e, Error::Unavailable(ref m, 3) if m.contains("server error 500")), "{e:?}");

    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(
            ResponseTemplate::new(403).set_body_json(json!({"message": "Resource not accessible by integration"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let e = client(&server, Duration::from_secs(2)).set_issue_state(&repo(), 7, "closed", None).await.unwrap_err();
    assert_eq!(e.to_string(), "GitHub refused access: Resource not accessible by integration");
}

#[tokio::test]
async fn a_create_that_times_out_is_not_sent_again() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/widgets/issues"))
        .respond_with(ResponseTemplate::new(201).set_body_json(issue(9, "new")).set_delay(Duration::from_secs(3)))
        .expect(1)
        .mount(&server)
        .await;
    let redact = |t: &str| jetson_privacy::Redactor.redact(t, &jetson_privacy::Known::default()).text;
    let new = NewIssue { title: redact("t"), body: redact("b"), labels: vec![] };
    let e = client(&server, Duration::from_millis(300)).create_issue(&repo(), &new).await.unwrap_err();
    assert!(matches!(e, Error::Uncertain(_)), "{e:?}");

    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(502)).expect(1).mount(&server).await;
    let e = client(&server, Duration::from_secs(2)).create_issue(&repo(), &new).await.unwrap_err();
    assert!(matches!(e, Error::Uncertain(_)), "{e:?}");
}

#[tokio::test]
async fn an_app_trades_its_jwt_for_an_installation_token_once_and_again_after_a_401() {
    let server = MockServer::start().await;
    let key = AppKey::parse(42, include_str!("data/test_app_key.pem")).unwrap();
    let expires = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    for token in ["ghs_one", "ghs_two"] {
        Mock::given(method("POST"))
            .and(path("/app/installations/7/access_tokens"))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({"token": token, "expires_at": expires})))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/repos/acme/widgets/issues/1"))
        .and(header("authorization", "Bearer ghs_one"))
        .respond_with(ResponseTemplate::new(200).set_body_json(issue(1, "one")))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widgets/issues/1"))
        .and(header("authorization", "Bearer ghs_one"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "Bad credentials"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widgets/issues/1"))
        .and(header("authorization", "Bearer ghs_two"))
        .respond_with(ResponseTemplate::new(200).set_body_json(issue(1, "one")))
        .mount(&server)
        .await;
    let c = Client::new(
        jetson_connectors::http::client(Duration::from_secs(2)),
        &server.uri(),
        Auth::App { key: Box::new(key), installation_id: 7 },
        quick(),
    );
    assert!(c.issue(&repo(), 1).await.unwrap().is_some());
    assert!(c.issue(&repo(), 1).await.unwrap().is_some(), "the cached token is reused");
    // The next answer is a 401: one new token, then success.
    assert!(c.issue(&repo(), 1).await.unwrap().is_some());
    let minted: Vec<_> = server.received_requests().await.unwrap();
    let jwt = minted.iter().find(|r| r.url.path().ends_with("access_tokens")).unwrap();
    let auth = jwt.headers.get("authorization").unwrap().to_str().unwrap();
    assert_eq!(auth.matches('.').count(), 2, "a JWT: {auth}");
}

#[tokio::test]
async fn a_release_contains_a_commit_when_the_commit_is_behind_its_tag() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widgets/compare/v1.2...abc123"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "behind"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/widgets/compare/v1.1...abc123"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "ahead"})))
        .mount(&server)
        .await;
    let c = client(&server, Duration::from_secs(2));
    assert!(c.tag_contains(&repo(), "v1.2", "abc123").await.unwrap());
    assert!(!c.tag_contains(&repo(), "v1.1", "abc123").await.unwrap());
    assert!(!c.tag_contains(&repo(), "v0.9", "abc123").await.unwrap(), "an unknown tag contains nothing");
}
