//! Unusual activity: a sign-in from a new device, an account locked by failed sign-ins, a burst of
//! reveals; shown to owners and admins and posted to the alert webhook.

use crate::helpers::WithLoginCsrf;
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{TestApp, conversation, spawn_app_with};
use crate::pages::{csrf_of, signed_in};

async fn sign_in_with(app: &TestApp, agent: &str, password: &str) -> (reqwest::Client, u16) {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(agent)
        .build()
        .unwrap();
    let form = [("email", app.admin_email.as_str()), ("password", password)];
    let status = client.post(app.url("/login")).with_login_csrf().form(&form).send().await.unwrap().status().as_u16();
    (client, status)
}

async fn alerts(app: &TestApp) -> Vec<(String, String)> {
    let listed = jetson_store::security_alerts::list(&app.state.db, app.org, 50).await.unwrap();
    listed.into_iter().map(|a| (a.kind, a.detail)).collect()
}

#[tokio::test]
async fn a_new_device_a_locked_account_and_a_burst_of_reveals_raise_alerts_that_reach_the_webhook() {
    let hook = MockServer::start().await;
    Mock::given(method("POST")).and(path("/alerts")).respond_with(ResponseTemplate::new(204)).mount(&hook).await;
    let url = format!("{}/alerts", hook.uri());
    let app = spawn_app_with(move |s| s.alert_webhook = Some(url)).await;
    let linux = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36";
    let android = "Mozilla/5.0 (Android 15) Gecko/20100101 Firefox/140.0";

    // The first device is only recorded; the same again is nothing new; another one is.
    let (laptop, _) = sign_in_with(&app, linux, &app.admin_password).await;
    sign_in_with(&app, linux, &app.admin_password).await;
    assert!(alerts(&app).await.is_empty());
    sign_in_with(&app, android, &app.admin_password).await;
    let raised = alerts(&app).await;
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].0, "new_device");
    assert!(raised[0].1.contains("Firefox on Android, 127.0.0.0/24"), "{}", raised[0].1);

    // Five wrong passwords lock the account: an alert.
    for _ in 0..5 {
        assert_eq!(sign_in_with(&app, linux, "wrong").await.1, 401);
    }
    assert_eq!(alerts(&app).await[0].0, "account_locked");

    // Ten reveals in a row: one burst alert, not one per reveal after.
    app.import("Ledgerly", &[conversation("1", "pat@example.com", "Card", "My card 4111 1111 1111 1111 fails")]).await;
    let convs: Value = app.get_api("/api/v1/conversations").await.json().await.unwrap();
    let id = convs["items"][0]["id"].as_str().unwrap().to_string();
    let csrf = csrf_of(&laptop.get(app.url("/")).send().await.unwrap().text().await.unwrap());
    for _ in 0..12 {
        let res = laptop.post(app.url(&format!("/conversations/{id}/reveal"))).form(&[("csrf", &csrf)]).send().await;
        assert_eq!(res.unwrap().status(), 200);
    }
    let raised = alerts(&app).await;
    assert_eq!(raised.iter().filter(|(k, _)| k == "burst").count(), 1, "{raised:?}");
    assert!(raised[0].1.contains("10 × message.reveal within 10 minutes"), "{}", raised[0].1);

    // Admins see them beside Audit until they mark them seen.
    let page = laptop.get(app.url("/settings/audit")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"alerts-badge\"") && page.contains("Unusual activity") && page.contains("new device"));
    let res = laptop.post(app.url("/settings/audit/alerts/seen")).form(&[("csrf", &csrf)]).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let page = laptop.get(app.url("/settings/audit")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("id=\"alerts-badge\"") && page.contains("Unusual activity"));

    // The webhook got each one.
    app.run_jobs().await;
    let received = hook.received_requests().await.unwrap();
    let kinds: Vec<String> = received
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap()["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    for kind in ["new_device", "account_locked", "burst"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
}

#[tokio::test]
async fn a_member_neither_sees_alerts_nor_raises_device_alerts_for_others() {
    let app = spawn_app_with(|_| {}).await;
    signed_in(&app).await;
    let (_, password) = jetson::services::accounts::create_user(
        &app.state,
        app.org,
        &jetson_domain::Email::parse("mo@test.example").unwrap(),
        "Mo",
        jetson_domain::Role::Member,
    )
    .await
    .unwrap();
    let client =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let form = [("email", "mo@test.example"), ("password", password.as_str())];
    client.post(app.url("/login")).with_login_csrf().form(&form).send().await.unwrap();
    assert_eq!(client.get(app.url("/settings/audit")).send().await.unwrap().status(), 403);
    assert!(alerts(&app).await.is_empty(), "each person's first device is only recorded");
}

#[tokio::test]
async fn an_organisation_that_pauses_on_bursts_stops_that_persons_reveals_and_exports_only() {
    let app = spawn_app_with(|_| {}).await;
    app.import("Ledgerly", &[conversation("1", "pat@example.com", "Card", "My card 4111 1111 1111 1111 fails")]).await;
    let convs: Value = app.get_api("/api/v1/conversations").await.json().await.unwrap();
    let id = convs["items"][0]["id"].as_str().unwrap().to_string();
    let owner = signed_in(&app).await;
    let csrf = csrf_of(&owner.get(app.url("/settings/privacy")).send().await.unwrap().text().await.unwrap());
    let form = [("csrf", csrf.as_str()), ("pause_on_burst", "true")];
    assert_eq!(owner.post(app.url("/settings/privacy/two-factor")).form(&form).send().await.unwrap().status(), 303);
    let page = owner.get(app.url("/settings/privacy")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"pause-on-burst\" checked"));

    let reveal = |client: &reqwest::Client, csrf: &str| {
        client.post(app.url(&format!("/conversations/{id}/reveal"))).form(&[("csrf", csrf.to_string())]).send()
    };
    for _ in 0..10 {
        assert_eq!(reveal(&owner, &csrf).await.unwrap().status(), 200);
    }
    let paused = reveal(&owner, &csrf).await.unwrap();
    assert_eq!(paused.status(), 409);
    assert!(paused.text().await.unwrap().contains("paused for 15 minutes"));
    let export = owner.post(app.url("/settings/audit/export")).form(&[("csrf", csrf.as_str()), ("format", "csv")]);
    assert_eq!(export.send().await.unwrap().status(), 409, "exports are paused too");

    // Another admin is not paused.
    let (_, password) = jetson::services::accounts::create_user(
        &app.state,
        app.org,
        &jetson_domain::Email::parse("ada@test.example").unwrap(),
        "Ada",
        jetson_domain::Role::Admin,
    )
    .await
    .unwrap();
    let ada =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    ada.post(app.url("/login"))
        .with_login_csrf()
        .form(&[("email", "ada@test.example"), ("password", password.as_str())])
        .send()
        .await
        .unwrap();
    let ada_csrf = csrf_of(&ada.get(app.url("/")).send().await.unwrap().text().await.unwrap());
    assert_eq!(reveal(&ada, &ada_csrf).await.unwrap().status(), 200);
    let events = jetson_store::audit::list(&app.state.db, app.org, Some("message.reveal"), 50).await.unwrap();
    assert_eq!(events.len(), 11, "the refused reveal is not recorded as shown");
}
