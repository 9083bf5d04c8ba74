//! `jetson bench`: speed measured end to end on this machine. Results go in docs/PERFORMANCE.md.

pub mod analysis;
pub mod helpscout;
pub mod load;
pub mod privacy;
pub mod scale_out;
pub mod sign_in;

use std::time::Instant;

use chrono::Utc;
use jetson_domain::ProductName;
use jetson_store::products;

use crate::config::Settings;
use crate::progress::Progress;
use crate::services::import::{self, Format};

/// `n` conversations as Help Scout JSON lines: the demo generator's phrasing for one product,
/// repeated with fresh ids and customer addresses each round.
pub fn synthetic_conversations(n: usize) -> anyhow::Result<String> {
    let dataset = crate::tools::demo::parse(crate::tools::demo::DATASET).map_err(anyhow::Error::msg)?;
    let one_round: Vec<_> =
        crate::tools::demo::generate(&dataset, Utc::now()).into_iter().filter(|c| c.product == "Ledgerly").collect();
    let mut lines = String::new();
    for (i, c) in one_round.iter().cycle().take(n).enumerate() {
        let round = i / one_round.len();
        let mut conv = c.conversation.clone();
        conv.external_id = format!("{}-r{round}", conv.external_id);
        let email = conv.customer_email.as_str().replacen('@', &format!("+r{round}@"), 1);
        conv.customer_email = jetson_domain::Email::parse(&email)?;
        lines.push_str(&serde_json::to_string(&import::helpscout::to_json(&conv))?);
        lines.push('\n');
    }
    Ok(lines)
}

/// Times parsing, storing and analysing `n` synthetic conversations on a fresh SQLite database,
/// given as JSON lines or (with `array`) as one JSON array, the shape of a Help Scout export.
pub async fn ingest(n: usize, array: bool) -> anyhow::Result<()> {
    anyhow::ensure!(n > 0, "--conversations must be at least 1");
    let mut lines = synthetic_conversations(n)?;
    if array {
        lines = format!("[\n{}\n]\n", lines.trim_end().replace('\n', ",\n"));
    }
    let dir = crate::tools::tempfile_dir()?;
    let state = crate::startup::open(Settings::for_data_dir(&dir)).await?;
    let org = crate::services::accounts::ensure_org(&state, "Bench").await?;
    let mut tx = state.db.begin().await?;
    let product = products::get_or_create(&mut tx, org, &ProductName::parse("Bench")?).await?;
    tx.commit().await?;

    let started = Instant::now();
    let mut reading = Progress::new("reading", n as u64);
    let parsed = import::parse_with_progress(Format::HelpScoutJson, &lines, &mut |done, _| reading.set(done as u64));
    reading.finish();
    anyhow::ensure!(parsed.errors.is_empty(), "generated data did not parse: {}", parsed.errors[0]);
    let read = started.elapsed().as_secs_f64();
    let mut bar = Progress::new("importing", n as u64);
    import::write(&state, org, product.id, &parsed.conversations, &mut |done, _| bar.set(done as u64)).await?;
    bar.finish();
    let imported = started.elapsed().as_secs_f64();
    crate::startup::analyse_pending(&state).await?;
    let secs = started.elapsed().as_secs_f64();
    let analysed = jetson_store::conversations::count(&state.db, org).await?;
    anyhow::ensure!(analysed as usize == n, "expected {n} conversations, found {analysed}");
    state.db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("parse: {read:.2} s, parse+store: {imported:.2} s, analysis: {:.2} s", secs - imported);
    println!("ingest: {n} conversations in {secs:.2} s ({:.0} conversations/s)", n as f64 / secs);
    Ok(())
}
