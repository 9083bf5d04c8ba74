//! `jetson bench …`: the speed benchmarks (their code is in `tools::bench`).

use clap::Subcommand;

use crate::tools::bench;

#[derive(Subcommand)]
pub enum BenchCommand {
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
        /// Read them as one JSON array (a Help Scout export) rather than one object per line.
        #[arg(long)]
        array: bool,
        /// Scale-out: a PostgreSQL URL whose role may create databases; each run gets a fresh one.
        #[arg(long, requires = "workers")]
        database: Option<String>,
        /// Scale-out: worker process counts to compare, e.g. `1,2,4`.
        #[arg(long, value_delimiter = ',', requires = "database")]
        workers: Vec<usize>,
        /// Scale-out: products the conversations are spread over (a product is analysed by one
        /// worker at a time).
        #[arg(long, default_value_t = 4)]
        products: usize,
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
        /// More text to scan besides the demo's: a JSON array of `{"full_text"|"text": …}` (the
        /// Presidio synthetic set's shape) or JSON lines with `text`.
        #[arg(long)]
        input: Option<std::path::PathBuf>,
    },
    /// Memory under N failed sign-ins at once, each a full password check: resident memory
    /// before, at its peak and once settled.
    SignIn {
        #[arg(long, default_value_t = 300)]
        attempts: usize,
    },
    /// Import and analyse N conversations from a fake Help Scout (50 ms per request, 400
    /// requests a minute, pages of 25).
    Helpscout {
        #[arg(long, default_value_t = 5_000)]
        conversations: usize,
    },
}

pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Ingest { conversations, database: Some(admin_url), workers, products, .. } => {
            bench::scale_out::run(bench::scale_out::Options { admin_url, conversations, workers, products }).await
        }
        BenchCommand::Ingest { conversations, array, .. } => bench::ingest(conversations, array).await,
        BenchCommand::Load { url, token, rate, seconds } => {
            bench::load::run(bench::load::Options { url, token, rate, seconds }).await
        }
        BenchCommand::Privacy { megabytes, input } => bench::privacy::run(megabytes, input.as_deref()),
        BenchCommand::Classify { conversations } => bench::analysis::classify(conversations),
        BenchCommand::Match { items, queries } => bench::analysis::matching(items, queries),
        BenchCommand::Helpscout { conversations } => bench::helpscout::run(conversations).await,
        BenchCommand::SignIn { attempts } => bench::sign_in::run(attempts).await,
    }
}
