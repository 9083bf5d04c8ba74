//! Re-redacting what a database stored before subjects and titles went through the privacy step
//! (an upgrade from an earlier version, or an archive made by one): each subject's original is
//! sealed and the stored line redacted; work-item titles and descriptions are redacted again.
//! Redaction leaves redacted text as it is, so running this twice changes nothing.

use std::collections::HashMap;

use jetson_domain::{ConversationId, OrgId, WorkItemId};
use jetson_privacy::Known;
use jetson_store::redaction as stored;

use crate::protect::{Operators, Protect};
use crate::state::AppState;

const PAGE: i64 = 500;

/// How many rows the re-redaction looked at and changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub subjects_sealed: usize,
    pub subjects_changed: usize,
    pub work_items_changed: usize,
}

/// Runs once per database at start-up (recorded as an instance task).
pub async fn once_at_start(state: &AppState) -> anyhow::Result<Option<Report>> {
    const TASK: &str = "redact_subjects_and_titles";
    if jetson_store::instance_tasks::is_done(&state.db, TASK).await? {
        return Ok(None);
    }
    let report = redact_stored(state, None).await?;
    let mut tx = state.db.begin().await?;
    jetson_store::instance_tasks::mark_done(&mut tx, TASK).await?;
    tx.commit().await?;
    Ok(Some(report))
}

/// Seals and redacts every subject without a sealed original, and redacts every work item's
/// title and description again, page by page (each page its own transaction); only `org`'s
/// when one is given.
pub async fn redact_stored(state: &AppState, org: Option<OrgId>) -> anyhow::Result<Report> {
    let sealer = state.sealer()?;
    let mut operators: HashMap<OrgId, Operators> = HashMap::new();
    let mut report = Report::default();

    let mut after: Option<ConversationId> = None;
    loop {
        let mut tx = state.db.begin().await?;
        let page = stored::unsealed_subjects(&mut tx, org, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        for c in &page {
            let ops = org_operators(&mut operators, &mut tx, c.org_id).await?;
            let protect = Protect { sealer, org: c.org_id, operators: ops };
            let (subject, sealed) = protect.subject(&c.subject, &Known { names: vec![c.customer_name.clone()] });
            report.subjects_changed += usize::from(subject.as_str() != c.subject);
            report.subjects_sealed += 1;
            stored::set_subject(&mut tx, c.id, &subject, &sealed).await?;
        }
        tx.commit().await?;
    }

    let mut after: Option<WorkItemId> = None;
    loop {
        let mut tx = state.db.begin().await?;
        let page = stored::work_item_texts(&mut tx, org, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.0);
        for (id, item_org, title, description) in &page {
            let ops = org_operators(&mut operators, &mut tx, *item_org).await?;
            let protect = Protect { sealer, org: *item_org, operators: ops };
            let new_title = protect.redact(title, &Known::default());
            let new_description = protect.redact(description, &Known::default());
            if new_title.as_str() != title || new_description.as_str() != description {
                stored::set_work_item_text(&mut tx, *id, &new_title, &new_description).await?;
                report.work_items_changed += 1;
            }
        }
        tx.commit().await?;
    }
    Ok(report)
}

async fn org_operators<'a>(
    cache: &'a mut HashMap<OrgId, Operators>,
    tx: &mut jetson_store::Tx,
    org: OrgId,
) -> anyhow::Result<&'a Operators> {
    if let std::collections::hash_map::Entry::Vacant(slot) = cache.entry(org) {
        slot.insert(Operators::from_rows(&jetson_store::operators::get_in_tx(tx, org).await?));
    }
    Ok(&cache[&org])
}
