use std::collections::BTreeMap;

use crate::helpers::{TestApp, spawn_app};

/// Reports per conversation, by external id: what analysis produced.
async fn reports_per_conversation(app: &TestApp) -> BTreeMap<String, usize> {
    let filter = jetson_store::conversations::Filter { limit: 1000, ..Default::default() };
    let mut out = BTreeMap::new();
    for c in jetson_store::conversations::list(&app.state.db, app.org, &filter).await.unwrap() {
        assert!(c.analyzed_at.is_some(), "every conversation is analysed");
        let n = jetson_store::reports::for_conversation(&app.state.db, app.org, c.id).await.unwrap().len();
        out.insert(c.external_id, n);
    }
    out
}

/// Two workers draining one queue at the same time: every job runs exactly once, and the result
/// is what a single worker produces.
#[tokio::test]
async fn two_workers_on_one_queue_never_run_the_same_job() {
    let dataset = jetson::tools::demo::parse(jetson::tools::demo::DATASET).unwrap();
    let convs = jetson::tools::demo::generate(&dataset, chrono::Utc::now());

    let single = spawn_app().await;
    jetson::tools::demo::load(&single.state, single.org, &convs, &mut |_, _| {}).await.unwrap();
    single.run_jobs().await;
    let expected = reports_per_conversation(&single).await;

    let app = spawn_app().await;
    jetson::tools::demo::load(&app.state, app.org, &convs, &mut |_, _| {}).await.unwrap();
    assert!(jetson_store::jobs::pending(&app.state.db).await.unwrap() >= 2, "the jobs wait in the queue");
    let (a, b) = (app.state.clone(), app.state.clone());
    let (ra, rb) = tokio::join!(
        tokio::spawn(async move { jetson::jobs::worker::drain(&a, |_| {}).await }),
        tokio::spawn(async move { jetson::jobs::worker::drain(&b, |_| {}).await })
    );
    ra.unwrap().unwrap();
    rb.unwrap().unwrap();
    assert_eq!(jetson_store::jobs::pending(&app.state.db).await.unwrap(), 0);
    assert!(jetson_store::jobs::failed(&app.state.db).await.unwrap().is_empty());
    assert_eq!(reports_per_conversation(&app).await, expected);
}
