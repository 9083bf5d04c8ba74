//! Email through a configured SMTP server: invitations, password-reset links made by an admin or
//! asked for by the person who forgot, and security alerts to owners and admins. A dead server
//! leaves the link to hand over; no server at all leaves the product as it was.

use crate::helpers::WithLoginCsrf;
use jetson::mail::SmtpSettings;
use jetson_domain::{Email, Role};

use crate::fake_smtp::FakeSmtp;
use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::pages::{csrf_of, signed_in};

async fn app_mailing_to(url: String) -> TestApp {
    spawn_app_with(move |s| s.smtp = Some(SmtpSettings::parse(&url, "Jetson <jetson@test.example>").unwrap())).await
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The path of an absolute link (`http://127.0.0.1:PORT/invite/…` → `/invite/…`).
fn path_of(link: &str) -> String {
    let rest = link.split_once("://").unwrap().1;
    rest[rest.find('/').unwrap()..].to_string()
}

async fn post_form(client: &reqwest::Client, app: &TestApp, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let request = client.post(app.url(path));
    let request = if path == "/login" { request.with_login_csrf() } else { request };
    let res = request.form(form).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn invitations_and_reset_links_are_emailed_instead_of_shown() {
    let smtp = FakeSmtp::start().await;
    let app = app_mailing_to(smtp.url.clone()).await;
    let admin = signed_in(&app).await;
    let csrf = csrf_of(&admin.get(app.url("/settings/members")).send().await.unwrap().text().await.unwrap());

    let invite = [("csrf", csrf.as_str()), ("role", "viewer"), ("note", "sam@new.example")];
    let (status, html) = post_form(&admin, &app, "/settings/members/invite", &invite).await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"link-emailed\"") && html.contains("emailed to sam@new.example"), "{html}");
    assert!(!html.contains("id=\"link-url\""), "an emailed link is not shown as well");
    let mail = smtp.received();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, ["sam@new.example"]);
    assert!(mail[0].subject().contains("invites you to Test Org"), "{}", mail[0].subject());
    let link = mail[0].link().expect("the mail carries the link");
    let page = browser().get(app.url(&path_of(&link))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("as <strong>viewer</strong>"), "the emailed link opens the invitation");

    // A note that is not an address: the link is shown to hand over, nothing is sent.
    let by_hand = [("csrf", csrf.as_str()), ("role", "member"), ("note", "Sam from support")];
    let (_, html) = post_form(&admin, &app, "/settings/members/invite", &by_hand).await;
    assert!(html.contains("id=\"link-url\"") && !html.contains("link-not-emailed"));
    assert_eq!(smtp.received().len(), 1);

    // An admin's reset link for a member goes to the member's address.
    let email = Email::parse("kim@test.example").unwrap();
    let (kim, _) =
        jetson::services::accounts::create_user(&app.state, app.org, &email, "Kim", Role::Member).await.unwrap();
    let (_, html) =
        post_form(&admin, &app, &format!("/settings/members/{kim}/reset-link"), &[("csrf", csrf.as_str())]).await;
    assert!(html.contains("emailed to kim@test.example"), "{html}");
    let mail = smtp.received();
    assert_eq!(mail.len(), 2);
    assert_eq!(mail[1].to, ["kim@test.example"]);
    let reset = path_of(&mail[1].link().unwrap());
    assert!(reset.starts_with("/reset/"));
    let password = "juniper kettle orbit 77";
    let (status, _) = post_form(&browser(), &app, &reset, &[("password", password), ("confirm", password)]).await;
    assert_eq!(status, 303);
    let (status, _) =
        post_form(&browser(), &app, "/login", &[("email", "kim@test.example"), ("password", password)]).await;
    assert_eq!(status, 303, "the new password works");
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_emailed_link_and_the_form_reveals_no_accounts() {
    let smtp = FakeSmtp::start().await;
    let app = app_mailing_to(smtp.url.clone()).await;
    let stranger = browser();
    let page = stranger.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("href=\"/login/forgot\""), "the sign-in page offers it");

    let ask = |email: &'static str| {
        let (stranger, app) = (&stranger, &app);
        async move { post_form(stranger, app, "/login/forgot", &[("email", email)]).await }
    };
    let (known_status, known) = ask("admin@test.example").await;
    let (unknown_status, unknown) = ask("nobody@test.example").await;
    assert_eq!((known_status, unknown_status), (200, 200));
    assert_eq!(known.replace("admin@test.example", "X"), unknown.replace("nobody@test.example", "X"));
    let mail = smtp.wait_for(1).await;
    assert_eq!(mail.len(), 1, "only the real account gets mail");
    assert_eq!(mail[0].to, ["admin@test.example"]);
    let audit = jetson_store::audit::list(&app.state.db, app.org, Some("auth.reset_requested"), 50).await.unwrap();
    assert_eq!(audit.len(), 1, "asked-for resets are audited");

    // Using the link ends the sessions signed in with the old password.
    let old_session = signed_in(&app).await;
    let reset = path_of(&mail[0].link().unwrap());
    let password = "lantern copper fjord 19";
    let (status, _) = post_form(&browser(), &app, &reset, &[("password", password), ("confirm", password)]).await;
    assert_eq!(status, 303);
    let res = old_session.get(app.url("/settings/members")).send().await.unwrap();
    assert_eq!(res.status(), 303, "the old session is signed out");
    let (again, _) = post_form(&browser(), &app, &reset, &[("password", password), ("confirm", password)]).await;
    assert_eq!(again, 404, "the link works once");

    // A stranger cannot flood someone's mailbox: three links an hour at most.
    // (One at a time: the lookups run in the background, and concurrent ones could each count
    // fewer links than there are about to be.)
    for expected in [2, 3, 3, 3] {
        ask("admin@test.example").await;
        smtp.wait_for(expected).await;
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(smtp.received().len(), 3, "1 used + 2 more within the hour");
}

#[tokio::test]
async fn without_a_mail_server_links_are_shown_and_the_forgot_page_says_whom_to_ask() {
    let app = spawn_app().await;
    let page = browser().get(app.url("/login/forgot")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"forgot-ask\"") && !page.contains("id=\"send-reset\""));
    let admin = signed_in(&app).await;
    let csrf = csrf_of(&admin.get(app.url("/settings/members")).send().await.unwrap().text().await.unwrap());
    let invite = [("csrf", csrf.as_str()), ("role", "member"), ("note", "sam@new.example")];
    let (_, html) = post_form(&admin, &app, "/settings/members/invite", &invite).await;
    assert!(html.contains("id=\"link-url\"") && !html.contains("link-not-emailed"));
}

#[tokio::test]
async fn a_dead_mail_server_leaves_the_link_to_hand_over_with_the_reason() {
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let app = app_mailing_to(format!("smtp://{closed}")).await;
    let admin = signed_in(&app).await;
    let csrf = csrf_of(&admin.get(app.url("/settings/members")).send().await.unwrap().text().await.unwrap());
    let invite = [("csrf", csrf.as_str()), ("role", "member"), ("note", "sam@new.example")];
    let (status, html) = post_form(&admin, &app, "/settings/members/invite", &invite).await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"link-not-emailed\"") && html.contains("id=\"link-url\""), "{html}");
    assert!(html.contains("sam@new.example as member"), "the invitation stands");
}

#[tokio::test]
async fn security_alerts_are_emailed_to_owners_and_admins_only() {
    let smtp = FakeSmtp::start().await;
    let app = app_mailing_to(smtp.url.clone()).await;
    for (email, role) in [("ada@test.example", Role::Admin), ("max@test.example", Role::Member)] {
        let email = Email::parse(email).unwrap();
        jetson::services::accounts::create_user(&app.state, app.org, &email, "Someone", role).await.unwrap();
    }
    for _ in 0..5 {
        post_form(&browser(), &app, "/login", &[("email", "max@test.example"), ("password", "wrong")]).await;
    }
    app.run_jobs().await;
    let mail = smtp.received();
    let mut to: Vec<String> = mail.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["ada@test.example", "admin@test.example"]);
    assert!(mail[0].subject().contains("security alert for Test Org: account locked"), "{}", mail[0].subject());
    assert!(mail[0].data.contains("failed sign-ins locked max@test.example"));
}
