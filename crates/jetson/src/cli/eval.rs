//! `jetson eval …`: the pipeline scored on a labelled file or on the demo's answer key (the scoring
//! itself is in [`crate::tools::eval`]).

use std::path::PathBuf;

use anyhow::bail;
use clap::Subcommand;
use jetson_domain::ProductName;
use jetson_store::products;

use super::{model, org_or_only};
use crate::config::Settings;
use crate::progress::Progress;
use crate::startup::{analyse_pending, open};
use crate::tools::demo::DEMO_ORG;
use crate::tools::tempfile_dir;

#[derive(Subcommand)]
pub enum EvalCommand {
    /// Sensitive-data detection on labelled spans (Presidio's format): recall and precision per type.
    Pii { file: PathBuf },
    /// Harmful-content screening on a labelled file: flagged (any flag) against not flagged.
    /// The defaults read the Davidson et al. tweets (class 0 hate, 1 offensive, 2 neither).
    Screen {
        file: PathBuf,
        #[arg(long, default_value = "tweet")]
        text: String,
        #[arg(long, default_value = "class")]
        label: String,
        /// The label values that mean "should be flagged".
        #[arg(long, value_delimiter = ',', default_value = "0,1")]
        flagged: Vec<String>,
        /// Measure the training procedure instead: K models, each scored on the fold it did not
        /// see (for data the shipped model was trained on).
        #[arg(long)]
        cross_validate: Option<usize>,
        /// Use a model file (from `jetson model train-screen`) instead of the built-in one.
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Classification on a labelled file: accuracy, per-class P/R/F1, confusion, calibration.
    Classify {
        file: PathBuf,
        /// Columns joined as the text; the first is read as the subject (e.g. `title,body`).
        #[arg(long, value_delimiter = ',', required = true)]
        text: Vec<String>,
        #[arg(long)]
        label: String,
        /// Label mapping, e.g. `question=no_action,enhancement=feature`.
        #[arg(long)]
        map: Option<String>,
        /// csv or jsonl (default: by extension).
        #[arg(long)]
        format: Option<String>,
        /// Use this product's own model (from the database) instead of the built-in one.
        #[arg(long, conflicts_with = "model")]
        product: Option<String>,
        #[arg(long)]
        org: Option<String>,
        /// Use a model file (from `jetson model train --out` or `jetson model export`).
        #[arg(long)]
        model: Option<PathBuf>,
        /// lexical (the model alone), semantic (the embedding head alone) or hybrid (both).
        #[arg(long, default_value = "lexical")]
        tier: String,
        /// The embedding model's directory (config.json, tokenizer.json, model.safetensors).
        #[arg(long, env = "JETSON_EMBEDDINGS_DIR")]
        embeddings: Option<PathBuf>,
    },
    /// Duplicate retrieval (Recall@k) against a pairs file, or grouping (pairwise F1) against a
    /// cluster column.
    Match {
        file: PathBuf,
        #[arg(long)]
        id: String,
        #[arg(long, value_delimiter = ',', required = true)]
        text: Vec<String>,
        /// CSV of `id,duplicate_id` (a cell may hold several ids separated by commas).
        #[arg(long)]
        pairs: Option<PathBuf>,
        #[arg(long, default_value_t = 10)]
        k: usize,
        /// Score the grouping against this column instead of ranking.
        #[arg(long)]
        clusters: Option<String>,
        /// Similarity above which a report joins a group (with --clusters).
        #[arg(long, default_value_t = 0.16)]
        threshold: f64,
        #[arg(long)]
        format: Option<String>,
        /// lexical (built in), semantic (sentence embeddings) or hybrid (both), for --pairs.
        #[arg(long, default_value = "lexical")]
        tier: String,
        /// The embedding model's directory (config.json, tokenizer.json, model.safetensors).
        #[arg(long, env = "JETSON_EMBEDDINGS_DIR")]
        embeddings: Option<PathBuf>,
    },
    /// Score the pipeline on the bundled demo data's answer key (in a temporary database).
    Demo {
        /// The products' similarity threshold for joining a work item (default: the product default).
        #[arg(long)]
        match_threshold: Option<f64>,
        /// The products' confidence below which a conversation waits for review.
        #[arg(long)]
        review_threshold: Option<f64>,
        /// Turn the embedding tier on, with the model in this directory (as JETSON_EMBEDDINGS_DIR
        /// does for the server).
        #[arg(long)]
        embeddings: Option<PathBuf>,
    },
}

pub async fn run(s: Settings, command: EvalCommand) -> anyhow::Result<()> {
    match command {
        EvalCommand::Pii { file } => pii(&file),
        EvalCommand::Screen { file, text, label, flagged, cross_validate, model } => {
            let data = crate::tools::screen_eval::read(&file, &text, &label, &flagged)?;
            match (cross_validate, model) {
                (Some(k), _) => crate::tools::screen_eval::cross_validate(&data, k).map(|_| ()),
                (None, Some(path)) => {
                    crate::tools::screen_eval::score(&crate::tools::screen_eval::screener_from(&path)?, &data);
                    Ok(())
                }
                (None, None) => {
                    crate::tools::screen_eval::score(jetson_privacy::screen::Screener::builtin(), &data);
                    Ok(())
                }
            }
        }
        EvalCommand::Classify { file, text, label, map, format, product, org, model, tier, embeddings } => {
            let tier = crate::tools::eval::Tier::parse(&tier, embeddings.as_deref())?;
            let rows = crate::tools::eval::read_rows(&file, format.as_deref())?;
            let analyzer = match (product, model) {
                (Some(name), _) => {
                    let state = open(s).await?;
                    let org = org_or_only(&state, org.as_deref()).await?;
                    model::product_analyzer(&state, org, &name).await?
                }
                (None, Some(path)) => crate::tools::training::file_analyzer(&path)?,
                (None, None) => jetson_analysis::Analyzer::builtin(),
            };
            let map = crate::tools::eval::parse_map(map.as_deref())?;
            crate::tools::eval::classify(&analyzer, &rows, &text, &label, &map, &tier).map(|_| ())
        }
        EvalCommand::Match { file, id, text, pairs, k, clusters, threshold, format, tier, embeddings } => {
            let tier = crate::tools::eval::Tier::parse(&tier, embeddings.as_deref())?;
            let rows = crate::tools::eval::read_rows(&file, format.as_deref())?;
            match (clusters, pairs) {
                (Some(col), _) => crate::tools::eval::match_clusters(&rows, &text, &col, threshold),
                (None, Some(p)) => {
                    crate::tools::eval::match_recall(&rows, &id, &text, &crate::tools::eval::read_pairs(&p)?, k, &tier)
                        .map(|_| ())
                }
                (None, None) => bail!("give --pairs FILE (Recall@k) or --clusters COLUMN (pairwise F1)"),
            }
        }
        EvalCommand::Demo { match_threshold, review_threshold, embeddings } => {
            demo(match_threshold, review_threshold, embeddings).await
        }
    }
}

/// Loads the demo data into a temporary database, analyses it and scores it against its answer key.
async fn demo(
    match_threshold: Option<f64>,
    review_threshold: Option<f64>,
    embeddings: Option<PathBuf>,
) -> anyhow::Result<()> {
    let dir = tempfile_dir()?;
    let state = open(Settings { embeddings_dir: embeddings, ..Settings::for_data_dir(&dir) }).await?;
    let org = crate::services::accounts::ensure_org(&state, DEMO_ORG).await?;
    let dataset = crate::tools::demo::parse(crate::tools::demo::DATASET).map_err(anyhow::Error::msg)?;
    let convs = crate::tools::demo::generate(&dataset, chrono::Utc::now());
    if match_threshold.is_some() || review_threshold.is_some() {
        let mut tx = state.db.begin().await?;
        for p in &dataset.products {
            let product = products::get_or_create(&mut tx, org, &ProductName::parse(&p.name)?).await?;
            let review = review_threshold.unwrap_or(product.review_threshold);
            let matching = match_threshold.unwrap_or(product.match_threshold);
            products::set_thresholds(&mut tx, org, product.id, review, matching).await?;
        }
        tx.commit().await?;
    }
    let mut bar = Progress::new("importing", convs.len() as u64);
    crate::tools::demo::load(&state, org, &convs, &mut |done, _| bar.set(done as u64)).await?;
    bar.finish();
    analyse_pending(&state).await?;
    let s = crate::tools::demo::score(&state, org, &convs).await?;
    println!("conversations: {}", s.conversations);
    println!("needs review: {}", s.needs_review);
    println!("held for review (harmful content): {}", s.held);
    println!("category accuracy: {:.3}", s.category_accuracy);
    let c = &s.classification;
    for (i, class) in c.classes.iter().enumerate() {
        let p = c.per_class[i];
        println!("  {class:<10} precision {:.3} recall {:.3} F1 {:.3}", p.precision, p.recall, p.f1);
    }
    println!("  confusion (rows: truth bug/feature/no_action; columns: predicted): {:?}", c.confusion);
    println!("  macro-F1 {:.3}, expected calibration error {:.3}", c.macro_f1, c.ece);
    println!("grouping pairwise precision: {:.3} recall: {:.3}", s.pairwise.precision, s.pairwise.recall);
    println!("pairwise-F1: {:.3}", s.pairwise.f1);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn pii(file: &std::path::Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let started = std::time::Instant::now();
    let (per, total) = crate::tools::privacy_eval::score(&text)?;
    println!("{:<16} {:>8} {:>8} {:>10} {:>7}", "type", "labelled", "recall", "predicted", "prec.");
    for (kind, c) in &per {
        println!(
            "{:<16} {:>8} {:>8.3} {:>10} {:>7.3}",
            kind.label(),
            c.labelled,
            c.recall(),
            c.predicted,
            c.precision()
        );
    }
    eprintln!("{} bytes in {:.2} s", text.len(), started.elapsed().as_secs_f64());
    println!("recall: {:.3}", total.recall());
    println!("precision: {:.3}", total.precision());
    Ok(())
}
