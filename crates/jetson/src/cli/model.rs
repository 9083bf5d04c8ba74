//! `jetson model`: each product's own model (train, export, reset); training the models that
//! ship is `tools::training`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;
use jetson_analysis::{Analyzer, Classifier};
use jetson_domain::OrgId;
use jetson_store::learning;

use super::org_or_only;
use crate::config::Settings;
use crate::startup::open;
use crate::state::AppState;
use crate::tools::training;
#[derive(Subcommand)]
pub enum ModelCommand {
    /// Train the built-in model from the project's corpus and write it to a file (the committed
    /// one is crates/jetson-analysis/data/model.bin), or with --product train that product's own
    /// model from the corpus and what its people corrected.
    Train {
        #[arg(long, required_unless_present = "product", conflicts_with = "product")]
        out: Option<PathBuf>,
        #[arg(long)]
        product: Option<String>,
        #[arg(long)]
        org: Option<String>,
    },
    /// Train the embedding tier's head on the corpus's sentence embeddings and write it to a file
    /// (the committed one is crates/jetson-analysis/data/embedding_head.bin).
    TrainHead {
        #[arg(long)]
        out: PathBuf,
        /// The embedding model's directory (config.json, tokenizer.json, model.safetensors).
        #[arg(long, env = "JETSON_EMBEDDINGS_DIR")]
        embeddings: PathBuf,
    },
    /// Train the harmful-content screener's model on the Davidson et al. tweets (CSV with `class`
    /// and `tweet`) and write it to a file (the committed one is
    /// crates/jetson-privacy/data/screen_model.bin).
    TrainScreen {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Write a product's model (usable with `eval --model`) and, with --examples, what it learned
    /// from (JSON lines).
    Export {
        #[arg(long)]
        product: String,
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        examples: Option<PathBuf>,
    },
    /// Forget what a product learned: its model and its examples. It goes back to the built-in
    /// model and keeps its thresholds.
    Reset {
        #[arg(long)]
        product: String,
        #[arg(long)]
        org: Option<String>,
    },
}

pub async fn run(s: Settings, command: ModelCommand) -> anyhow::Result<()> {
    match command {
        ModelCommand::Train { out: Some(out), .. } => training::train_builtin(&out),
        ModelCommand::Train { out: None, product, org } => {
            let state = open(s).await?;
            let org = org_or_only(&state, org.as_deref()).await?;
            train_product(&state, org, product.as_deref().unwrap_or_default()).await
        }
        ModelCommand::TrainHead { out, embeddings } => training::train_head(&embeddings, &out),
        ModelCommand::TrainScreen { data, out } => crate::tools::screen_eval::train(&data, &out),
        ModelCommand::Export { product, org, out, examples } => {
            let state = open(s).await?;
            let org = org_or_only(&state, org.as_deref()).await?;
            export(&state, org, &product, &out, examples.as_deref()).await
        }
        ModelCommand::Reset { product, org } => {
            let state = open(s).await?;
            let org = org_or_only(&state, org.as_deref()).await?;
            reset(&state, org, &product).await
        }
    }
}

pub async fn train_product(state: &AppState, org: OrgId, name: &str) -> anyhow::Result<()> {
    let id = super::find_product(state, org, name).await?.id;
    eprintln!("training `{name}` on the corpus and its own examples …");
    let t = crate::services::learning::train_product(state, org, id).await?;
    if t.category_examples == 0 {
        println!("`{name}` has no corrected categories yet: it keeps the built-in model");
    } else {
        println!("`{name}`: model trained with {} corrected categories", t.category_examples);
    }
    println!(
        "match threshold {:.3} → {:.3} (from {} new same/different pairs)",
        t.match_threshold.0, t.match_threshold.1, t.pairs
    );
    Ok(())
}

pub async fn export(
    state: &AppState,
    org: OrgId,
    name: &str,
    out: &Path,
    examples: Option<&Path>,
) -> anyhow::Result<()> {
    let id = super::find_product(state, org, name).await?.id;
    let model = learning::model(&state.db, org, id).await?;
    let bytes = match &model {
        Some(m) => m.model.clone(),
        None => jetson_analysis::BUILTIN_MODEL.to_vec(),
    };
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    match &model {
        Some(m) => println!(
            "wrote `{name}`'s model (trained {} with {} examples) to {}",
            m.trained_at,
            m.examples,
            out.display()
        ),
        None => println!("`{name}` has no model of its own; wrote the built-in model to {}", out.display()),
    }
    if let Some(path) = examples {
        let mut lines = String::new();
        for (c, text) in learning::category_examples(&state.db, org, id).await? {
            lines.push_str(&serde_json::json!({"kind": "category", "category": c.as_str(), "text": text}).to_string());
            lines.push('\n');
        }
        for (same, a, b) in learning::pairs(&state.db, org, id).await? {
            let kind = if same { "same" } else { "different" };
            lines.push_str(&serde_json::json!({"kind": kind, "text": a, "other_text": b}).to_string());
            lines.push('\n');
        }
        std::fs::write(path, lines).with_context(|| format!("cannot write {}", path.display()))?;
        println!("wrote its examples to {}", path.display());
    }
    Ok(())
}

pub async fn reset(state: &AppState, org: OrgId, name: &str) -> anyhow::Result<()> {
    let id = super::find_product(state, org, name).await?.id;
    let mut tx = state.db.begin().await?;
    let deleted = learning::reset(&mut tx, org, id).await?;
    tx.commit().await?;
    println!("`{name}` forgot {deleted} examples and its model; it uses the built-in model again");
    Ok(())
}

/// The analyser a product uses now: its own model if trained, else the built-in one.
pub async fn product_analyzer(state: &AppState, org: OrgId, name: &str) -> anyhow::Result<Analyzer> {
    let id = super::find_product(state, org, name).await?.id;
    match learning::model(&state.db, org, id).await? {
        Some(m) => {
            eprintln!("using `{name}`'s own model (trained {} with {} examples)", m.trained_at, m.examples);
            Ok(Analyzer::with_classifier(Classifier::from_bytes(&m.model)?))
        }
        None => {
            eprintln!("`{name}` has no model of its own yet: using the built-in model");
            Ok(Analyzer::builtin())
        }
    }
}
