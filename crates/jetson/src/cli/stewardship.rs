//! The commands that look after data: the audit trail, organisations (export, import, delete),
//! data-subject requests, retention and the instance key.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Subcommand;
use jetson_domain::Email;
use jetson_store::orgs;

use super::{find_org, open, org_or_only};
use crate::config::Settings;
use crate::state::AppState;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check every organisation's hash chain (or one's): exits non-zero naming the first event
    /// that was changed, removed or inserted.
    Verify {
        #[arg(long)]
        org: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum OrgCommand {
    /// Create an organisation (then `jetson user create --org NAME …` adds its first owner).
    Create { name: String },
    /// List the organisations on this instance: name, members, conversations, created.
    List,
    /// Write an organisation, everything it holds, to one tar archive another Jetson can import
    /// (JSON lines per table, CSV of conversations and work items). It holds original messages.
    Export {
        #[arg(long)]
        org: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Import an organisation archive (all of it or, on any error, nothing).
    Import { file: PathBuf },
    /// Delete an organisation with everything it holds (people stay, without their membership).
    /// Irreversible: give the name twice, as --org and --confirm.
    Delete {
        #[arg(long)]
        org: String,
        #[arg(long)]
        confirm: String,
    },
}

#[derive(Subcommand)]
pub enum CustomerCommand {
    /// Write everything held about the customer with this email as JSON (to --out, or standard
    /// output). Recorded in the audit trail.
    Export {
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        email: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Erase the customer with this email everywhere, derived data included, and print what was
    /// deleted. Recorded in the audit trail.
    Erase {
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
pub enum RetentionCommand {
    /// Set the policy (days, or `forever`); it applies at once, then daily. What it would delete
    /// now is shown first, and nothing changes without `--yes`.
    Set {
        #[arg(long)]
        org: Option<String>,
        /// Set the policy and delete what it names now.
        #[arg(long, conflicts_with = "dry_run")]
        yes: bool,
        /// Only show what the policy would delete now.
        #[arg(long)]
        dry_run: bool,
        /// Original message bodies (the redacted text stays).
        #[arg(long, value_parser = parse_days)]
        raw_bodies: Option<Days>,
        /// Whole conversations, counted from their last message, with everything derived.
        #[arg(long, value_parser = parse_days)]
        conversations: Option<Days>,
        #[arg(long, value_parser = parse_days)]
        audit: Option<Days>,
    },
    /// The policy and the latest deletion reports.
    Show {
        #[arg(long)]
        org: Option<String>,
    },
    /// Apply the policy now and print what was deleted.
    Run {
        #[arg(long)]
        org: Option<String>,
    },
}

/// A retention period: a number of days, or kept for good.
#[derive(Debug, Clone, Copy)]
pub struct Days(Option<i64>);

fn parse_days(s: &str) -> Result<Days, String> {
    if s == "forever" {
        return Ok(Days(None));
    }
    match s.parse::<i64>() {
        Ok(n) if (1..=36_500).contains(&n) => Ok(Days(Some(n))),
        _ => Err(format!("`{s}` is not a number of days (1 to 36500) or `forever`")),
    }
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Re-encrypt every sealed value (message bodies, provider secrets) under a new key, in one
    /// transaction, and replace the key file (or print the new key when it came from
    /// JETSON_SECRET_KEY). Stop the server and workers first; restart them after.
    Rotate,
}

pub async fn audit(state: AppState, command: AuditCommand) -> anyhow::Result<()> {
    let AuditCommand::Verify { org } = command;
    let all = orgs::list(&state.db).await?;
    let chosen: Vec<_> = all.iter().filter(|o| org.as_deref().is_none_or(|n| o.name == n)).collect();
    if chosen.is_empty() {
        match org {
            Some(name) => bail!("no organisation named `{name}`"),
            None => bail!("no organisations yet: nothing to verify"),
        }
    }
    let mut broken = 0;
    for o in chosen {
        let events = jetson_store::audit::list(&state.db, o.id, None, i64::MAX).await?.len();
        match jetson_store::audit::verify(&state.db, o.id).await? {
            None => println!("{}: {events} event(s), the chain holds", o.name),
            Some((seq, why)) => {
                broken += 1;
                println!("{}: event {seq} {why}", o.name);
            }
        }
    }
    anyhow::ensure!(broken == 0, "{broken} organisation(s) with a broken audit trail");
    Ok(())
}

pub async fn org(s: Settings, command: OrgCommand) -> anyhow::Result<()> {
    match command {
        OrgCommand::List => {
            let state = open(s).await?;
            let orgs = jetson_store::orgs::list(&state.db).await?;
            if orgs.is_empty() {
                println!("no organisations yet: `jetson org create NAME`, or /signup on a new instance");
            }
            for o in orgs {
                let members = jetson_store::users::members(&state.db, o.id).await?.len();
                let conversations = jetson_store::conversations::count(&state.db, o.id).await?;
                println!(
                    "{}\t{members} member(s)\t{conversations} conversation(s)\tcreated {}",
                    o.name,
                    o.created_at.format("%Y-%m-%d")
                );
            }
        }
        OrgCommand::Create { name } => {
            let name = name.trim();
            anyhow::ensure!(!name.is_empty() && name.chars().count() <= 100, "the name must be 1 to 100 characters");
            let state = open(s).await?;
            anyhow::ensure!(
                jetson_store::orgs::find_by_name(&state.db, name).await?.is_none(),
                "an organisation named {name} exists already"
            );
            let mut tx = state.db.begin().await?;
            let org = jetson_store::orgs::create(&mut tx, name).await?;
            let target = format!("org:{}", org.id);
            let event = jetson_store::audit::NewEvent {
                actor_user_id: None,
                actor: "cli",
                action: "org.create",
                target: &target,
                detail: "",
            };
            jetson_store::audit::record(&mut tx, org.id, event).await?;
            tx.commit().await?;
            println!(
                "created organisation {name}; add its owner with: jetson user create --org \"{name}\" --email … --role owner"
            );
        }
        OrgCommand::Export { org, out } => {
            let state = open(s).await?;
            let id = find_org(&state, &org).await?;
            let counts = crate::services::org_archive::export(&state, id, &out).await?;
            let total: usize = counts.values().sum();
            println!("exported {org} to {} ({total} rows)", out.display());
        }
        OrgCommand::Import { file } => {
            let state = open(s).await?;
            let (name, written) = crate::services::org_archive::import(&state, &file).await?;
            let total: usize = written.iter().map(|(_, n)| n).sum();
            println!("imported {name} ({total} rows); connect Help Scout and GitHub again in Settings → Integrations");
        }
        OrgCommand::Delete { org, confirm } => {
            anyhow::ensure!(org == confirm, "--confirm must repeat the organisation's name exactly");
            let state = open(s).await?;
            let found = find_org(&state, &org).await?;
            let counts = jetson_store::conversations::count_for_org(&state.db, found).await?;
            let mut tx = state.db.begin().await?;
            jetson_store::orgs::delete(&mut tx, found).await?;
            tx.commit().await?;
            println!("deleted organisation {org} with {counts} conversation(s) and everything derived from them");
        }
    }
    Ok(())
}

pub async fn keys(state: AppState, command: KeysCommand) -> anyhow::Result<()> {
    let KeysCommand::Rotate = command;
    let source = match &state.settings.key_file {
        Some(path) => crate::services::keys::KeySource::File(path.clone()),
        None => crate::services::keys::KeySource::Environment,
    };
    crate::services::keys::rotate(&state, source).await
}

pub async fn customer(state: &AppState, command: CustomerCommand) -> anyhow::Result<()> {
    let actor = format!("cli:{}", whoami());
    match command {
        CustomerCommand::Export { org, email, out } => {
            let org = org_or_only(state, org.as_deref()).await?;
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!(e.0))?;
            let doc = crate::services::erasure::export_customer(state, org, &email, &actor).await?;
            let text = serde_json::to_string_pretty(&doc)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
                    println!("wrote {}", path.display());
                }
                None => println!("{text}"),
            }
            Ok(())
        }
        CustomerCommand::Erase { org, email } => {
            let org = org_or_only(state, org.as_deref()).await?;
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!(e.0))?;
            let f = crate::services::erasure::erase_customer(state, org, &email, &actor).await?;
            println!(
                "erased {email}: {} conversation(s), {} message(s), {} report(s), {} learned example(s); \
                 {} work item(s) removed, {} recounted",
                f.conversations,
                f.messages,
                f.reports,
                f.learned_examples,
                f.work_items_removed,
                f.work_items_recounted
            );
            Ok(())
        }
    }
}

pub async fn retention(state: &AppState, command: RetentionCommand) -> anyhow::Result<()> {
    use jetson_store::retention;
    let show_days = |d: Option<i64>| d.map_or("forever".to_string(), |d| format!("{d} days"));
    match command {
        RetentionCommand::Set { org, yes, dry_run, raw_bodies, conversations, audit } => {
            let org = org_or_only(state, org.as_deref()).await?;
            let mut policy = retention::policy(&state.db, org).await?;
            if let Some(Days(d)) = raw_bodies {
                policy.raw_body_days = d;
            }
            if let Some(Days(d)) = conversations {
                policy.conversation_days = d;
            }
            if let Some(Days(d)) = audit {
                policy.audit_days = d;
            }
            let kept = format!(
                "original bodies {}, conversations {}, audit events {}",
                show_days(policy.raw_body_days),
                show_days(policy.conversation_days),
                show_days(policy.audit_days)
            );
            let would = crate::services::retention::preview(state, org, policy, chrono::Utc::now()).await?;
            if dry_run || (!yes && !would.is_nothing()) {
                println!("the policy would keep: {kept}");
                println!("and delete now: {}", serde_json::to_string(&would)?);
                if dry_run {
                    return Ok(());
                }
                bail!("nothing changed: run the same command with --yes to set this policy and delete that now");
            }
            crate::services::retention::set(state, org, policy, &format!("cli:{}", whoami())).await?;
            let deleted = crate::services::retention::enforce(state, org, chrono::Utc::now()).await?;
            println!("kept: {kept}");
            if let Some(d) = deleted {
                println!("deleted now: {}", serde_json::to_string(&d)?);
            }
            Ok(())
        }
        RetentionCommand::Show { org } => {
            let org = org_or_only(state, org.as_deref()).await?;
            let p = retention::policy(&state.db, org).await?;
            println!(
                "kept: original bodies {}, conversations {}, audit events {}",
                show_days(p.raw_body_days),
                show_days(p.conversation_days),
                show_days(p.audit_days)
            );
            for r in retention::reports(&state.db, org, 10).await? {
                println!("{}  {}", r.ran_at.format("%Y-%m-%d %H:%M"), r.counts.0);
            }
            Ok(())
        }
        RetentionCommand::Run { org } => {
            let org = org_or_only(state, org.as_deref()).await?;
            match crate::services::retention::enforce(state, org, chrono::Utc::now()).await? {
                Some(d) => println!("deleted: {}", serde_json::to_string_pretty(&d)?),
                None => println!("no retention policy: everything is kept"),
            }
            Ok(())
        }
    }
}

/// Who ran a command, for the audit trail.
fn whoami() -> String {
    std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_else(|_| "unknown".into())
}
