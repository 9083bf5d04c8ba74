//! One's own account: API tokens, password change, and the role table walked through the product.

use jetson_domain::permissions::{COLUMNS, TABLE};
use jetson_domain::{Email, Permission, Role, Scope};
use serde_json::{Value, json};

use crate::helpers::{TestApp, conversation, spawn_app};
use crate::pages::{csrf_of, sign_in};

/// A new person with `role` in the app's organisation, signed in: their browser, email, password.
async fn person(app: &TestApp, role: Role) -> (reqwest::Client, String, String) {
    let email = format!("{}@people.example", role.as_str());
    let (_, password) = jetson::services::accounts::create_user(
        &app.state,
        app.org,
        &Email::parse(&email).unwrap(),
        "Kim Person",
        role,
    )
    .await
    .unwrap();
    (sign_in(app, &email, &password).await.expect("signed in"), email, password)
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let res = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

/// The token shown once on the page that created it.
fn shown_token(html: &str) -> String {
    let at = html.find("<code id=\"new-token\">").expect("the new token is shown") + 21;
    html[at..].split('<').next().unwrap().to_string()
}

#[tokio::test]
async fn a_token_is_shown_once_stored_hashed_used_within_its_scope_and_revoked() {
    let app = spawn_app().await;
    let (member, _, _) = person(&app, Role::Member).await;
    let html = page(&app, &member, "/account/tokens").await;
    assert!(html.contains("No tokens yet."));
    assert!(!html.contains("value=\"admin\""), "a member is not offered more than their role allows");
    let csrf = csrf_of(&html);
    let create = |scope: &str, expires: &str| {
        member
            .post(app.url("/account/tokens"))
            .form(&[("csrf", csrf.as_str()), ("name", "nightly export"), ("scope", scope), ("expires", expires)])
            .send()
    };
    // Wider than the role, or an expiry not offered: refused.
    assert_eq!(create("admin", "90").await.unwrap().status(), 403);
    assert_eq!(create("read", "7000").await.unwrap().status(), 400);

    let html = create("read", "90").await.unwrap().text().await.unwrap();
    let token = shown_token(&html);
    assert!(token.starts_with("jt_") && html.contains("it will not be shown again"));
    let again = page(&app, &member, "/account/tokens").await;
    assert!(!again.contains(&token), "shown once");
    assert!(again.contains("nightly export") && again.contains("<td>Read</td>"), "{again}");
    assert!(again.contains("<span class=\"muted\">never</span>"), "not used yet");
    let db = &app.state.db;
    assert!(jetson_store::tokens::authenticate(db, &token).await.unwrap().valid().is_none(), "not stored as itself");
    let hashed = jetson::secret::hash(&token);
    assert_eq!(jetson_store::tokens::authenticate(db, &hashed).await.unwrap().valid().unwrap().role, Role::Member);

    // It reads, cannot write, and its use shows on the page.
    let api = reqwest::Client::new();
    let res = api.get(app.url("/api/v1/work-items")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let id = "0191b5a0-0000-7000-8000-000000000000";
    let res = api
        .post(app.url(&format!("/api/v1/work-items/{id}/status")))
        .bearer_auth(&token)
        .json(&json!({"status": "resolved"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let listed = page(&app, &member, "/account/tokens").await;
    assert!(!listed.contains("<span class=\"muted\">never</span>"), "last used is shown");

    // Someone else cannot revoke it; its owner can, and then it is refused.
    let owner = jetson_store::users::find_by_email(db, &Email::parse("member@people.example").unwrap()).await;
    let owner = owner.unwrap().unwrap().id;
    let token_id = jetson_store::tokens::list_for_user(db, app.org, owner).await.unwrap()[0].id;
    let (viewer, _, _) = person(&app, Role::Viewer).await;
    let viewer_csrf = csrf_of(&page(&app, &viewer, "/account/tokens").await);
    let res = viewer
        .post(app.url(&format!("/account/tokens/{token_id}/revoke")))
        .form(&[("csrf", viewer_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = member
        .post(app.url(&format!("/account/tokens/{token_id}/revoke")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/account/tokens");
    let res = api.get(app.url("/api/v1/work-items")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "token_revoked", "told it was revoked, not that it never was");

    let events = jetson_store::audit::list(&app.state.db, app.org, Some("token."), 10).await.unwrap();
    let events: Vec<_> = events.iter().filter(|e| e.actor == "member@people.example").collect();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["token.revoke", "token.create"], "newest first");
    assert_eq!(events[1].detail, "\"nightly export\", scope read, expires in 90 days");
    assert!(jetson_store::audit::verify(&app.state.db, app.org).await.unwrap().is_none());
}

#[tokio::test]
async fn a_password_change_needs_the_current_one_and_a_strong_one_and_signs_out_everywhere_else() {
    let app = spawn_app().await;
    let (laptop, email, old) = person(&app, Role::Member).await;
    let phone = sign_in(&app, &email, &old).await.unwrap();
    let csrf = csrf_of(&page(&app, &laptop, "/account/password").await);
    let change = |current: &str, new: &str, confirm: &str| {
        laptop
            .post(app.url("/account/password"))
            .form(&[("csrf", csrf.as_str()), ("current", current), ("new", new), ("confirm", confirm)])
            .send()
    };
    let refused = |res: reqwest::Response| async move {
        assert_eq!(res.status(), 400);
        res.text().await.unwrap()
    };
    let strong = "quarry tulip engine fifty";
    assert!(refused(change("wrong", strong, strong).await.unwrap()).await.contains("current password is not that"));
    assert!(refused(change(&old, strong, "other").await.unwrap()).await.contains("differ"));
    let weak = refused(change(&old, "password1234", "password1234").await.unwrap()).await;
    assert!(weak.contains("too easy to guess"), "zxcvbn's advice is shown");
    assert!(refused(change(&old, "kim person 1", "kim person 1").await.unwrap()).await.contains("too easy"));
    assert!(phone.get(app.url("/")).send().await.unwrap().status() == 200, "nothing changed yet");

    let res = change(&old, strong, strong).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("1 other session(s) were signed out"));
    assert_eq!(phone.get(app.url("/")).send().await.unwrap().headers()["location"], "/login");
    assert_eq!(laptop.get(app.url("/")).send().await.unwrap().status(), 200, "this browser stays signed in");
    assert!(sign_in(&app, &email, &old).await.is_none(), "the old password is gone");
    assert!(sign_in(&app, &email, strong).await.is_some());
    let events = jetson_store::audit::list(&app.state.db, app.org, Some("auth.password_change"), 5).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].detail, "1 other session(s) signed out");
}

/// Each permission of the role table, tried as each role through the pages: allowed means the
/// page answers (200 or a redirect after the change), refused means 403. The match is exhaustive,
/// so a new permission cannot be added without a probe here.
#[tokio::test]
async fn every_role_gets_what_the_table_says() {
    let app = spawn_app().await;
    app.import(
        "Ledgerly",
        &[conversation("1", "pat@one.example", "Export broken", "The PDF export is blank for every invoice.")],
    )
    .await;
    let items: Value = app.get_api("/api/v1/work-items").await.json().await.unwrap();
    let item = items["items"][0]["id"].as_str().unwrap().to_string();
    let convs: Value = app.get_api("/api/v1/conversations").await.json().await.unwrap();
    let conversation = convs["items"][0]["id"].as_str().unwrap().to_string();
    for (column, role) in COLUMNS.iter().enumerate() {
        let (client, _, _) = person(&app, *role).await;
        let csrf = csrf_of(&page(&app, &client, "/account/sessions").await);
        for (permission, words, allowed) in TABLE {
            let post = |path: String, form: Vec<(&'static str, &'static str)>| {
                let mut form: Vec<(&str, &str)> = form;
                form.push(("csrf", csrf.as_str()));
                let request = client.post(app.url(&path)).form(&form);
                async move { request.send().await.unwrap() }
            };
            let get = |path: &'static str| client.get(app.url(path)).send();
            let res = match permission {
                Permission::Read => get("/items").await.unwrap(),
                Permission::Write => post(format!("/items/{item}/status"), vec![("status", "in_progress")]).await,
                Permission::RevealOriginals => post(format!("/conversations/{conversation}/reveal"), vec![]).await,
                Permission::DecideHeld => get("/held").await.unwrap(),
                Permission::Administer => get("/settings/privacy").await.unwrap(),
                Permission::ReadAudit => get("/settings/audit").await.unwrap(),
                Permission::ManageMembers => get("/settings/members").await.unwrap(),
                Permission::OwnAccount => get("/account/tokens").await.unwrap(),
            };
            let status = res.status().as_u16();
            if allowed[column] {
                assert!([200, 303].contains(&status), "{role} should be able to {words}: {status}");
            } else {
                assert_eq!(status, 403, "{role} should not be able to {words}");
            }
        }
    }
}

#[tokio::test]
async fn an_expired_an_unknown_and_a_two_factor_less_token_each_get_their_own_answer_and_scopes_follow_roles() {
    let app = spawn_app().await;
    let code_of = |res: reqwest::Response| async move {
        let status = res.status().as_u16();
        let body: serde_json::Value = res.json().await.unwrap();
        (status, body["error"]["code"].as_str().unwrap_or_default().to_string())
    };
    let call = |token: String| {
        let request = app.api.get(app.url("/api/v1/work-items")).bearer_auth(token);
        async move { request.send().await.unwrap() }
    };
    assert_eq!(code_of(call("jt_nothing".into()).await).await, (401, "unauthorized".into()));

    let admin = Email::parse(&app.admin_email).unwrap();
    let owner = jetson_store::users::find_by_email(&app.state.db, &admin).await.unwrap().unwrap().id;
    let (id, token) =
        jetson::services::accounts::create_token(&app.state, app.org, owner, "soon", Scope::Read, Some(1), None)
            .await
            .unwrap();
    assert_eq!(call(token.clone()).await.status(), 200);
    let past = chrono::Utc::now() - chrono::Duration::days(1);
    let expire = "UPDATE api_tokens SET expires_at = $1 WHERE id = $2";
    match &app.state.db {
        jetson_store::Db::Sqlite(p) => sqlx::query(expire).bind(past).bind(id.as_uuid()).execute(p).await.map(|_| ()),
        jetson_store::Db::Postgres(p) => sqlx::query(expire).bind(past).bind(id.as_uuid()).execute(p).await.map(|_| ()),
    }
    .unwrap();
    assert_eq!(code_of(call(token).await).await, (401, "token_expired".into()));

    // Two-factor required: a token of someone who has not set it up stops working.
    let member = app.token_for("member@people.example", Role::Member, "write").await;
    assert_eq!(call(member.clone()).await.status(), 200);
    let policy = jetson_store::orgs::SecurityPolicy { require_two_factor: true, pause_on_burst: false };
    let mut tx = app.state.db.begin().await.unwrap();
    jetson_store::orgs::set_security_policy(&mut tx, app.org, policy).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(code_of(call(member).await).await, (403, "two_factor_required".into()));

    // No token wider than the role allows, from any door.
    let viewer = Email::parse("viewer@people.example").unwrap();
    let (viewer, _) =
        jetson::services::accounts::create_user(&app.state, app.org, &viewer, "V", Role::Viewer).await.unwrap();
    let wide =
        jetson::services::accounts::create_token(&app.state, app.org, viewer, "x", Scope::Write, None, None).await;
    let why = format!("{:#}", wide.unwrap_err());
    assert!(why.contains("a viewer may hold tokens of at most `read` scope"), "{why}");
}
