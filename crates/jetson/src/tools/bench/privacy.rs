//! `jetson bench privacy`: sensitive-data detection and harmful-content screening on one thread,
//! in megabytes of text a second, each alone and both together (what the import does).
//! The text is the demo's customer messages (support language, with the names, emails, phones and
//! cards the demo plants) followed by Presidio's synthetic sentences when `../shared/data` is
//! there, repeated to the size asked for, one message at a time as the pipeline sees them.

use std::time::Instant;

use jetson_privacy::screen::Screener;
use jetson_privacy::{Known, Redactor};

use crate::progress::Progress;

pub fn run(megabytes: usize) -> anyhow::Result<()> {
    let mut texts: Vec<String> = super::analysis::demo_texts()?.into_iter().flat_map(|(_, m)| m).collect();
    let presidio = std::path::Path::new("../shared/data/pii_presidio_synth/synth_dev.json");
    if let Ok(json) = std::fs::read_to_string(presidio) {
        let examples: Vec<serde_json::Value> = serde_json::from_str(&json)?;
        texts.extend(examples.iter().filter_map(|e| e["full_text"].as_str().map(str::to_string)));
    }
    let target = megabytes * 1024 * 1024;
    let detect = |t: &str| Redactor.find(t, &Known::default()).len();
    let screen = |t: &str| Screener::builtin().screen(t).len();
    let both = |t: &str| detect(t) + screen(t);
    for (name, work) in [("detect", &detect as &dyn Fn(&str) -> usize), ("screen", &screen), ("detect+screen", &both)] {
        let mut bar = Progress::new(name, target as u64);
        let started = Instant::now();
        let (mut bytes, mut found) = (0usize, 0usize);
        for (i, text) in texts.iter().cycle().enumerate() {
            if bytes >= target {
                break;
            }
            found += work(text);
            bytes += text.len();
            if i % 1000 == 0 {
                bar.set(bytes.min(target) as u64);
            }
        }
        let secs = started.elapsed().as_secs_f64();
        bar.finish();
        println!(
            "{name}: {:.1} MB in {secs:.2} s on one thread = {:.1} MB/s ({found} findings or flags in {} texts)",
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / secs,
            texts.len()
        );
    }
    Ok(())
}
