//! Two-factor sign-in: set-up confirmed by a code, sign-in with a code (each accepted once) or a
//! recovery code (each once), wrong codes ending the sign-in, and an organisation requiring it.

use crate::helpers::WithLoginCsrf;
use jetson::services::auth::totp;

use crate::helpers::{TestApp, spawn_app};
use crate::pages::{csrf_of, signed_in};

fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let at = html.find(start).unwrap_or_else(|| panic!("{start} in {html}")) + start.len();
    &html[at..at + html[at..].find(end).unwrap()]
}

/// The code of the time step `offset` steps from now.
fn code(secret: &[u8], offset: i64) -> String {
    totp::code(secret, totp::step_at(chrono::Utc::now().timestamp()) + offset)
}

/// Signs in with the password and returns the client waiting at the second factor.
async fn password_step(app: &TestApp) -> reqwest::Client {
    let client = browser();
    let form = [("email", app.admin_email.as_str()), ("password", app.admin_password.as_str())];
    let res = client.post(app.url("/login")).with_login_csrf().form(&form).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/login/two-factor");
    assert_eq!(client.get(app.url("/")).send().await.unwrap().headers()["location"], "/login", "no session yet");
    client
}

async fn second_factor(app: &TestApp, client: &reqwest::Client, code: &str) -> reqwest::Response {
    client.post(app.url("/login/two-factor")).form(&[("code", code)]).send().await.unwrap()
}

/// Sets two-factor up for the admin through the pages; returns the secret and the recovery codes.
async fn set_up(app: &TestApp) -> (Vec<u8>, Vec<String>) {
    let client = signed_in(app).await;
    let html = client.get(app.url("/account/two-factor")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Two-factor is off"));
    let csrf = csrf_of(&html);
    let html = client
        .post(app.url("/account/two-factor/start"))
        .form(&[("csrf", &csrf)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("data:image/svg+xml;base64,"), "a QR code");
    let secret = totp::from_base32(&between(&html, "<code id=\"secret\">", "<").replace(' ', "")).unwrap();
    let right: u32 = totp::code(&secret, totp::step_at(chrono::Utc::now().timestamp())).parse().unwrap();
    let wrong = format!("{:06}", (right + 1) % 1_000_000);
    let res =
        client.post(app.url("/account/two-factor/enable")).form(&[("csrf", &csrf), ("code", &wrong)]).send().await;
    assert_eq!(res.unwrap().status(), 400, "a wrong code does not turn it on");
    let res = client
        .post(app.url("/account/two-factor/enable"))
        .form(&[("csrf", csrf.clone()), ("code", code(&secret, 0))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let codes: Vec<String> =
        html.split("<li><code>").skip(1).map(|s| s.split('<').next().unwrap().to_string()).collect();
    assert_eq!(codes.len(), 10, "ten recovery codes, shown once");
    let again = client.get(app.url("/account/two-factor")).send().await.unwrap().text().await.unwrap();
    assert!(again.contains("Two-factor is on") && !again.contains(&codes[0]));
    (secret, codes)
}

#[tokio::test]
async fn sign_in_needs_a_code_each_code_works_once_and_recovery_codes_once_each() {
    let app = spawn_app().await;
    let (secret, codes) = set_up(&app).await;

    // The set-up used this step's code, so the next step's is the one that signs in.
    let laptop = password_step(&app).await;
    let next = code(&secret, 1);
    let res = second_factor(&app, &laptop, &next).await;
    assert_eq!(res.headers()["location"], "/");
    assert_eq!(laptop.get(app.url("/")).send().await.unwrap().status(), 200, "signed in");

    // The same code again, on another sign-in: refused (it may have been watched).
    let phone = password_step(&app).await;
    let res = second_factor(&app, &phone, &next).await;
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("used already"));
    // A recovery code signs in once, typed any which way.
    let typed = codes[3].to_uppercase().replace('-', " ");
    assert_eq!(second_factor(&app, &phone, &typed).await.headers()["location"], "/");
    let tablet = password_step(&app).await;
    assert_eq!(second_factor(&app, &tablet, &codes[3]).await.status(), 401, "used up");

    let events = jetson_store::audit::list(&app.state.db, app.org, Some("auth."), 50).await.unwrap();
    let details: Vec<&str> = events.iter().filter(|e| e.action == "auth.sign_in").map(|e| e.detail.as_str()).collect();
    assert_eq!(details, ["password and recovery code (9 left)", "password and authenticator code", "password"]);
    assert_eq!(events.iter().filter(|e| e.action == "auth.two_factor_enabled").count(), 1);
    assert_eq!(events.iter().filter(|e| e.detail == "wrong two-factor code").count(), 2);

    // Five wrong codes end the sign-in (the used-up recovery code was the tablet's first): even the
    // right code then needs a new sign-in.
    for attempt in 2..=5 {
        let res = second_factor(&app, &tablet, "000000").await;
        assert_eq!(res.status(), 401);
        let html = res.text().await.unwrap();
        assert_eq!(html.contains("Sign in again"), attempt == 5, "attempt {attempt}");
    }
    let res = second_factor(&app, &tablet, &code(&secret, 0)).await;
    assert!(res.text().await.unwrap().contains("Sign in again"));
    assert!(jetson_store::audit::verify(&app.state.db, app.org).await.unwrap().is_none());
}

#[tokio::test]
async fn an_organisation_that_requires_two_factor_sends_people_to_set_it_up_first() {
    let app = spawn_app().await;
    let admin = signed_in(&app).await;
    let html = admin.get(app.url("/settings/privacy")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&html);
    let res = admin
        .post(app.url("/settings/privacy/two-factor"))
        .form(&[("csrf", csrf.as_str()), ("required", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    // Every page but the set-up (and signing out) now leads to the set-up.
    for page in ["/", "/items", "/settings/privacy", "/account/tokens"] {
        let res = admin.get(app.url(page)).send().await.unwrap();
        assert_eq!(res.headers()["location"], "/account/two-factor", "{page}");
    }
    let html = admin.get(app.url("/account/two-factor")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Your organisation requires two-factor sign-in"));
    let (secret, _) = set_up(&app).await;
    assert_eq!(admin.get(app.url("/items")).send().await.unwrap().status(), 200, "set up: free to go");
    assert!(!secret.is_empty());
    // It cannot be turned off while required.
    let res = admin
        .post(app.url("/account/two-factor/disable"))
        .form(&[("csrf", csrf.as_str()), ("password", app.admin_password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let events = jetson_store::audit::list(&app.state.db, app.org, Some("settings.two_factor"), 5).await.unwrap();
    assert_eq!(events[0].detail, "required");
}

#[tokio::test]
async fn two_factor_is_turned_off_with_the_password_and_sign_in_is_one_step_again() {
    let app = spawn_app().await;
    set_up(&app).await;
    let client = signed_in_with_code(&app).await;
    let html = client.get(app.url("/account/two-factor")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&html);
    let res = client
        .post(app.url("/account/two-factor/disable"))
        .form(&[("csrf", csrf.as_str()), ("password", "not it")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = client
        .post(app.url("/account/two-factor/disable"))
        .form(&[("csrf", csrf.as_str()), ("password", app.admin_password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    signed_in(&app).await;
    let events = jetson_store::audit::list(&app.state.db, app.org, Some("auth.two_factor_disabled"), 5).await.unwrap();
    assert_eq!(events.len(), 1);
}

/// Signed in with the password and a recovery code (the app's codes may all be used this step).
async fn signed_in_with_code(app: &TestApp) -> reqwest::Client {
    let user =
        jetson_store::users::find_by_email(&app.state.db, &jetson_domain::Email::parse(&app.admin_email).unwrap())
            .await
            .unwrap()
            .unwrap();
    let mut tx = app.state.db.begin().await.unwrap();
    // A recovery code known to the test: "abcde-fghij".
    let hash = jetson::secret::hash("recovery:abcdefghij");
    jetson_store::two_factor::replace_recovery_codes(&mut tx, user.id, &[hash]).await.unwrap();
    tx.commit().await.unwrap();
    let client = password_step(app).await;
    assert_eq!(second_factor(app, &client, "abcde-fghij").await.headers()["location"], "/");
    client
}

/// The right password does not forgive wrong codes: someone who knows the password cannot guess
/// codes a few at a time across new sign-ins.
#[tokio::test]
async fn wrong_codes_across_sign_ins_lock_the_account_even_with_the_right_password() {
    let app = spawn_app().await;
    let (secret, _) = set_up(&app).await;
    for _ in 0..2 {
        let client = password_step(&app).await;
        for _ in 0..2 {
            assert_eq!(second_factor(&app, &client, "000000").await.status(), 401);
        }
    }
    // Four wrong codes so far; a fifth, after yet another right password, locks the account.
    let client = password_step(&app).await;
    assert_eq!(second_factor(&app, &client, "000000").await.status(), 401);
    let res = second_factor(&app, &client, &code(&secret, 1)).await;
    assert!(res.text().await.unwrap().contains("Sign in again"), "locked: even the right code is refused");
    let form = [("email", app.admin_email.as_str()), ("password", app.admin_password.as_str())];
    assert_eq!(browser().post(app.url("/login")).with_login_csrf().form(&form).send().await.unwrap().status(), 429);
}
