//! Every command of the `jetson` binary: the command line and its dispatch here, each group of
//! commands in its own file. The top layer: it may use everything, and nothing uses it.

mod accounts;
mod bench;
mod eval;
mod helpscout;
mod import;
mod model;
mod privacy;
mod serve;
mod stewardship;

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use jetson_store::orgs;

use crate::config::Settings;
use crate::startup::open;
use crate::state::AppState;

#[derive(Parser)]
#[command(name = "jetson", version, about = "Self-hostable customer-support analysis")]
struct Cli {
    /// Where Jetson keeps its SQLite database (default ./data, or JETSON_DATA_DIR).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// A database URL (sqlite://PATH or postgres://…); overrides the data directory's database.
    #[arg(long, global = true)]
    database: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web UI and API (with a job worker, unless JETSON_WORKER=false).
    Serve {
        #[arg(long)]
        port: Option<u16>,
        #[arg(long)]
        host: Option<IpAddr>,
    },
    /// Run a job worker alone (for scaling out on PostgreSQL).
    Worker,
    /// Exit 0 when the local server answers `/readyz` with 200 (a container's HEALTHCHECK).
    Healthcheck {
        /// Default: http://127.0.0.1:$JETSON_PORT/readyz.
        #[arg(long)]
        url: Option<String>,
    },
    /// Load the bundled demo data, analyse it and serve the UI with a fresh login.
    Demo {
        /// 0 picks a free port.
        #[arg(long, default_value_t = 8080)]
        port: u16,
    },
    /// Import conversations from a Help Scout JSON or CSV file.
    Import {
        #[arg(long)]
        product: String,
        /// The organisation (default: the only one there is).
        #[arg(long)]
        org: Option<String>,
        file: PathBuf,
    },
    /// Connect Help Scout and import from it.
    Helpscout {
        #[command(subcommand)]
        command: helpscout::HelpscoutCommand,
    },
    /// Apply database migrations.
    Migrate,
    /// Manage people.
    User {
        #[command(subcommand)]
        command: accounts::UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: accounts::TokenCommand,
    },
    /// Find or redact sensitive data, or screen for harmful content, in JSON lines (standard input to standard output).
    Privacy {
        #[command(subcommand)]
        command: privacy::PrivacyCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: stewardship::AuditCommand,
    },
    /// Organisations.
    Org {
        #[command(subcommand)]
        command: stewardship::OrgCommand,
    },
    /// Data-subject requests: everything held about a customer, or erase them everywhere.
    Customer {
        #[command(subcommand)]
        command: stewardship::CustomerCommand,
    },
    /// How long an organisation keeps its data, and what was deleted.
    Retention {
        #[command(subcommand)]
        command: stewardship::RetentionCommand,
    },
    /// Copy the SQLite database to FILE while Jetson runs (PostgreSQL: use pg_dump); `backup verify
    /// FILE` checks a backup and that the instance key opens it.
    #[command(args_conflicts_with_subcommands = true)]
    Backup {
        file: Option<PathBuf>,
        #[command(subcommand)]
        command: Option<BackupCommand>,
    },
    /// Replace the SQLite database with a backup (stop Jetson first); the replaced one is kept.
    Restore { file: PathBuf },
    /// The instance key that seals message bodies and provider secrets.
    Keys {
        #[command(subcommand)]
        command: stewardship::KeysCommand,
    },
    /// Measure analysis quality.
    Eval {
        #[command(subcommand)]
        command: eval::EvalCommand,
    },
    /// Train, export or reset classification models.
    Model {
        #[command(subcommand)]
        command: model::ModelCommand,
    },
    /// Measure speed.
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_level = if matches!(cli.command, Command::Serve { .. } | Command::Worker) { "info" } else { "warn" };
    let format = match crate::logs::Format::from_env() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Colours only on a terminal: log files and journald get plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let subscriber = crate::logs::subscriber(format, crate::logs::filter(default_level), std::io::stderr, ansi);
    if tracing::subscriber::set_global_default(subscriber).is_err() {
        eprintln!("warning: a log subscriber was already installed");
    }
    crate::telemetry::install();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Subcommand)]
enum BackupCommand {
    /// Check a backup: not damaged, a Jetson database this binary can run, and the instance key
    /// opens it. The file is not changed.
    Verify { file: PathBuf },
}

fn settings(cli: &Cli) -> anyhow::Result<Settings> {
    let mut s = Settings::from_env(cli.data_dir.clone())?;
    if let Some(url) = &cli.database {
        s.database_url = url.clone();
    }
    Ok(s)
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut s = settings(&cli)?;
    match cli.command {
        Command::Serve { port, host } => serve::serve(s, port, host).await,
        Command::Worker => serve::worker(s).await,
        Command::Healthcheck { url } => {
            serve::healthcheck(url.unwrap_or(format!("http://127.0.0.1:{}/readyz", s.port))).await
        }
        Command::Demo { port } => serve::demo(s, port).await,
        Command::Import { product, org, file } => import::run(open(s).await?, &product, org.as_deref(), &file).await,
        Command::Helpscout { command } => helpscout::run(open(s).await?, command).await,
        Command::Migrate => serve::migrate(s).await,
        Command::User { command } => accounts::user(open(s).await?, command).await,
        Command::Token { command } => accounts::token(open(s).await?, command).await,
        Command::Model { command } => model::run(s, command).await,
        Command::Bench { command } => bench::run(command).await,
        Command::Eval { command } => eval::run(s, command).await,
        Command::Audit { command } => stewardship::audit(open(s).await?, command).await,
        Command::Org { command } => stewardship::org(s, command).await,
        Command::Customer { command } => stewardship::customer(&open(s).await?, command).await,
        Command::Retention { command } => stewardship::retention(&open(s).await?, command).await,
        Command::Backup { command: Some(BackupCommand::Verify { file }), .. } => {
            crate::services::backup::verify(&s, &file).await
        }
        Command::Backup { file: Some(file), .. } => crate::services::backup::backup(&open(s).await?.db, &file).await,
        Command::Backup { .. } => bail!("say where: `jetson backup FILE`, or `jetson backup verify FILE`"),
        Command::Restore { file } => {
            s.prepare()?;
            let _alone = s.lock_data_dir_alone()?;
            crate::services::backup::restore(&s, &file).await
        }
        Command::Keys { command } => {
            let _alone = s.lock_data_dir_alone()?;
            stewardship::keys(open(s).await?, command).await
        }
        Command::Privacy { command } => privacy::run(command),
    }
}

/// The named organisation, or the only one there is.
async fn org_or_only(state: &AppState, name: Option<&str>) -> anyhow::Result<jetson_domain::OrgId> {
    match name {
        Some(name) => find_org(state, name).await,
        None => match orgs::list(&state.db).await?.as_slice() {
            [] => bail!(
                "there is no organisation here yet: create one with `jetson org create \"Your Company\"` (or import \
                 with `--org \"Your Company\"`, which creates it)"
            ),
            [only] => Ok(only.id),
            _ => bail!("there are several organisations; choose one with --org"),
        },
    }
}

/// The organisation's product with this name, or an error naming it.
pub(crate) async fn find_product(
    state: &AppState,
    org: jetson_domain::OrgId,
    name: &str,
) -> anyhow::Result<jetson_store::products::Product> {
    jetson_store::products::find_by_name(&state.db, org, name)
        .await?
        .with_context(|| format!("no product named `{name}`"))
}

async fn find_org(state: &AppState, name: &str) -> anyhow::Result<jetson_domain::OrgId> {
    Ok(orgs::find_by_name(&state.db, name).await?.with_context(|| format!("no organisation named `{name}`"))?.id)
}
