//! `jetson bench ingest --database postgres://… --workers 1,2,4`: what more worker processes buy
//! on one PostgreSQL. For each N, a fresh database gets the same conversations (spread over
//! `--products` products, since analysis of one product is serialised by its lock), stored by
//! this process; then N `jetson worker` processes analyse them, and the run is timed from their
//! start until the queue is empty. Afterwards the queue is checked: every job done once (none
//! failed, none run a second time after a lost lease), every conversation analysed, and the same
//! number of reports as the first run made.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use jetson_domain::ProductName;
use jetson_store::{Db, products};

use crate::config::Settings;
use crate::progress::Progress;
use crate::services::import::{self, Format};

pub struct Options {
    pub admin_url: String,
    pub conversations: usize,
    pub workers: Vec<usize>,
    pub products: usize,
}

struct Run {
    workers: usize,
    secs: f64,
    reports: i64,
    retried: i64,
}

pub async fn run(o: Options) -> anyhow::Result<()> {
    ensure!(
        o.admin_url.starts_with("postgres"),
        "--workers needs --database postgres://… (a role that may create databases)"
    );
    ensure!(o.products >= 1 && o.conversations >= o.products, "--products must be between 1 and --conversations");
    let lines = super::synthetic_conversations(o.conversations)?;
    let parsed = import::parse(Format::HelpScoutJson, &lines);
    ensure!(parsed.errors.is_empty(), "generated data did not parse: {}", parsed.errors[0]);
    eprintln!(
        "{} conversations over {} product(s); worker processes: {:?}; {} CPU(s) here",
        o.conversations,
        o.products,
        o.workers,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let mut runs: Vec<Run> = Vec::new();
    for &n in &o.workers {
        let run = one_run(&o, &parsed.conversations, n).await?;
        if let Some(first) = runs.first() {
            ensure!(
                run.reports == first.reports,
                "{n} workers made {} reports where {} made {}: work was lost or done twice",
                run.reports,
                first.workers,
                first.reports
            );
        }
        runs.push(run);
    }
    // Per worker, as the first run did it.
    let per_worker = o.conversations as f64 / runs[0].secs / runs[0].workers as f64;
    println!("workers\tseconds\tconversations/s\tper-worker efficiency\tjobs run again");
    for r in &runs {
        let rate = o.conversations as f64 / r.secs;
        let efficiency = 100.0 * rate / (per_worker * r.workers as f64);
        println!("{}\t{:.2}\t{rate:.0}\t{efficiency:.0}%\t{}", r.workers, r.secs, r.retried);
    }
    println!(
        "every run: each job done exactly once, none failed, every conversation analysed, {} reports",
        runs[0].reports
    );
    Ok(())
}

async fn one_run(o: &Options, convs: &[import::Imported], workers: usize) -> anyhow::Result<Run> {
    let name = format!("jetson_bench_{}", uuid::Uuid::new_v4().simple());
    let admin = Db::connect(&o.admin_url).await.context("connecting to --database")?;
    admin.execute_raw(&format!("CREATE DATABASE {name}")).await.context("creating the benchmark's database")?;
    let url = jetson_store::testing::with_database(&o.admin_url, &name);
    let key = crate::sealed::generate_key_hex();
    let result = store_then_analyse(o, convs, workers, &url, &key).await;
    admin.execute_raw(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
    admin.close().await;
    result
}

async fn store_then_analyse(
    o: &Options,
    convs: &[import::Imported],
    workers: usize,
    url: &str,
    key: &str,
) -> anyhow::Result<Run> {
    let dir = crate::tools::tempfile_dir()?;
    let mut settings = Settings::for_data_dir(&dir);
    settings.database_url = url.to_string();
    settings.secret_key = Some(crate::sealed::parse_key_hex(key).context("the generated key")?);
    let state = crate::startup::open(settings).await?;
    let org = crate::services::accounts::ensure_org(&state, "Bench").await?;
    eprintln!("{workers} worker(s):");
    let mut bar = Progress::new("storing", convs.len() as u64);
    let per_product = convs.len().div_ceil(o.products);
    for (i, chunk) in convs.chunks(per_product).enumerate() {
        let mut tx = state.db.begin().await?;
        let product =
            products::get_or_create(&mut tx, org, &ProductName::parse(&format!("Product {}", i + 1))?).await?;
        tx.commit().await?;
        let before = i * per_product;
        import::write(&state, org, product.id, chunk, &mut |done, _| bar.set((before + done) as u64)).await?;
    }
    bar.finish();

    let total = jetson_store::jobs::pending(&state.db).await?;
    let started = Instant::now();
    let mut children: Vec<Child> = (0..workers).map(|_| spawn_worker(url, key)).collect::<anyhow::Result<_>>()?;
    let mut bar = Progress::new("analysing", total as u64);
    let outcome = loop {
        let left = jetson_store::jobs::pending(&state.db).await?;
        bar.set((total - left).max(0) as u64);
        if left == 0 {
            break Ok(started.elapsed().as_secs_f64());
        }
        if let Some(dead) = children.iter_mut().find_map(|c| c.try_wait().ok().flatten()) {
            break Err(anyhow::anyhow!(
                "a worker exited early ({dead}); run `jetson worker` with this database to see why"
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    bar.finish();
    for child in &mut children {
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    }
    for child in &mut children {
        let _ = child.wait();
    }
    let secs = outcome?;
    let check = jetson_store::jobs::check_after_run(&state.db).await?;
    if check.failed > 0 || check.unfinished > 0 || check.unanalysed > 0 {
        bail!("after the run: {check:?}");
    }
    state.db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Run { workers, secs, reports: check.reports, retried: check.run_more_than_once })
}

fn spawn_worker(url: &str, key: &str) -> anyhow::Result<Child> {
    Command::new(std::env::current_exe()?)
        .arg("worker")
        .env("JETSON_DATABASE_URL", url)
        .env("JETSON_SECRET_KEY", key)
        .env_remove("JETSON_SECRET_KEY_FILE")
        .env("JETSON_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .context("starting a worker process")
}
