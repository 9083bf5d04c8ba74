//! `jetson bench`: speed measured end to end on this machine. Results go in docs/PERFORMANCE.md.

use std::time::Instant;

use chrono::Utc;
use jetson_domain::ProductName;
use jetson_store::products;

use crate::config::Settings;
use crate::import::{self, Format};
use crate::progress::Progress;

/// Generates `n` conversations (the demo generator's phrasing, repeated with fresh customers and
/// ids) as Help Scout JSON lines, then times parsing, storing and analysing them on a fresh
/// SQLite database.
pub async fn ingest(n: usize) -> anyhow::Result<()> {
    anyhow::ensure!(n > 0, "--conversations must be at least 1");
    let dataset = crate::demo::parse(crate::demo::DATASET).map_err(anyhow::Error::msg)?;
    let mut lines = String::new();
    let mut made = 0;
    let mut round = 0;
    while made < n {
        for c in crate::demo::generate(&dataset, Utc::now()).into_iter().filter(|c| c.product == "Ledgerly") {
            if made == n {
                break;
            }
            let mut conv = c.conversation;
            conv.external_id = format!("{}-r{round}", conv.external_id);
            let email = conv.customer_email.as_str().replacen('@', &format!("+r{round}@"), 1);
            conv.customer_email = jetson_domain::Email::parse(&email)?;
            lines.push_str(&serde_json::to_string(&import::helpscout::to_json(&conv))?);
            lines.push('\n');
            made += 1;
        }
        round += 1;
    }

    let dir = crate::cli::tempfile_dir()?;
    let state = crate::state::AppState::new(
        {
            let s = Settings::for_data_dir(&dir);
            s.prepare_data_dir()?;
            let db = jetson_store::Db::connect(&s.database_url).await?;
            db.migrate().await?;
            db
        },
        Settings::for_data_dir(&dir),
    );
    let org = crate::accounts::ensure_org(&state, "Bench").await?;
    let mut tx = state.db.begin().await?;
    let product = products::get_or_create(&mut tx, org, &ProductName::parse("Bench")?).await?;
    tx.commit().await?;

    let started = Instant::now();
    let parsed = import::parse(Format::HelpScoutJson, &lines);
    anyhow::ensure!(parsed.errors.is_empty(), "generated data did not parse: {}", parsed.errors[0]);
    let mut bar = Progress::new("importing", n as u64);
    import::write(&state, org, product.id, &parsed.conversations, &mut |done, _| bar.set(done as u64)).await?;
    bar.finish();
    let imported = started.elapsed().as_secs_f64();
    let total_jobs = jetson_store::jobs::pending(&state.db).await?;
    let mut bar = Progress::new("analysing", total_jobs as u64);
    crate::jobs::worker::drain(&state, |left| bar.set((total_jobs - left).max(0) as u64)).await?;
    bar.finish();
    let secs = started.elapsed().as_secs_f64();
    let analysed = jetson_store::conversations::count(&state.db, org).await?;
    anyhow::ensure!(analysed as usize == n, "expected {n} conversations, found {analysed}");
    state.db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("parse+store: {imported:.2} s, analysis: {:.2} s", secs - imported);
    println!("ingest: {n} conversations in {secs:.2} s ({:.0} conversations/s)", n as f64 / secs);
    Ok(())
}
