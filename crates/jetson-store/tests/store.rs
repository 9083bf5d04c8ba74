//! The store suite: every test runs on SQLite, and on PostgreSQL too when
//! `JETSON_TEST_POSTGRES_URL` is set.

use jetson_domain::{Author, Category, Email, OrgId, Priority, ProductName, Role, WorkItemStatus};
use jetson_store::conversations::{NewConversation, NewMessage, Upserted};
use jetson_store::jobs::NewJob;
use jetson_store::testing::{fresh_postgres_url, fresh_sqlite};
use jetson_store::work_items::{Filter, NewWorkItem};
use jetson_store::*;

/// Runs `body` once per available database.
async fn on_each_db<F, Fut>(body: F)
where
    F: Fn(Db) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (sqlite, _guard) = fresh_sqlite().await.expect("sqlite");
    body(sqlite.clone()).await;
    sqlite.close().await;
    // Without JETSON_TEST_POSTGRES_URL, `fresh_postgres_url` says the run is SQLite only.
    if let Some(url) = fresh_postgres_url().await.expect("postgres") {
        let pg = Db::connect(&url).await.expect("connect to the fresh PostgreSQL database");
        pg.migrate().await.expect("migrate postgres");
        body(pg.clone()).await;
        pg.close().await;
    }
}

struct World {
    org: OrgId,
    product: products::Product,
    customer: jetson_domain::CustomerId,
}

async fn world(db: &Db, org_name: &str) -> World {
    let mut tx = db.begin().await.unwrap();
    let org = orgs::create(&mut tx, org_name).await.unwrap();
    let product = products::get_or_create(&mut tx, org.id, &ProductName::parse("Ledgerly").unwrap()).await.unwrap();
    let customer = customers::upsert(&mut tx, org.id, &Email::parse("ann@acme.io").unwrap(), "Ann").await.unwrap();
    tx.commit().await.unwrap();
    World { org: org.id, product, customer }
}

fn redacted(text: &str) -> jetson_privacy::RedactedText {
    jetson_privacy::Redactor.redact(text, &jetson_privacy::Known::default()).text
}

fn conversation(w: &World, external: &str, body: &str) -> NewConversation {
    let now = now();
    NewConversation {
        org_id: w.org,
        product_id: w.product.id,
        external_id: external.into(),
        subject: redacted("Export"),
        subject_sealed: "v1.sealed".into(),
        customer_id: w.customer,
        status: "active".into(),
        tags: vec!["billing".into()],
        content_hash: format!("hash-{body}"),
        created_at: now,
        updated_at: now,
        messages: vec![NewMessage {
            external_id: "m1".into(),
            author: Author::Customer,
            author_name: "Ann".into(),
            body_html: format!("<p>{body}</p>"),
            analysis_text: redacted(body),
            created_at: now,
        }],
    }
}

async fn item(db: &Db, w: &World, title: &str) -> jetson_domain::WorkItemId {
    let mut tx = db.begin().await.unwrap();
    let id = work_items::create(
        &mut tx,
        NewWorkItem {
            org_id: w.org,
            product_id: w.product.id,
            category: Category::Bug,
            title: redacted(title),
            description: redacted("d"),
            priority: Priority::Medium,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn report(
    db: &Db,
    w: &World,
    item: jetson_domain::WorkItemId,
    conv: jetson_domain::ConversationId,
    ordinal: i64,
) -> jetson_domain::ReportId {
    let mut tx = db.begin().await.unwrap();
    let r = reports::insert(
        &mut tx,
        reports::NewReport {
            org_id: w.org,
            work_item_id: item,
            conversation_id: conv,
            ordinal,
            customer_id: w.customer,
            company: Some("acme.io"),
            category: Category::Bug,
            excerpt: "x",
            match_text: "x",
            similarity: None,
            matched_report_id: None,
            // The first report of a conversation carries an embedding, the others none.
            embedding: (ordinal == 0).then_some(&[0u8, 0, 128, 63][..]),
        },
    )
    .await
    .unwrap();
    work_items::recount(&mut tx, &[item]).await.unwrap();
    tx.commit().await.unwrap();
    r
}

async fn stored_conversation(db: &Db, w: &World, external: &str) -> jetson_domain::ConversationId {
    let mut tx = db.begin().await.unwrap();
    let id = conversations::upsert(&mut tx, &conversation(w, external, external)).await.unwrap().id();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn migrating_twice_changes_nothing() {
    on_each_db(|db| async move {
        assert_eq!(db.migrate().await.unwrap(), 0);
        assert!(db.ping().await);
    })
    .await;
}

#[tokio::test]
async fn the_same_conversation_imported_twice_is_stored_once_and_a_change_is_detected() {
    on_each_db(|db| async move {
        let w = world(&db, "Acme").await;
        let mut tx = db.begin().await.unwrap();
        let first = conversations::upsert(&mut tx, &conversation(&w, "7", "broken")).await.unwrap();
        let again = conversations::upsert(&mut tx, &conversation(&w, "7", "broken")).await.unwrap();
        let changed = conversations::upsert(&mut tx, &conversation(&w, "7", "still broken")).await.unwrap();
        tx.commit().await.unwrap();
        assert!(matches!(first, Upserted::Inserted(_)));
        assert_eq!(again, Upserted::Unchanged(first.id()));
        assert_eq!(changed, Upserted::Changed(first.id()));
        assert_eq!(conversations::count(&db, w.org).await.unwrap(), 1);
        let msgs = conversations::messages(&db, w.org, first.id()).await.unwrap();
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0].analysis_text, "still broken");
    })
    .await;
}

#[tokio::test]
async fn another_organisation_sees_none_of_this_ones_data() {
    on_each_db(|db| async move {
        let a = world(&db, "A").await;
        let b = world(&db, "B").await;
        let conv = stored_conversation(&db, &a, "1").await;
        let wi = item(&db, &a, "Bug").await;
        report(&db, &a, wi, conv, 0).await;
        assert!(matches!(conversations::get(&db, b.org, conv).await, Err(StoreError::NotFound)));
        assert!(matches!(work_items::get(&db, b.org, wi).await, Err(StoreError::NotFound)));
        assert!(work_items::list(&db, b.org, &Filter::default(), None, 50).await.unwrap().is_empty());
        assert!(
            conversations::list(&db, b.org, &conversations::Filter { limit: 50, ..Default::default() })
                .await
                .unwrap()
                .is_empty()
        );
        assert!(reports::for_work_item(&db, b.org, wi).await.unwrap().is_empty());
        let mut tx = db.begin().await.unwrap();
        assert!(matches!(
            work_items::set_status(&mut tx, b.org, wi, WorkItemStatus::Resolved).await,
            Err(StoreError::NotFound)
        ));
    })
    .await;
}

#[tokio::test]
async fn counts_follow_reports_and_distinct_customers_count_people_not_conversations() {
    on_each_db(|db| async move {
        let w = world(&db, "Acme").await;
        let wi = item(&db, &w, "Export blank").await;
        let c1 = stored_conversation(&db, &w, "1").await;
        let c2 = stored_conversation(&db, &w, "2").await;
        report(&db, &w, wi, c1, 0).await;
        report(&db, &w, wi, c2, 0).await;
        let got = work_items::get(&db, w.org, wi).await.unwrap();
        assert_eq!((got.report_count, got.customer_count, got.company_count), (2, 1, 1));
        assert_eq!(work_items::companies(&db, w.org, wi).await.unwrap(), vec!["acme.io".to_string()]);
    })
    .await;
}

#[tokio::test]
async fn list_filters_and_pages_by_cursor() {
    on_each_db(|db| async move {
        let w = world(&db, "Acme").await;
        let mut ids = Vec::new();
        for i in 0..5 {
            let wi = item(&db, &w, &format!("item {i}")).await;
            let c = stored_conversation(&db, &w, &i.to_string()).await;
            report(&db, &w, wi, c, 0).await;
            ids.push(wi);
        }
        let mut tx = db.begin().await.unwrap();
        work_items::set_status(&mut tx, w.org, ids[0], WorkItemStatus::Resolved).await.unwrap();
        tx.commit().await.unwrap();
        let page1 = work_items::list(&db, w.org, &Filter::default(), None, 2).await.unwrap();
        let page2 = work_items::list(&db, w.org, &Filter::default(), Some(page1[1].id), 2).await.unwrap();
        let page3 = work_items::list(&db, w.org, &Filter::default(), Some(page2[1].id), 2).await.unwrap();
        let seen: Vec<_> = page1.iter().chain(&page2).chain(&page3).map(|w| w.id).collect();
        assert_eq!(seen, ids.iter().rev().copied().collect::<Vec<_>>());
        let resolved = Filter { status: Some(WorkItemStatus::Resolved), ..Default::default() };
        assert_eq!(work_items::list(&db, w.org, &resolved, None, 10).await.unwrap().len(), 1);
        let by_category = Filter { category: Some(Category::Feature), ..Default::default() };
        assert!(work_items::list(&db, w.org, &by_category, None, 10).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_merge_can_be_undone_exactly() {
    on_each_db(|db| async move {
        let w = world(&db, "Acme").await;
        let (a, b) = (item(&db, &w, "A").await, item(&db, &w, "B").await);
        let (c1, c2) = (stored_conversation(&db, &w, "1").await, stored_conversation(&db, &w, "2").await);
        let r1 = report(&db, &w, a, c1, 0).await;
        report(&db, &w, b, c2, 0).await;
        let mut tx = db.begin().await.unwrap();
        merges::merge(&mut tx, w.org, a, b).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(work_items::get(&db, w.org, b).await.unwrap().report_count, 2);
        assert!(work_items::get(&db, w.org, a).await.unwrap().merged_into.is_some());
        assert!(work_items::list(&db, w.org, &Filter::default(), None, 10).await.unwrap().iter().all(|x| x.id != a));
        let mut tx = db.begin().await.unwrap();
        assert_eq!(merges::unmerge(&mut tx, w.org, a).await.unwrap(), b);
        tx.commit().await.unwrap();
        let back = reports::for_work_item(&db, w.org, a).await.unwrap();
        assert_eq!(back.iter().map(|r| r.id).collect::<Vec<_>>(), vec![r1]);
        assert_eq!(work_items::get(&db, w.org, b).await.unwrap().report_count, 1);
        let mut tx = db.begin().await.unwrap();
        assert!(matches!(merges::unmerge(&mut tx, w.org, a).await, Err(StoreError::Conflict(_))));
        assert!(matches!(merges::merge(&mut tx, w.org, a, a).await, Err(StoreError::Conflict(_))));
    })
    .await;
}

#[tokio::test]
async fn a_merge_carries_the_issue_into_an_item_without_one_and_the_undo_carries_it_back() {
    on_each_db(|db| async move {
        let w = world(&db, "Acme").await;
        let (a, b, c) = (item(&db, &w, "A").await, item(&db, &w, "B").await, item(&db, &w, "C").await);
        let issue = |number: i64| github::Linked {
            repo: "acme/ledgerly",
            number,
            url: "https://github.com/acme/ledgerly/issues/n",
            state: jetson_domain::IssueState::Open,
            by: "created",
            customers: 2,
        };
        github::set_issue(&db, w.org, a, issue(12)).await.unwrap();
        github::set_shipped(&db, w.org, a, "v1.2", now()).await.unwrap();
        let linked_items = |n: i64| {
            let db = db.clone();
            let org = w.org;
            async move {
                github::items_for_issue(&db, org, "acme/ledgerly", n)
                    .await
                    .unwrap()
                    .iter()
                    .map(|l| l.id)
                    .collect::<Vec<_>>()
            }
        };

        let mut tx = db.begin().await.unwrap();
        merges::merge(&mut tx, w.org, a, b).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(linked_items(12).await, vec![b], "GitHub's events for #12 now reach the item with the reports");
        let carried = github::issue_link(&db, w.org, b).await.unwrap();
        assert_eq!((carried.github_number, carried.shipped_release.as_deref()), (Some(12), Some("v1.2")));
        assert_eq!(github::issue_link(&db, w.org, a).await.unwrap().github_number, None);

        let mut tx = db.begin().await.unwrap();
        merges::unmerge(&mut tx, w.org, a).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(linked_items(12).await, vec![a]);
        assert_eq!(github::issue_link(&db, w.org, a).await.unwrap().shipped_release.as_deref(), Some("v1.2"));
        assert_eq!(github::issue_link(&db, w.org, b).await.unwrap().github_number, None);

        // Into an item with an issue of its own, each keeps its own.
        github::set_issue(&db, w.org, c, issue(13)).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        merges::merge(&mut tx, w.org, a, c).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(linked_items(13).await, vec![c]);
        assert_eq!(github::issue_link(&db, w.org, a).await.unwrap().github_number, Some(12));
        let mut tx = db.begin().await.unwrap();
        merges::unmerge(&mut tx, w.org, a).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!((linked_items(12).await, linked_items(13).await), (vec![a], vec![c]));
    })
    .await;
}

#[tokio::test]
async fn a_report_moves_to_another_item_and_both_recount() {
    on_each_db(|db| async move {
        let w = world(&db, "Acme").await;
        let (a, b) = (item(&db, &w, "A").await, item(&db, &w, "B").await);
        let c = stored_conversation(&db, &w, "1").await;
        let r = report(&db, &w, a, c, 0).await;
        let before = products::get(&db, w.org, w.product.id).await.unwrap().match_version;
        let mut tx = db.begin().await.unwrap();
        assert_eq!(reports::move_to(&mut tx, w.org, r, b).await.unwrap(), a);
        tx.commit().await.unwrap();
        assert_eq!(work_items::get(&db, w.org, a).await.unwrap().report_count, 0);
        assert_eq!(work_items::get(&db, w.org, b).await.unwrap().report_count, 1);
        assert!(
            products::get(&db, w.org, w.product.id).await.unwrap().match_version > before,
            "matchers must see the change"
        );
    })
    .await;
}

#[tokio::test]
async fn match_candidates_carry_their_embedding_when_they_have_one() {
    on_each_db(|db| async move {
        let w = world(&db, "Acme").await;
        let a = item(&db, &w, "A").await;
        let c = stored_conversation(&db, &w, "1").await;
        let with = report(&db, &w, a, c, 0).await;
        let without = report(&db, &w, a, c, 1).await;
        let mut tx = db.begin().await.unwrap();
        let candidates = reports::match_candidates(&mut tx, w.org, w.product.id).await.unwrap();
        tx.commit().await.unwrap();
        let embedding_of = |id| candidates.iter().find(|c| c.id == id).unwrap().embedding.clone();
        assert_eq!(embedding_of(with), Some(vec![0, 0, 128, 63]));
        assert_eq!(embedding_of(without), None);
    })
    .await;
}

#[tokio::test]
async fn jobs_are_deduplicated_claimed_once_and_retried_after_failure() {
    on_each_db(|db| async move {
        let mut tx = db.begin().await.unwrap();
        let job = |key: &str| NewJob {
            kind: "analyze",
            payload: serde_json::json!({"n": 1}),
            dedup_key: Some(key.into()),
            max_attempts: 2,
        };
        assert!(jobs::enqueue(&mut tx, job("k1")).await.unwrap());
        assert!(!jobs::enqueue(&mut tx, job("k1")).await.unwrap(), "same dedup key");
        tx.commit().await.unwrap();
        let claimed = jobs::claim(&db, "w1", 60_000).await.unwrap().expect("a job");
        assert_eq!(claimed.payload["n"], 1);
        assert!(jobs::claim(&db, "w2", 60_000).await.unwrap().is_none(), "a leased job is not handed out twice");
        jobs::fail(&db, &claimed, "w1", "boom", 0).await.unwrap();
        let again = jobs::claim(&db, "w2", 60_000).await.unwrap().expect("retried");
        assert_eq!(again.attempts, 2);
        jobs::fail(&db, &again, "w2", "boom again", 0).await.unwrap();
        assert!(jobs::claim(&db, "w3", 60_000).await.unwrap().is_none(), "attempts used up");
        let failed = jobs::failed(&db).await.unwrap();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].last_error.as_deref(), Some("boom again"));
    })
    .await;
}

#[tokio::test]
async fn an_expired_lease_is_claimed_by_another_worker_and_the_old_one_cannot_complete() {
    on_each_db(|db| async move {
        let mut tx = db.begin().await.unwrap();
        jobs::enqueue(
            &mut tx,
            NewJob { kind: "analyze", payload: serde_json::json!({}), dedup_key: None, max_attempts: 5 },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let first = jobs::claim(&db, "dead", -1).await.unwrap().expect("job");
        let second = jobs::claim(&db, "alive", 60_000).await.unwrap().expect("lease ran out, so it is claimable");
        assert_eq!(first.id, second.id);
        let mut tx = db.begin().await.unwrap();
        assert!(!jobs::complete(&mut tx, first.id, "dead").await.unwrap());
        assert!(jobs::complete(&mut tx, second.id, "alive").await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(jobs::pending(&db).await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn sessions_and_tokens_are_found_by_hash_and_expire() {
    on_each_db(|db| async move {
        let w = world(&db, "Acme").await;
        let mut tx = db.begin().await.unwrap();
        let user = users::create(&mut tx, &Email::parse("u@acme.io").unwrap(), "U", "hash").await.unwrap();
        users::add_membership(&mut tx, w.org, user.id, Role::Viewer).await.unwrap();
        let future = chrono::Utc::now() + chrono::Duration::hours(1);
        let past = chrono::Utc::now() - chrono::Duration::hours(1);
        sessions::create(
            &mut tx,
            sessions::NewSession {
                token_hash: "live",
                user_id: user.id,
                org_id: w.org,
                csrf_token: "c",
                expires_at: future,
                user_agent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/150.0",
            },
        )
        .await
        .unwrap();
        sessions::create(
            &mut tx,
            sessions::NewSession {
                token_hash: "old",
                user_id: user.id,
                org_id: w.org,
                csrf_token: "c",
                expires_at: past,
                user_agent: "",
            },
        )
        .await
        .unwrap();
        tokens::create(
            &mut tx,
            tokens::NewToken {
                org_id: w.org,
                user_id: user.id,
                name: "t",
                token_hash: "tok",
                scope: jetson_domain::Scope::Read,
                expires_at: None,
            },
        )
        .await
        .unwrap();
        tokens::create(
            &mut tx,
            tokens::NewToken {
                org_id: w.org,
                user_id: user.id,
                name: "t",
                token_hash: "gone",
                scope: jetson_domain::Scope::Read,
                expires_at: Some(past),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(sessions::find_live(&db, "live").await.unwrap().unwrap().role, Role::Viewer);
        assert!(sessions::find_live(&db, "old").await.unwrap().is_none());
        let listed = sessions::list_for_user(&db, user.id).await.unwrap();
        assert_eq!(listed.len(), 1, "only live sessions are listed");
        assert!(listed[0].user_agent.contains("Chrome"));
        assert_eq!(tokens::authenticate(&db, "tok").await.unwrap().valid().unwrap().org_id, w.org);
        assert!(tokens::authenticate(&db, "gone").await.unwrap().valid().is_none());
        sessions::delete(&db, "live").await.unwrap();
        assert!(sessions::find_live(&db, "live").await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn an_idle_session_ends_and_people_revoke_only_their_own_sessions() {
    on_each_db(|db| async move {
        let w = world(&db, "Acme").await;
        let mut tx = db.begin().await.unwrap();
        let new_user = async |tx: &mut jetson_store::Tx, email: &str| {
            let user = users::create(tx, &Email::parse(email).unwrap(), "U", "hash").await.unwrap();
            users::add_membership(tx, w.org, user.id, Role::Member).await.unwrap();
            user.id
        };
        let (ann, bob) = (new_user(&mut tx, "ann@acme.io").await, new_user(&mut tx, "bob@acme.io").await);
        let expires_at = chrono::Utc::now() + chrono::Duration::days(7);
        let mut ids = Vec::new();
        for (hash, user) in [("a1", ann), ("a2", ann), ("a3", ann), ("b1", bob)] {
            let s = sessions::NewSession {
                token_hash: hash,
                user_id: user,
                org_id: w.org,
                csrf_token: "c",
                expires_at,
                user_agent: "ua",
            };
            ids.push(sessions::create(&mut tx, s).await.unwrap());
        }
        tx.commit().await.unwrap();
        // a3 was last used 25 hours ago: idle, so ended, though its absolute expiry is days away.
        let idle = "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = 'a3'";
        let then = chrono::Utc::now() - chrono::Duration::hours(25);
        match &db {
            Db::Sqlite(p) => sqlx::query(idle).bind(then).execute(p).await.map(|_| ()),
            Db::Postgres(p) => sqlx::query(idle).bind(then).execute(p).await.map(|_| ()),
        }
        .unwrap();
        assert!(sessions::find_live(&db, "a3").await.unwrap().is_none());
        assert_eq!(sessions::list_for_user(&db, ann).await.unwrap().len(), 2);
        assert!(!sessions::revoke(&db, bob, ids[0]).await.unwrap(), "not Bob's session");
        assert!(sessions::find_live(&db, "a1").await.unwrap().is_some());
        assert!(sessions::revoke(&db, ann, ids[1]).await.unwrap());
        assert!(sessions::find_live(&db, "a2").await.unwrap().is_none());
        let mut tx = db.begin().await.unwrap();
        assert_eq!(sessions::revoke_others(&mut tx, ann, ids[0]).await.unwrap(), 1, "the idle one");
        tx.commit().await.unwrap();
        assert!(sessions::find_live(&db, "a1").await.unwrap().is_some(), "the one kept");
        assert!(sessions::find_live(&db, "b1").await.unwrap().is_some(), "Bob's is untouched");
    })
    .await;
}

#[tokio::test]
async fn a_rate_budget_is_shared_spent_with_headroom_and_honours_retry_after() {
    on_each_db(|db| async move {
        use jetson_store::rate_budgets::{observe, reserve};
        let t0 = 1_000_000;
        // Limit 40: a twentieth (2) stays unused, so 38 units fit in a minute.
        let mut taken = 0;
        while reserve(&db, "acct", 2, 40, t0).await.unwrap() == 0 {
            taken += 2;
            assert!(taken <= 40, "the budget must run out");
        }
        assert_eq!(taken, 38, "writes cost two and the headroom is kept");
        let wait = reserve(&db, "acct", 1, 40, t0 + 10_000).await.unwrap();
        assert_eq!(wait, 50_000, "wait for the minute to end");
        assert_eq!(reserve(&db, "acct", 1, 40, t0 + 60_000).await.unwrap(), 0, "a new minute, a new budget");
        assert_eq!(reserve(&db, "other", 1, 40, t0).await.unwrap(), 0, "accounts do not share");
        // The provider says what is left, and after a 429 how long to wait.
        observe(&db, "acct", Some(400), Some(10), None, t0 + 61_000).await.unwrap();
        observe(&db, "acct", Some(400), Some(0), Some(3), t0 + 62_000).await.unwrap();
        assert_eq!(reserve(&db, "acct", 1, 40, t0 + 63_000).await.unwrap(), 2_000);
        assert_eq!(reserve(&db, "acct", 1, 40, t0 + 65_000).await.unwrap(), 0, "its minute ended with the wait");
    })
    .await;
}

#[tokio::test]
async fn sign_in_attempts_are_reserved_a_key_locks_at_its_limit_and_a_window_forgets_old_ones() {
    on_each_db(|db| async move {
        use jetson_store::sign_in_throttle::{Limit, Reservation, clear, locked_for, reserve};
        let limit = Limit { failures: 3, window_ms: 60_000, lock_ms: 300_000 };
        let allowed = Reservation::Allowed { locks: false };
        let t0 = 5_000_000;
        assert_eq!(reserve(&db, "k", limit, t0).await.unwrap(), allowed);
        assert_eq!(reserve(&db, "k", limit, t0 + 1_000).await.unwrap(), allowed);
        // An attempt outside the window starts the count again.
        assert_eq!(reserve(&db, "k", limit, t0 + 61_000).await.unwrap(), allowed);
        assert_eq!(reserve(&db, "k", limit, t0 + 62_000).await.unwrap(), allowed);
        assert_eq!(
            reserve(&db, "k", limit, t0 + 63_000).await.unwrap(),
            Reservation::Allowed { locks: true },
            "the third in a window is checked, and locks the key unless it succeeds"
        );
        assert_eq!(
            reserve(&db, "k", limit, t0 + 64_000).await.unwrap(),
            Reservation::Locked { retry_after_ms: 299_000 }
        );
        assert_eq!(locked_for(&db, "k", t0 + 64_000).await.unwrap(), 299_000);
        assert_eq!(locked_for(&db, "other", t0 + 64_000).await.unwrap(), 0, "keys do not share");
        assert_eq!(locked_for(&db, "k", t0 + 363_000).await.unwrap(), 0, "the lock ends");
        assert_eq!(reserve(&db, "k", limit, t0 + 363_000).await.unwrap(), allowed, "and counting starts again");
        reserve(&db, "k", limit, t0 + 363_500).await.unwrap();
        clear(&db, "k").await.unwrap();
        assert_eq!(reserve(&db, "k", limit, t0 + 401_000).await.unwrap(), allowed);
        assert_eq!(reserve(&db, "k", limit, t0 + 402_000).await.unwrap(), allowed, "cleared: the count began again");

        // Many at once: exactly the limit are let through.
        let at = t0 + 1_000_000;
        let mut tries = tokio::task::JoinSet::new();
        for _ in 0..40 {
            let db = db.clone();
            tries.spawn(async move { reserve(&db, "burst", limit, at).await.unwrap() });
        }
        let outcomes = tries.join_all().await;
        let let_through = outcomes.iter().filter(|o| matches!(o, Reservation::Allowed { .. })).count();
        assert_eq!(let_through, 3);
    })
    .await;
}

#[tokio::test]
async fn a_sync_run_advances_only_while_running_and_deleting_a_conversation_leaves_nothing() {
    on_each_db(|db| async move {
        use jetson_store::sync_runs::{self, Counts};
        let w = world(&db, "Acme").await;
        let run = sync_runs::create(&db, w.org, w.product.id, 7, None, None).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let c = Counts { inserted: 25, ..Default::default() };
        assert!(sync_runs::advance(&mut tx, run, Some("next"), None, Some(60), c).await.unwrap());
        tx.commit().await.unwrap();
        sync_runs::set_status(&db, run, sync_runs::STOPPED, None).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        assert!(!sync_runs::advance(&mut tx, run, Some("later"), None, None, c).await.unwrap(), "a stop wins");
        tx.commit().await.unwrap();
        let r = sync_runs::get(&db, w.org, run).await.unwrap().unwrap();
        assert_eq!((r.done, r.total, r.cursor.as_deref(), r.status.as_str()), (25, Some(60), Some("next"), "stopped"));

        let id = stored_conversation(&db, &w, "hs-1").await;
        let mut tx = db.begin().await.unwrap();
        assert_eq!(conversations::find_external(&mut tx, w.org, "hs-1").await.unwrap(), vec![(id, w.product.id)]);
        assert!(conversations::delete(&mut tx, w.org, id).await.unwrap());
        assert!(conversations::find_external(&mut tx, w.org, "hs-1").await.unwrap().is_empty());
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_products_lessons_and_model_are_kept_per_organisation_and_reset_forgets_them() {
    on_each_db(|db| async move {
        let w = world(&db, "Acme").await;
        let other = world(&db, "Other").await;
        let mut tx = db.begin().await.unwrap();
        learning::record_category(
            &mut tx,
            w.org,
            w.product.id,
            Category::Bug,
            "Export\nthe pump ran dry",
            "reclassify",
        )
        .await
        .unwrap();
        learning::record_pair(&mut tx, w.org, w.product.id, true, "pdf blank", "empty pdf", "merge").await.unwrap();
        learning::record_pair(&mut tx, w.org, w.product.id, false, "pdf blank", "login loop", "unmerge").await.unwrap();
        learning::save_model(&mut tx, w.org, w.product.id, &[1, 2, 3, 255], 1).await.unwrap();
        learning::set_learned_pairs(&mut tx, w.org, w.product.id, 2).await.unwrap();
        tx.commit().await.unwrap();

        assert_eq!(learning::counts(&db, w.org, w.product.id).await.unwrap(), (1, 1, 1));
        assert_eq!(
            learning::category_examples(&db, w.org, w.product.id).await.unwrap(),
            vec![(Category::Bug, "Export\nthe pump ran dry".to_string())]
        );
        let pairs = learning::pairs(&db, w.org, w.product.id).await.unwrap();
        assert_eq!(pairs.iter().map(|p| p.0).collect::<Vec<_>>(), vec![true, false]);
        assert_eq!(learning::model(&db, w.org, w.product.id).await.unwrap().unwrap().model, vec![1, 2, 3, 255]);
        // Another organisation sees none of it, even naming this product.
        assert_eq!(learning::counts(&db, other.org, w.product.id).await.unwrap(), (0, 0, 0));
        assert!(learning::model(&db, other.org, w.product.id).await.unwrap().is_none());

        let mut tx = db.begin().await.unwrap();
        assert_eq!(learning::reset(&mut tx, w.org, w.product.id).await.unwrap(), 3);
        assert_eq!(learning::learned_pairs(&mut tx, w.org, w.product.id).await.unwrap(), 0);
        tx.commit().await.unwrap();
        assert_eq!(learning::counts(&db, w.org, w.product.id).await.unwrap(), (0, 0, 0));
        assert!(learning::model(&db, w.org, w.product.id).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn a_github_link_is_claimed_once_deliveries_are_seen_once_and_shipping_is_set_once() {
    on_each_db(|db| async move {
        let w = world(&db, "Acme").await;
        let other = world(&db, "Other").await;
        let conn = github::NewConnection {
            kind: "token",
            token_enc: Some("v1.sealed"),
            app_id: None,
            installation_id: None,
            private_key_enc: None,
            webhook_secret_enc: "v1.secret",
        };
        let id = github::save_connection(&db, w.org, conn).await.unwrap();
        let again = github::NewConnection {
            kind: "token",
            token_enc: Some("v1.other"),
            app_id: None,
            installation_id: None,
            private_key_enc: None,
            webhook_secret_enc: "v1.new",
        };
        assert_eq!(github::save_connection(&db, w.org, again).await.unwrap(), id, "a reconnect keeps the id");
        let c = github::connection_by_id(&db, id).await.unwrap().unwrap();
        assert_eq!((c.token_enc.as_deref(), c.webhook_secret_enc.as_str()), (Some("v1.other"), "v1.secret"));
        assert!(github::connection(&db, other.org).await.unwrap().is_none());

        github::link_repo(&db, w.org, w.product.id, "acme/ledgerly", "{}", "{}").await.unwrap();
        assert!(
            github::link_repo(&db, other.org, w.product.id, "evil/x", "{}", "{}").await.is_err(),
            "another organisation cannot link this product"
        );
        assert_eq!(github::repos_named(&db, w.org, "ACME/Ledgerly").await.unwrap().len(), 1);
        assert!(github::repos_named(&db, other.org, "acme/ledgerly").await.unwrap().is_empty());

        let it = item(&db, &w, "Export fails").await;
        let long_ago = now() - chrono::Duration::hours(1);
        assert!(github::claim_creation(&db, w.org, it, long_ago).await.unwrap());
        assert!(!github::claim_creation(&db, w.org, it, long_ago).await.unwrap(), "one attempt at a time");
        assert!(
            github::claim_creation(&db, w.org, it, now() + chrono::Duration::seconds(1)).await.unwrap(),
            "a stale claim is taken over"
        );
        let linked = github::Linked {
            repo: "acme/ledgerly",
            number: 12,
            url: "https://github.com/acme/ledgerly/issues/12",
            state: jetson_domain::IssueState::Open,
            by: "created",
            customers: 3,
        };
        github::set_issue(&db, w.org, it, linked).await.unwrap();
        assert!(!github::claim_creation(&db, w.org, it, now()).await.unwrap(), "an item with an issue gets no second");
        assert_eq!(github::items_for_issue(&db, w.org, "acme/ledgerly", 12).await.unwrap().len(), 1);
        assert!(github::items_for_issue(&db, other.org, "acme/ledgerly", 12).await.unwrap().is_empty());
        assert_eq!(github::created_since(&db, w.org, "acme/ledgerly", long_ago).await.unwrap(), 1);

        let mut tx = db.begin().await.unwrap();
        assert!(github::record_delivery(&mut tx, w.org, "d-1", "issues").await.unwrap());
        assert!(!github::record_delivery(&mut tx, w.org, "d-1", "issues").await.unwrap());
        tx.commit().await.unwrap();

        let released = now();
        assert!(github::set_shipped(&db, w.org, it, "v1.2", released).await.unwrap());
        assert!(!github::set_shipped(&db, w.org, it, "v1.3", now()).await.unwrap(), "the first release wins");
        let link = github::issue_link(&db, w.org, it).await.unwrap();
        assert_eq!((link.shipped_release.as_deref(), link.shipped_at), (Some("v1.2"), Some(released)));

        let issue = github_issues::RepoIssue {
            repo: "acme/ledgerly".into(),
            number: 5,
            title: "CSV export fails".into(),
            body: "b".into(),
            state: "closed".into(),
            labels: "[\"bug\"]".into(),
            html_url: "u".into(),
            updated_at: now(),
            closed_at: Some(now() - chrono::Duration::days(40)),
        };
        let mut tx = db.begin().await.unwrap();
        github_issues::upsert_issues(
            &mut tx,
            w.org,
            &[issue.clone(), github_issues::RepoIssue { number: 6, state: "open".into(), closed_at: None, ..issue }],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let recent = github_issues::candidate_issues(&db, w.org, "acme/ledgerly", now() - chrono::Duration::days(30))
            .await
            .unwrap();
        assert_eq!(
            recent.iter().map(|i| i.number).collect::<Vec<_>>(),
            vec![6],
            "long-closed issues are not candidates"
        );

        let mut tx = db.begin().await.unwrap();
        github::unlink_issue(&mut tx, w.org, it).await.unwrap();
        tx.commit().await.unwrap();
        assert!(github::issue_link(&db, w.org, it).await.unwrap().github_number.is_none());
    })
    .await;
}

#[tokio::test]
async fn a_member_limited_to_some_products_lists_only_their_work_and_only_the_organisations_products_count() {
    on_each_db(|db| async move {
        let w = world(&db, "Acme").await;
        let other_org = world(&db, "Other").await;
        let mut tx = db.begin().await.unwrap();
        let dosecraft =
            products::get_or_create(&mut tx, w.org, &ProductName::parse("Dosecraft").unwrap()).await.unwrap();
        let user = users::create(&mut tx, &Email::parse("m@acme.io").unwrap(), "M", "hash").await.unwrap();
        users::add_membership(&mut tx, w.org, user.id, Role::Member).await.unwrap();
        tx.commit().await.unwrap();
        let in_dosecraft = World { org: w.org, product: dosecraft.clone(), customer: w.customer };
        let (ledger_item, dose_item) = (item(&db, &w, "Ledger bug").await, item(&db, &in_dosecraft, "Pump bug").await);
        let ledger_conv = stored_conversation(&db, &w, "c1").await;
        report(&db, &w, ledger_item, ledger_conv, 0).await;
        let dose_conv = stored_conversation(&db, &in_dosecraft, "c2").await;
        report(&db, &w, dose_item, dose_conv, 0).await;

        assert_eq!(product_access::limited_to(&db, w.org, user.id).await.unwrap(), None, "not limited at first");
        let mut tx = db.begin().await.unwrap();
        // Another organisation's product is not added, whatever the caller passes.
        product_access::set(&mut tx, w.org, user.id, Some(&[dosecraft.id, other_org.product.id])).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(product_access::limited_to(&db, w.org, user.id).await.unwrap(), Some(vec![dosecraft.id]));
        assert_eq!(product_access::limits(&db, w.org).await.unwrap(), vec![(user.id, vec![dosecraft.id])]);

        let visible = Filter { visible_to: Some(user.id), ..Default::default() };
        let listed = work_items::list(&db, w.org, &visible, None, 10).await.unwrap();
        assert_eq!(listed.iter().map(|i| i.id).collect::<Vec<_>>(), vec![dose_item]);
        let inbox = work_items::inbox(&db, w.org, None, Some(user.id), 10).await.unwrap();
        assert!(inbox.iter().all(|i| i.id == dose_item));
        let f = conversations::Filter { visible_to: Some(user.id), limit: 10, ..Default::default() };
        let convs = conversations::list(&db, w.org, &f).await.unwrap();
        assert_eq!(convs.iter().map(|c| c.id).collect::<Vec<_>>(), vec![dose_conv]);
        let everyone = work_items::list(&db, w.org, &Filter::default(), None, 10).await.unwrap();
        assert_eq!(everyone.len(), 2, "without visible_to, every product");

        // Limited to none sees none; lifting the limit shows all; leaving ends the limit too.
        let mut tx = db.begin().await.unwrap();
        product_access::set(&mut tx, w.org, user.id, Some(&[])).await.unwrap();
        tx.commit().await.unwrap();
        assert!(work_items::list(&db, w.org, &visible, None, 10).await.unwrap().is_empty());
        assert_eq!(product_access::limited_to(&db, w.org, user.id).await.unwrap(), Some(vec![]));
        let mut tx = db.begin().await.unwrap();
        product_access::set(&mut tx, w.org, user.id, Some(&[dosecraft.id])).await.unwrap();
        users::remove_membership(&mut tx, w.org, user.id).await.unwrap();
        tx.commit().await.unwrap();
        assert!(product_access::limits(&db, w.org).await.unwrap().is_empty());
        let mut tx = db.begin().await.unwrap();
        let gone = product_access::set(&mut tx, w.org, user.id, None).await;
        assert!(matches!(gone, Err(StoreError::NotFound)), "no membership, nothing to limit");
    })
    .await;
}

/// Managed PostgreSQL services require TLS. The test database gets a TLS front here (the proxy
/// answers PostgreSQL's `SSLRequest`, completes the handshake with a self-signed certificate made
/// now, and relays to the server): `sslmode=verify-full` with that certificate as root connects,
/// and without it the connection is refused as unverifiable.
#[tokio::test]
async fn postgres_over_tls_connects_when_the_certificate_verifies_and_not_otherwise() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::rustls;

    let Some(url) = fresh_postgres_url().await.expect("postgres") else {
        return;
    };
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap().self_signed(&key).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.pem");
    std::fs::write(&root, cert.pem()).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap(),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let upstream = {
        let after_scheme = url.split_once("://").unwrap().1;
        let host_port = after_scheme.split(['/', '?']).next().unwrap();
        host_port.rsplit_once('@').map_or(host_port, |(_, hp)| hp).to_string()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handshakes = Arc::new(AtomicUsize::new(0));
    let counted = handshakes.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else { return };
            let (acceptor, upstream, counted) = (acceptor.clone(), upstream.clone(), counted.clone());
            tokio::spawn(async move {
                // SSLRequest: length 8, code 80877103.
                let mut request = [0u8; 8];
                client.read_exact(&mut request).await?;
                if request != [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f] {
                    return Ok::<_, std::io::Error>(());
                }
                client.write_all(b"S").await?;
                let mut tls = acceptor.accept(client).await?;
                counted.fetch_add(1, Ordering::SeqCst);
                let mut server = tokio::net::TcpStream::connect(upstream).await?;
                tokio::io::copy_bidirectional(&mut tls, &mut server).await?;
                Ok(())
            });
        }
    });
    // The same database, through the TLS front.
    let (before_host, after_host) = {
        let scheme_end = url.find("://").unwrap() + 3;
        let host_start = url[scheme_end..].find('@').map_or(scheme_end, |i| scheme_end + i + 1);
        let host_end = host_start + url[host_start..].find('/').unwrap();
        (url[..host_start].to_string(), url[host_end..].to_string())
    };
    let sep = if after_host.contains('?') { '&' } else { '?' };
    let through_tls = format!("{before_host}127.0.0.1:{port}{after_host}{sep}sslmode=verify-full");

    let verified = format!("{through_tls}&sslrootcert={}", root.display());
    let db = Db::connect(&verified).await.expect("TLS with a verified certificate connects");
    assert!(handshakes.load(Ordering::SeqCst) > 0, "the connection went through the TLS front");
    db.migrate().await.expect("migrations run over TLS");
    db.close().await;

    let unverified = Db::connect(&through_tls).await;
    assert!(unverified.is_err(), "a certificate no root vouches for is refused");
}
