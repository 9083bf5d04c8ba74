//! `jetson backup FILE` and `jetson restore FILE` for the embedded SQLite database. A backup is a
//! consistent copy taken while Jetson keeps running (`VACUUM INTO`); a restore checks the file
//! (SQLite's integrity check, and that it is a Jetson database no newer than this binary) on a copy
//! before it replaces anything, keeps the replaced database beside it, and brings an older backup's
//! schema up to date. PostgreSQL is backed up with `pg_dump` (see the README).
//!
//! The instance key is not in the database: back up `secret.key` (or wherever the key is kept) too.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use jetson_store::Db;

use crate::config::Settings;
use crate::services::keys::with_suffix;

pub async fn backup(db: &Db, out: &Path) -> anyhow::Result<()> {
    if out.exists() {
        bail!("{} already exists; choose a new file name", out.display());
    }
    let started = std::time::Instant::now();
    eprintln!("copying the database to {} …", out.display());
    db.backup_sqlite(out).await.with_context(|| format!("cannot write the backup to {}", out.display()))?;
    let size = std::fs::metadata(out)?.len();
    println!(
        "backed up to {} ({:.1} MB in {:.1} s); keep the instance key (secret.key) with it",
        out.display(),
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Replaces the configured SQLite database with the backup in `from`. Stop every Jetson process
/// using the database first.
pub async fn restore(settings: &Settings, from: &Path) -> anyhow::Result<()> {
    let target = sqlite_path(&settings.database_url)?;
    let bytes = std::fs::read(from).with_context(|| format!("cannot read {}", from.display()))?;
    if !bytes.starts_with(b"SQLite format 3\0") {
        bail!("{} is not a SQLite database (a Jetson backup is one)", from.display());
    }
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let staged = with_suffix(&target, ".restoring");
    std::fs::write(&staged, &bytes).with_context(|| format!("cannot write {}", staged.display()))?;
    if let Err(e) = check(&staged).await {
        remove_with_journal(&staged);
        return Err(e.context(format!("{} was not restored; nothing was changed", from.display())));
    }
    let kept = with_suffix(&target, ".before-restore");
    if target.exists() {
        remove_with_journal(&kept);
        std::fs::rename(&target, &kept)?;
        for journal in ["-wal", "-shm"] {
            let _ = std::fs::rename(with_suffix(&target, journal), with_suffix(&kept, journal));
        }
    }
    std::fs::rename(&staged, &target)?;
    let db = Db::connect(&settings.database_url).await?;
    db.migrate().await.context("bringing the restored database up to date")?;
    db.close().await;
    println!("restored {} from {}", target.display(), from.display());
    if kept.exists() {
        println!("the database it replaced is kept as {}", kept.display());
    }
    Ok(())
}

/// `jetson backup verify FILE`: the backup is sound, is a Jetson database this binary can run, and
/// the configured instance key opens its sealed data. Checked on a temporary copy; the file is
/// not changed.
pub async fn verify(settings: &Settings, file: &Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    if !bytes.starts_with(b"SQLite format 3\0") {
        bail!("{} is not a SQLite database (a Jetson backup is one)", file.display());
    }
    let dir = std::env::temp_dir().join(format!("jetson-verify-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    let copy = dir.join("verify.db");
    std::fs::write(&copy, &bytes)?;
    let outcome = async {
        check(&copy).await?;
        let db = Db::connect(&format!("sqlite://{}", copy.display())).await?;
        let canary = jetson_store::key_canary::get(&db).await;
        let conversations = db.count_rows("conversations").await;
        db.close().await;
        let opens = match (canary?, settings.existing_key()?) {
            (None, _) => "it holds no sealed data yet",
            (Some(_), None) => {
                bail!("no instance key is configured to check it with (secret.key or JETSON_SECRET_KEY)")
            }
            (Some(c), Some(key)) => {
                if crate::sealed::Sealer::new(&key).open(crate::services::keys::KEY_CANARY, &c).is_err() {
                    bail!("the configured instance key does not open it: keep the key it was made with beside it");
                }
                "the instance key opens it"
            }
        };
        println!(
            "{} is a sound Jetson backup: {} conversation(s), {} migration(s); {opens}",
            file.display(),
            conversations?,
            jetson_store::MIGRATIONS.len()
        );
        Ok(())
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

/// The staged copy is sound and is a Jetson database this binary can run.
async fn check(staged: &Path) -> anyhow::Result<()> {
    let db = Db::connect(&format!("sqlite://{}", staged.display())).await?;
    let outcome = async {
        if let Some(problem) = db.sqlite_integrity_problem().await? {
            bail!("the file is damaged: {problem}");
        }
        let applied = db.applied_migrations().await.context("it is not a Jetson database")?;
        let known: Vec<&str> = jetson_store::MIGRATIONS.iter().map(|m| m.name).collect();
        if let Some(newer) = applied.iter().find(|a| !known.contains(&a.as_str())) {
            bail!("it comes from a newer Jetson (migration {newer}); restore it with that version");
        }
        Ok(())
    }
    .await;
    db.close().await;
    outcome
}

fn sqlite_path(url: &str) -> anyhow::Result<PathBuf> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .with_context(|| "restore is for SQLite; restore PostgreSQL with pg_restore (see the README)".to_string())?;
    Ok(PathBuf::from(path.split('?').next().unwrap_or(path)))
}

fn remove_with_journal(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(path, suffix));
    }
}
