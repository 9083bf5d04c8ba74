//! `jetson bench sign-in`: memory under a burst of failed sign-ins. Starts Jetson in this process
//! on a fresh SQLite database (behind a "proxy", so that each attempt can come from its own
//! address), sends N wrong sign-ins at once, each for its own unknown account (so none is
//! throttled and every one costs a full Argon2 check), and reports the process's resident memory
//! before, at its peak during the burst (sampled every 10 ms) and once it has settled.

use std::time::{Duration, Instant};

use crate::config::Settings;
use crate::progress::Progress;
use crate::startup::Application;

/// Resident memory in bytes, from /proc (Linux); None elsewhere.
fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The sign-in form's token, sent as a browser that loaded the form would.
const FORM_TOKEN: &str = "bench-sign-in-form-token-0123456789abcdef";

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

pub async fn run(attempts: usize) -> anyhow::Result<()> {
    anyhow::ensure!(attempts > 0, "--attempts must be at least 1");
    anyhow::ensure!(rss_bytes().is_some(), "this benchmark reads /proc/self/status, which only Linux has");
    let dir = crate::tools::tempfile_dir()?;
    let mut settings = Settings::for_data_dir(&dir);
    settings.port = 0;
    settings.run_worker = false;
    settings.behind_proxy = true;
    let app = Application::build(settings).await?;
    let url = format!("http://127.0.0.1:{}/login", app.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(attempts)
        .timeout(Duration::from_secs(120))
        .build()?;
    // One request first, so that the server's own start-up allocations are in the baseline.
    client.get(&url).send().await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = rss_bytes().unwrap_or_default();

    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(before));
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let (peak, sampling) = (peak.clone(), sampling.clone());
        tokio::spawn(async move {
            while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                peak.fetch_max(rss_bytes().unwrap_or_default(), std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let started = Instant::now();
    let mut bar = Progress::new("failed sign-ins", attempts as u64);
    let mut all = tokio::task::JoinSet::new();
    for i in 0..attempts {
        let request = client
            .post(&url)
            .header("x-forwarded-for", format!("10.{}.{}.{}", i / 65_536 % 256, i / 256 % 256, i % 256))
            .header("cookie", format!("{}={FORM_TOKEN}", crate::web::ui::login::FORM_COOKIE))
            .header("x-csrf-token", FORM_TOKEN)
            .form(&[("email", format!("nobody{i}@bench.example")), ("password", format!("wrong password {i}"))]);
        all.spawn(async move { request.send().await.map(|r| r.status().as_u16()) });
    }
    let mut statuses = std::collections::BTreeMap::<String, usize>::new();
    let mut done = 0;
    while let Some(outcome) = all.join_next().await {
        let status = match outcome? {
            Ok(code) => code.to_string(),
            Err(e) => format!("error ({e})"),
        };
        *statuses.entry(status).or_default() += 1;
        done += 1;
        bar.set(done);
    }
    bar.finish();
    let burst = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(3)).await;
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    sampler.await?;
    let settled = rss_bytes().unwrap_or_default();
    let peak = peak.load(std::sync::atomic::Ordering::Relaxed);

    println!("{attempts} failed sign-ins at once, each for its own unknown account from its own address");
    println!("  answers: {}", statuses.iter().map(|(s, n)| format!("{s} × {n}")).collect::<Vec<_>>().join(", "));
    println!("  password-hashing slots: {}", crate::services::auth::password::slots());
    println!("  burst took {burst:.1} s");
    println!(
        "  resident memory: before {:.0} MB, peak {:.0} MB, settled (3 s after) {:.0} MB",
        mb(before),
        mb(peak),
        mb(settled)
    );
    let _ = stop.send(());
    server.await??;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
