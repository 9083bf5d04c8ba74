//! `github.poll`: every few minutes, for each linked repository, read the issues that changed
//! (a conditional request: an unchanged repository costs nothing), apply state changes a webhook
//! may have missed, check the webhook, then run the repository's rules (auto-create with brakes,
//! batched counts, shipped-in-release; see `github::automation`). The job reschedules itself
//! whatever happens; its error is shown in the health view.

use chrono::Duration;
use jetson_domain::OrgId;
use jetson_store::github as store;
use jetson_store::jobs::Claimed;

use crate::queue::OrgPayload;
use crate::queue::github_poll::{EVERY_MS, schedule};
use crate::services::github::automation::{self, Outcome};
use crate::services::github::{client, connection, repo_name, sync};
use crate::state::AppState;

pub async fn run(state: &AppState, job: &Claimed, worker: &str) -> anyhow::Result<()> {
    let p: OrgPayload = serde_json::from_value(job.payload.clone())?;
    if store::connection(&state.db, p.org).await?.is_some() {
        match poll(state, p.org).await {
            Ok(o) => {
                tracing::info!(org = %p.org, created = o.created, queued = o.queued, commented = o.commented, shipped = o.shipped, "github.poll.done")
            }
            Err(e) => store::record_error(&state.db, p.org, &format!("periodic sync: {e:#}")).await?,
        }
        schedule(state, p.org, EVERY_MS).await?;
    }
    crate::queue::complete_alone(state, job, worker).await
}

pub async fn poll(state: &AppState, org: OrgId) -> anyhow::Result<Outcome> {
    let conn = connection(state, org).await?;
    let gh = client(state, &conn)?;
    let mut out = Outcome::default();
    let result: anyhow::Result<()> = async {
        for repo in store::repos(&state.db, org).await? {
            let name = repo_name(&repo.repo)?;
            // Clocks differ: overlap the previous poll by a minute (re-reading is harmless).
            let stop_before = repo.polled_at.map(|t| t - Duration::minutes(1));
            let etag = repo.issues_etag.as_deref().filter(|_| repo.polled_at.is_some());
            match sync::read_repo(state, org, &gh, &repo.repo, etag, stop_before).await? {
                None => store::set_polled(&state.db, org, &repo.repo, None).await?,
                Some(etag) => store::set_polled(&state.db, org, &repo.repo, etag.as_deref()).await?,
            }
            if let Some(id) = repo.webhook_id {
                let now = match gh.hook(&name, id as u64).await? {
                    Some(h) if h.active => "active".to_string(),
                    Some(_) => "inactive: turned off on GitHub".to_string(),
                    None => "missing: deleted on GitHub".to_string(),
                };
                store::set_repo_webhook(&state.db, org, repo.product_id, Some(id), &now).await?;
            }
            automation::check_shipped(state, org, &gh, &repo, &mut out).await?;
            automation::comment_counts(state, org, &gh, &repo, &mut out).await?;
            automation::auto_create(state, org, &repo, &mut out).await?;
        }
        Ok(())
    }
    .await;
    crate::services::github::record(state, org, &gh, result.as_ref().copied()).await?;
    result.map(|()| out)
}
