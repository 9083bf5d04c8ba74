//! The optional embedding tier (DESIGN §7) as the application sees it. In a build without the
//! `embeddings` feature, loading says how to get it, and nothing else changes.

use std::path::Path;
use std::sync::Arc;

use jetson_analysis::embedding_head::EmbeddingHead;

use crate::progress::Progress;

pub struct Embeddings {
    /// The classifier head over these embeddings (the built-in one).
    pub head: Arc<EmbeddingHead>,
    #[cfg(feature = "embeddings")]
    model: jetson_embeddings::Embedder,
    /// Makes the type impossible to build without the feature.
    #[cfg(not(feature = "embeddings"))]
    never: std::convert::Infallible,
}

impl Embeddings {
    #[cfg(feature = "embeddings")]
    pub fn load(dir: &Path) -> anyhow::Result<Embeddings> {
        let head = EmbeddingHead::from_bytes(jetson_analysis::BUILTIN_EMBEDDING_HEAD)?;
        Ok(Embeddings { head: Arc::new(head), model: jetson_embeddings::Embedder::load(dir)? })
    }

    #[cfg(not(feature = "embeddings"))]
    pub fn load(dir: &Path) -> anyhow::Result<Embeddings> {
        anyhow::bail!(
            "{}: this build has no embedding tier: build with `cargo build --release --features embeddings`",
            dir.display()
        )
    }

    /// One unit-length vector per text, in order.
    pub fn embed(&self, texts: &[&str]) -> anyhow::Result<Vec<Vec<f32>>> {
        #[cfg(feature = "embeddings")]
        return Ok(self.model.embed(texts)?);
        #[cfg(not(feature = "embeddings"))]
        {
            let _ = texts;
            match self.never {}
        }
    }

    /// [`Embeddings::embed`] for many texts, with a progress bar.
    pub fn embed_all(&self, what: &'static str, texts: &[String]) -> anyhow::Result<Vec<Vec<f32>>> {
        let mut bar = Progress::new(what, texts.len() as u64);
        let mut out = Vec::with_capacity(texts.len());
        // Large chunks, so that the model can batch texts of similar length together.
        for chunk in texts.chunks(256) {
            let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
            out.extend(self.embed(&refs)?);
            bar.set(out.len() as u64);
        }
        bar.finish();
        Ok(out)
    }
}

/// A vector as stored with its report: little-endian f32s.
pub fn to_bytes(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A stored vector; `None` for bytes that cannot be one.
pub fn from_bytes(bytes: &[u8]) -> Option<Vec<f32>> {
    (bytes.len().is_multiple_of(4) && !bytes.is_empty())
        .then(|| bytes.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes"))).collect())
}

/// The model for tests of the tier: `JETSON_EMBEDDINGS_DIR`; without it they skip, unless
/// `JETSON_REQUIRE_EMBEDDINGS` is set (as in CI), when skipping is a failure.
#[cfg(test)]
pub fn test_model_dir() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("JETSON_EMBEDDINGS_DIR").map(std::path::PathBuf::from);
    if dir.is_none() {
        assert!(std::env::var_os("JETSON_REQUIRE_EMBEDDINGS").is_none(), "JETSON_EMBEDDINGS_DIR is not set");
        jetson_store::testing::skipped("JETSON_EMBEDDINGS_DIR is not set: the embedding tier's tests did not run");
    }
    dir
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_vector_survives_its_bytes_and_broken_bytes_are_none() {
        let v = vec![0.25f32, -1.0, 3.5];
        assert_eq!(super::from_bytes(&super::to_bytes(&v)), Some(v));
        assert_eq!(super::from_bytes(&[1, 2, 3]), None);
        assert_eq!(super::from_bytes(&[]), None);
    }
}
