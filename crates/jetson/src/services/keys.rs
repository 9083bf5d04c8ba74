//! The instance key's life: `jetson keys rotate` re-encrypts every sealed value under a new key in
//! one transaction (all or nothing), and message bodies stored before they were sealed get
//! sealed (card numbers masked first).
//!
//! The new key is written to `<key file>.new` before the database changes, and renamed over the
//! key file after the commit: if the process dies in between, `.new` holds the key that opens the
//! database.

use std::path::PathBuf;

use anyhow::Context;
use jetson_store::sealed_columns::{self, SealedColumn};

use crate::sealed::Sealer;
use crate::services::import::{MESSAGE_BODY, SUBJECT};
use crate::state::AppState;

/// The sealing purpose of the key canary.
pub const KEY_CANARY: &str = "key_canary";
const CANARY_TEXT: &str = "Jetson's instance key opens this database";

/// Every column holding sealed values, with what its values are sealed for.
const SEALED: &[(SealedColumn, &str)] = &[
    (col("key_canary", "id", "sealed"), KEY_CANARY),
    (col("messages", "id", "body_html"), MESSAGE_BODY),
    (col("conversations", "id", "subject_sealed"), SUBJECT),
    (col("helpscout_connections", "org_id", "client_secret_enc"), crate::services::helpscout::purpose::CLIENT_SECRET),
    (col("helpscout_connections", "org_id", "access_token_enc"), crate::services::helpscout::purpose::ACCESS_TOKEN),
    (col("helpscout_connections", "org_id", "refresh_token_enc"), crate::services::helpscout::purpose::REFRESH_TOKEN),
    (col("helpscout_connections", "org_id", "webhook_secret_enc"), crate::services::helpscout::purpose::WEBHOOK_SECRET),
    (col("github_connections", "org_id", "token_enc"), crate::services::github::purpose::TOKEN),
    (col("github_connections", "org_id", "private_key_enc"), crate::services::github::purpose::PRIVATE_KEY),
    (col("github_connections", "org_id", "webhook_secret_enc"), crate::services::github::purpose::WEBHOOK_SECRET),
    (col("users", "id", "totp_secret_enc"), crate::services::auth::two_factor::SEALED_SECRET),
    (col("users", "id", "totp_pending_enc"), crate::services::auth::two_factor::SEALED_SECRET),
];

const fn col(table: &'static str, key: &'static str, column: &'static str) -> SealedColumn {
    SealedColumn { table, key, column }
}

const PAGE: i64 = 500;

/// A message body stored before bodies were sealed: plain text, never starting with the
/// sealed-value prefix.
fn is_legacy_plain(purpose: &str, value: &str) -> bool {
    purpose == MESSAGE_BODY && !value.starts_with("v1.")
}

/// Re-seals every sealed value from `old` to `new` in one transaction; bodies stored before
/// sealing are masked and sealed. Returns how many values were rewritten. Fails, changing
/// nothing, if any value does not open with `old`.
pub async fn reseal(
    state: &AppState,
    old: &Sealer,
    new: &Sealer,
    progress: &mut dyn FnMut(&str, usize),
) -> anyhow::Result<usize> {
    let mut tx = state.db.begin().await?;
    let mut total = 0;
    for &(column, purpose) in SEALED {
        let mut after = None;
        let mut done = 0;
        loop {
            let page = sealed_columns::page(&mut tx, column, after, PAGE, false).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.0);
            for (key, value) in &page {
                let plain = if is_legacy_plain(purpose, value) {
                    jetson_privacy::mask_cards(value).into_owned()
                } else {
                    old.open(purpose, value).with_context(|| {
                        format!("{}.{} of {key} does not open with the current key", column.table, column.column)
                    })?
                };
                sealed_columns::set(&mut tx, column, *key, &new.seal(purpose, &plain)).await?;
            }
            done += page.len();
            progress(&format!("{}.{}", column.table, column.column), done);
        }
        total += done;
    }
    tx.commit().await?;
    Ok(total)
}

/// Seals message bodies stored before bodies were sealed (an upgrade from an earlier version),
/// under the current key. Scans once per database: every body written since is sealed, so the
/// task is recorded as done and later start-ups skip it.
pub async fn seal_legacy_bodies(state: &AppState) -> anyhow::Result<usize> {
    const TASK: &str = "seal_legacy_message_bodies";
    if jetson_store::instance_tasks::is_done(&state.db, TASK).await? {
        return Ok(0);
    }
    let sealer = state.sealer()?;
    let (column, purpose) = *SEALED.iter().find(|(_, p)| *p == MESSAGE_BODY).expect("bodies are sealed");
    let mut tx = state.db.begin().await?;
    let mut after = None;
    let mut sealed = 0;
    loop {
        let page = sealed_columns::page(&mut tx, column, after, PAGE, true).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.0);
        for (key, value) in &page {
            sealed_columns::set(&mut tx, column, *key, &sealer.seal(purpose, &jetson_privacy::mask_cards(value)))
                .await?;
            sealed += 1;
        }
    }
    jetson_store::instance_tasks::mark_done(&mut tx, TASK).await?;
    tx.commit().await?;
    Ok(sealed)
}

/// At start-up: the key must open this database's sealed data. The canary says so at once; a
/// database from before the canary is checked on the first sealed value found, and then given
/// one. Without a key there is nothing to check (commands that need one refuse to start).
pub async fn check_key(state: &AppState) -> anyhow::Result<()> {
    let Ok(sealer) = state.sealer() else { return Ok(()) };
    let wrong_key = || {
        let source = match &state.settings.key_file {
            Some(path) => format!("the key in {}", path.display()),
            None => "JETSON_SECRET_KEY".to_string(),
        };
        anyhow::anyhow!(
            "{source} does not open this database's sealed data (original messages, connection secrets): it is \
             not the key the database was used with. Restore that key from your backup (the database and its key \
             are backed up together), or point Jetson at a new data directory; nothing was changed"
        )
    };
    if let Some(opens) = opens_canary(state, sealer).await? {
        return if opens { Ok(()) } else { Err(wrong_key()) };
    }
    let mut tx = state.db.begin().await?;
    for &(column, purpose) in SEALED.iter().filter(|(_, p)| *p != KEY_CANARY) {
        let page = sealed_columns::page(&mut tx, column, None, 1, false).await?;
        if let Some((_, value)) = page.first().filter(|(_, v)| v.starts_with("v1.")) {
            sealer.open(purpose, value).map_err(|_| wrong_key())?;
            break;
        }
    }
    tx.commit().await?;
    jetson_store::key_canary::put(&state.db, &sealer.seal(KEY_CANARY, CANARY_TEXT)).await?;
    Ok(())
}

/// Whether `sealer` opens the database's key canary; None when the database has none yet.
pub async fn opens_canary(state: &AppState, sealer: &Sealer) -> anyhow::Result<Option<bool>> {
    let canary = jetson_store::key_canary::get(&state.db).await?;
    Ok(canary.map(|c| sealer.open(KEY_CANARY, &c).is_ok()))
}

/// Where the instance key is kept, so that rotation can replace it.
pub enum KeySource {
    /// `JETSON_SECRET_KEY_FILE`, or `secret.key` in the data directory.
    File(PathBuf),
    /// `JETSON_SECRET_KEY` itself: the new key is printed for the operator to put there.
    Environment,
}

/// `jetson keys rotate`.
pub async fn rotate(state: &AppState, source: KeySource) -> anyhow::Result<()> {
    let old = state.sealer()?.clone();
    let new_hex = crate::sealed::generate_key_hex();
    let new = Sealer::new(&crate::sealed::parse_key_hex(&new_hex).expect("a generated key parses"));
    let pending = match &source {
        KeySource::File(path) => {
            let pending = with_suffix(path, ".new");
            crate::config::write_private(&pending, &new_hex).with_context(|| {
                format!(
                    "cannot write the new key to {0}; if it exists, an earlier rotation was interrupted after \
                         writing it: if the database no longer opens with {1}, move {0} to {1}",
                    pending.display(),
                    path.display()
                )
            })?;
            Some((path.clone(), pending))
        }
        KeySource::Environment => None,
    };
    eprintln!("re-encrypting every sealed value under a new key (one transaction) …");
    let mut last = String::new();
    let outcome = reseal(state, &old, &new, &mut |column, done| {
        // One line per column, rewritten as its count grows.
        if column != last && !last.is_empty() {
            eprintln!();
        }
        last = column.to_string();
        eprint!("\r{column}: {done}");
    })
    .await;
    eprintln!();
    let total = match outcome {
        Ok(total) => total,
        Err(e) => {
            if let Some((_, pending)) = &pending {
                let _ = std::fs::remove_file(pending);
            }
            return Err(e.context("nothing was changed; the old key still opens everything"));
        }
    };
    println!("re-encrypted {total} value(s)");
    match pending {
        Some((path, pending)) => {
            std::fs::rename(&pending, &path).with_context(|| {
                format!("the database now uses the key in {}; move it to {} by hand", pending.display(), path.display())
            })?;
            println!("the new key is in {}; restart every Jetson process that shares this database", path.display());
        }
        None => {
            println!("new key: {new_hex}");
            println!("set JETSON_SECRET_KEY to it for every Jetson process sharing this database, and restart them");
        }
    }
    Ok(())
}

/// `path` with `suffix` added to its file name (`jetson.db` → `jetson.db.new`).
pub(crate) fn with_suffix(path: &std::path::Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
