//! The Help Scout client against a fake Help Scout (wiremock): pagination, tokens, rate limits and
//! each kind of fault, retried or reported.

use std::sync::Mutex;
use std::time::Duration;

use jetson_connectors::helpscout::client::ConversationQuery;
use jetson_connectors::helpscout::{Account, Client, Credentials, Endpoints, Error, Grant, RateHeaders, Retry, Tokens};
use serde_json::json;
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Default)]
struct Memory {
    reserved: Mutex<u32>,
    seen: Mutex<Vec<RateHeaders>>,
    saved: Mutex<Vec<Tokens>>,
}

impl Account for &Memory {
    async fn reserve(&self, cost: u32) -> Result<Duration, String> {
        *self.reserved.lock().unwrap() += cost;
        Ok(Duration::ZERO)
    }
    async fn observe(&self, seen: RateHeaders) -> Result<(), String> {
        self.seen.lock().unwrap().push(seen);
        Ok(())
    }
    async fn save_tokens(&self, tokens: &Tokens) -> Result<(), String> {
        self.saved.lock().unwrap().push(tokens.clone());
        Ok(())
    }
}

fn app() -> Credentials {
    Credentials { client_id: "app-id".into(), client_secret: "app-secret".into() }
}

fn quick() -> Retry {
    Retry { attempts: 3, base: Duration::from_millis(5), max: Duration::from_millis(20) }
}

fn client<'a>(server: &MockServer, memory: &'a Memory, grant: Grant, tokens: Option<Tokens>) -> Client<&'a Memory> {
    let http = jetson_connectors::http::client(Duration::from_secs(2));
    Client::new(http, Endpoints::for_api(&server.uri()), app(), grant, tokens, memory, quick())
}

fn valid_token(access: &str) -> Tokens {
    Tokens {
        access_token: access.into(),
        refresh_token: Some("refresh-1".into()),
        expires_at: chrono::Utc::now() + chrono::Duration::hours(1),
    }
}

async fn token_endpoint(server: &MockServer, access: &str) {
    Mock::given(method("POST"))
        .and(path("/v2/oauth2/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"token_type": "bearer", "access_token": access, "expires_in": 7200})),
        )
        .mount(server)
        .await;
}

fn mailbox_page(ids: &[u64], next: Option<String>) -> serde_json::Value {
    let mailboxes: Vec<_> = ids.iter().map(|i| json!({"id": i, "name": format!("Box {i}")})).collect();
    let mut links = json!({"self": {"href": "x"}});
    if let Some(n) = next {
        links["next"] = json!({"href": n});
    }
    json!({"_embedded": {"mailboxes": mailboxes}, "_links": links,
           "page": {"size": 2, "totalElements": 3, "totalPages": 2, "number": if ids.len() == 2 {1} else {2}}})
}

#[tokio::test]
async fn client_credentials_are_exchanged_once_and_pages_are_followed() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok-1").await;
    let next = format!("{}/v2/mailboxes?page=2", server.uri());
    Mock::given(method("GET"))
        .and(path("/v2/mailboxes"))
        .and(query_param("page", "2"))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(mailbox_page(&[3], None)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/mailboxes"))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(mailbox_page(&[1, 2], Some(next))))
        .mount(&server)
        .await;
    let memory = Memory::default();
    let c = client(&server, &memory, Grant::ClientCredentials, None);
    let boxes = c.mailboxes().await.unwrap();
    assert_eq!(boxes.iter().map(|m| m.id).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!(memory.saved.lock().unwrap().len(), 1, "the new token was saved once");
    assert_eq!(*memory.reserved.lock().unwrap(), 2, "two reads cost two");
}

#[tokio::test]
async fn a_401_refreshes_the_token_once_with_the_refresh_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth2/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains("refresh_token=refresh-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"token_type": "bearer", "access_token": "new", "refresh_token": "refresh-2", "expires_in": 7200}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer old"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "expired"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer new"))
        .respond_with(ResponseTemplate::new(200).set_body_json(mailbox_page(&[1], None)))
        .mount(&server)
        .await;
    let memory = Memory::default();
    let c = client(&server, &memory, Grant::AuthorizationCode, Some(valid_token("old")));
    assert_eq!(c.mailboxes().await.unwrap().len(), 1);
    let saved = memory.saved.lock().unwrap();
    assert_eq!(saved[0].refresh_token.as_deref(), Some("refresh-2"));
}

#[tokio::test]
async fn an_expiring_token_is_refreshed_before_use() {
    let server = MockServer::start().await;
    token_endpoint(&server, "fresh").await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer fresh"))
        .respond_with(ResponseTemplate::new(200).set_body_json(mailbox_page(&[1], None)))
        .mount(&server)
        .await;
    let memory = Memory::default();
    let mut stale = valid_token("stale");
    stale.expires_at = chrono::Utc::now() + chrono::Duration::seconds(10);
    let c = client(&server, &memory, Grant::ClientCredentials, Some(stale));
    assert_eq!(c.mailboxes().await.unwrap().len(), 1);
}

#[tokio::test]
async fn rejected_credentials_are_reported_in_plain_words() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth2/token"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"status": 400, "message": "app-id is not a valid API Key"})),
        )
        .mount(&server)
        .await;
    let memory = Memory::default();
    let err = client(&server, &memory, Grant::ClientCredentials, None).mailboxes().await.unwrap_err();
    assert!(matches!(&err, Error::Unauthorized(m) if m.contains("not a valid API Key")), "{err}");
}

#[tokio::test]
async fn server_errors_timeouts_and_malformed_bodies_are_retried() {
    let server = MockServer::start().await;
    let fail_first = |t: ResponseTemplate| Mock::given(method("GET")).respond_with(t).up_to_n_times(1);
    fail_first(ResponseTemplate::new(503).set_body_json(json!({"message": "Internal error", "logRef": "r#1"})))
        .mount(&server)
        .await;
    let memory = Memory::default();
    let ok = || ResponseTemplate::new(200).set_body_json(mailbox_page(&[1], None));
    Mock::given(method("GET")).respond_with(ok()).mount(&server).await;
    let c = client(&server, &memory, Grant::ClientCredentials, Some(valid_token("t")));
    assert_eq!(c.mailboxes().await.unwrap().len(), 1, "a 503 is retried");

    for bad in [
        ResponseTemplate::new(200).set_body_string("{\"_embedded\": {\"mailboxes\": [{\"id\": 1,"),
        ResponseTemplate::new(200).set_body_string("<html>gateway</html>"),
        ResponseTemplate::new(200).set_delay(Duration::from_secs(3)).set_body_json(mailbox_page(&[1], None)),
    ] {
        server.reset().await;
        Mock::given(method("GET")).respond_with(bad).up_to_n_times(1).mount(&server).await;
        Mock::given(method("GET")).respond_with(ok()).mount(&server).await;
        assert_eq!(c.mailboxes().await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_persistent_outage_gives_up_with_a_clear_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(500).set_body_json(json!({"message": "Internal error", "logRef": "abc#12"})),
        )
        .expect(3)
        .mount(&server)
        .await;
    let memory = Memory::default();
    let err = client(&server, &memory, Grant::ClientCredentials, Some(valid_token("t"))).mailboxes().await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("server error 500") && text.contains("abc#12") && text.contains("3 attempt"), "{text}");
}

#[tokio::test]
async fn a_429_waits_as_told_and_the_wait_reaches_the_shared_budget() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("X-RateLimit-Retry-After", "1")
                .insert_header("X-RateLimit-Limit-Minute", "400")
                .insert_header("X-RateLimit-Remaining-Minute", "0")
                .set_body_json(json!({"message": "API rate limit exceeded"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(mailbox_page(&[1], None)))
        .mount(&server)
        .await;
    let memory = Memory::default();
    let c = client(&server, &memory, Grant::ClientCredentials, Some(valid_token("t")));
    assert_eq!(c.mailboxes().await.unwrap().len(), 1);
    let seen = memory.seen.lock().unwrap();
    assert_eq!(seen[0], RateHeaders { limit: Some(400), remaining: Some(0), retry_after: Some(1) });
}

#[tokio::test]
async fn a_client_error_is_not_retried_and_explains_itself() {
    let server = MockServer::start().await;
    let body = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/helpscout_fixtures/helpscout-api-php/error_400_validation.json"),
    )
    .unwrap_or_else(|_| {
        r#"{"message":"Validation error","_embedded":{"errors":[{"path":"country","message":"may not be empty"}]}}"#
            .into()
    });
    Mock::given(method("POST"))
        .and(path("/v2/webhooks"))
        .respond_with(ResponseTemplate::new(400).set_body_string(body))
        .expect(1)
        .mount(&server)
        .await;
    let memory = Memory::default();
    let c = client(&server, &memory, Grant::ClientCredentials, Some(valid_token("t")));
    let err = c.create_webhook("https://jetson.example/hook", "s", &["convo.created"]).await.unwrap_err();
    assert!(matches!(&err, Error::Rejected { status: 400, message } if message.contains("country: may not be empty")));
    assert_eq!(*memory.reserved.lock().unwrap(), 2, "a write costs two");
}

#[tokio::test]
async fn webhooks_are_created_and_deleted() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/webhooks"))
        .and(body_string_contains("convo.deleted"))
        .respond_with(ResponseTemplate::new(201).insert_header("Resource-ID", "77"))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/v2/webhooks/77"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/v2/webhooks/78"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let memory = Memory::default();
    let c = client(&server, &memory, Grant::ClientCredentials, Some(valid_token("t")));
    let events = jetson_connectors::helpscout::WEBHOOK_EVENTS;
    assert_eq!(c.create_webhook("https://j.example/h", "s", events).await.unwrap(), 77);
    c.delete_webhook(77).await.unwrap();
    c.delete_webhook(78).await.expect("an already deleted webhook is fine");
}

#[tokio::test]
async fn a_next_link_to_another_host_is_refused() {
    let server = MockServer::start().await;
    let memory = Memory::default();
    let c = client(&server, &memory, Grant::ClientCredentials, Some(valid_token("t")));
    let err = c.page("https://evil.example/v2/conversations?page=2").await.unwrap_err();
    assert!(matches!(err, Error::Unsafe(_)));
    let url = c.conversations_url(&ConversationQuery {
        mailbox: 5,
        since: Some("2026-01-01T00:00:00Z".parse().unwrap()),
        ..Default::default()
    });
    assert!(url.contains("mailbox=5") && url.contains("status=all") && url.contains("embed=threads"), "{url}");
    assert!(url.contains("createdAt%3A%5B2026-01-01T00%3A00%3A00Z+TO+*%5D"), "{url}");
}
