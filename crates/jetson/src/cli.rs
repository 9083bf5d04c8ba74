//! Every command of the `jetson` binary.

mod eval;
pub(crate) mod helpscout;
mod model;
mod privacy;
mod stewardship;

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use jetson_domain::{Email, ProductName, Role, Scope};
use jetson_store::{Db, orgs, products, users};

use crate::config::Settings;
use crate::progress::Progress;
use crate::startup::{Application, shutdown_signal};
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
        command: HelpscoutCommand,
    },
    /// Apply database migrations.
    Migrate,
    /// Manage people.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
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
    /// Copy the SQLite database to FILE while Jetson runs (PostgreSQL: use pg_dump).
    Backup { file: PathBuf },
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
        command: ModelCommand,
    },
    /// Measure speed.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Subcommand)]
enum HelpscoutCommand {
    /// Connect with your Help Scout app's ID and secret (client credentials).
    Connect {
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        client_id: String,
        /// The app secret (or JETSON_HELPSCOUT_CLIENT_SECRET).
        #[arg(long, env = "JETSON_HELPSCOUT_CLIENT_SECRET", hide_env_values = true)]
        client_secret: String,
    },
    /// Choose the product a mailbox feeds (created if missing).
    Link {
        #[arg(long)]
        org: Option<String>,
        /// Mailbox name or id.
        #[arg(long)]
        mailbox: String,
        #[arg(long)]
        product: String,
    },
    /// The connection's health and mailboxes.
    Status {
        #[arg(long)]
        org: Option<String>,
    },
    /// Import a product's mailbox history (continues an interrupted import of that product).
    Sync {
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        product: String,
        /// YYYY-MM-DD or RFC 3339; conversations created from then.
        #[arg(long)]
        since: Option<String>,
        /// YYYY-MM-DD (inclusive) or RFC 3339.
        #[arg(long)]
        until: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user (or reset their password) and print a one-time password.
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "member")]
        role: String,
        #[arg(long, default_value = "")]
        name: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token and print it once.
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "read")]
        scope: String,
        #[arg(long)]
        expires: Option<i64>,
    },
}

#[derive(Subcommand)]
enum ModelCommand {
    /// Train the built-in model from the project's corpus and write it to a file (the committed
    /// one is crates/jetson-analysis/data/model.bin), or with --product train that product's own
    /// model from the corpus and what its people corrected.
    Train {
        #[arg(long, required_unless_present = "product", conflicts_with = "product")]
        out: Option<PathBuf>,
        #[arg(long)]
        product: Option<String>,
        #[arg(long)]
        org: Option<String>,
    },
    /// Train the embedding tier's head on the corpus's sentence embeddings and write it to a file
    /// (the committed one is crates/jetson-analysis/data/embedding_head.bin).
    TrainHead {
        #[arg(long)]
        out: PathBuf,
        /// The embedding model's directory (config.json, tokenizer.json, model.safetensors).
        #[arg(long, env = "JETSON_EMBEDDINGS_DIR")]
        embeddings: PathBuf,
    },
    /// Train the harmful-content screener's model on the Davidson et al. tweets (CSV with `class`
    /// and `tweet`) and write it to a file (the committed one is
    /// crates/jetson-privacy/data/screen_model.bin).
    TrainScreen {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Write a product's model (usable with `eval --model`) and, with --examples, what it learned
    /// from (JSON lines).
    Export {
        #[arg(long)]
        product: String,
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        examples: Option<PathBuf>,
    },
    /// Forget what a product learned: its model and its examples. It goes back to the built-in
    /// model and keeps its thresholds.
    Reset {
        #[arg(long)]
        product: String,
        #[arg(long)]
        org: Option<String>,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Hold a steady rate of mixed API requests against a running Jetson and report latency
    /// percentiles and errors (raise its JETSON_RATE_LIMIT above the rate first).
    Load {
        /// The running Jetson, e.g. http://127.0.0.1:8080
        #[arg(long)]
        url: String,
        /// An API token with write scope (`jetson demo` prints one).
        #[arg(long, env = "JETSON_LOAD_TOKEN")]
        token: String,
        #[arg(long, default_value_t = 200)]
        rate: u32,
        #[arg(long, default_value_t = 60)]
        seconds: u64,
    },
    /// Import and analyse N synthetic conversations on a fresh SQLite database.
    Ingest {
        #[arg(long, default_value_t = 20_000)]
        conversations: usize,
    },
    /// Analyse N conversations on one thread (classification, splitting, priority, explanation).
    Classify {
        #[arg(long, default_value_t = 50_000)]
        conversations: usize,
    },
    /// Match new reports against an index of N work items.
    Match {
        #[arg(long, default_value_t = 100_000)]
        items: usize,
        #[arg(long, default_value_t = 1_000)]
        queries: usize,
    },
    /// Sensitive-data detection and harmful-content screening on N megabytes of support text, on
    /// one thread.
    Privacy {
        #[arg(long, default_value_t = 100)]
        megabytes: usize,
    },
    /// Import and analyse N conversations from a fake Help Scout (50 ms per request, 400
    /// requests a minute, pages of 25).
    Helpscout {
        #[arg(long, default_value_t = 5_000)]
        conversations: usize,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_level = if matches!(cli.command, Command::Serve { .. } | Command::Worker) { "info" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("JETSON_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("{default_level},sqlx=warn")));
    // Colours only on a terminal: log files and journald get plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).with_writer(std::io::stderr).init();
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

fn settings(cli: &Cli) -> anyhow::Result<Settings> {
    let mut s = Settings::from_env(cli.data_dir.clone())?;
    if let Some(url) = &cli.database {
        s.database_url = url.clone();
    }
    Ok(s)
}

/// A connected, migrated database and the shared state, for commands that do not serve HTTP.
pub(crate) async fn open(mut settings: Settings) -> anyhow::Result<AppState> {
    settings.prepare()?;
    let db = Db::connect(&settings.database_url).await.context("connecting to the database")?;
    db.migrate().await.context("migrating the database")?;
    AppState::new(db, settings)
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut s = settings(&cli)?;
    match cli.command {
        Command::Serve { port, host } => {
            if let Some(p) = port {
                s.port = p;
            }
            if let Some(h) = host {
                s.host = h;
            }
            s.prepare()?;
            s.require_secret_key()?;
            let app = Application::build(s).await?;
            println!("Jetson is running at http://{}:{}", app.state().settings.host, app.port());
            app.run_until_stopped(shutdown_signal()).await
        }
        Command::Worker => {
            s.prepare()?;
            s.require_secret_key()?;
            let state = open(s).await?;
            let (tx, rx) = tokio::sync::watch::channel(false);
            tokio::spawn(async move {
                shutdown_signal().await;
                let _ = tx.send(true);
            });
            crate::jobs::worker::run_until_stopped(state, rx).await;
            Ok(())
        }
        Command::Demo { port } => {
            s.port = port;
            demo(s).await
        }
        Command::Import { product, org, file } => import(open(s).await?, &product, org.as_deref(), &file).await,
        Command::Helpscout { command } => helpscout_command(open(s).await?, command).await,
        Command::Migrate => {
            s.prepare()?;
            let db = Db::connect(&s.database_url).await?;
            let n = db.migrate().await?;
            println!("applied {n} migration(s)");
            Ok(())
        }
        Command::User { command: UserCommand::Create { org, email, role, name } } => {
            let state = open(s).await?;
            let org = find_org(&state, &org).await?;
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!(e.0))?;
            let role = Role::parse(&role).map_err(|e| anyhow::anyhow!(e.0))?;
            let name =
                if name.is_empty() { email.as_str().split('@').next().unwrap_or_default().to_string() } else { name };
            let (_, password) = crate::services::accounts::create_user(&state, org, &email, &name, role).await?;
            println!("Log in as {email} with password {password}");
            Ok(())
        }
        Command::Token { command: TokenCommand::Create { org, email, scope, expires } } => {
            let state = open(s).await?;
            let scope = Scope::parse(&scope).map_err(|e| anyhow::anyhow!(e.0))?;
            let org = find_org(&state, &org).await?;
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!(e.0))?;
            let user = users::find_by_email(&state.db, &email).await?.with_context(|| format!("no user {email}"))?;
            let (_, token) =
                crate::services::accounts::create_token(&state, org, user.id, "cli", scope, expires, None).await?;
            println!("API token: {token}");
            Ok(())
        }
        Command::Eval { command } => eval::run(s, command).await,
        Command::Audit { command } => stewardship::audit(open(s).await?, command).await,
        Command::Org { command } => stewardship::org(s, command).await,
        Command::Customer { command } => stewardship::customer(&open(s).await?, command).await,
        Command::Retention { command } => stewardship::retention(&open(s).await?, command).await,
        Command::Backup { file } => crate::services::backup::backup(&open(s).await?.db, &file).await,
        Command::Restore { file } => {
            s.prepare()?;
            crate::services::backup::restore(&s, &file).await
        }
        Command::Keys { command } => stewardship::keys(open(s).await?, command).await,
        Command::Privacy { command } => privacy::run(command),
        Command::Bench { command: BenchCommand::Ingest { conversations } } => crate::bench::ingest(conversations).await,
        Command::Model { command: ModelCommand::Train { out: Some(out), .. } } => model::train_builtin(&out),
        Command::Model { command: ModelCommand::Train { out: None, product, org } } => {
            let state = open(s).await?;
            let org = org_or_only(&state, org.as_deref()).await?;
            model::train_product(&state, org, product.as_deref().unwrap_or_default()).await
        }
        Command::Model { command: ModelCommand::TrainHead { out, embeddings } } => model::train_head(&embeddings, &out),
        Command::Model { command: ModelCommand::TrainScreen { data, out } } => crate::screen_eval::train(&data, &out),
        Command::Model { command: ModelCommand::Export { product, org, out, examples } } => {
            let state = open(s).await?;
            let org = org_or_only(&state, org.as_deref()).await?;
            model::export(&state, org, &product, &out, examples.as_deref()).await
        }
        Command::Model { command: ModelCommand::Reset { product, org } } => {
            let state = open(s).await?;
            let org = org_or_only(&state, org.as_deref()).await?;
            model::reset(&state, org, &product).await
        }
        Command::Bench { command: BenchCommand::Load { url, token, rate, seconds } } => {
            crate::bench::load::run(crate::bench::load::Options { url, token, rate, seconds }).await
        }
        Command::Bench { command: BenchCommand::Privacy { megabytes } } => crate::bench::privacy::run(megabytes),
        Command::Bench { command: BenchCommand::Classify { conversations } } => {
            crate::bench::analysis::classify(conversations)
        }
        Command::Bench { command: BenchCommand::Match { items, queries } } => {
            crate::bench::analysis::matching(items, queries)
        }
        Command::Bench { command: BenchCommand::Helpscout { conversations } } => {
            crate::bench::helpscout::run(conversations).await
        }
    }
}

async fn helpscout_command(state: AppState, command: HelpscoutCommand) -> anyhow::Result<()> {
    match command {
        HelpscoutCommand::Connect { org, client_id, client_secret } => {
            let org = org_or_only(&state, org.as_deref()).await?;
            helpscout::connect(&state, org, &jetson_connectors::helpscout::Credentials { client_id, client_secret })
                .await
        }
        HelpscoutCommand::Link { org, mailbox, product } => {
            helpscout::link(&state, org_or_only(&state, org.as_deref()).await?, &mailbox, &product).await
        }
        HelpscoutCommand::Status { org } => {
            helpscout::print_status(&state, org_or_only(&state, org.as_deref()).await?).await
        }
        HelpscoutCommand::Sync { org, product, since, until } => {
            let org = org_or_only(&state, org.as_deref()).await?;
            let since = crate::services::helpscout::imports::day(since.as_deref().unwrap_or(""), false)?;
            let until = crate::services::helpscout::imports::day(until.as_deref().unwrap_or(""), true)?;
            let run = helpscout::sync(&state, org, &product, since, until).await?;
            println!(
                "imported {} new, {} changed, {} unchanged conversation(s); skipped {} unreadable",
                run.inserted, run.changed, run.unchanged, run.skipped
            );
            Ok(())
        }
    }
}

/// The named organisation, or the only one there is.
async fn org_or_only(state: &AppState, name: Option<&str>) -> anyhow::Result<jetson_domain::OrgId> {
    match name {
        Some(name) => find_org(state, name).await,
        None => match orgs::list(&state.db).await?.as_slice() {
            [] => crate::services::accounts::ensure_org(state, "Default").await,
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

pub const DEMO_ORG: &str = "Demo Company";
pub const DEMO_ADMIN: &str = "admin@demo.jetson.local";

async fn demo(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    let state = app.state().clone();
    let org = crate::services::accounts::ensure_org(&state, DEMO_ORG).await?;
    let email = Email::parse(DEMO_ADMIN).expect("valid");
    let (user, password) =
        crate::services::accounts::create_user(&state, org, &email, "Demo Admin", Role::Owner).await?;
    let (_, token) =
        crate::services::accounts::create_token(&state, org, user, "demo", Scope::Write, None, None).await?;

    let dataset = crate::demo::parse(crate::demo::DATASET).map_err(anyhow::Error::msg)?;
    let today = chrono::Utc::now().date_naive().and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    let convs = crate::demo::generate(&dataset, today);
    if crate::demo::already_loaded(&state, org).await? {
        eprintln!("demo data already loaded; keeping your changes");
    } else {
        let mut bar = Progress::new("importing", convs.len() as u64);
        crate::demo::load(&state, org, &convs, &mut |done, _| bar.set(done as u64)).await?;
        bar.finish();
        analyse_pending(&state).await?;
    }
    println!("Jetson is running at http://{}:{}", state.settings.host, app.port());
    println!("Log in as {email} with password {password}");
    println!("API token: {token}");
    app.run_until_stopped(shutdown_signal()).await
}

/// Runs every queued job now, with a progress bar over the conversations analysed.
pub(crate) async fn analyse_pending(state: &AppState) -> anyhow::Result<()> {
    let total = jetson_store::jobs::pending(&state.db).await?;
    let mut bar = Progress::new("analysing", total as u64);
    crate::jobs::worker::drain(state, |left| bar.set((total - left).max(0) as u64)).await?;
    bar.finish();
    let failed = jetson_store::jobs::failed(&state.db).await?;
    if !failed.is_empty() {
        bail!("{} job(s) failed; first error: {}", failed.len(), failed[0].last_error.as_deref().unwrap_or("unknown"));
    }
    Ok(())
}

async fn import(state: AppState, product: &str, org: Option<&str>, file: &std::path::Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let content = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{} is not UTF-8 text (invalid byte at offset {})",
            file.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let org = org_or_only(&state, org).await?;
    let name = ProductName::parse(product).map_err(|e| anyhow::anyhow!(e.0))?;
    let mut tx = state.db.begin().await?;
    let product = products::get_or_create(&mut tx, org, &name).await?;
    tx.commit().await?;

    let format = crate::services::import::Format::detect(file, &content);
    let parsed = crate::services::import::parse(format, &content);
    for e in parsed.errors.iter().take(50) {
        eprintln!("skipped: {e}");
    }
    if parsed.errors.len() > 50 {
        eprintln!("skipped: … and {} more", parsed.errors.len() - 50);
    }
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
    if parsed.conversations.is_empty() && !parsed.errors.is_empty() {
        bail!("nothing in {} could be imported", file.display());
    }
    Ok(())
}

/// A fresh directory under the system temp dir for throwaway databases.
pub fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("jetson-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
