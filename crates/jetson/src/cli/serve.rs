//! `jetson serve | worker | migrate | demo`: run the server, a worker alone, the migrations, or
//! the demo (its data loaded and analysed, then served with a fresh login).

use std::net::IpAddr;

use jetson_domain::{Email, Role, Scope};
use jetson_store::Db;

use crate::config::Settings;
use crate::progress::Progress;
use crate::startup::{Application, analyse_pending, open, shutdown_signal};
use crate::tools::demo::{self, DEMO_ADMIN, DEMO_ORG};

pub async fn serve(mut s: Settings, port: Option<u16>, host: Option<IpAddr>) -> anyhow::Result<()> {
    if let Some(p) = port {
        s.port = p;
    }
    if let Some(h) = host {
        s.host = h;
    }
    s.prepare()?;
    s.require_secret_key()?;
    let _in_use = s.lock_data_dir_shared()?;
    let app = Application::build(s).await?;
    println!("Jetson is running at http://{}:{}", app.state().settings.host, app.port());
    app.run_until_stopped(shutdown_signal()).await
}

pub async fn worker(mut s: Settings) -> anyhow::Result<()> {
    s.prepare()?;
    s.require_secret_key()?;
    let _in_use = s.lock_data_dir_shared()?;
    let state = open(s).await?;
    let (tx, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = tx.send(true);
    });
    crate::jobs::worker::run_until_stopped(state, rx).await;
    Ok(())
}

pub async fn healthcheck(url: String) -> anyhow::Result<()> {
    let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(4)).build()?;
    let res = client.get(&url).send().await.map_err(|e| anyhow::anyhow!("{url}: {e}"))?;
    let status = res.status();
    let body = res.text().await.unwrap_or_default();
    anyhow::ensure!(status.is_success(), "{url}: {status} {body}");
    println!("{body}");
    Ok(())
}

pub async fn migrate(mut s: Settings) -> anyhow::Result<()> {
    s.prepare()?;
    let db = Db::connect(&s.database_url).await?;
    let n = db.migrate().await?;
    println!("applied {n} migration(s)");
    Ok(())
}

pub async fn demo(mut settings: Settings, port: u16) -> anyhow::Result<()> {
    settings.port = port;
    let _in_use = settings.lock_data_dir_shared()?;
    let app = Application::build(settings).await?;
    let state = app.state().clone();
    let org = crate::services::accounts::ensure_org(&state, DEMO_ORG).await?;
    let email = Email::parse(DEMO_ADMIN).expect("valid");
    let (user, password) =
        crate::services::accounts::create_user(&state, org, &email, "Demo Admin", Role::Owner).await?;
    let (_, token) =
        crate::services::accounts::create_token(&state, org, user, "demo", Scope::Write, None, None).await?;

    let dataset = demo::parse(demo::DATASET).map_err(anyhow::Error::msg)?;
    let today = chrono::Utc::now().date_naive().and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    let convs = demo::generate(&dataset, today);
    if demo::already_loaded(&state, org).await? {
        eprintln!("demo data already loaded; keeping your changes");
    } else {
        let mut bar = Progress::new("importing", convs.len() as u64);
        demo::load(&state, org, &convs, &mut |done, _| bar.set(done as u64)).await?;
        bar.finish();
        analyse_pending(&state).await?;
    }
    println!("Jetson is running at http://{}:{}", state.settings.host, app.port());
    println!("Log in as {email} with password {password}");
    println!("API token: {token}");
    app.run_until_stopped(shutdown_signal()).await
}
