//! Tools for the people who build and measure Jetson, not for serving it: the benchmarks
//! (`jetson bench`), the evaluations (`jetson eval`), the demo data set and its answer key, and
//! training the models that ship. Only `cli` uses these; the server (`web`, `jobs`, `services`)
//! never does, so none of this is on its path.

pub mod bench;
pub mod demo;
pub mod eval;
pub mod privacy_eval;
pub mod screen_eval;
pub mod training;

use std::path::PathBuf;

/// A fresh directory under the system temp dir for throwaway databases.
pub fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("jetson-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
