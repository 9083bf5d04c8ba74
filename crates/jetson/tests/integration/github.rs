//! GitHub end to end against the fake: connecting and the health view, linking a repository
//! (webhook registered, issues read), creating an issue from an edited draft exactly once (also
//! when the answer is lost), linking instead of duplicating, webhooks (each state, replays, bad
//! signatures, unknown repositories), status pushed from Jetson, the ETag poll, shipped in a
//! release, automatic creation with brakes, daily counts comments, training import, and a dead
//! GitHub.

use jetson::services::github::purpose;
use jetson_connectors::github::signature;
use jetson_domain::WorkItemId;
use jetson_store::github as store;
use jetson_store::work_items::{self, Filter};
use serde_json::{Value, json};

use crate::fake_github::{FakeGitHub, Fault, REPO, TOKEN};
use crate::helpers::{TestApp, conversation, spawn_app_with};
use crate::pages::{csrf_of, signed_in};

pub struct Setup {
    pub app: TestApp,
    pub fake: FakeGitHub,
    pub client: reqwest::Client,
    pub csrf: String,
}

pub async fn setup() -> Setup {
    let fake = FakeGitHub::start().await;
    let api = fake.uri();
    let app = spawn_app_with(|s| {
        s.github_api = api;
        s.github_timeout = std::time::Duration::from_millis(800);
        s.github_retry = jetson_connectors::github::Retry {
            attempts: 3,
            base: std::time::Duration::from_millis(10),
            max: std::time::Duration::from_millis(50),
            max_rate_wait: std::time::Duration::from_secs(3),
        };
    })
    .await;
    let client = signed_in(&app).await;
    let html = client.get(app.url("/settings/integrations/github")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&html);
    Setup { app, fake, client, csrf }
}

impl Setup {
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let mut f: Vec<(&str, &str)> = vec![("csrf", &self.csrf)];
        f.extend_from_slice(form);
        self.client.post(self.app.url(path)).form(&f).send().await.unwrap()
    }

    pub async fn page(&self, path: &str) -> String {
        self.client.get(self.app.url(path)).send().await.unwrap().text().await.unwrap()
    }

    pub async fn connect(&self) {
        let res = self.post("/settings/integrations/github/connect", &[("mode", "token"), ("token", TOKEN)]).await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        let audited = jetson_store::audit::list(&self.app.state.db, self.app.org, Some("integration.connect"), 5);
        assert!(audited.await.unwrap().iter().any(|e| e.target == "github" && e.detail == "token"));
    }

    /// Two customers reporting the same bug in product "Widgets", linked to the repository; returns the item.
    pub async fn item(&self) -> WorkItemId {
        self.connect().await;
        self.app
            .import(
                "Widgets",
                &[
                    conversation(
                        "c1",
                        "ann@alpha.io",
                        "Export broken",
                        "The CSV export fails with an error every time I click Export on the ledger page.",
                    ),
                    conversation(
                        "c2",
                        "bob@beta.io",
                        "Export fails",
                        "When I click Export the CSV export fails with an error on the ledger page.",
                    ),
                ],
            )
            .await;
        let product = jetson_store::products::list(&self.app.state.db, self.app.org).await.unwrap()[0].id;
        let res = self.post(&format!("/settings/integrations/github/repos/{product}"), &[("repo", REPO)]).await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        let items = work_items::list(&self.app.state.db, self.app.org, &Filter::default(), None, 10).await.unwrap();
        let item = items.iter().find(|w| w.customer_count == 2).expect("one item with both customers");
        item.id
    }

    /// A third customer's report of another problem in "Widgets"; returns its item ("Cannot log in").
    pub async fn second_item(&self) -> WorkItemId {
        self.app
            .import(
                "Widgets",
                &[conversation(
                    "c3",
                    "cy@gamma.io",
                    "Cannot log in",
                    "The login page keeps reloading after I enter my password, so I cannot get into my account at all.",
                )],
            )
            .await;
        let items = work_items::list(&self.app.state.db, self.app.org, &Filter::default(), None, 10).await.unwrap();
        items.iter().find(|w| w.customer_count == 1).expect("a second item").id
    }

    pub async fn create_issue(&self, item: WorkItemId, title: &str) -> reqwest::Response {
        let html = self.page(&format!("/items/{item}/github/new")).await;
        let body = html_field(&html, "draft-body");
        self.post(
            &format!("/items/{item}/github"),
            &[("title", title), ("body", &body), ("labels", "bug, from-support")],
        )
        .await
    }

    /// [`Setup::item`] with its issue, which GitHub has closed as completed by commit `abc123`.
    pub async fn item_fixed_by_commit(&self) -> WorkItemId {
        let item = self.item().await;
        assert_eq!(self.create_issue(item, "Export fails").await.status(), 303);
        let mut w = self.fake.world();
        w.set_state(1, "closed", Some("completed"));
        w.closing.insert(1, "abc123".into());
        item
    }

    pub async fn link(&self, item: WorkItemId) -> store::IssueLink {
        store::issue_link(&self.app.state.db, self.app.org, item).await.unwrap()
    }

    async fn status(&self, item: WorkItemId) -> String {
        work_items::get(&self.app.state.db, self.app.org, item).await.unwrap().status.as_str().to_string()
    }

    async fn webhook_url(&self) -> String {
        let conn = store::connection(&self.app.state.db, self.app.org).await.unwrap().unwrap();
        self.app.url(&format!("/webhooks/github/{}", conn.id))
    }

    async fn secret(&self) -> String {
        let conn = store::connection(&self.app.state.db, self.app.org).await.unwrap().unwrap();
        self.app.state.sealer().unwrap().open(purpose::WEBHOOK_SECRET, &conn.webhook_secret_enc).unwrap()
    }

    pub async fn deliver(
        &self,
        delivery: &str,
        event: &str,
        payload: &Value,
        signature: Option<&str>,
    ) -> reqwest::Response {
        let body = serde_json::to_vec(payload).unwrap();
        let sig = match signature {
            Some(s) => s.to_string(),
            None => signature::sign(&self.secret().await, &body),
        };
        reqwest::Client::new()
            .post(self.webhook_url().await)
            .header("X-GitHub-Event", event)
            .header("X-GitHub-Delivery", delivery)
            .header("X-Hub-Signature-256", sig)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn poll(&self) {
        jetson::jobs::github_poll::poll(&self.app.state, self.app.org).await.unwrap();
    }
}

/// The text of a textarea or input with `id`, unescaped.
fn html_field(html: &str, id: &str) -> String {
    let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest.find("</textarea>").unwrap();
    rest[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

fn issue_event(action: &str, repo: &str, number: u64, state: &str, reason: Option<&str>) -> Value {
    issue_event_at(action, repo, number, state, reason, "2026-11-20T10:00:00Z")
}

/// An `issues` delivery carrying the issue as it was at `updated_at`.
fn issue_event_at(action: &str, repo: &str, number: u64, state: &str, reason: Option<&str>, updated_at: &str) -> Value {
    json!({
        "action": action,
        "issue": {
            "id": 5000 + number, "number": number, "title": "CSV export fails", "body": "b", "state": state,
            "state_reason": reason, "html_url": format!("https://github.com/{repo}/issues/{number}"), "labels": [],
            "created_at": "2026-11-01T10:00:00Z", "updated_at": updated_at,
            "closed_at": if state == "closed" { json!(updated_at) } else { Value::Null }
        },
        "repository": {"id": 1000, "full_name": repo}
    })
}

#[tokio::test]
async fn connecting_checks_the_token_shows_its_health_and_keeps_it_sealed() {
    let s = setup().await;
    let res = s.post("/settings/integrations/github/connect", &[("mode", "token"), ("token", "ghp_wrong")]).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("GitHub was not connected"));
    assert!(store::connection(&s.app.state.db, s.app.org).await.unwrap().is_none(), "a refused token is not kept");

    s.connect().await;
    let conn = store::connection(&s.app.state.db, s.app.org).await.unwrap().unwrap();
    assert!(!conn.token_enc.as_deref().unwrap().contains(TOKEN), "the token is stored encrypted");
    let html = s.page("/settings/integrations/github").await;
    assert!(html.contains("id=\"gh-valid\">Valid"), "{html}");
    assert!(html.contains("repo, admin:repo_hook"));
    assert!(html.contains("4990 of 5000"));
    assert!(html.contains(&format!("/webhooks/github/{}", conn.id)));
}

#[tokio::test]
async fn a_github_app_installation_connects_with_its_private_key() {
    let s = setup().await;
    let pem = include_str!("../../../jetson-connectors/tests/data/test_app_key.pem");
    let bad = [("mode", "app"), ("app_id", "42"), ("installation_id", "7"), ("private_key", "not a key")];
    let res = s.post("/settings/integrations/github/connect", &bad).await;
    assert!(res.text().await.unwrap().contains("not an RSA key in PEM form"));
    let form = [("mode", "app"), ("app_id", "42"), ("installation_id", "7"), ("private_key", pem)];
    let res = s.post("/settings/integrations/github/connect", &form).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let conn = store::connection(&s.app.state.db, s.app.org).await.unwrap().unwrap();
    assert_eq!((conn.kind.as_str(), conn.app_id, conn.installation_id), ("app", Some(42), Some(7)));
    assert!(!conn.private_key_enc.unwrap().contains("PRIVATE KEY"), "the key is stored encrypted");
    assert!(s.page("/settings/integrations/github").await.contains("app 42 (installation 7)"));
}

#[tokio::test]
async fn linking_a_repository_registers_its_webhook_and_reads_its_issues() {
    let s = setup().await;
    s.fake.world().add_issue("Old bug", "something else", &["bug"], "open");
    let _ = s.item().await;
    let hooks = s.fake.world().hooks.clone();
    assert_eq!(hooks.len(), 1);
    assert_eq!(
        hooks[0]["config"]["url"],
        s.webhook_url().await.replace(&s.app.address, &s.app.state.settings.public_base())
    );
    assert_eq!(hooks[0]["config"]["secret"], s.secret().await);
    assert_eq!(hooks[0]["events"], json!(["issues", "release"]));
    // Read at once, not at the next poll (which may be minutes away).
    assert_eq!(jetson_store::github_issues::count_issues(&s.app.state.db, s.app.org, REPO).await.unwrap(), 1);
    s.poll().await;
    assert_eq!(jetson_store::github_issues::count_issues(&s.app.state.db, s.app.org, REPO).await.unwrap(), 1);
    let repo = &store::repos(&s.app.state.db, s.app.org).await.unwrap()[0];
    assert_eq!(repo.webhook_state.as_deref(), Some("active"));
}

#[tokio::test]
async fn an_issue_is_created_from_the_edited_draft_once() {
    let s = setup().await;
    let item = s.item().await;
    let html = s.page(&format!("/items/{item}/github/new")).await;
    assert!(html.contains("**2 distinct customers** at **2 companies**"), "{html}");
    assert!(!html.contains("ann@alpha.io") && !html.contains("bob@beta.io"), "no customer details in the draft");
    let res = s.create_issue(item, "CSV export fails on the ledger page").await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let issue = s.fake.world().issues[&1].clone();
    assert_eq!(issue["title"], "CSV export fails on the ledger page");
    assert_eq!(
        issue["labels"],
        json!([{"name": "bug", "color": "ededed"}, {"name": "from-support", "color": "ededed"}])
    );
    let body = issue["body"].as_str().unwrap();
    assert!(body.contains(&format!("/items/{item}")) && body.contains(&format!("jetson:work-item:{item}")));
    let link = s.link(item).await;
    assert_eq!((link.github_number, link.github_state), (Some(1), Some(jetson_domain::IssueState::Open)));
    let page = s.page(&format!("/items/{item}")).await;
    assert!(page.contains(&format!("{REPO}#1")));

    let again = s.post(&format!("/items/{item}/github"), &[("title", "t"), ("body", "b")]).await;
    assert_eq!(again.status(), 502);
    assert!(again.text().await.unwrap().contains("already has an issue"));
    assert_eq!(s.fake.world().creates, 1);
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_found_instead_of_repeated() {
    let s = setup().await;
    let item = s.item().await;
    s.fake.world().create_delay = Some(std::time::Duration::from_secs(3));
    let res = s.create_issue(item, "Export fails").await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert_eq!(s.fake.world().creates, 1, "the timed-out create was not sent again");
    assert_eq!(s.link(item).await.github_number, Some(1), "the issue it made was found by its marker and linked");
}

#[tokio::test]
async fn a_similar_open_issue_is_offered_and_linked_instead_of_a_duplicate() {
    let s = setup().await;
    s.fake.world().add_issue(
        "CSV export fails with an error",
        "Clicking Export on the ledger page fails.",
        &["bug"],
        "open",
    );
    s.fake.world().add_issue("Dark mode", "Please add a dark theme.", &["enhancement"], "open");
    let item = s.item().await;
    s.poll().await;
    let page = s.page(&format!("/items/{item}")).await;
    assert!(page.contains("id=\"issue-suggestions\""), "{page}");
    assert!(page.contains("#1 CSV export fails with an error") && !page.contains("#2 Dark mode"));
    let res = s.post(&format!("/items/{item}/github/link"), &[("number", "1")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(s.link(item).await.github_number, Some(1));
    assert_eq!(s.fake.world().creates, 0);
}

#[tokio::test]
async fn webhooks_resolve_defer_and_reopen_once_each_and_refuse_bad_signatures() {
    let s = setup().await;
    let item = s.item().await;
    assert_eq!(s.create_issue(item, "Export fails").await.status(), 303);

    let closed = issue_event("closed", REPO, 1, "closed", Some("completed"));
    assert_eq!(s.deliver("d-1", "issues", &closed, Some("sha256=00")).await.status(), 401);
    assert_eq!(s.deliver("d-1", "issues", &closed, Some("")).await.status(), 401);
    assert_eq!(s.status(item).await, "open", "a bad signature changes nothing");

    assert_eq!(s.deliver("d-1", "issues", &closed, None).await.status(), 200);
    assert_eq!(s.status(item).await, "resolved");
    // A person reopens in Jetson; a replay of d-1 must not close it again.
    jetson::services::actions::set_status(&s.app.state, s.app.org, item, jetson_domain::WorkItemStatus::Open)
        .await
        .unwrap();
    assert_eq!(s.deliver("d-1", "issues", &closed, None).await.status(), 200);
    assert_eq!(s.status(item).await, "open", "a replayed delivery is processed once");

    let not_planned = issue_event("closed", REPO, 1, "closed", Some("not_planned"));
    assert_eq!(s.deliver("d-2", "issues", &not_planned, None).await.status(), 200);
    assert_eq!(s.status(item).await, "deferred");
    let reopened = issue_event("reopened", REPO, 1, "open", Some("reopened"));
    assert_eq!(s.deliver("d-3", "issues", &reopened, None).await.status(), 200);
    assert_eq!(s.status(item).await, "open");

    let elsewhere = issue_event("closed", "someone/else", 1, "closed", Some("completed"));
    assert_eq!(s.deliver("d-4", "issues", &elsewhere, None).await.status(), 202);
    assert_eq!(s.status(item).await, "open");
    assert_eq!(
        s.deliver("d-5", "ping", &json!({"zen": "Keep it logically awesome.", "hook_id": 77}), None).await.status(),
        200
    );
    assert_eq!(s.deliver("d-6", "issues", &json!({"action": "closed"}), None).await.status(), 422);

    let mut transferred = issue_event("transferred", REPO, 1, "open", None);
    transferred["changes"] = json!({"new_issue": issue_event("opened", "acme/other", 9, "open", None)["issue"], "new_repository": {"id": 2, "full_name": "acme/other"}});
    assert_eq!(s.deliver("d-7", "issues", &transferred, None).await.status(), 200);
    let link = s.link(item).await;
    assert_eq!((link.github_repo.as_deref(), link.github_number), (Some("acme/other"), Some(9)));

    let gone = issue_event("deleted", "acme/other", 9, "open", None);
    // The new repository is not linked to a product, so its deletion is not ours to apply.
    assert_eq!(s.deliver("d-8", "issues", &gone, None).await.status(), 202);
}

#[tokio::test]
async fn a_merged_items_issue_goes_with_its_reports_so_github_still_reaches_them() {
    let s = setup().await;
    let linked = s.item().await;
    assert_eq!(s.create_issue(linked, "Export fails").await.status(), 303);
    let other = s.second_item().await;

    // A person decides the linked item is a duplicate of the other one.
    jetson::services::actions::merge(&s.app.state, s.app.org, linked, other).await.unwrap();
    assert_eq!(s.link(other).await.github_number, Some(1));
    let closed = issue_event("closed", REPO, 1, "closed", Some("completed"));
    assert_eq!(s.deliver("d-1", "issues", &closed, None).await.status(), 200);
    assert_eq!(s.status(other).await, "resolved", "the item that now holds every report follows the issue");

    jetson::services::actions::unmerge(&s.app.state, s.app.org, linked).await.unwrap();
    assert_eq!((s.link(linked).await.github_number, s.link(other).await.github_number), (Some(1), None));
}

#[tokio::test]
async fn a_deleted_issue_unlinks_and_a_status_set_in_jetson_closes_and_reopens_the_issue() {
    let s = setup().await;
    let item = s.item().await;
    assert_eq!(s.create_issue(item, "Export fails").await.status(), 303);
    for (status, state, reason) in
        [("resolved", "closed", "completed"), ("deferred", "closed", "not_planned"), ("open", "open", "reopened")]
    {
        let res = s.app.post_api(&format!("/api/v1/work-items/{item}/status"), json!({"status": status})).await;
        assert!(res.status().is_success());
        s.app.run_jobs().await;
        let issue = s.fake.world().issues[&1].clone();
        assert_eq!((issue["state"].as_str(), issue["state_reason"].as_str()), (Some(state), Some(reason)), "{status}");
    }
    let patches = s.fake.world().log.iter().filter(|l| l.starts_with("PATCH")).count();
    assert_eq!(patches, 3);

    let deleted = issue_event("deleted", REPO, 1, "open", None);
    assert_eq!(s.deliver("d-9", "issues", &deleted, None).await.status(), 200);
    assert!(s.link(item).await.github_number.is_none());
}

#[tokio::test]
async fn the_poll_catches_a_missed_close_and_an_unchanged_repository_costs_a_304() {
    let s = setup().await;
    let item = s.item().await;
    assert_eq!(s.create_issue(item, "Export fails").await.status(), 303);
    s.poll().await;
    s.fake.world().set_state(1, "closed", Some("completed"));
    s.poll().await;
    assert_eq!(s.status(item).await, "resolved", "the poll applied a close no webhook told");
    s.poll().await;
    assert!(s.fake.world().not_modified >= 1, "the unchanged repository answered 304 to the ETag");
}

#[tokio::test]
async fn a_fix_ships_when_its_closing_commit_first_appears_in_a_published_release() {
    let s = setup().await;
    let item = s.item_fixed_by_commit().await;
    s.fake.world().releases.push(("v1.0".into(), "".into(), "2026-11-01T10:00:00Z".into(), vec![]));
    s.poll().await;
    assert_eq!(s.status(item).await, "resolved");
    assert!(s.link(item).await.shipped_release.is_none(), "closed is not shipped");
    assert!(s.page(&format!("/items/{item}")).await.contains("not in a published release yet"));
    s.fake.world().releases.push((
        "v1.1".into(),
        "Version 1.1".into(),
        "2026-11-24T09:00:00Z".into(),
        vec!["abc123".into()],
    ));
    s.fake.world().releases.push(("v1.2".into(), "".into(), "2026-11-25T09:00:00Z".into(), vec!["abc123".into()]));
    s.poll().await;
    let link = s.link(item).await;
    assert_eq!(link.shipped_release.as_deref(), Some("Version 1.1"));
    assert_eq!(link.shipped_at.unwrap().to_rfc3339(), "2026-11-24T09:00:00+00:00");
    assert!(s.page(&format!("/items/{item}")).await.contains("Shipped in <strong>Version 1.1</strong>"));
}

async fn add_customer(s: &Setup, id: &str, email: &str) {
    s.app
        .import(
            "Widgets",
            &[conversation(
                id,
                email,
                "Export broken",
                "The CSV export fails with an error when I click Export on the ledger page.",
            )],
        )
        .await;
}

#[tokio::test]
async fn new_customers_are_told_to_the_issue_in_counts_at_most_once_a_day() {
    let s = setup().await;
    let item = s.item().await;
    assert_eq!(s.create_issue(item, "Export fails").await.status(), 303);
    s.poll().await;
    assert!(s.fake.world().comments.is_empty(), "nothing new yet");
    add_customer(&s, "c3", "cy@gamma.io").await;
    s.poll().await;
    let comments = s.fake.world().comments.clone();
    assert_eq!(comments.len(), 1);
    assert!(comments[0].1.starts_with("1 more customer reported this"), "{}", comments[0].1);
    assert!(comments[0].1.contains("3 distinct customers at 3 companies"));
    assert!(!comments[0].1.contains("gamma"), "no customer details");
    add_customer(&s, "c4", "di@delta.io").await;
    s.poll().await;
    assert_eq!(s.fake.world().comments.len(), 1, "one comment a day at most");
}

#[tokio::test]
async fn automatic_creation_holds_to_its_thresholds_and_hourly_cap_and_queues_the_rest() {
    let s = setup().await;
    let first = s.item().await;
    s.app
        .import(
            "Widgets",
            &[
                conversation(
                    "d1",
                    "eve@e.io",
                    "Login loop",
                    "After the update the login page keeps redirecting me back to the login page, an endless loop.",
                ),
                conversation(
                    "d2",
                    "fay@f.io",
                    "Login loop again",
                    "The login page keeps redirecting back to the login page after the update, endless loop.",
                ),
            ],
        )
        .await;
    let product = jetson_store::products::list(&s.app.state.db, s.app.org).await.unwrap()[0].id;
    let repo = store::repo_for_product(&s.app.state.db, s.app.org, product).await.unwrap().unwrap();
    let rules = [
        ("label_map", repo.label_map.as_str()),
        ("training_map", repo.training_map.as_str()),
        ("issue_instructions", "Title prefix: [Support]"),
        ("auto_create", "on"),
        ("auto_min_customers", "2"),
        ("auto_min_confidence", "0"),
        ("auto_max_per_hour", "1"),
    ];
    assert_eq!(s.post(&format!("/settings/integrations/github/repos/{product}/rules"), &rules).await.status(), 303);
    s.poll().await;
    s.poll().await;
    assert_eq!(s.fake.world().creates, 1, "one issue per hour, however many polls");
    let titles: Vec<String> =
        s.fake.world().issues.values().map(|i| i["title"].as_str().unwrap().to_string()).collect();
    assert!(titles[0].starts_with("[Support] "), "{titles:?}");
    let queue = s.page("/github/queue").await;
    assert_eq!(queue.matches("Review draft").count(), 1, "the other item waits for approval: {queue}");
    let waiting = work_items::awaiting_approval(&s.app.state.db, s.app.org).await.unwrap();
    assert_eq!(waiting.len(), 1);
    let all = work_items::list(&s.app.state.db, s.app.org, &Filter::default(), None, 10).await.unwrap();
    let other = all.iter().find(|w| w.customer_count == 2 && w.id != first).unwrap().id;
    let created = if waiting[0].id == first { other } else { first };
    assert!([first, other].contains(&waiting[0].id));
    assert_eq!(s.link(created).await.github_linked_by.as_deref(), Some("auto"), "the other got its issue");
    let res = s.post(&format!("/github/queue/{}/dismiss", waiting[0].id), &[]).await;
    assert_eq!(res.status(), 303);
    assert!(s.page("/github/queue").await.contains("Nothing is waiting."));

    let bad = [
        ("label_map", "{oops"),
        ("training_map", "{}"),
        ("auto_min_customers", "2"),
        ("auto_min_confidence", "0"),
        ("auto_max_per_hour", "1"),
    ];
    let res = s.post(&format!("/settings/integrations/github/repos/{product}/rules"), &bad).await;
    assert!(res.text().await.unwrap().contains("The rules were not saved: the label mapping must be JSON"));
}

#[tokio::test]
async fn labelled_issues_of_the_repository_become_training_examples() {
    let s = setup().await;
    {
        let mut w = s.fake.world();
        w.add_issue("Crash when saving", "The app crashes when I save. Contact me at ann@alpha.io", &["bug"], "closed");
        w.add_issue("Add dark mode", "It would be great to have a dark theme.", &["enhancement"], "open");
        w.add_issue("How do I export?", "Where is the export button?", &["question"], "closed");
        w.add_issue("Both", "Unclear", &["bug", "enhancement"], "open");
        w.add_issue("Unlabelled", "nothing", &[], "open");
    }
    let _ = s.item().await;
    let product = jetson_store::products::list(&s.app.state.db, s.app.org).await.unwrap()[0].id;
    assert_eq!(s.post(&format!("/settings/integrations/github/repos/{product}/training"), &[]).await.status(), 303);
    s.app.run_jobs().await;
    let examples = jetson_store::learning::category_examples(&s.app.state.db, s.app.org, product).await.unwrap();
    let github: Vec<_> =
        examples.iter().filter(|(_, t)| t.contains("dark") || t.contains("Crash") || t.contains("export?")).collect();
    assert_eq!(github.len(), 3, "{examples:?}");
    assert!(examples.iter().all(|(_, t)| !t.contains("ann@alpha.io")), "issue text is redacted before it is kept");
    assert!(examples.iter().all(|(_, t)| !t.contains("Unclear")), "an issue with conflicting labels teaches nothing");
}

#[tokio::test]
async fn faults_mid_sync_are_waited_out_and_a_dead_github_is_reported_without_losing_anything() {
    let s = setup().await;
    let item = s.item().await;
    assert_eq!(s.create_issue(item, "Export fails").await.status(), 303);
    s.fake.world().set_state(1, "closed", Some("completed"));
    s.fake.world().faults = vec![Fault::Exhausted, Fault::Secondary, Fault::ServerError];
    s.poll().await;
    assert_eq!(s.status(item).await, "resolved", "the poll got through a spent budget, a secondary limit and a 502");

    s.fake.world().set_state(1, "open", Some("reopened"));
    s.fake.world().faults = vec![Fault::ServerError; 10];
    let err = jetson::jobs::github_poll::poll(&s.app.state, s.app.org).await.unwrap_err();
    assert!(format!("{err:#}").contains("502"), "{err:#}");
    let conn = store::connection(&s.app.state.db, s.app.org).await.unwrap().unwrap();
    assert!(conn.last_error.unwrap().contains("502"));
    assert_eq!(s.status(item).await, "resolved", "nothing changed");
    assert_eq!(s.link(item).await.github_number, Some(1), "the link is kept");
    assert!(s.page("/settings/integrations/github").await.contains("server error 502"));
}

#[tokio::test]
async fn sensitive_text_never_reaches_github_from_a_subject_or_from_what_a_person_typed() {
    let s = setup().await;
    s.connect().await;
    let subject = "Refund for Jane Doe card 4111 1111 1111 1111 jane.doe@example.com IBAN GB82 WEST 1234 5698 7654 32";
    let body = "The refund page fails with an error when I click Refund, every time.";
    let convs = [conversation("c1", "ann@alpha.io", subject, body), conversation("c2", "bob@beta.io", subject, body)];
    s.app.import("Widgets", &convs).await;
    let product = jetson_store::products::list(&s.app.state.db, s.app.org).await.unwrap()[0].id;
    let res = s.post(&format!("/settings/integrations/github/repos/{product}"), &[("repo", REPO)]).await;
    assert_eq!(res.status(), 303);
    let items = work_items::list(&s.app.state.db, s.app.org, &Filter::default(), None, 10).await.unwrap();
    let item = items.iter().max_by_key(|w| w.customer_count).unwrap().id;
    // A person pastes a customer's details into the draft's title and body.
    let html = s.page(&format!("/items/{item}/github/new")).await;
    let typed =
        format!("{}\n\nCall Jane on +44 20 7946 0958 or mail jane.doe@example.com", html_field(&html, "draft-body"));
    let res = s
        .post(&format!("/items/{item}/github"), &[("title", "Refund fails for jane.doe@example.com"), ("body", &typed)])
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let sent: Vec<String> = s
        .fake
        .server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert!(sent.iter().any(|b| b.contains("[EMAIL]")), "the issue was sent, redacted: {sent:?}");
    for value in ["Jane Doe", "4111 1111", "jane.doe@example.com", "7946 0958", "GB82 WEST"] {
        assert!(sent.iter().all(|b| !b.contains(value)), "`{value}` was sent to GitHub: {sent:?}");
    }
    let issue = s.fake.world().issues[&1].clone();
    let sent_body = issue["body"].as_str().unwrap();
    assert!(sent_body.contains(&format!("/items/{item}")), "Jetson's own link is kept whole: {sent_body}");
}

#[tokio::test]
async fn a_late_delivery_of_an_older_event_does_not_rewind_the_issue() {
    let s = setup().await;
    let item = s.item().await;
    assert_eq!(s.create_issue(item, "Export fails").await.status(), 303);
    let closed = issue_event_at("closed", REPO, 1, "closed", Some("completed"), "2026-11-20T10:00:06Z");
    assert_eq!(s.deliver("late-1", "issues", &closed, None).await.status(), 200);
    assert_eq!(s.status(item).await, "resolved");
    // GitHub delivers the `opened` of six seconds earlier only now.
    let opened = issue_event_at("opened", REPO, 1, "open", None, "2026-11-20T10:00:00Z");
    assert_eq!(s.deliver("late-2", "issues", &opened, None).await.status(), 200);
    assert_eq!(s.status(item).await, "resolved", "an older event does not reopen the item");
    assert_eq!(s.link(item).await.github_state, Some(jetson_domain::IssueState::Closed));
    // A newer one still applies.
    let reopened = issue_event_at("reopened", REPO, 1, "open", Some("reopened"), "2026-11-21T08:00:00Z");
    assert_eq!(s.deliver("late-3", "issues", &reopened, None).await.status(), 200);
    assert_eq!(s.status(item).await, "open");
}

#[tokio::test]
async fn a_published_release_ships_the_fix_without_waiting_for_the_poll() {
    let s = setup().await;
    let item = s.item_fixed_by_commit().await;
    s.poll().await;
    assert_eq!(s.status(item).await, "resolved");
    s.fake.world().releases.push((
        "v1.1".into(),
        "Version 1.1".into(),
        "2026-11-24T09:00:00Z".into(),
        vec!["abc123".into()],
    ));
    let release = json!({
        "action": "published",
        "release": {"id": 77, "tag_name": "v1.1", "name": "Version 1.1", "draft": false, "prerelease": false,
                    "published_at": "2026-11-24T09:00:00Z"},
        "repository": {"id": 1000, "full_name": REPO}
    });
    assert_eq!(s.deliver("rel-1", "release", &release, None).await.status(), 200);
    assert_eq!(s.deliver("rel-2", "release", &release, None).await.status(), 200, "a redelivery under a new id");
    assert_eq!(jetson_store::jobs::pending(&s.app.state.db).await.unwrap(), 1, "one check per release");
    s.app.run_jobs().await;
    assert_eq!(s.link(item).await.shipped_release.as_deref(), Some("Version 1.1"));
    let elsewhere = json!({"action": "published", "release": release["release"], "repository": {"id": 2, "full_name": "someone/else"}});
    assert_eq!(s.deliver("rel-3", "release", &elsewhere, None).await.status(), 202);
}
