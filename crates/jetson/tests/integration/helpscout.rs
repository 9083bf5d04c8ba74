//! Help Scout end to end against the fake: connect, choose mailboxes, import history (with every
//! kind of fault), webhooks (signatures, duplicates, disorder, deletion, moves), polling, OAuth and
//! disconnecting.

use crate::helpers::WithLoginCsrf;
use jetson_connectors::helpscout::signature;
use jetson_store::{conversations, helpscout as store, jobs, sync_runs};
use serde_json::json;

use crate::fake_helpscout::{FakeHelpScout, Fault, conversation, with_reply};
use crate::helpers::{TestApp, spawn_app_with};

fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a form with a CSRF token") + 19;
    html[at..].split('"').next().unwrap().to_string()
}

struct Setup {
    app: TestApp,
    fake: FakeHelpScout,
    client: reqwest::Client,
    csrf: String,
}

async fn setup() -> Setup {
    let fake = FakeHelpScout::start().await;
    let api = fake.uri();
    let app = spawn_app_with(|s| {
        s.helpscout = jetson_connectors::helpscout::Endpoints::for_api(&api);
        s.helpscout.authorize = format!("{api}/authorize");
    })
    .await;
    let client = browser();
    let res = client
        .post(app.url("/login"))
        .with_login_csrf()
        .form(&[("email", app.admin_email.as_str()), ("password", app.admin_password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let html = client.get(app.url("/settings/integrations")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&html);
    Setup { app, fake, client, csrf }
}

impl Setup {
    async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let mut f: Vec<(&str, &str)> = vec![("csrf", &self.csrf)];
        f.extend_from_slice(form);
        self.client.post(self.app.url(path)).form(&f).send().await.unwrap()
    }

    async fn connect(&self) {
        let res = self
            .post(
                "/settings/integrations/helpscout/connect",
                &[("mode", "client_credentials"), ("client_id", "app-1"), ("client_secret", "shh-secret")],
            )
            .await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        assert_eq!(res.headers()["location"], "/settings/integrations?notice=connected");
        let audited = jetson_store::audit::list(&self.app.state.db, self.app.org, Some("integration.connect"), 5);
        assert!(audited.await.unwrap().iter().any(|e| e.target == "helpscout"), "connecting is audited");
    }

    async fn link(&self, mailbox: i64) {
        let res =
            self.post(&format!("/settings/integrations/helpscout/mailboxes/{mailbox}"), &[("product", "new")]).await;
        assert_eq!(res.status(), 303);
        let audited = jetson_store::audit::list(&self.app.state.db, self.app.org, Some("settings.mailbox"), 5);
        assert!(!audited.await.unwrap().is_empty(), "linking a mailbox is audited");
    }

    /// Starts an import of mailbox 1 through the UI and returns its run id.
    async fn start_import(&self) -> uuid::Uuid {
        let res = self
            .post("/settings/integrations/helpscout/imports", &[("mailbox", "1"), ("since", ""), ("until", "")])
            .await;
        assert_eq!(res.status(), 303);
        let location = res.headers()["location"].to_str().unwrap().to_string();
        location.rsplit('/').next().unwrap().parse().unwrap()
    }

    async fn run(&self, id: uuid::Uuid) -> sync_runs::SyncRun {
        sync_runs::get(&self.app.state.db, self.app.org, id).await.unwrap().unwrap()
    }

    async fn stored(&self) -> i64 {
        conversations::count(&self.app.state.db, self.app.org).await.unwrap()
    }

    async fn webhook_secret(&self) -> (uuid::Uuid, String) {
        let c = store::connection(&self.app.state.db, self.app.org).await.unwrap().unwrap();
        let secret = self
            .app
            .state
            .sealer()
            .unwrap()
            .open(jetson::services::helpscout::purpose::WEBHOOK_SECRET, c.webhook_secret_enc.as_deref().unwrap())
            .unwrap();
        (c.id, secret)
    }

    async fn deliver(&self, event: &str, body: &str, signature: Option<String>) -> reqwest::Response {
        let (id, _) = self.webhook_secret().await;
        let mut req = reqwest::Client::new()
            .post(self.app.url(&format!("/webhooks/helpscout/{id}")))
            .header("X-HelpScout-Event", event)
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(s) = signature {
            req = req.header("X-HelpScout-Signature", s);
        }
        req.send().await.unwrap()
    }

    async fn deliver_signed(&self, event: &str, body: &str) {
        let (_, secret) = self.webhook_secret().await;
        let res = self.deliver(event, body, Some(signature::sign(&secret, body.as_bytes()))).await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }
}

#[tokio::test]
async fn connecting_lists_mailboxes_registers_a_webhook_and_history_imports_once() {
    let s = setup().await;
    s.fake.add(1, 60, 1);
    s.fake.add(500, 3, 2);
    s.connect().await;

    let conn = store::connection(&s.app.state.db, s.app.org).await.unwrap().unwrap();
    assert!(conn.connected_at.is_some());
    for sealed in [&conn.client_secret_enc, conn.access_token_enc.as_ref().unwrap()] {
        assert!(!sealed.contains("shh-secret") && !sealed.contains("tok-1"), "secrets are encrypted at rest");
    }
    let hooks = s.fake.requests_to("POST", "/v2/webhooks").await;
    assert_eq!(hooks.len(), 1);
    let body: serde_json::Value = serde_json::from_slice(&hooks[0].body).unwrap();
    assert!(body["url"].as_str().unwrap().ends_with(&format!("/webhooks/helpscout/{}", conn.id)));
    assert!(body["events"].as_array().unwrap().iter().any(|e| e == "convo.customer.reply.created"));
    assert_eq!(body["secret"].as_str().unwrap(), s.webhook_secret().await.1);

    let html = s.client.get(s.app.url("/settings/integrations")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"hs-connected\"") && html.contains("Support") && html.contains("Sales"));
    assert!(html.contains(">Active<"), "the webhook is shown active");

    s.link(1).await;
    let id = s.start_import().await;
    s.app.run_jobs().await;
    let run = s.run(id).await;
    assert_eq!((run.status.as_str(), run.total, run.done, run.inserted), ("done", Some(60), 60, 60));
    assert_eq!(s.stored().await, 60, "only the chosen mailbox is read");
    assert_eq!(s.fake.world.lock().unwrap().page_requests, vec![1, 2, 3], "pages followed by _links.next");
    let query = s.fake.world.lock().unwrap().last_query.clone().unwrap();
    assert!(query.contains("status=all") && query.contains("embed=threads") && query.contains("mailbox=1"), "{query}");
    let items = jetson_store::work_items::inbox(&s.app.state.db, s.app.org, None, None, 50).await.unwrap();
    assert!(!items.is_empty(), "the imported conversations were analysed into work items");
    let page = s.client.get(s.app.url(&format!("/settings/integrations/helpscout/imports/{id}"))).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"import-percent\">100%") && html.contains("60 of 60"), "{html}");

    let again = s.start_import().await;
    s.app.run_jobs().await;
    let run = s.run(again).await;
    assert_eq!((run.done, run.inserted, run.unchanged), (60, 0, 60), "importing the same range changes nothing");
    assert_eq!(s.stored().await, 60);
    let c = store::connection(&s.app.state.db, s.app.org).await.unwrap().unwrap();
    assert!(c.last_sync_at.is_some() && c.last_error.is_none());
}

#[tokio::test]
async fn faults_mid_import_are_retried_and_nothing_is_lost_or_duplicated() {
    let s = setup().await;
    s.fake.add(1, 60, 1);
    s.connect().await;
    s.link(1).await;
    {
        let mut w = s.fake.world.lock().unwrap();
        w.faults.insert(1, vec![Fault::RateLimited, Fault::Expired]);
        w.faults.insert(2, vec![Fault::ServerError, Fault::Truncated]);
        w.faults.insert(3, vec![Fault::Vanished]);
    }
    let id = s.start_import().await;
    s.app.run_jobs().await;
    let run = s.run(id).await;
    assert_eq!(run.status, "done", "{:?}", run.error);
    assert_eq!(s.stored().await, 60);
    assert_eq!(run.inserted, 60, "every conversation stored once");
    let tokens = s.fake.requests_to("POST", "/v2/oauth2/token").await;
    assert_eq!(tokens.len(), 2, "the expired token was refreshed once");
    let pages = s.fake.world.lock().unwrap().page_requests.clone();
    assert!(pages.iter().filter(|p| **p == 1).count() >= 3, "page 1 was retried after 429 and 401: {pages:?}");
}

#[tokio::test]
async fn an_outage_stops_the_import_with_a_plain_error_and_it_resumes_where_it_stopped() {
    let s = setup().await;
    s.fake.add(1, 60, 1);
    s.connect().await;
    s.link(1).await;
    s.fake.world.lock().unwrap().down.push(2);
    let id = sync_runs::create(&s.app.state.db, s.app.org, product(&s).await, 1, None, None).await.unwrap();
    let run = s.run(id).await;
    let err = jetson::jobs::helpscout_sync::import(&s.app.state, &run, &mut |_| {}).await.unwrap_err();
    assert!(format!("{err:#}").contains("server error 500"), "{err:#}");
    let run = s.run(id).await;
    assert_eq!((run.status.as_str(), run.done), ("running", 25), "page 1 is kept, the cursor points at page 2");
    assert!(run.cursor.as_deref().unwrap().contains("page=2"));

    s.fake.world.lock().unwrap().down.clear();
    jetson::jobs::helpscout_sync::import(&s.app.state, &run, &mut |_| {}).await.unwrap();
    s.app.run_jobs().await;
    let run = s.run(id).await;
    assert_eq!((run.status.as_str(), run.done, run.inserted), ("done", 60, 60));
    assert_eq!(s.stored().await, 60);
}

async fn product(s: &Setup) -> jetson_domain::ProductId {
    store::product_for_mailbox(&s.app.state.db, s.app.org, 1).await.unwrap().unwrap()
}

#[tokio::test]
async fn stopping_an_import_keeps_what_was_read_and_resuming_finishes_it() {
    let s = setup().await;
    s.fake.add(1, 60, 1);
    s.connect().await;
    s.link(1).await;
    let id = s.start_import().await;
    let res = s.post(&format!("/settings/integrations/helpscout/imports/{id}/stop"), &[]).await;
    assert_eq!(res.status(), 303);
    s.app.run_jobs().await;
    assert_eq!((s.run(id).await.status.as_str(), s.stored().await), ("stopped", 0));
    let html = s.client.get(s.app.url(&format!("/settings/integrations/helpscout/imports/{id}"))).send().await.unwrap();
    assert!(html.text().await.unwrap().contains("id=\"import-resume\""));
    s.post(&format!("/settings/integrations/helpscout/imports/{id}/resume"), &[]).await;
    s.app.run_jobs().await;
    assert_eq!((s.run(id).await.status.as_str(), s.stored().await), ("done", 60));
}

#[tokio::test]
async fn webhooks_are_verified_and_duplicates_disorder_replies_deletions_and_moves_converge() {
    let s = setup().await;
    s.connect().await;
    s.link(1).await;
    let db = &s.app.state.db;
    let queued = || async { jobs::pending(db).await.unwrap() };
    s.fake
        .world
        .lock()
        .unwrap()
        .conversations
        .insert(101, conversation(101, 1, 3, "ann@acme.example", "The PDF export is blank."));
    let body = json!({"id": 101, "subject": "whatever"}).to_string();

    assert_eq!(s.deliver("convo.created", &body, None).await.status(), 401);
    assert_eq!(s.deliver("convo.created", &body, Some("bm9wZQ==".into())).await.status(), 401);
    let forged = signature::sign("not-our-secret", body.as_bytes());
    assert_eq!(s.deliver("convo.created", &body, Some(forged)).await.status(), 401);
    assert_eq!(queued().await, 0, "a bad signature changes nothing");

    s.deliver_signed("convo.created", &body).await;
    s.deliver_signed("convo.created", &body).await;
    assert_eq!(queued().await, 1, "the same delivery twice is one job");
    s.app.run_jobs().await;
    assert_eq!(s.stored().await, 1);
    let stored =
        conversations::list(db, s.app.org, &conversations::Filter { limit: 10, ..Default::default() }).await.unwrap();
    assert!(stored[0].analyzed_at.is_some(), "analysed within the job run");

    // A customer reply: the conversation is stored again and re-analysed.
    let updated =
        with_reply(conversation(101, 1, 3, "ann@acme.example", "The PDF export is blank."), 1011, "Still blank today.");
    s.fake.world.lock().unwrap().conversations.insert(101, updated);
    s.deliver_signed("convo.customer.reply.created", &json!({"id": 101, "threads": 2}).to_string()).await;
    s.app.run_jobs().await;
    let messages = conversations::messages(db, s.app.org, stored[0].id).await.unwrap();
    assert_eq!(messages.len(), 2);

    // Deleted: the conversation and what was derived from it go.
    s.fake.world.lock().unwrap().conversations.remove(&101);
    s.deliver_signed("convo.deleted", &json!({"id": 101}).to_string()).await;
    s.app.run_jobs().await;
    assert_eq!(s.stored().await, 0);
    let items = jetson_store::work_items::list(db, s.app.org, &Default::default(), None, 100).await.unwrap();
    assert!(items.iter().all(|i| i.report_count == 0), "no report of the deleted conversation survives");

    // Out of order: the deletion arrives before the creation; Help Scout no longer has it.
    s.deliver_signed("convo.deleted", &json!({"id": 102}).to_string()).await;
    s.deliver_signed("convo.created", &json!({"id": 102, "late": true}).to_string()).await;
    s.app.run_jobs().await;
    assert_eq!(s.stored().await, 0, "a late creation event does not bring a deleted conversation back");

    // Moved to a mailbox no product reads: it leaves Jetson.
    s.fake
        .world
        .lock()
        .unwrap()
        .conversations
        .insert(103, conversation(103, 1, 4, "bo@beta.example", "Dark mode please."));
    s.deliver_signed("convo.created", &json!({"id": 103}).to_string()).await;
    s.app.run_jobs().await;
    assert_eq!(s.stored().await, 1);
    s.fake.world.lock().unwrap().conversations.get_mut(&103).unwrap()["mailboxId"] = json!(2);
    s.deliver_signed("convo.moved", &json!({"id": 103, "mailboxId": 2}).to_string()).await;
    s.app.run_jobs().await;
    assert_eq!(s.stored().await, 0);

    // Events Jetson does not keep are acknowledged; garbage that is signed is refused clearly.
    s.deliver_signed("customer.created", &json!({"id": 9}).to_string()).await;
    let (_, secret) = s.webhook_secret().await;
    let junk = "not json";
    let res = s.deliver("convo.created", junk, Some(signature::sign(&secret, junk.as_bytes()))).await;
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn the_periodic_sync_reads_changes_since_the_last_poll_and_checks_the_webhook() {
    let s = setup().await;
    s.connect().await;
    s.link(1).await;
    s.fake.add(1, 3, 1);
    let n = jetson::jobs::helpscout_poll::poll(&s.app.state, s.app.org).await.unwrap();
    assert_eq!(n, 3);
    s.app.run_jobs().await;
    assert_eq!(s.stored().await, 3);
    let query = s.fake.world.lock().unwrap().last_query.clone().unwrap();
    assert!(query.contains("modifiedSince="), "{query}");
    let c = store::connection(&s.app.state.db, s.app.org).await.unwrap().unwrap();
    assert_eq!(c.webhook_state.as_deref(), Some("active"));
    assert!(c.poll_watermark.is_some());
}

#[tokio::test]
async fn oauth_sends_the_person_to_consent_and_only_our_state_completes_it() {
    let s = setup().await;
    let res = s
        .post(
            "/settings/integrations/helpscout/connect",
            &[("mode", "oauth"), ("client_id", "app-9"), ("client_secret", "s9")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let location = reqwest::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(&format!("{}/authorize", s.fake.uri())));
    let params: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(params["client_id"], "app-9");

    let wrong =
        s.client.get(s.app.url("/settings/integrations/helpscout/callback?code=c1&state=forged")).send().await.unwrap();
    assert!(wrong.text().await.unwrap().contains("state mismatch"));
    assert!(store::connection(&s.app.state.db, s.app.org).await.unwrap().unwrap().connected_at.is_none());

    let url = format!("/settings/integrations/helpscout/callback?code=c1&state={}", params["state"]);
    let res = s.client.get(s.app.url(&url)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let token_calls = s.fake.requests_to("POST", "/v2/oauth2/token").await;
    let form = String::from_utf8_lossy(&token_calls.last().unwrap().body).to_string();
    assert!(form.contains("grant_type=authorization_code") && form.contains("code=c1"), "{form}");
    let c = store::connection(&s.app.state.db, s.app.org).await.unwrap().unwrap();
    assert!(c.connected_at.is_some() && c.refresh_token_enc.is_some());
    assert_eq!(c.grant_type, "authorization_code");
}

#[tokio::test]
async fn disconnecting_unregisters_the_webhook_deletes_tokens_and_keeps_the_data() {
    let s = setup().await;
    s.fake.add(1, 5, 1);
    s.connect().await;
    s.link(1).await;
    s.start_import().await;
    s.app.run_jobs().await;
    let res = s.post("/settings/integrations/helpscout/disconnect", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(s.fake.requests_to("DELETE", "/v2/webhooks/55").await.len(), 1);
    assert!(store::connection(&s.app.state.db, s.app.org).await.unwrap().is_none());
    assert_eq!(s.stored().await, 5, "imported data stays until deleted");
    let html = s.client.get(s.app.url("/settings/integrations")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"hs-connect-credentials\""));
}

#[tokio::test]
async fn wrong_credentials_are_explained_and_nothing_is_stored() {
    let fake = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::path("/v2/oauth2/token"))
        .respond_with(
            wiremock::ResponseTemplate::new(401)
                .set_body_json(json!({"error": "invalid_client", "error_description": "Bad client credentials"})),
        )
        .mount(&fake)
        .await;
    let api = fake.uri();
    let app = spawn_app_with(|s| s.helpscout = jetson_connectors::helpscout::Endpoints::for_api(&api)).await;
    let app_creds = jetson_connectors::helpscout::Credentials { client_id: "x".into(), client_secret: "y".into() };
    let err = jetson::services::helpscout::connect::with_client_credentials(&app.state, app.org, &app_creds)
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("Bad client credentials"), "{err:#}");
    assert!(store::connection(&app.state.db, app.org).await.unwrap().is_none());
}

/// The values of the probe, one of each kind, and what would show each in plain text.
const SENSITIVE_SUBJECT: &str = "Refund for Jane Doe card 4111 1111 1111 1111 jane.doe@example.com call +44 20 7946 0958 IBAN GB82 WEST 1234 5698 7654 32";
const PLAIN: [&str; 6] =
    ["Jane Doe", "4111 1111 1111", "4111111111111111", "jane.doe@example.com", "7946 0958", "GB82 WEST"];

#[tokio::test]
async fn sensitive_subjects_by_file_sync_and_webhook_reach_no_column_page_or_api_in_plain_text() {
    let s = setup().await;
    s.connect().await;
    s.link(1).await;
    // By file.
    let csv = format!(
        "id,subject,customer_email,customer_name,created_at,body\n\
         f1,{SENSITIVE_SUBJECT},sam@shop.example,Sam Carter,2026-10-01T10:00:00Z,The invoice export fails with an error.\n"
    );
    let parsed = jetson::services::import::parse(jetson::services::import::Format::Csv, &csv);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    s.app.import("Files", &parsed.conversations).await;
    // By Help Scout sync.
    let mut synced = conversation(201, 1, 3, "ann@acme.example", "The invoice export fails with an error.");
    synced["subject"] = json!(SENSITIVE_SUBJECT);
    synced["preview"] = json!(SENSITIVE_SUBJECT);
    synced["tags"] = json!([{"id": 2, "tag": "jane.doe@example.com"}]);
    s.fake.world.lock().unwrap().conversations.insert(201, synced);
    s.start_import().await;
    s.app.run_jobs().await;
    // By webhook.
    let mut pushed = conversation(202, 1, 4, "bo@acme.example", "Invoice export fails again with an error.");
    pushed["subject"] = json!(SENSITIVE_SUBJECT);
    s.fake.world.lock().unwrap().conversations.insert(202, pushed);
    s.deliver_signed("convo.created", &json!({"id": 202, "subject": SENSITIVE_SUBJECT}).to_string()).await;
    s.app.run_jobs().await;
    assert_eq!(s.stored().await, 3);

    let db = &s.app.state.db;
    for value in PLAIN {
        let found = jetson_store::testing::columns_containing(db, value).await.unwrap();
        assert!(found.is_empty(), "`{value}` is stored in plain text in {found:?}");
    }

    // Pages and the API.
    let all =
        conversations::list(db, s.app.org, &conversations::Filter { limit: 10, ..Default::default() }).await.unwrap();
    assert!(all.iter().all(|c| c.subject.contains("[CARD]") && c.subject.contains("[EMAIL]")), "subjects redacted");
    let items = jetson_store::work_items::list(db, s.app.org, &Default::default(), None, 50).await.unwrap();
    assert!(!items.is_empty());
    let mut paths = vec!["/messages".to_string(), "/items".to_string(), "/".to_string()];
    paths.extend(all.iter().map(|c| format!("/conversations/{}", c.id)));
    paths.extend(items.iter().map(|i| format!("/items/{}", i.id)));
    for path in &paths {
        let html = s.client.get(s.app.url(path)).send().await.unwrap().text().await.unwrap();
        for value in PLAIN {
            assert!(!html.contains(value), "`{value}` is shown on {path}");
        }
    }
    let mut api = vec!["/api/v1/conversations".to_string(), "/api/v1/work-items".to_string()];
    api.extend(all.iter().map(|c| format!("/api/v1/conversations/{}", c.id)));
    api.extend(items.iter().map(|i| format!("/api/v1/work-items/{}", i.id)));
    for path in &api {
        let res = s.app.get_api(path).await;
        assert_eq!(res.status(), 200, "{path}");
        let body = res.text().await.unwrap();
        for value in PLAIN {
            assert!(!body.contains(value), "`{value}` is in {path}");
        }
    }

    // The original is kept sealed and shown on an audited reveal.
    let id = all[0].id;
    let html = s.client.get(s.app.url(&format!("/conversations/{id}"))).send().await.unwrap().text().await.unwrap();
    let res = s.client.post(s.app.url(&format!("/conversations/{id}/reveal"))).form(&[("csrf", csrf_of(&html))]);
    let revealed = res.send().await.unwrap().text().await.unwrap();
    assert!(revealed.contains("id=\"original-subject\"") && revealed.contains("jane.doe@example.com"));
    assert!(revealed.contains("**** **** **** 1111"), "cards stay masked even in the original");
    assert_eq!(jetson_store::audit::list(db, s.app.org, Some("message.reveal"), 5).await.unwrap().len(), 1);
}
