//! Settings → Members: invitations by one-time link (someone new, someone with an account),
//! roles (owners only by owners, never the last one), removal, and password-reset links.

use jetson_domain::{Email, Role};

use crate::helpers::{TestApp, spawn_app};
use crate::pages::{csrf_of, sign_in, signed_in};

fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The one-time link shown on the members page, as a path (`/invite/…`, `/reset/…`).
fn shown_link(html: &str) -> String {
    let at = html.find("<code id=\"link-url\">").expect("a link is shown") + 20;
    let url = html[at..].split('<').next().unwrap();
    url[url.find("/invite/").or_else(|| url.find("/reset/")).unwrap()..].to_string()
}

async fn members_page(app: &TestApp, client: &reqwest::Client) -> String {
    client.get(app.url("/settings/members")).send().await.unwrap().text().await.unwrap()
}

async fn user_id(app: &TestApp, email: &str) -> jetson_domain::UserId {
    jetson_store::users::find_by_email(&app.state.db, &Email::parse(email).unwrap()).await.unwrap().unwrap().id
}

#[tokio::test]
async fn someone_new_joins_by_invitation_link_once_and_is_signed_in() {
    let app = spawn_app().await;
    let admin = signed_in(&app).await;
    let csrf = csrf_of(&members_page(&app, &admin).await);
    let html = admin
        .post(app.url("/settings/members/invite"))
        .form(&[("csrf", csrf.as_str()), ("role", "member"), ("note", "sam@new.example")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let link = shown_link(&html);
    assert!(members_page(&app, &admin).await.contains("sam@new.example as member"), "listed as open");

    let sam = browser();
    let page = sam.get(app.url(&link)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("as <strong>member</strong>"));
    let join = |password: &'static str| {
        let form = [("email", "sam@new.example"), ("name", "Sam New"), ("password", password), ("confirm", password)];
        sam.post(app.url(&link)).form(&form).send()
    };
    let weak = join("password1234").await.unwrap();
    assert_eq!(weak.status(), 400);
    assert!(weak.text().await.unwrap().contains("too easy to guess"));
    let res = join("harbour violet cement 42").await.unwrap();
    assert_eq!(res.headers()["location"], "/");
    assert_eq!(sam.get(app.url("/items")).send().await.unwrap().status(), 200, "signed in as a member");
    assert!(members_page(&app, &admin).await.contains("Sam New"));
    // The link worked once.
    assert_eq!(browser().get(app.url(&link)).send().await.unwrap().status(), 404);
    let events = jetson_store::audit::list(&app.state.db, app.org, Some("member."), 10).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["member.join", "member.invite"]);
    assert_eq!(events[1].detail, "as member; for \"sam@new.example\"");
}

#[tokio::test]
async fn someone_with_an_account_joins_a_second_organisation_and_is_moved_to_it() {
    let app = spawn_app().await;
    let other = jetson::services::accounts::ensure_org(&app.state, "Other Co").await.unwrap();
    let owner_email = Email::parse("owner@other.example").unwrap();
    let (_, owner_password) =
        jetson::services::accounts::create_user(&app.state, other, &owner_email, "Olga", Role::Owner).await.unwrap();
    let owner = sign_in(&app, owner_email.as_str(), &owner_password).await.unwrap();
    let csrf = csrf_of(&members_page(&app, &owner).await);
    let html = owner
        .post(app.url("/settings/members/invite"))
        .form(&[("csrf", csrf.as_str()), ("role", "viewer")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let link = shown_link(&html);
    // The test organisation's admin opens it signed in and joins with one click.
    let admin = signed_in(&app).await;
    let page = admin.get(app.url(&link)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("You are signed in as {}", app.admin_email)));
    let res = admin.post(app.url(&link)).form(&[("csrf", csrf_of(&page))]).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/");
    let admin_id = user_id(&app, &app.admin_email).await;
    assert_eq!(jetson_store::users::role_in(&app.state.db, other, admin_id).await.unwrap(), Some(Role::Viewer));
    assert_eq!(jetson_store::users::role_in(&app.state.db, app.org, admin_id).await.unwrap(), Some(Role::Owner));
    // Now in Other Co, as a viewer: its members page is not theirs to see.
    assert_eq!(admin.get(app.url("/settings/members")).send().await.unwrap().status(), 403);
}

#[tokio::test]
async fn roles_change_owners_only_by_owners_and_the_last_owner_stays() {
    let app = spawn_app().await;
    let owner = signed_in(&app).await;
    let (_, admin_password) = jetson::services::accounts::create_user(
        &app.state,
        app.org,
        &Email::parse("ada@test.example").unwrap(),
        "Ada Admin",
        Role::Admin,
    )
    .await
    .unwrap();
    jetson::services::accounts::create_user(
        &app.state,
        app.org,
        &Email::parse("mo@test.example").unwrap(),
        "Mo",
        Role::Member,
    )
    .await
    .unwrap();
    let (mo, owner_id) = (user_id(&app, "mo@test.example").await, user_id(&app, &app.admin_email).await);
    let admin = sign_in(&app, "ada@test.example", &admin_password).await.unwrap();
    let admin_page = members_page(&app, &admin).await;
    assert!(!admin_page.contains("<option value=\"owner\""), "an admin is not offered owner");
    let admin_csrf = csrf_of(&admin_page);
    let post = |client: &reqwest::Client, path: String, form: Vec<(&'static str, String)>| {
        client.post(app.url(&path)).form(&form).send()
    };
    let as_admin = |path: String, role: Option<&'static str>| {
        let mut form = vec![("csrf", admin_csrf.clone())];
        form.extend(role.map(|r| ("role", r.to_string())));
        post(&admin, path, form)
    };
    assert_eq!(as_admin(format!("/settings/members/{mo}/role"), Some("admin")).await.unwrap().status(), 303);
    assert_eq!(as_admin(format!("/settings/members/{mo}/role"), Some("owner")).await.unwrap().status(), 409);
    assert_eq!(as_admin(format!("/settings/members/{owner_id}/remove"), None).await.unwrap().status(), 409);
    assert_eq!(as_admin(format!("/settings/members/{owner_id}/reset-link"), None).await.unwrap().status(), 409);
    // The only owner cannot step down or leave.
    let owner_csrf = csrf_of(&members_page(&app, &owner).await);
    let form = vec![("csrf", owner_csrf.clone()), ("role", "admin".to_string())];
    let res = post(&owner, format!("/settings/members/{owner_id}/role"), form).await.unwrap();
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("only owner"));
    // An owner makes Mo an owner; then the first owner may step down.
    let form = vec![("csrf", owner_csrf.clone()), ("role", "owner".to_string())];
    assert_eq!(post(&owner, format!("/settings/members/{mo}/role"), form).await.unwrap().status(), 303);
    let form = vec![("csrf", owner_csrf.clone()), ("role", "admin".to_string())];
    assert_eq!(post(&owner, format!("/settings/members/{owner_id}/role"), form).await.unwrap().status(), 303);
    // Removing Ada ends her session at once.
    let ada = user_id(&app, "ada@test.example").await;
    let mo_session = jetson::services::accounts::create_user(
        &app.state,
        app.org,
        &Email::parse("mo@test.example").unwrap(),
        "Mo",
        Role::Owner,
    )
    .await
    .unwrap()
    .1;
    let mo_client = sign_in(&app, "mo@test.example", &mo_session).await.unwrap();
    let mo_csrf = csrf_of(&members_page(&app, &mo_client).await);
    let form = vec![("csrf", mo_csrf)];
    assert_eq!(post(&mo_client, format!("/settings/members/{ada}/remove"), form).await.unwrap().status(), 303);
    assert_eq!(admin.get(app.url("/")).send().await.unwrap().headers()["location"], "/login");
    let events = jetson_store::audit::list(&app.state.db, app.org, Some("member."), 20).await.unwrap();
    let details: Vec<String> = events.iter().filter(|e| e.action == "member.role").map(|e| e.detail.clone()).collect();
    assert_eq!(details, ["owner -> admin", "admin -> owner", "member -> admin"]);
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_signs_the_member_out_everywhere() {
    let app = spawn_app().await;
    let owner = signed_in(&app).await;
    let (_, old) = jetson::services::accounts::create_user(
        &app.state,
        app.org,
        &Email::parse("lee@test.example").unwrap(),
        "Lee",
        Role::Member,
    )
    .await
    .unwrap();
    let lee_browser = sign_in(&app, "lee@test.example", &old).await.unwrap();
    let lee = user_id(&app, "lee@test.example").await;
    let csrf = csrf_of(&members_page(&app, &owner).await);
    let res = owner.post(app.url(&format!("/settings/members/{lee}/reset-link"))).form(&[("csrf", &csrf)]).send();
    let link = shown_link(&res.await.unwrap().text().await.unwrap());
    assert!(link.starts_with("/reset/"));
    let anyone = browser();
    let page = anyone.get(app.url(&link)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("lee@test.example"));
    let set = |password: &'static str, confirm: &'static str| {
        anyone.post(app.url(&link)).form(&[("password", password), ("confirm", confirm)]).send()
    };
    assert_eq!(set("tundra maple 77 lantern", "other").await.unwrap().status(), 400);
    assert_eq!(
        set("tundra maple 77 lantern", "tundra maple 77 lantern").await.unwrap().headers()["location"],
        "/login"
    );
    assert_eq!(lee_browser.get(app.url("/")).send().await.unwrap().headers()["location"], "/login", "signed out");
    assert!(sign_in(&app, "lee@test.example", &old).await.is_none());
    assert!(sign_in(&app, "lee@test.example", "tundra maple 77 lantern").await.is_some());
    assert_eq!(anyone.get(app.url(&link)).send().await.unwrap().status(), 404, "once");
    let events = jetson_store::audit::list(&app.state.db, app.org, Some("auth.password_reset"), 5).await.unwrap();
    assert!(events[0].detail.ends_with("1 session(s) signed out"), "{}", events[0].detail);
}

#[tokio::test]
async fn a_person_in_two_organisations_switches_between_them_and_leaves_one() {
    let app = spawn_app().await;
    let other = jetson::services::accounts::ensure_org(&app.state, "Other Co").await.unwrap();
    let admin_id = user_id(&app, &app.admin_email).await;
    let mut tx = app.state.db.begin().await.unwrap();
    jetson_store::users::add_membership(&mut tx, other, admin_id, Role::Member).await.unwrap();
    tx.commit().await.unwrap();
    let client = signed_in(&app).await;
    let html = client.get(app.url("/account/organisations")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Test Org") && html.contains("Other Co") && html.contains("you are here"));
    let csrf = csrf_of(&html);
    let post = |path: String| client.post(app.url(&path)).form(&[("csrf", csrf.as_str())]).send();
    // In the test organisation as owner: its members page. After switching, a member of Other Co.
    assert_eq!(client.get(app.url("/settings/members")).send().await.unwrap().status(), 200);
    assert_eq!(post(format!("/account/organisations/{other}/switch")).await.unwrap().headers()["location"], "/");
    assert_eq!(client.get(app.url("/settings/members")).send().await.unwrap().status(), 403);
    // Not the one this session is in; the other one, yes (as its only owner: no).
    assert_eq!(post(format!("/account/organisations/{other}/leave")).await.unwrap().status(), 400);
    let res = post(format!("/account/organisations/{}/leave", app.org)).await.unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("only owner"));
    assert_eq!(post(format!("/account/organisations/{}/switch", app.org)).await.unwrap().status(), 303);
    assert_eq!(post(format!("/account/organisations/{other}/leave")).await.unwrap().status(), 303);
    assert_eq!(jetson_store::users::role_in(&app.state.db, other, admin_id).await.unwrap(), None);
    let unknown = "0191b5a0-0000-7000-8000-000000000000";
    assert_eq!(post(format!("/account/organisations/{unknown}/switch")).await.unwrap().status(), 404);
    let left = jetson_store::audit::list(&app.state.db, other, Some("member.leave"), 5).await.unwrap();
    assert_eq!(left.len(), 1);
}

#[tokio::test]
async fn sign_up_is_closed_by_default_and_when_open_creates_an_organisation_with_its_owner() {
    let closed = spawn_app().await;
    assert_eq!(browser().get(closed.url("/signup")).send().await.unwrap().status(), 403);
    let login = browser().get(closed.url("/login")).send().await.unwrap().text().await.unwrap();
    assert!(!login.contains("/signup"));

    let app = crate::helpers::spawn_app_with(|s| s.allow_signup = true).await;
    let login = browser().get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    assert!(login.contains("Create an organisation"));
    let client = browser();
    let sign_up = |org: &'static str, email: &'static str, password: &'static str| {
        let form = [
            ("organisation", org),
            ("name", "Nia Founder"),
            ("email", email),
            ("password", password),
            ("confirm", password),
        ];
        client.post(app.url("/signup")).form(&form).send()
    };
    let strong = "copper meadow 19 falcon";
    let taken_org = sign_up("Test Org", "nia@acme.example", strong).await.unwrap();
    assert_eq!(taken_org.status(), 400);
    assert!(taken_org.text().await.unwrap().contains("exists already"));
    let taken_email = sign_up("Acme", "admin@test.example", strong).await.unwrap();
    assert!(taken_email.text().await.unwrap().contains("already an account"));
    assert_eq!(sign_up("Acme", "nia@acme.example", "acme12345678").await.unwrap().status(), 400);
    let res = sign_up("Acme", "nia@acme.example", strong).await.unwrap();
    assert_eq!(res.headers()["location"], "/");
    let members = members_page(&app, &client).await;
    assert!(members.contains("Nia Founder") && !members.contains("Test Admin"), "the new organisation, theirs alone");
    let acme = jetson_store::orgs::find_by_name(&app.state.db, "Acme").await.unwrap().unwrap().id;
    let events = jetson_store::audit::list(&app.state.db, acme, None, 5).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["auth.sign_in", "org.create"]);
}
