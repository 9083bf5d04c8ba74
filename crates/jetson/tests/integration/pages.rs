use crate::helpers::WithLoginCsrf;
use crate::helpers::{TestApp, conversation, spawn_app};

/// A browser-like client: keeps cookies, does not follow redirects (so tests can see them).
fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

pub async fn signed_in(app: &TestApp) -> reqwest::Client {
    sign_in(app, &app.admin_email, &app.admin_password).await.expect("a successful sign-in redirects to the inbox")
}

/// A client signed in as `email`, or None when the sign-in is refused.
pub async fn sign_in(app: &TestApp, email: &str, password: &str) -> Option<reqwest::Client> {
    let client = browser();
    let res = client
        .post(app.url("/login"))
        .with_login_csrf()
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap();
    (res.status() == 303).then_some(client)
}

pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a form with a CSRF token") + 19;
    html[at..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn pages_redirect_to_login_and_a_wrong_password_is_refused_like_an_unknown_account() {
    let app = spawn_app().await;
    let client = browser();
    let res = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
    for (email, password) in [(app.admin_email.as_str(), "wrong"), ("nobody@test.example", "wrong")] {
        let res = client
            .post(app.url("/login"))
            .with_login_csrf()
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        assert!(res.text().await.unwrap().contains("Wrong email or password."));
    }
}

#[tokio::test]
async fn the_inbox_lists_items_with_enough_customers_most_first_and_pages_have_security_headers() {
    let app = spawn_app().await;
    app.load_demo().await;
    let client = signed_in(&app).await;
    let res = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"inbox\""));
    let inbox = jetson_store::work_items::inbox(&app.state.db, app.org, None, None, 200).await.unwrap();
    assert!(inbox.len() >= 5);
    assert!(inbox.windows(2).all(|w| w[0].customer_count >= w[1].customer_count), "most customers first");
    assert!(inbox.iter().all(|w| w.customer_count >= 2 || w.priority == jetson_domain::Priority::Urgent));
    assert!(
        html.contains(&inbox[0].title.replace('\'', "&#39;").replace('"', "&#34;"))
            || html.contains(&inbox[0].id.to_string())
    );
    for page in ["/items?category=bug", "/messages?review=1", "/messages", &format!("/items/{}", inbox[0].id)] {
        assert_eq!(client.get(app.url(page)).send().await.unwrap().status(), 200, "{page}");
    }
}

#[tokio::test]
async fn a_status_change_needs_the_forms_csrf_token() {
    let app = spawn_app().await;
    app.load_demo().await;
    let client = signed_in(&app).await;
    let item = jetson_store::work_items::inbox(&app.state.db, app.org, None, None, 1).await.unwrap().remove(0);
    let page = client.get(app.url(&format!("/items/{}", item.id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Joined as the same problem as"), "a matched report says what it matched and why");
    let forged = client
        .post(app.url(&format!("/items/{}/status", item.id)))
        .form(&[("csrf", "forged"), ("status", "resolved")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let cross_site = client
        .post(app.url(&format!("/items/{}/status", item.id)))
        .header("origin", "https://evil.example")
        .form(&[("csrf", csrf_of(&page).as_str()), ("status", "resolved")])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    let opaque = client
        .post(app.url(&format!("/items/{}/status", item.id)))
        .header("origin", "null")
        .form(&[("csrf", csrf_of(&page).as_str()), ("status", "resolved")])
        .send()
        .await
        .unwrap();
    assert_eq!(opaque.status(), 403, "an opaque origin is not ours");
    let res = client
        .post(app.url(&format!("/items/{}/status", item.id)))
        .form(&[("csrf", csrf_of(&page).as_str()), ("status", "resolved")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let after = jetson_store::work_items::get(&app.state.db, app.org, item.id).await.unwrap();
    assert_eq!(after.status, jetson_domain::WorkItemStatus::Resolved);
}

#[tokio::test]
async fn a_script_in_a_message_is_shown_as_text_never_run() {
    let app = spawn_app().await;
    app.import(
        "Ledgerly",
        &[conversation(
            "x",
            "eve@evil.example",
            "Export <b>broken</b>",
            "<p>The export fails <script>alert('pwned')</script><img src=x onerror=alert(1)></p>",
        )],
    )
    .await;
    let client = signed_in(&app).await;
    let convs = jetson_store::conversations::list(
        &app.state.db,
        app.org,
        &jetson_store::conversations::Filter { limit: 5, ..Default::default() },
    )
    .await
    .unwrap();
    let html =
        client.get(app.url(&format!("/conversations/{}", convs[0].id))).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("<script>alert") && !html.contains("onerror"), "the message body is sanitised");
    assert!(
        html.contains("Export &#60;b&#62;broken&#60;/b&#62;") || html.contains("Export &lt;b&gt;broken&lt;/b&gt;"),
        "the subject is escaped"
    );
    assert!(html.contains("The export fails"));
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    let client = signed_in(&app).await;
    let page = client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    let res = client.post(app.url("/logout")).form(&[("csrf", csrf_of(&page))]).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(client.get(app.url("/")).send().await.unwrap().status(), 303);
}
