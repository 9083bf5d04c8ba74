//! A fake GitHub (wiremock) that keeps one repository's state and answers in GitHub's shapes (as
//! recorded in `../shared/data/github_fixtures`): the token's user and scopes, the repository,
//! hooks, issues (listed newest-updated first, paginated by `Link`, with an ETag), comments, issue
//! events with closing commits, releases and comparisons, and faults on demand.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const REPO: &str = "acme/widgets";
pub const TOKEN: &str = "ghp_good_token";

#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// 502 to any request.
    ServerError,
    /// 403 with `Retry-After: 1`.
    Secondary,
    /// The budget is spent: 403 with `X-RateLimit-Remaining: 0` until a second from now.
    Exhausted,
}

#[derive(Default)]
pub struct World {
    pub issues: BTreeMap<u64, Value>,
    pub comments: Vec<(u64, String)>,
    /// Issue number → the commit that closed it.
    pub closing: BTreeMap<u64, String>,
    /// Published releases: (tag, name, published_at, commits it contains).
    pub releases: Vec<(String, String, String, Vec<String>)>,
    pub hooks: Vec<Value>,
    /// Faults for the next requests, used up in order.
    pub faults: Vec<Fault>,
    /// Creates answer after this long (the issue is made at once).
    pub create_delay: Option<Duration>,
    pub creates: usize,
    pub not_modified: usize,
    /// Every request as `METHOD path?query`.
    pub log: Vec<String>,
    version: u64,
}

impl World {
    pub fn add_issue(&mut self, title: &str, body: &str, labels: &[&str], state: &str) -> u64 {
        let number = self.issues.len() as u64 + 1;
        self.version += 1;
        let now = format!("2026-11-{:02}T10:00:{:02}Z", 1 + (self.version / 60) % 27, self.version % 60);
        let labels: Vec<Value> = labels.iter().map(|l| json!({"name": l, "color": "ededed"})).collect();
        self.issues.insert(
            number,
            json!({
                "id": 5000 + number, "number": number, "title": title, "body": body, "state": state,
                "state_reason": if state == "closed" { json!("completed") } else { Value::Null },
                "html_url": format!("https://github.com/{REPO}/issues/{number}"), "labels": labels,
                "created_at": now, "updated_at": now, "closed_at": if state == "closed" { json!(now) } else { Value::Null },
                "user": {"login": "jetson-bot", "id": 1}
            }),
        );
        number
    }

    /// Changes an issue's state as a person on GitHub would.
    pub fn set_state(&mut self, number: u64, state: &str, reason: Option<&str>) {
        self.version += 1;
        let stamp = format!("2026-11-28T10:{:02}:{:02}Z", (self.version / 60) % 60, self.version % 60);
        let i = self.issues.get_mut(&number).expect("an issue");
        i["state"] = json!(state);
        i["state_reason"] = json!(reason);
        i["updated_at"] = json!(stamp);
        i["closed_at"] = if state == "closed" { json!(stamp) } else { Value::Null };
    }

    fn etag(&self) -> String {
        format!("\"v{}\"", self.version)
    }
}

pub struct FakeGitHub {
    pub server: MockServer,
    pub world: Arc<Mutex<World>>,
}

impl FakeGitHub {
    pub async fn start() -> FakeGitHub {
        let server = MockServer::start().await;
        let world = Arc::new(Mutex::new(World::default()));
        Mock::given(wiremock::matchers::any())
            .respond_with(Responder(world.clone(), server.uri()))
            .mount(&server)
            .await;
        FakeGitHub { server, world }
    }

    pub fn uri(&self) -> String {
        self.server.uri()
    }

    pub fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().unwrap()
    }
}

struct Responder(Arc<Mutex<World>>, String);

fn ok(body: Value) -> ResponseTemplate {
    answer(200, body)
}

fn answer(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("X-RateLimit-Limit", "5000")
        .insert_header("X-RateLimit-Remaining", "4990")
        .insert_header("X-RateLimit-Reset", (chrono::Utc::now().timestamp() + 3600).to_string().as_str())
        .set_body_json(body)
}

fn not_found() -> ResponseTemplate {
    ResponseTemplate::new(404)
        .set_body_json(json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}))
}

impl Respond for Responder {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut w = self.0.lock().unwrap();
        let path = req.url.path().to_string();
        let query: BTreeMap<String, String> = req.url.query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
        w.log.push(format!("{} {}{}", req.method, path, req.url.query().map(|q| format!("?{q}")).unwrap_or_default()));
        let auth = req.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
        // A GitHub App: its JWT (three dot-separated parts) buys an installation token.
        if req.method.as_str() == "POST"
            && path == "/app/installations/7/access_tokens"
            && auth.matches('.').count() == 2
        {
            let expires = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
            return answer(201, json!({"token": TOKEN, "expires_at": expires}));
        }
        if auth != format!("Bearer {TOKEN}") {
            return ResponseTemplate::new(401).set_body_json(json!({"message": "Bad credentials"}));
        }
        if !w.faults.is_empty() {
            match w.faults.remove(0) {
                Fault::ServerError => return ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"),
                Fault::Secondary => {
                    return ResponseTemplate::new(403)
                        .insert_header("Retry-After", "1")
                        .set_body_json(json!({"message": "You have exceeded a secondary rate limit."}));
                }
                Fault::Exhausted => {
                    return ResponseTemplate::new(403)
                        .insert_header("X-RateLimit-Remaining", "0")
                        .insert_header("X-RateLimit-Reset", (chrono::Utc::now().timestamp() + 1).to_string().as_str())
                        .set_body_json(json!({"message": "API rate limit exceeded"}));
                }
            }
        }
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let base = format!("/repos/{REPO}");
        let rest = path.strip_prefix(&base);
        let method = req.method.as_str();
        match (method, path.as_str(), rest) {
            ("GET", "/installation/repositories", _) => ok(json!({"total_count": 1, "repositories": []})),
            ("GET", "/user", _) => ok(json!({"login": "jetson-bot", "id": 1})).insert_header("X-OAuth-Scopes", "repo, admin:repo_hook"),
            ("GET", _, Some("")) => {
                ok(json!({"id": 1000, "full_name": REPO, "private": true, "has_issues": true, "permissions": {"admin": true, "push": true, "pull": true}}))
            }
            ("POST", _, Some("/hooks")) => {
                let hook = json!({"id": 77 + w.hooks.len(), "active": true, "events": body["events"], "config": body["config"]});
                w.hooks.push(hook.clone());
                answer(201, hook)
            }
            ("GET", _, Some(r)) if r.starts_with("/hooks/") => {
                let id: u64 = r[7..].parse().unwrap_or(0);
                w.hooks.iter().find(|h| h["id"] == id).map(|h| ok(h.clone())).unwrap_or_else(not_found)
            }
            ("GET", _, Some("/issues")) => {
                let etag = w.etag();
                if req.headers.get("if-none-match").and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
                    w.not_modified += 1;
                    return ResponseTemplate::new(304).insert_header("ETag", etag.as_str());
                }
                let mut list: Vec<Value> = w
                    .issues
                    .values()
                    .filter(|i| match query.get("state").map(String::as_str) {
                        Some("open") => i["state"] == "open",
                        Some("closed") => i["state"] == "closed",
                        _ => true,
                    })
                    .filter(|i| {
                        query.get("labels").is_none_or(|l| i["labels"].as_array().unwrap().iter().any(|x| x["name"] == l.as_str()))
                    })
                    .cloned()
                    .collect();
                list.sort_by(|a, b| b["updated_at"].as_str().cmp(&a["updated_at"].as_str()));
                let per: usize = query.get("per_page").and_then(|p| p.parse().ok()).unwrap_or(30).min(100);
                let page: usize = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
                let chunk: Vec<Value> = list.iter().skip((page - 1) * per).take(per).cloned().collect();
                let mut res = ok(json!(chunk)).insert_header("ETag", etag.as_str());
                if page * per < list.len() {
                    let mut next = req.url.clone();
                    let pairs: Vec<(String, String)> =
                        next.query_pairs().filter(|(k, _)| k != "page").map(|(k, v)| (k.into(), v.into())).collect();
                    next.query_pairs_mut().clear().extend_pairs(pairs).append_pair("page", &(page + 1).to_string());
                    let next = format!("{}{}?{}", self.1, next.path(), next.query().unwrap());
                    res = res.insert_header("Link", format!("<{next}>; rel=\"next\"").as_str());
                }
                res
            }
            ("POST", _, Some("/issues")) => {
                w.creates += 1;
                let labels: Vec<&str> = body["labels"].as_array().map(|a| a.iter().filter_map(|l| l.as_str()).collect()).unwrap_or_default();
                let n = w.add_issue(body["title"].as_str().unwrap_or(""), body["body"].as_str().unwrap_or(""), &labels, "open");
                let mut res = answer(201, w.issues[&n].clone());
                if let Some(d) = w.create_delay {
                    res = res.set_delay(d);
                }
                res
            }
            (_, _, Some(r)) if r.starts_with("/issues/") => {
                let parts: Vec<&str> = r[8..].split('/').collect();
                let Some(n) = parts[0].parse::<u64>().ok().filter(|n| w.issues.contains_key(n)) else { return not_found() };
                match (method, parts.get(1).copied()) {
                    ("GET", None) => ok(w.issues[&n].clone()),
                    ("PATCH", None) => {
                        let state = body["state"].as_str().unwrap_or("open").to_string();
                        let default = if state == "closed" { "completed" } else { "reopened" };
                        let reason = body["state_reason"].as_str().unwrap_or(default).to_string();
                        w.set_state(n, &state, Some(&reason));
                        ok(w.issues[&n].clone())
                    }
                    ("POST", Some("comments")) => {
                        w.comments.push((n, body["body"].as_str().unwrap_or("").to_string()));
                        answer(201, json!({"id": w.comments.len(), "body": body["body"]}))
                    }
                    ("GET", Some("events")) => {
                        let mut events = vec![json!({"event": "labeled", "commit_id": null, "created_at": "2026-11-01T10:00:00Z"})];
                        if w.issues[&n]["state"] == "closed" {
                            events.push(json!({"event": "closed", "commit_id": w.closing.get(&n), "created_at": "2026-11-02T10:00:00Z"}));
                        }
                        ok(json!(events))
                    }
                    _ => not_found(),
                }
            }
            ("GET", _, Some("/releases")) => ok(json!(
                w.releases
                    .iter()
                    .enumerate()
                    .map(|(i, (tag, name, at, _))| json!({"id": i + 1, "tag_name": tag, "name": name, "draft": false, "prerelease": false, "published_at": at}))
                    .collect::<Vec<_>>()
            )),
            ("GET", _, Some(r)) if r.starts_with("/compare/") => {
                let Some((tag, sha)) = r[9..].split_once("...") else { return not_found() };
                match w.releases.iter().find(|(t, ..)| t == tag) {
                    Some((.., commits)) => ok(json!({"status": if commits.iter().any(|c| c == sha) { "behind" } else { "ahead" }})),
                    None => not_found(),
                }
            }
            _ => not_found(),
        }
    }
}
