//! `jetson bench privacy`: sensitive-data detection and harmful-content screening on one thread,
//! in megabytes of text a second, each alone and both together (what the import does).
//! The text is the demo's customer messages (support language, with the names, emails, phones and
//! cards the demo plants), plus the texts of `--input FILE` when given (a JSON array of objects
//! with `full_text` or `text`, as Presidio's synthetic set, or JSON lines with `text`), repeated
//! to the size asked for, one message at a time as the pipeline sees them. The first line says
//! which text was measured: the speed depends on it.

use std::time::Instant;

use jetson_privacy::screen::Screener;
use jetson_privacy::{Known, Redactor};

use crate::progress::Progress;

pub fn run(megabytes: usize, input: Option<&std::path::Path>) -> anyhow::Result<()> {
    let mut texts: Vec<String> = super::analysis::demo_texts()?.into_iter().flat_map(|(_, m)| m).collect();
    let demo = texts.len();
    if let Some(path) = input {
        let content =
            std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let values: Vec<serde_json::Value> = match serde_json::from_str(&content) {
            Ok(serde_json::Value::Array(items)) => items,
            _ => {
                content.lines().filter(|l| !l.trim().is_empty()).map(serde_json::from_str).collect::<Result<_, _>>()?
            }
        };
        let text = |v: &serde_json::Value| v["full_text"].as_str().or(v["text"].as_str()).map(str::to_string);
        texts.extend(values.iter().filter_map(text));
        anyhow::ensure!(texts.len() > demo, "{} holds no `full_text` or `text` fields", path.display());
    }
    let bytes_of = |t: &[String]| t.iter().map(String::len).sum::<usize>() as f64 / 1e3;
    match input {
        Some(path) => eprintln!(
            "input: the demo's {demo} customer messages ({:.0} KB) and {} texts from {} ({:.0} KB)",
            bytes_of(&texts[..demo]),
            texts.len() - demo,
            path.display(),
            bytes_of(&texts[demo..])
        ),
        None => eprintln!(
            "input: the demo's {demo} customer messages only ({:.0} KB; --input FILE adds other text)",
            bytes_of(&texts)
        ),
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
