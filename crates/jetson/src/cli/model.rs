//! `jetson model`: training the built-in model, and each product's own.

use std::path::Path;

use anyhow::Context;
use jetson_analysis::Analyzer;
use jetson_analysis::corpus::{self, Origin};

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
