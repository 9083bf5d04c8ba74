//! History imports: start one for a mailbox and date range, watch its progress (the state is in
//! the database, so the view survives a reload), stop and resume it.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jetson_store::helpscout as store;
use jetson_store::sync_runs::{self, SyncRun};
use serde::Deserialize;

use super::CsrfOnly;
use super::integrations::page;
use super::{Layout, UiError, render};
use crate::services::helpscout::imports;
use crate::state::AppState;
use crate::web::guards::{Administer, Allowed, CsrfForm};

#[derive(Deserialize)]
pub struct StartForm {
    pub mailbox: i64,
    #[serde(default)]
    pub since: String,
    #[serde(default)]
    pub until: String,
}

pub async fn start(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    CsrfForm(f): CsrfForm<StartForm>,
) -> Result<Response, UiError> {
    let bound = |s: &str, end| imports::day(s, end).map_err(|e| UiError::bad_request(e.to_string()));
    let (since, until) = (bound(&f.since, false)?, bound(&f.until, true)?);
    if let (Some(s), Some(u)) = (since, until)
        && s > u
    {
        return page(&state, &user, Some("The start of the range is after its end.".into()), None).await;
    }
    match imports::start(&state, user.org_id, f.mailbox, since, until).await {
        Ok(id) => {
            let detail = format!("mailbox {}", f.mailbox);
            user.actor().record_alone(&state, user.org_id, "integration.import", "helpscout", &detail).await?;
            Ok(Redirect::to(&format!("/settings/integrations/helpscout/imports/{id}")).into_response())
        }
        Err(e) => page(&state, &user, Some(format!("{e:#}")), None).await,
    }
}

#[derive(Template)]
#[template(path = "import_progress.html")]
struct ProgressPage {
    layout: Layout,
    run: SyncRun,
    mailbox: String,
}

impl ProgressPage {
    fn percent(&self) -> Option<i64> {
        let total = self.run.total?;
        Some(if total == 0 { 100 } else { (self.run.done * 100 / total).clamp(0, 100) })
    }

    /// Time left at the rate so far.
    fn eta(&self) -> Option<String> {
        let total = self.run.total?;
        let elapsed = (self.run.updated_at - self.run.started_at).num_seconds();
        if self.run.status != sync_runs::RUNNING || self.run.done == 0 || elapsed <= 0 {
            return None;
        }
        let left = (total - self.run.done).max(0) * elapsed / self.run.done;
        Some(match left {
            0..60 => format!("about {left} s"),
            60..3600 => format!("about {} min", left / 60 + 1),
            _ => format!("about {} h {} min", left / 3600, left % 3600 / 60),
        })
    }

    fn running(&self) -> bool {
        self.run.status == sync_runs::RUNNING
    }
}

pub async fn view(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    Path(id): Path<uuid::Uuid>,
) -> Result<Response, UiError> {
    let run = sync_runs::get(&state.db, user.org_id, id).await?.ok_or(jetson_store::StoreError::NotFound)?;
    let mailbox = store::mailboxes(&state.db, user.org_id)
        .await?
        .into_iter()
        .find(|m| m.mailbox_id == run.mailbox_id)
        .map_or_else(|| format!("mailbox {}", run.mailbox_id), |m| m.name);
    Ok(render(&ProgressPage { layout: Layout::new(&user, "settings"), run, mailbox }))
}

pub async fn stop(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    Path(id): Path<uuid::Uuid>,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    imports::stop(&state, user.org_id, id).await?;
    Ok(Redirect::to(&format!("/settings/integrations/helpscout/imports/{id}")).into_response())
}

pub async fn resume(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    Path(id): Path<uuid::Uuid>,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    imports::resume(&state, user.org_id, id).await?;
    Ok(Redirect::to(&format!("/settings/integrations/helpscout/imports/{id}")).into_response())
}
