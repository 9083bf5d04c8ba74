//! The audit trail for owners and admins: newest first, filtered by kind, paged by sequence
//! number, with the chain's state (`audit::verify`) on top; exported whole as JSON lines or CSV,
//! hashes included so that anyone can check the copy. Nothing here changes an event; an export is
//! itself recorded.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use jetson_store::audit::{self, Event};
use serde::Deserialize;

use super::{Layout, UiError, render};
use crate::services::actions::Actor;
use crate::state::AppState;
use crate::web::guards::{Allowed, CsrfForm, ReadAudit};

const PAGE: i64 = 100;
/// The kinds offered in the filter, as prefixes of the dotted action names.
const KINDS: &[(&str, &str)] = &[
    ("auth.", "Sign-ins"),
    ("message.", "Original messages shown"),
    ("hold.", "Held conversations"),
    ("audit.", "Audit exports"),
    ("customer.", "Data-subject requests"),
    ("retention.", "Retention"),
    ("settings.", "Settings changed"),
    ("integration.", "Integrations"),
    ("model.", "Models exported"),
    ("member.", "Members"),
    ("token.", "API tokens"),
];

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    events: Vec<Event>,
    kinds: &'static [(&'static str, &'static str)],
    kind: String,
    /// None when the chain holds; otherwise the first event that does not, and why.
    broken: Option<(i64, &'static str)>,
    older: Option<i64>,
    alerts: Vec<jetson_store::security_alerts::Alert>,
}

#[derive(Deserialize)]
pub struct Filter {
    #[serde(default)]
    kind: String,
    before: Option<i64>,
}

pub async fn page(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<ReadAudit>,
    Query(f): Query<Filter>,
) -> Result<Response, UiError> {
    let kind = KINDS.iter().find(|(k, _)| *k == f.kind).map(|(k, _)| *k);
    let events = audit::page(&state.db, user.org_id, kind, f.before, PAGE).await?;
    let older = (events.len() as i64 == PAGE).then(|| events.last().map(|e| e.seq)).flatten();
    let broken = audit::verify(&state.db, user.org_id).await?;
    Ok(render(&AuditPage {
        layout: Layout::new(&user, "audit"),
        events,
        kinds: KINDS,
        kind: kind.unwrap_or_default().to_string(),
        broken,
        older,
        alerts: jetson_store::security_alerts::list(&state.db, user.org_id, 20).await?,
    }))
}

/// Marks every alert seen (the count beside Audit in the navigation goes).
pub async fn alerts_seen(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<ReadAudit>,
    _: CsrfForm<super::CsrfOnly>,
) -> Result<Response, UiError> {
    let mut tx = state.db.begin().await?;
    jetson_store::security_alerts::mark_all_seen(&mut tx, user.org_id).await?;
    tx.commit().await?;
    Ok(axum::response::Redirect::to("/settings/audit").into_response())
}

/// The chosen format (the CSRF token is the extractor's).
#[derive(Deserialize)]
pub struct ExportForm {
    format: String,
}

pub async fn export(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<ReadAudit>,
    CsrfForm(f): CsrfForm<ExportForm>,
) -> Result<Response, UiError> {
    let csv = match f.format.as_str() {
        "csv" => true,
        "jsonl" => false,
        _ => return Err(UiError::bad_request("Choose JSON lines or CSV.")),
    };
    let actor = Actor { user_id: user.user_id, email: &user.email };
    let events = crate::services::actions::export_audit(&state, user.org_id, &f.format, actor).await?;
    let (body, content_type, extension) =
        if csv { (to_csv(&events)?, "text/csv", "csv") } else { (to_jsonl(&events)?, "application/x-ndjson", "jsonl") };
    let disposition = format!("attachment; filename=\"jetson-audit.{extension}\"");
    Ok(([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition)], body)
        .into_response())
}

fn to_jsonl(events: &[Event]) -> anyhow::Result<String> {
    let mut out = String::new();
    for e in events {
        out.push_str(&serde_json::to_string(e)?);
        out.push('\n');
    }
    Ok(out)
}

/// The same fields as the JSON lines, one column each, with a header row. Text that a spreadsheet
/// would run as a formula gets a leading `'` (`csv_safe`); the JSON lines hold every value exactly,
/// for checking the chain's hashes.
fn to_csv(events: &[Event]) -> anyhow::Result<String> {
    use crate::csv_safe::cell;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["seq", "at", "actor_user_id", "actor", "action", "target", "detail", "prev_hash", "hash"])?;
    for e in events {
        let at = e.at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        let user = e.actor_user_id.map(|u| u.to_string()).unwrap_or_default();
        let (seq, actor, action) = (e.seq.to_string(), cell(&e.actor), cell(&e.action));
        let (target, detail) = (cell(&e.target), cell(&e.detail));
        w.write_record([&*seq, &at, &user, &actor, &action, &target, &detail, &e.prev_hash, &e.hash])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}
