//! A fake Help Scout (wiremock) that speaks the Mailbox API v2 as recorded in
//! `../shared/data/helpscout_fixtures`: OAuth tokens, mailboxes, webhooks, conversation lists
//! paginated by `_links.next` with rate-limit headers, single conversations, and faults on demand.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// What the next request for a page answers instead of the page.
#[derive(Clone, Debug)]
pub enum Fault {
    ServerError,
    RateLimited,
    Truncated,
    Expired,
    Vanished,
}

#[derive(Default)]
pub struct World {
    /// Conversations by id, as Help Scout holds them now.
    pub conversations: BTreeMap<u64, Value>,
    /// Faults for a page number, used up in order.
    pub faults: HashMap<u64, Vec<Fault>>,
    /// Pages that always fail with 500.
    pub down: Vec<u64>,
    /// Pages that take a minute to answer.
    pub slow: Vec<u64>,
    /// Requests for list pages, by page number.
    pub page_requests: Vec<u64>,
    pub last_query: Option<String>,
}

pub struct FakeHelpScout {
    pub server: MockServer,
    pub world: Arc<Mutex<World>>,
}

pub const PAGE: usize = 25;

pub fn conversation(id: u64, mailbox: u64, day: u32, email: &str, body: &str) -> Value {
    json!({
        "id": id, "number": id, "threads": 1, "type": "email", "status": "active", "state": "published",
        "subject": format!("Conversation {id}"), "mailboxId": mailbox,
        "createdAt": format!("2026-10-{:02}T10:{:02}:00Z", day.clamp(1, 28), id % 60),
        "primaryCustomer": {"id": id, "first": "Cust", "last": format!("{id}"), "email": email},
        "tags": [{"id": 1, "color": "#929499", "tag": "vip"}],
        "_embedded": {"threads": [
            {"id": id * 10, "type": "customer", "status": "active", "state": "published", "body": body,
             "customer": {"id": id, "first": "Cust", "last": format!("{id}"), "email": email},
             "createdBy": {"id": id, "type": "customer", "first": "Cust", "last": format!("{id}"), "email": email},
             "createdAt": format!("2026-10-{:02}T10:{:02}:00Z", day.clamp(1, 28), id % 60)}
        ]}
    })
}

/// Adds a customer reply thread.
pub fn with_reply(mut conv: Value, thread_id: u64, body: &str) -> Value {
    let email = conv["primaryCustomer"]["email"].clone();
    conv["_embedded"]["threads"].as_array_mut().unwrap().push(json!({
        "id": thread_id, "type": "customer", "body": body, "createdAt": "2026-10-29T12:00:00Z",
        "createdBy": {"id": 1, "type": "customer", "email": email}, "customer": {"id": 1, "email": email}
    }));
    conv
}

struct Pages(Arc<Mutex<World>>, String);

impl Respond for Pages {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut w = self.0.lock().unwrap();
        let page: u64 = req.url.query_pairs().find(|(k, _)| k == "page").and_then(|(_, v)| v.parse().ok()).unwrap_or(1);
        w.page_requests.push(page);
        w.last_query = req.url.query().map(str::to_string);
        let mailbox: Option<u64> =
            req.url.query_pairs().find(|(k, _)| k == "mailbox").and_then(|(_, v)| v.parse().ok());
        if w.slow.contains(&page) {
            return ResponseTemplate::new(500).set_delay(std::time::Duration::from_secs(60));
        }
        if w.down.contains(&page) {
            return ResponseTemplate::new(500).set_body_json(json!({"logRef": "fake#1", "message": "Internal error"}));
        }
        if let Some(f) = w.faults.get_mut(&page).and_then(|f| (!f.is_empty()).then(|| f.remove(0))) {
            return match f {
                Fault::ServerError => {
                    ResponseTemplate::new(503).set_body_json(json!({"logRef": "fake#2", "message": "Internal error"}))
                }
                Fault::RateLimited => ResponseTemplate::new(429)
                    .insert_header("X-RateLimit-Retry-After", "1")
                    .insert_header("X-RateLimit-Limit-Minute", "400")
                    .insert_header("X-RateLimit-Remaining-Minute", "0")
                    .set_body_json(json!({"message": "API rate limit exceeded"})),
                Fault::Truncated => {
                    ResponseTemplate::new(200).set_body_string("{\"_embedded\": {\"conversations\": [{\"id\": 1,")
                }
                Fault::Expired => ResponseTemplate::new(401).set_body_json(json!({"message": "token expired"})),
                Fault::Vanished => ResponseTemplate::new(404).set_body_json(json!({"message": "Not found"})),
            };
        }
        // Oldest first, optionally from a creation date (the `query` the importer sends).
        let since = req.url.query_pairs().find(|(k, _)| k == "query").and_then(|(_, q)| {
            let from = q.split('[').nth(1)?.split(" TO ").next()?.to_string();
            (from != "*").then_some(from)
        });
        let mut all: Vec<&Value> = w
            .conversations
            .values()
            .filter(|c| mailbox.is_none_or(|m| c["mailboxId"] == m))
            .filter(|c| since.as_deref().is_none_or(|s| c["createdAt"].as_str().unwrap_or("") >= s))
            .collect();
        all.sort_by_key(|c| (c["createdAt"].as_str().unwrap_or("").to_string(), c["id"].as_u64()));
        let total = all.len();
        let pages = total.div_ceil(PAGE).max(1) as u64;
        let items: Vec<Value> = all.into_iter().skip((page as usize - 1) * PAGE).take(PAGE).cloned().collect();
        let mut links = json!({"self": {"href": format!("{}/v2/conversations?page={page}", self.1)}});
        if page < pages {
            let mut next = reqwest::Url::parse(&format!("{}/v2/conversations", self.1)).unwrap();
            let kept: Vec<(String, String)> =
                req.url.query_pairs().filter(|(k, _)| k != "page").map(|(k, v)| (k.into(), v.into())).collect();
            next.query_pairs_mut().extend_pairs(kept).append_pair("page", &(page + 1).to_string());
            links["next"] = json!({"href": next.to_string()});
        }
        let mut body = json!({"_links": links, "page": {"size": PAGE, "totalElements": total, "totalPages": pages, "number": page}});
        if !items.is_empty() {
            body["_embedded"] = json!({"conversations": items});
        }
        ResponseTemplate::new(200)
            .insert_header("X-RateLimit-Limit-Minute", "400")
            .insert_header("X-RateLimit-Remaining-Minute", "399")
            .set_body_json(body)
    }
}

struct One(Arc<Mutex<World>>);

impl Respond for One {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let id: u64 = req.url.path().rsplit('/').next().and_then(|s| s.parse().ok()).unwrap_or(0);
        match self.0.lock().unwrap().conversations.get(&id) {
            Some(c) => ResponseTemplate::new(200).set_body_json(c),
            None => ResponseTemplate::new(404).set_body_json(json!({"message": "Not found"})),
        }
    }
}

impl FakeHelpScout {
    pub async fn start() -> FakeHelpScout {
        let server = MockServer::start().await;
        let world = Arc::new(Mutex::new(World::default()));
        let uri = server.uri();
        Mock::given(method("POST"))
            .and(path("/v2/oauth2/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"token_type": "bearer", "access_token": "tok-1", "refresh_token": "refresh-1", "expires_in": 7200}),
            ))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/v2/mailboxes"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "_embedded": {"mailboxes": [
                    {"id": 1, "name": "Support", "slug": "a", "email": "support@acme.example"},
                    {"id": 2, "name": "Sales", "slug": "b", "email": "sales@acme.example"}]},
                "_links": {"self": {"href": format!("{uri}/v2/mailboxes")}},
                "page": {"size": 50, "totalElements": 2, "totalPages": 1, "number": 1}})))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/v2/webhooks"))
            .respond_with(ResponseTemplate::new(201).insert_header("Resource-ID", "55"))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/v2/webhooks/55"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"id": 55, "url": "x", "state": "enabled", "events": ["convo.created"], "secret": "s"}),
            ))
            .mount(&server)
            .await;
        Mock::given(method("DELETE"))
            .and(path("/v2/webhooks/55"))
            .respond_with(ResponseTemplate::new(204))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/v2/conversations"))
            .respond_with(Pages(world.clone(), uri.clone()))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path_regex(r"^/v2/conversations/\d+$"))
            .respond_with(One(world.clone()))
            .mount(&server)
            .await;
        FakeHelpScout { server, world }
    }

    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// `n` conversations in `mailbox`, ids from `first`, spread over October.
    pub fn add(&self, first: u64, n: u64, mailbox: u64) {
        let mut w = self.world.lock().unwrap();
        for id in first..first + n {
            let body = if id % 2 == 0 {
                "The PDF export of my invoices is blank since the update. Please fix it."
            } else {
                "Could you add a dark mode to the dashboard? My eyes hurt at night."
            };
            let c = conversation(id, mailbox, (id % 28) as u32 + 1, &format!("c{id}@co{}.example", id % 7), body);
            w.conversations.insert(id, c);
        }
    }

    pub async fn requests_to(&self, method_name: &str, path_prefix: &str) -> Vec<Request> {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.method.as_str() == method_name && r.url.path().starts_with(path_prefix))
            .collect()
    }
}
