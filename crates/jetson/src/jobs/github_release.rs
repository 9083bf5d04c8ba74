//! `github.release`: checks the repository's resolved items against its releases (see
//! `github::automation::check_shipped`). Retried with back-off when GitHub is down.

use jetson_store::github as store;
use jetson_store::jobs::Claimed;

use crate::queue::github_release::Payload;
use crate::services::github::automation::{self, Outcome};
use crate::services::github::{client, connection};
use crate::state::AppState;

pub async fn run(state: &AppState, job: &Claimed, worker: &str) -> anyhow::Result<()> {
    let p: Payload = serde_json::from_value(job.payload.clone())?;
    let linked = store::repos(&state.db, p.org).await?.into_iter().find(|r| r.repo.eq_ignore_ascii_case(&p.repo));
    if let Some(repo) = linked {
        let gh = client(state, &connection(state, p.org).await?)?;
        let mut out = Outcome::default();
        automation::check_shipped(state, p.org, &gh, &repo, &mut out).await?;
        tracing::info!(org = %p.org, repo = %repo.repo, shipped = out.shipped, "github.release.checked");
    }
    crate::queue::complete_alone(state, job, worker).await
}
