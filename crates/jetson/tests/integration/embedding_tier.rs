//! The optional embedding tier in the pipeline (built with `--features embeddings`, run where the
//! model is installed: `JETSON_EMBEDDINGS_DIR`).

use std::path::PathBuf;

use jetson_domain::{ProductName, WorkItemId};
use jetson_store::{products, reports};

use crate::helpers::{TestApp, conversation, spawn_app_with};

fn model_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("JETSON_EMBEDDINGS_DIR").map(PathBuf::from);
    if dir.is_none() {
        assert!(std::env::var_os("JETSON_REQUIRE_EMBEDDINGS").is_none(), "JETSON_EMBEDDINGS_DIR is not set");
        jetson_store::testing::skipped("JETSON_EMBEDDINGS_DIR is not set: the embedding tier's tests did not run");
    }
    dir
}

/// The same failure told in other words, and an unrelated request.
fn conversations() -> Vec<jetson::services::import::Imported> {
    vec![
        conversation(
            "1",
            "ana@one.example",
            "Photo upload fails on Android",
            "Uploading a photo from my Android phone fails every single time.",
        ),
        conversation(
            "2",
            "ben@two.example",
            "Cannot attach images on Android",
            "I pick the image, tap attach, and nothing shows up. I'm on an Android tablet.",
        ),
        conversation(
            "3",
            "cy@three.example",
            "Please add a dark mode",
            "It would be lovely to have a dark theme for working late in the evening.",
        ),
    ]
}

struct Outcome {
    /// Work items holding the two reports of the upload failure.
    upload_items: usize,
    /// The second report's similarity to the first, when it joined it.
    similarity: Option<f64>,
    /// Reports stored with a 384-number embedding.
    embedded: usize,
    reports: usize,
}

/// Imports the conversations into a product whose match threshold is `threshold`.
async fn outcome(embeddings: Option<PathBuf>, threshold: f64) -> Outcome {
    let app: TestApp = spawn_app_with(|s| s.embeddings_dir = embeddings).await;
    let mut tx = app.state.db.begin().await.unwrap();
    let product = products::get_or_create(&mut tx, app.org, &ProductName::parse("Notes").unwrap()).await.unwrap();
    products::set_thresholds(&mut tx, app.org, product.id, product.review_threshold, threshold).await.unwrap();
    tx.commit().await.unwrap();
    app.import("Notes", &conversations()).await;

    let mut tx = app.state.db.begin().await.unwrap();
    let candidates = reports::match_candidates(&mut tx, app.org, product.id).await.unwrap();
    tx.commit().await.unwrap();
    let upload: Vec<WorkItemId> =
        candidates.iter().filter(|c| c.match_text.contains("Android")).map(|c| c.work_item_id).collect();
    let mut items = upload.clone();
    items.sort();
    items.dedup();
    let similarity = match items.as_slice() {
        [one] => reports::for_work_item(&app.state.db, app.org, *one)
            .await
            .unwrap()
            .iter()
            .filter_map(|r| r.similarity)
            .next(),
        _ => None,
    };
    Outcome {
        upload_items: items.len(),
        similarity,
        embedded: candidates.iter().filter(|c| c.embedding.as_ref().is_some_and(|e| e.len() == 384 * 4)).count(),
        reports: candidates.len(),
    }
}

#[tokio::test]
async fn with_the_tier_reports_in_other_words_score_closer_and_join_one_work_item() {
    let Some(dir) = model_dir() else { return };
    // With any threshold, both tiers join the two upload reports: their scores can be compared.
    let lexical = outcome(None, 0.01).await;
    let hybrid = outcome(Some(dir.clone()), 0.01).await;
    assert_eq!((lexical.upload_items, hybrid.upload_items), (1, 1));
    assert_eq!((lexical.reports, hybrid.reports), (3, 3), "the dark mode request is a report of its own");
    assert_eq!(lexical.embedded, 0);
    assert_eq!(hybrid.embedded, 3, "every report is stored with its embedding, for the index after a restart");
    let (l, h) = (lexical.similarity.unwrap(), hybrid.similarity.unwrap());
    assert!(h > l + 0.03, "the embeddings see the same problem where the words differ: lexical {l:.3}, hybrid {h:.3}");

    // A threshold between the two: the words alone keep them apart, the tier joins them.
    let between = (l + h) / 2.0;
    assert_eq!(outcome(None, between).await.upload_items, 2);
    assert_eq!(outcome(Some(dir), between).await.upload_items, 1);
}

#[tokio::test]
async fn each_report_is_stored_and_matched_with_its_own_embedding() {
    let Some(dir) = model_dir() else { return };
    let app = spawn_app_with(|s| s.embeddings_dir = Some(dir)).await;
    // A strict review threshold holds many conversations back, between others of the same batch:
    // their reports are not matched and must not shift the vectors of those that are.
    let dataset = jetson::tools::demo::parse(jetson::tools::demo::DATASET).unwrap();
    let mut tx = app.state.db.begin().await.unwrap();
    let mut ids = Vec::new();
    for p in &dataset.products {
        let product = products::get_or_create(&mut tx, app.org, &ProductName::parse(&p.name).unwrap()).await.unwrap();
        products::set_thresholds(&mut tx, app.org, product.id, 0.8, product.match_threshold).await.unwrap();
        ids.push(product.id);
    }
    tx.commit().await.unwrap();
    app.load_demo().await;

    let tier = app.state.embeddings.clone().expect("the tier is on");
    let mut tx = app.state.db.begin().await.unwrap();
    let mut checked = 0;
    for product in ids {
        for c in reports::match_candidates(&mut tx, app.org, product).await.unwrap() {
            let stored = jetson::embeddings::from_bytes(c.embedding.as_deref().expect("every report has one")).unwrap();
            let own = tier.embed(&[c.match_text.as_str()]).unwrap().remove(0);
            let cosine: f32 = stored.iter().zip(&own).map(|(a, b)| a * b).sum();
            assert!(cosine > 0.999, "report {} carries another text's embedding (cosine {cosine})", c.id);
            checked += 1;
        }
    }
    tx.commit().await.unwrap();
    assert!(checked >= 100, "checked {checked} reports");
}

#[tokio::test]
async fn settings_say_whether_the_tier_is_on() {
    let Some(dir) = model_dir() else { return };
    for (embeddings, expected) in [(None, "off (words only"), (Some(dir), "on: sentence embeddings")] {
        let app = spawn_app_with(|s| s.embeddings_dir = embeddings).await;
        app.import("Notes", &conversations()[..1]).await;
        let html = crate::pages::signed_in(&app).await.get(app.url("/settings/products")).send().await.unwrap();
        let html = html.text().await.unwrap();
        assert!(html.contains(expected), "{expected}");
    }
}

#[tokio::test]
async fn a_missing_model_stops_the_start_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = jetson::config::Settings::for_data_dir(dir.path());
    settings.port = 0;
    settings.embeddings_dir = Some(dir.path().join("no-model-here"));
    let err = jetson::startup::Application::build(settings).await.err().expect("refuses to start").to_string();
    assert!(err.contains("JETSON_EMBEDDINGS_DIR"), "{err}");
}
