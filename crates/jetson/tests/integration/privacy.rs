//! Privacy end to end: what is stored, what a page shows, who may see originals, and what
//! happens to harmful content.

use crate::helpers::WithLoginCsrf;
use jetson::services::import::MESSAGE_BODY;
use jetson_domain::Role;
use jetson_store::{audit, conversations, holds, reports};

use crate::helpers::{conversation, spawn_app};
use crate::pages::{csrf_of, signed_in};

const CARD_BODY: &str = "Hi, I'm Pat Example (pat@example.com). The CSV export fails with an error. \
                         I paid with card 4111 1111 1111 1111 yesterday, call me on +1 415 555 0100.";

async fn only_conversation(app: &crate::helpers::TestApp) -> jetson_domain::ConversationId {
    let f = conversations::Filter { limit: 10, ..Default::default() };
    let list = conversations::list(&app.state.db, app.org, &f).await.unwrap();
    assert_eq!(list.len(), 1);
    list[0].id
}

#[tokio::test]
async fn bodies_are_sealed_with_cards_masked_and_pages_show_the_redacted_text() {
    let app = spawn_app().await;
    app.import("Widgets", &[conversation("c1", "pat@example.com", "Export fails", CARD_BODY)]).await;
    let id = only_conversation(&app).await;

    // At rest: sealed, and the card is masked even inside the seal.
    let messages = conversations::messages(&app.state.db, app.org, id).await.unwrap();
    let stored = &messages[0].body_html;
    assert!(stored.starts_with("v1.") && !stored.contains("4111") && !stored.contains("pat@example.com"));
    let opened = app.state.sealer().unwrap().open(MESSAGE_BODY, stored).unwrap();
    assert!(opened.contains("**** **** **** 1111") && !opened.contains("4111 1111 1111 1111"), "{opened}");
    assert!(opened.contains("pat@example.com"), "only cards are masked in the original");
    assert!(!messages[0].analysis_text.contains("pat@example.com") && messages[0].analysis_text.contains("[EMAIL]"));

    // The page: redacted by default.
    let client = signed_in(&app).await;
    let html = client.get(app.url(&format!("/conversations/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("[EMAIL]") && html.contains("[CARD]") && html.contains("[PHONE]"));
    assert!(!html.contains("pat@example.com") && !html.contains("1111"), "nothing personal by default");
    assert!(html.contains("Reveal original"));

    // An owner reveals: the original (card still masked), and the audit trail records it.
    let res = client
        .post(app.url(&format!("/conversations/{id}/reveal")))
        .form(&[("csrf", csrf_of(&html))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let revealed = res.text().await.unwrap();
    assert!(revealed.contains("pat@example.com") && revealed.contains("**** **** **** 1111"));
    assert!(revealed.contains("recorded in the audit trail"));
    let events = audit::list(&app.state.db, app.org, Some("message."), 10).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].action.as_str(), events[0].actor.as_str()), ("message.reveal", app.admin_email.as_str()));
    assert_eq!(events[0].target, format!("conversation:{id}"));
    assert_eq!(audit::verify(&app.state.db, app.org).await.unwrap(), None);

    // A reveal without the CSRF token is refused.
    let res =
        client.post(app.url(&format!("/conversations/{id}/reveal"))).form(&[("csrf", "wrong")]).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(audit::list(&app.state.db, app.org, Some("message."), 10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_member_cannot_reveal_originals() {
    let app = spawn_app().await;
    app.import("Widgets", &[conversation("c1", "pat@example.com", "Export fails", CARD_BODY)]).await;
    let id = only_conversation(&app).await;
    let (_, password) = jetson::services::accounts::create_user(
        &app.state,
        app.org,
        &jetson_domain::Email::parse("member@test.example").unwrap(),
        "Member",
        Role::Member,
    )
    .await
    .unwrap();
    let client =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    client
        .post(app.url("/login"))
        .with_login_csrf()
        .form(&[("email", "member@test.example"), ("password", password.as_str())])
        .send()
        .await
        .unwrap();
    let html = client.get(app.url(&format!("/conversations/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("Reveal original") && !html.contains("id=\"nav-held\""));
    let res = client
        .post(app.url(&format!("/conversations/{id}/reveal")))
        .form(&[("csrf", csrf_of(&html))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(audit::list(&app.state.db, app.org, Some("message."), 10).await.unwrap().is_empty());
    assert_eq!(client.get(app.url("/held")).send().await.unwrap().status(), 403);
}

#[tokio::test]
async fn harmful_conversations_are_held_out_of_work_until_released_and_threats_come_first() {
    let app = spawn_app().await;
    let convs = [
        conversation("ok", "ann@a.example", "Export fails", "The CSV export fails with an error since the update."),
        conversation(
            "abuse",
            "bob@b.example",
            "Export",
            "The CSV export fails with an error, you useless fucking bitches.",
        ),
        conversation(
            "threat",
            "cy@c.example",
            "Export",
            "Export fails with an error. Fix it or I know where you live.",
        ),
    ];
    app.import("Widgets", &convs).await;
    let waiting = holds::waiting(&app.state.db, app.org, 10).await.unwrap();
    assert_eq!(waiting.len(), 2, "{:?}", waiting.iter().map(|h| &h.subject).collect::<Vec<_>>());
    assert!(waiting[0].escalated && waiting[0].screen_flags.0.iter().any(|f| f.category == "threat"));
    assert!(!waiting[1].escalated && waiting[1].screen_flags.0.iter().any(|f| f.category == "harassment"));
    assert_eq!(holds::counts(&app.state.db, app.org).await.unwrap(), (2, 1));

    // A held conversation cannot be reclassified (it would teach the product from it).
    let res = app
        .post_api(
            &format!("/api/v1/conversations/{}/reclassify", waiting[0].id),
            serde_json::json!({"category": "bug"}),
        )
        .await;
    assert_eq!(res.status(), 409);

    // Held conversations fed no work item: only the clean one did.
    let reports_of = |id| reports::for_conversation(&app.state.db, app.org, id);
    let held_ids: Vec<_> = waiting.iter().map(|h| h.id).collect();
    for id in &held_ids {
        assert!(reports_of(*id).await.unwrap().is_empty());
    }

    // The held page lists the escalation first; the badge shows on every page.
    let client = signed_in(&app).await;
    let html = client.get(app.url("/held")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Escalations: threats and self-harm"));
    assert!(html.find("I know").is_none(), "the list shows subjects and flags, not the message");
    let escalations = html.find("Escalations").unwrap();
    let others = html.find("Other flagged").unwrap();
    let threat_row = html.find(&held_ids[0].to_string()).unwrap();
    assert!(escalations < threat_row && threat_row < others);
    assert!(html.contains("class=\"badge\""));

    // Release the abusive one: it is analysed and joins the work; keep the threat out.
    let csrf = csrf_of(&html);
    let res = client
        .post(app.url(&format!("/held/{}/release", held_ids[1])))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let res = client
        .post(app.url(&format!("/held/{}/keep-out", held_ids[0])))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    app.run_jobs().await;
    assert_eq!(reports_of(held_ids[1]).await.unwrap().len(), 1, "released: analysed");
    assert!(reports_of(held_ids[0]).await.unwrap().is_empty(), "kept out");
    assert_eq!(holds::counts(&app.state.db, app.org).await.unwrap(), (0, 0));
    let actions: Vec<String> =
        audit::list(&app.state.db, app.org, Some("hold."), 10).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["hold.keep_out", "hold.release"]);

    // Deciding twice is refused; the decision stands.
    let res = client
        .post(app.url(&format!("/held/{}/release", held_ids[0])))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let c = conversations::get(&app.state.db, app.org, held_ids[0]).await.unwrap();
    assert_eq!(c.hold.as_deref(), Some("kept_out"));
}

#[tokio::test]
async fn a_conversation_that_turns_abusive_leaves_the_work_it_fed() {
    let app = spawn_app().await;
    let first = conversation("c1", "pat@example.com", "Export fails", "The CSV export fails with an error.");
    app.import("Widgets", std::slice::from_ref(&first)).await;
    let id = only_conversation(&app).await;
    assert_eq!(reports::for_conversation(&app.state.db, app.org, id).await.unwrap().len(), 1);

    let mut second = first.clone();
    second.messages.push(jetson::services::import::ImportedMessage {
        external_id: "c1-2".into(),
        author: jetson_domain::Author::Customer,
        author_name: "Pat Example".into(),
        body: "Still broken. I want to end it all.".into(),
        created_at: chrono::Utc::now(),
    });
    app.import("Widgets", &[second]).await;
    assert!(reports::for_conversation(&app.state.db, app.org, id).await.unwrap().is_empty());
    let held = holds::waiting(&app.state.db, app.org, 10).await.unwrap();
    assert!(held[0].escalated && held[0].screen_flags.0[0].category == "self_harm");
}

#[tokio::test]
async fn key_rotation_re_encrypts_everything_and_a_wrong_key_changes_nothing() {
    let app = spawn_app().await;
    app.import("Widgets", &[conversation("c1", "pat@example.com", "Export fails", CARD_BODY)]).await;
    let id = only_conversation(&app).await;
    let before = conversations::messages(&app.state.db, app.org, id).await.unwrap()[0].body_html.clone();
    let old = app.state.sealer().unwrap().clone();
    let new = jetson::sealed::Sealer::new(&[9; 32]);

    // With a key that does not open the values, nothing changes.
    let wrong = jetson::sealed::Sealer::new(&[1; 32]);
    let err = jetson::services::keys::reseal(&app.state, &wrong, &new, &mut |_, _| {}).await.unwrap_err();
    assert!(format!("{err:#}").contains("does not open with the current key"), "{err:#}");
    assert_eq!(conversations::messages(&app.state.db, app.org, id).await.unwrap()[0].body_html, before);

    let n = jetson::services::keys::reseal(&app.state, &old, &new, &mut |_, _| {}).await.unwrap();
    assert!(n >= 1);
    let after = conversations::messages(&app.state.db, app.org, id).await.unwrap()[0].body_html.clone();
    assert_ne!(after, before);
    assert!(old.open(MESSAGE_BODY, &after).is_err());
    assert!(new.open(MESSAGE_BODY, &after).unwrap().contains("**** **** **** 1111"));
}

#[tokio::test]
async fn a_customer_is_exported_then_erased_everywhere_and_the_others_stay() {
    let app = spawn_app().await;
    let convs = [
        conversation(
            "p1",
            "pat@example.com",
            "Export fails",
            "The CSV export fails with an error. Card 4111 1111 1111 1111.",
        ),
        conversation("p2", "pat@example.com", "Dark mode", "Could you add a dark mode to the dashboard?"),
        conversation("a1", "ann@other.example", "Export broken", "CSV export fails with an error every time."),
    ];
    app.import("Widgets", &convs).await;
    let db = &app.state.db;
    let f = conversations::Filter { limit: 10, ..Default::default() };
    let all = conversations::list(db, app.org, &f).await.unwrap();
    let pat_export = all.iter().find(|c| c.external_id == "p1").unwrap();
    let ann = all.iter().find(|c| c.external_id == "a1").unwrap().id;
    let shared_item = reports::for_conversation(db, app.org, ann).await.unwrap()[0].work_item_id;
    assert_eq!(reports::for_conversation(db, app.org, pat_export.id).await.unwrap()[0].work_item_id, shared_item);
    // A person's correction teaches the product from Pat's text.
    let mut tx = db.begin().await.unwrap();
    jetson::services::learning::conversation_reclassified(
        &mut tx,
        app.org,
        pat_export.id,
        jetson_domain::Category::Bug,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let email = jetson_domain::Email::parse("pat@example.com").unwrap();
    let doc =
        jetson::services::erasure::export_customer(&app.state, app.org, &email, "dpo@test.example").await.unwrap();
    assert_eq!(doc["customer"]["email"], "pat@example.com");
    assert_eq!(doc["conversations"].as_array().unwrap().len(), 2);
    let text = doc.to_string();
    assert!(text.contains("**** **** **** 1111") && !text.contains("4111 1111"), "cards stay masked");
    assert!(!text.contains("ann@other.example"), "only Pat's data");

    let erased =
        jetson::services::erasure::erase_customer(&app.state, app.org, &email, "dpo@test.example").await.unwrap();
    assert_eq!((erased.conversations, erased.messages, erased.reports), (2, 2, 2));
    assert_eq!(erased.learned_examples, 1);
    assert_eq!((erased.work_items_removed, erased.work_items_recounted), (1, 1), "dark mode goes, export stays");
    let left = conversations::list(db, app.org, &f).await.unwrap();
    assert_eq!(left.iter().map(|c| c.external_id.as_str()).collect::<Vec<_>>(), ["a1"]);
    let item = jetson_store::work_items::get(db, app.org, shared_item).await.unwrap();
    assert_eq!(item.customer_count, 1);
    let mut tx = db.begin().await.unwrap();
    assert!(jetson_store::customers::find(&mut tx, app.org, &email).await.unwrap().is_none());
    tx.commit().await.unwrap();
    let events = audit::list(db, app.org, Some("customer."), 10).await.unwrap();
    assert_eq!(events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["customer.erase", "customer.export"]);
    assert!(events.iter().all(|e| !e.target.contains("pat@") && e.target.starts_with("customer:sha256:")));
    assert_eq!(audit::verify(db, app.org).await.unwrap(), None);
    let again = jetson::services::erasure::erase_customer(&app.state, app.org, &email, "dpo@test.example").await;
    assert!(again.unwrap_err().to_string().contains("no customer pat@example.com"));
}

#[tokio::test]
async fn retention_empties_old_bodies_forgets_old_conversations_trims_the_audit_trail_and_reports_it() {
    let app = spawn_app().await;
    let aged = |id: &str, email: &str, days: i64| {
        let mut c = conversation(id, email, "Export fails", "The CSV export fails with an error. pat@example.com");
        let at = chrono::Utc::now() - chrono::Duration::days(days);
        c.created_at = at;
        c.messages[0].created_at = at;
        c
    };
    app.import(
        "Widgets",
        &[aged("old", "a@a.example", 400), aged("month", "b@b.example", 40), aged("new", "c@c.example", 1)],
    )
    .await;
    let db = &app.state.db;
    let f = conversations::Filter { limit: 10, ..Default::default() };
    let id_of =
        |list: &[conversations::Conversation], ext: &str| list.iter().find(|c| c.external_id == ext).map(|c| c.id);
    let before = conversations::list(db, app.org, &f).await.unwrap();
    let month = id_of(&before, "month").unwrap();

    let policy =
        jetson_store::retention::Policy { raw_body_days: Some(30), conversation_days: Some(365), audit_days: Some(30) };
    jetson::services::retention::set(&app.state, app.org, policy, "admin@test.example").await.unwrap();
    let now = chrono::Utc::now();
    let deleted = jetson::services::retention::enforce(&app.state, app.org, now).await.unwrap().unwrap();
    assert_eq!((deleted.raw_bodies, deleted.conversations, deleted.messages), (2, 1, 1));
    assert_eq!((deleted.redacted_texts, deleted.reports, deleted.search_index_entries), (1, 1, 1));
    assert_eq!(deleted.audit_events, 0);

    let after = conversations::list(db, app.org, &f).await.unwrap();
    assert!(id_of(&after, "old").is_none() && id_of(&after, "new").is_some());
    let month_messages = conversations::messages(db, app.org, month).await.unwrap();
    assert_eq!(month_messages[0].body_html, "", "the original is gone");
    assert!(month_messages[0].analysis_text.contains("[EMAIL]"), "the redacted text stays");
    let new_messages = conversations::messages(db, app.org, id_of(&after, "new").unwrap()).await.unwrap();
    assert!(new_messages[0].body_html.starts_with("v1."));

    // The page says why the original cannot be shown.
    let client = signed_in(&app).await;
    let html = client.get(app.url(&format!("/conversations/{month}"))).send().await.unwrap().text().await.unwrap();
    let revealed = client
        .post(app.url(&format!("/conversations/{month}/reveal")))
        .form(&[("csrf", csrf_of(&html))])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(revealed.contains("deleted under the retention policy"));

    let reports = jetson_store::retention::reports(db, app.org, 10).await.unwrap();
    assert_eq!(reports[0].counts.0["conversations"], 1);
    assert_eq!(reports[0].policy.0, policy);

    // Forty days on (a simulated clock: every event so far is past its 30 days, this run's own
    // included), the trail is trimmed; events recorded after it chain on and verify.
    let later = jetson::services::retention::enforce(&app.state, app.org, now + chrono::Duration::days(40))
        .await
        .unwrap()
        .unwrap();
    assert!(later.audit_events >= 3, "{later:?}");
    assert!(later.raw_bodies == 1 && later.conversations == 0, "{later:?}");
    assert!(audit::list(db, app.org, None, 100).await.unwrap().is_empty());
    jetson::services::retention::set(&app.state, app.org, policy, "admin@test.example").await.unwrap();
    let left = audit::list(db, app.org, None, 100).await.unwrap();
    assert_eq!(left.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["settings.retention"]);
    assert_eq!(audit::verify(db, app.org).await.unwrap(), None);
}

#[tokio::test]
async fn an_organisations_operators_decide_what_replaces_each_kind_and_hashes_match_across_conversations() {
    let app = spawn_app().await;
    let client = signed_in(&app).await;
    let page = client.get(app.url("/settings/privacy")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&page);
    let form = |pairs: &[(&str, &str)]| {
        let mut f: Vec<(String, String)> = vec![("csrf".into(), csrf.clone())];
        f.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        f
    };
    let refused = client
        .post(app.url("/settings/privacy/operators"))
        .form(&form(&[("CREDIT_CARD", "encrypt")]))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let saved = client
        .post(app.url("/settings/privacy/operators"))
        .form(&form(&[("EMAIL_ADDRESS", "hash"), ("PHONE_NUMBER", "mask"), ("PERSON", "drop")]))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
    let body = "Export fails. Mail pat@example.com or call +1 415 555 0100.";
    app.import(
        "Widgets",
        &[
            conversation("c1", "pat@example.com", "Export", body),
            conversation("c2", "pat@example.com", "Export again", body),
        ],
    )
    .await;
    let f = conversations::Filter { limit: 10, ..Default::default() };
    let mut texts = Vec::new();
    for c in conversations::list(&app.state.db, app.org, &f).await.unwrap() {
        texts.push(conversations::messages(&app.state.db, app.org, c.id).await.unwrap()[0].analysis_text.clone());
    }
    assert_eq!(texts[0], texts[1], "the same address hashes the same in both conversations");
    assert!(texts[0].contains("[EMAIL:") && !texts[0].contains("pat@"), "{}", texts[0]);
    assert!(texts[0].contains("+* *** *** 0100"), "{}", texts[0]);
    let events = audit::list(&app.state.db, app.org, Some("settings."), 10).await.unwrap();
    assert_eq!(events[0].action, "settings.privacy_operators");
    let page = client.get(app.url("/settings/privacy")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"<option value="hash" selected>"#));
}

#[tokio::test]
async fn deleting_an_organisation_removes_everything_it_holds_and_nothing_of_another() {
    let app = spawn_app().await;
    app.import("Widgets", &[conversation("c1", "pat@example.com", "Export fails", CARD_BODY)]).await;
    // A second organisation with its own data.
    let other = jetson::services::accounts::ensure_org(&app.state, "Other Org").await.unwrap();
    let mut tx = app.state.db.begin().await.unwrap();
    let product =
        jetson_store::products::get_or_create(&mut tx, other, &jetson_domain::ProductName::parse("Gadgets").unwrap())
            .await
            .unwrap();
    tx.commit().await.unwrap();
    jetson::services::import::write(
        &app.state,
        other,
        product.id,
        &[conversation("o1", "zed@other.example", "Sync", "The sync is broken.")],
        &mut |_, _| {},
    )
    .await
    .unwrap();
    app.run_jobs().await;
    let mut tx = app.state.db.begin().await.unwrap();
    jetson_store::audit::record(
        &mut tx,
        app.org,
        audit::NewEvent { actor_user_id: None, actor: "t", action: "test", target: "x", detail: "" },
    )
    .await
    .unwrap();
    assert!(jetson_store::orgs::delete(&mut tx, app.org).await.unwrap());
    tx.commit().await.unwrap();

    let db = &app.state.db;
    assert_eq!(conversations::count_for_org(db, app.org).await.unwrap(), 0);
    assert!(audit::list(db, app.org, None, 10).await.unwrap().is_empty());
    assert!(jetson_store::work_items::inbox(db, app.org, None, None, 10).await.unwrap().is_empty());
    assert_eq!(conversations::count_for_org(db, other).await.unwrap(), 1, "the other organisation is untouched");
    assert_eq!(jetson_store::work_items::inbox(db, other, None, None, 10).await.unwrap().len(), 0);
    let f = conversations::Filter { limit: 10, ..Default::default() };
    let left = conversations::list(db, other, &f).await.unwrap();
    assert_eq!(reports::for_conversation(db, other, left[0].id).await.unwrap().len(), 1);
    // The people stay; only their membership went.
    let admin = jetson_domain::Email::parse(&app.admin_email).unwrap();
    assert!(jetson_store::users::find_by_email(db, &admin).await.unwrap().is_some());
}

#[tokio::test]
async fn an_organisation_exported_from_one_jetson_is_imported_whole_by_another_with_its_own_key() {
    let source = spawn_app().await;
    let org = jetson::services::accounts::ensure_org(&source.state, "Acme").await.unwrap();
    let email = jetson_domain::Email::parse("owner@acme.example").unwrap();
    jetson::services::accounts::create_user(&source.state, org, &email, "Acme Owner", Role::Owner).await.unwrap();
    let mut tx = source.state.db.begin().await.unwrap();
    let product =
        jetson_store::products::get_or_create(&mut tx, org, &jetson_domain::ProductName::parse("Widgets").unwrap())
            .await
            .unwrap();
    tx.commit().await.unwrap();
    let convs = [
        conversation("c1", "pat@example.com", "Export fails", CARD_BODY),
        conversation("c2", "ann@other.example", "Export broken", "CSV export fails with an error every time."),
        conversation("c3", "cy@c.example", "Sync", "Fix the sync or I know where you live."),
    ];
    jetson::services::import::write(&source.state, org, product.id, &convs, &mut |_, _| {}).await.unwrap();
    source.run_jobs().await;
    let policy = jetson_store::retention::Policy { raw_body_days: Some(90), conversation_days: None, audit_days: None };
    jetson::services::retention::set(&source.state, org, policy, "owner@acme.example").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("org.tar");
    let exported = jetson::services::org_archive::export(&source.state, org, &archive).await.unwrap();
    assert_eq!((exported["conversations"], exported["messages"], exported["users"]), (3, 3, 1));

    let target = crate::helpers::spawn_app_with(|s| s.secret_key = Some([8; 32])).await;
    let (name, written) = jetson::services::org_archive::import(&target.state, &archive).await.unwrap();
    assert_eq!(name, "Acme");
    let written: std::collections::HashMap<_, _> = written.into_iter().collect();
    for (table, n) in &exported {
        assert_eq!(written[table], *n, "{table}");
    }
    let db = &target.state.db;
    let f = conversations::Filter { limit: 10, ..Default::default() };
    let got = conversations::list(db, org, &f).await.unwrap();
    assert_eq!(got.len(), 3);
    let c1 = got.iter().find(|c| c.external_id == "c1").unwrap();
    let body = &conversations::messages(db, org, c1.id).await.unwrap()[0].body_html;
    let opened = target.state.sealer().unwrap().open(MESSAGE_BODY, body).unwrap();
    assert!(opened.contains("**** **** **** 1111") && opened.contains("pat@example.com"), "sealed under the new key");
    assert!(source.state.sealer().unwrap().open(MESSAGE_BODY, body).is_err());
    assert_eq!(got.iter().find(|c| c.external_id == "c3").unwrap().hold.as_deref(), Some("held"));
    assert_eq!(reports::for_conversation(db, org, c1.id).await.unwrap().len(), 1);
    assert_eq!(jetson_store::retention::policy(db, org).await.unwrap(), policy);
    assert_eq!(audit::verify(db, org).await.unwrap(), None, "the audit chain arrives intact");
    assert!(jetson_store::users::find_by_email(db, &email).await.unwrap().is_some(), "the owner can sign in here");

    // A second import of the same organisation is refused; a damaged archive changes nothing.
    let again = jetson::services::org_archive::import(&target.state, &archive).await.unwrap_err().to_string();
    assert!(again.contains("already here"), "{again}");
    let fresh = spawn_app().await;
    let junk = dir.path().join("junk.tar");
    std::fs::write(&junk, b"not a tar file at all").unwrap();
    assert!(jetson::services::org_archive::import(&fresh.state, &junk).await.is_err());
    // A copy of the archive with one replacement in one of its files.
    let tampered = |name: &str, file: &str, from: &str, to: &str| {
        let path = dir.path().join(name);
        let mut builder = tar::Builder::new(std::fs::File::create(&path).unwrap());
        let mut original = tar::Archive::new(std::fs::File::open(&archive).unwrap());
        for entry in original.entries().unwrap() {
            let mut entry = entry.unwrap();
            let entry_path = entry.path().unwrap().into_owned();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
            if entry_path.ends_with(file) {
                data = String::from_utf8(data).unwrap().replacen(from, to, 1).into_bytes();
            }
            let mut header = entry.header().clone();
            header.set_size(data.len() as u64);
            header.set_cksum();
            builder.append_data(&mut header, entry_path, data.as_slice()).unwrap();
        }
        builder.finish().unwrap();
        path
    };
    let foreign_row =
        tampered("foreign.tar", "conversations.jsonl", &org.to_string(), &uuid::Uuid::now_v7().to_string());
    let err = format!("{:#}", jetson::services::org_archive::import(&fresh.state, &foreign_row).await.unwrap_err());
    assert!(err.contains("another organisation"), "{err}");
    let damaged = tampered("damaged.tar", "messages.jsonl", "\"author\"", "\"no_such_column\"");
    let err = format!("{:#}", jetson::services::org_archive::import(&fresh.state, &damaged).await.unwrap_err());
    assert!(err.contains("no_such_column"), "{err}");
    assert!(jetson_store::orgs::find_by_name(&fresh.state.db, "Acme").await.unwrap().is_none(), "nothing of it");
    assert_eq!(conversations::count_for_org(&fresh.state.db, org).await.unwrap(), 0);
}

#[tokio::test]
async fn subjects_and_titles_stored_before_redaction_are_re_redacted_and_counted() {
    let app = spawn_app().await;
    app.import("Widgets", &[conversation("c1", "pat@example.com", "Export fails", CARD_BODY)]).await;
    // As an earlier version left them: the subject in the clear with no sealed original, and a
    // title made from it.
    let raw = "Refund for pat@example.com card 4111 1111 1111 1111";
    for edit in [
        format!("UPDATE conversations SET subject = '{raw}', subject_sealed = NULL"),
        format!("UPDATE work_items SET title = '{raw}'"),
    ] {
        let edit = sqlx::AssertSqlSafe(edit);
        match &app.state.db {
            jetson_store::Db::Sqlite(p) => sqlx::query(edit).execute(p).await.map(|_| ()),
            jetson_store::Db::Postgres(p) => sqlx::query(edit).execute(p).await.map(|_| ()),
        }
        .unwrap();
    }
    let report = jetson::services::redaction::redact_stored(&app.state, None).await.unwrap();
    assert_eq!((report.subjects_sealed, report.subjects_changed, report.work_items_changed), (1, 1, 1));
    // (The customer's own address stays where it belongs: on the customer.)
    let found = jetson_store::testing::columns_containing(&app.state.db, "4111 1111").await.unwrap();
    assert!(found.is_empty(), "the card is still in {found:?}");
    let id = only_conversation(&app).await;
    let c = conversations::get(&app.state.db, app.org, id).await.unwrap();
    assert_eq!(c.subject, "Refund for [EMAIL] card [CARD]");
    let sealed = conversations::sealed_subject(&app.state.db, app.org, id).await.unwrap().unwrap();
    let original = app.state.sealer().unwrap().open(jetson::services::import::SUBJECT, &sealed).unwrap();
    assert_eq!(original, "Refund for pat@example.com card **** **** **** 1111");
    let again = jetson::services::redaction::redact_stored(&app.state, None).await.unwrap();
    assert_eq!(again, Default::default(), "a second run finds nothing to do");
}
