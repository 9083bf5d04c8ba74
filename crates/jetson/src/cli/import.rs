//! `jetson import`: a Help Scout JSON or CSV file into a product, then analysed.

use anyhow::{Context, bail};
use jetson_domain::ProductName;
use jetson_store::products;

use super::org_or_only;
use crate::progress::Progress;
use crate::startup::analyse_pending;
use crate::state::AppState;

pub async fn run(state: AppState, product: &str, org: Option<&str>, file: &std::path::Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let content = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{} is not UTF-8 text (invalid byte at offset {})",
            file.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let org = org_for_import(&state, org).await?;
    let name = ProductName::parse(product).map_err(|e| anyhow::anyhow!(e.0))?;

    let format = crate::services::import::Format::detect(file, &content);
    let mut reading = Progress::new("reading", 0);
    let parsed = crate::services::import::parse_with_progress(format, &content, &mut |done, total| {
        reading.set_total(total as u64);
        reading.set(done as u64);
    });
    reading.finish();
    for e in parsed.errors.iter().take(50) {
        eprintln!("skipped: {e}");
    }
    if parsed.errors.len() > 50 {
        eprintln!("skipped: … and {} more", parsed.errors.len() - 50);
    }
    // Only now: a file with nothing to import leaves no empty product behind.
    if parsed.conversations.is_empty() {
        bail!("nothing in {} could be imported ({} bad record(s))", file.display(), parsed.errors.len());
    }
    let mut tx = state.db.begin().await?;
    let product = products::get_or_create(&mut tx, org, &name).await?;
    tx.commit().await?;
    let mut bar = Progress::new("importing", parsed.conversations.len() as u64);
    let summary = crate::services::import::write(&state, org, product.id, &parsed.conversations, &mut |done, _| {
        bar.set(done as u64)
    })
    .await?;
    bar.finish();
    analyse_pending(&state).await?;
    println!(
        "imported {} new, {} changed, {} unchanged conversation(s); skipped {} bad record(s)",
        summary.inserted,
        summary.changed,
        summary.unchanged,
        parsed.errors.len()
    );
    Ok(())
}

/// The organisation to import into. On an instance with none yet, the import creates it (named
/// by `--org`, else "Default") and says so, with the command that gives it an owner.
async fn org_for_import(state: &AppState, name: Option<&str>) -> anyhow::Result<jetson_domain::OrgId> {
    if !jetson_store::orgs::list(&state.db).await?.is_empty() {
        return org_or_only(state, name).await;
    }
    let name = name.unwrap_or("Default");
    let org = crate::services::accounts::ensure_org(state, name).await?;
    eprintln!(
        "created the organisation `{name}` for this import; give it an owner with \
         `jetson user create --org \"{name}\" --email you@example.com --role owner`"
    );
    Ok(org)
}
