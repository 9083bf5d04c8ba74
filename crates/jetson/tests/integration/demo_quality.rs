//! The pipeline scored on the demo data's own answer key. Prints both figures and holds them to
//! the targets of the first version (category accuracy 0.85, pairwise F1 0.80).

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_demo_answer_key_scores_category_accuracy_and_grouping_f1() {
    let app = spawn_app().await;
    let key = app.load_demo().await;
    let s = jetson::tools::demo::score(&app.state, app.org, &key).await.unwrap();
    println!("demo: {} conversations, {} need review", s.conversations, s.needs_review);
    println!("category accuracy: {:.3}", s.category_accuracy);
    println!("pairwise precision {:.3} recall {:.3} F1 {:.3}", s.pairwise.precision, s.pairwise.recall, s.pairwise.f1);
    assert!(s.conversations >= 400);
    assert!(s.category_accuracy >= 0.85, "category accuracy {:.3}", s.category_accuracy);
    assert!(s.pairwise.precision >= 0.80, "grouping precision {:.3}", s.pairwise.precision);
    assert!(s.pairwise.f1 >= 0.80, "pairwise F1 {:.3}", s.pairwise.f1);
}
