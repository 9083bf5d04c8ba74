//! Training the models that ship in the repository: the built-in classifier from the project's
//! corpus (`jetson model train --out`), and the embedding tier's head (`jetson model train-head`).
//! The committed files must be what these produce; the tests below and in jetson-analysis check it.

use std::path::Path;

use anyhow::Context;
use jetson_analysis::corpus::{self, Origin};
use jetson_analysis::{Analyzer, Classifier};

pub fn train_builtin(out: &Path) -> anyhow::Result<()> {
    let examples = corpus::examples().map_err(|e| anyhow::anyhow!("the corpus does not parse: {e}"))?;
    let written = examples.iter().filter(|e| e.origin == Origin::Written).count();
    eprintln!(
        "training on {} examples ({written} written, {} composed from templates) …",
        examples.len(),
        examples.len() - written
    );
    let started = std::time::Instant::now();
    let model = Analyzer::train(&[], 0).map_err(|e| anyhow::anyhow!(e))?;
    let bytes = model.to_bytes();
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    println!("wrote {} ({} KiB) in {:.1} s", out.display(), bytes.len() / 1024, started.elapsed().as_secs_f64());
    Ok(())
}

pub fn train_head(embeddings: &Path, out: &Path) -> anyhow::Result<()> {
    let model = crate::embeddings::Embeddings::load(embeddings)?;
    let started = std::time::Instant::now();
    let bytes = head_bytes(&model)?;
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    println!("wrote {} ({} KiB) in {:.1} s", out.display(), bytes.len() / 1024, started.elapsed().as_secs_f64());
    Ok(())
}

/// The embedding head trained on the corpus (the built-in model's examples) as embedded by `model`.
pub fn head_bytes(model: &crate::embeddings::Embeddings) -> anyhow::Result<Vec<u8>> {
    let examples = corpus::examples().map_err(|e| anyhow::anyhow!("the corpus does not parse: {e}"))?;
    eprintln!("embedding {} corpus examples …", examples.len());
    let texts: Vec<String> = examples.iter().map(|e| e.text.clone()).collect();
    let vectors = model.embed_all("embedding", &texts)?;
    let labelled: Vec<_> = examples.iter().map(|e| e.category).zip(vectors).collect();
    let head = jetson_analysis::embedding_head::EmbeddingHead::train(&labelled).map_err(anyhow::Error::msg)?;
    Ok(head.to_bytes())
}

pub fn file_analyzer(path: &Path) -> anyhow::Result<Analyzer> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let classifier = Classifier::from_bytes(&bytes).with_context(|| path.display().to_string())?;
    Ok(Analyzer::with_classifier(classifier))
}

#[cfg(test)]
mod tests {
    /// Like the lexical model's test in jetson-analysis, for the embedding head: the committed
    /// file is what `jetson model train-head` writes. Runs where the model is installed. The
    /// embeddings' float sums depend on the CPU's vector instructions (AVX-512 or not), so the
    /// head is compared value by value within a tolerance, not byte for byte.
    #[cfg(feature = "embeddings")]
    #[test]
    fn the_committed_embedding_head_is_what_training_produces() {
        let Some(dir) = crate::embeddings::test_model_dir() else { return };
        let model = crate::embeddings::Embeddings::load(&dir).unwrap();
        let trained = super::head_bytes(&model).unwrap();
        let committed = jetson_analysis::BUILTIN_EMBEDDING_HEAD;
        let floats = |b: &[u8]| -> Vec<f32> {
            b[20..].chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().unwrap())).collect()
        };
        let temperature = |b: &[u8]| f64::from_le_bytes(b[12..20].try_into().unwrap());
        let same_shape = trained.len() == committed.len() && trained[..12] == committed[..12];
        let largest_difference =
            floats(&trained).iter().zip(floats(committed)).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
        assert!(
            same_shape && largest_difference < 1e-4 && (temperature(&trained) - temperature(committed)).abs() < 0.05,
            "largest difference {largest_difference}; retrain it: cargo run --release --features embeddings -- \
             model train-head --embeddings {} --out crates/jetson-analysis/data/embedding_head.bin",
            dir.display()
        );
    }
}
