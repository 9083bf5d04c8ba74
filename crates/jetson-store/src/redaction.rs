//! Paging through what a database stored before subjects and titles were redacted, and writing
//! the redacted text back (the app's `services::redaction` does the redacting). `org` narrows a
//! pass to one organisation (an archive just imported); None covers the instance.

use jetson_domain::{ConversationId, OrgId, WorkItemId};
use jetson_privacy::RedactedText;

use crate::db::on_tx;
use crate::{Result, Tx};

/// A conversation whose subject has no sealed original yet, with its customer's name (the
/// redactor knows to look for it).
pub struct UnsealedSubject {
    pub id: ConversationId,
    pub org_id: OrgId,
    pub subject: String,
    pub customer_name: String,
}

/// Up to `limit` conversations whose subject has no sealed original yet, after `after` (id order).
pub async fn unsealed_subjects(
    tx: &mut Tx,
    org: Option<OrgId>,
    after: Option<ConversationId>,
    limit: i64,
) -> Result<Vec<UnsealedSubject>> {
    let sql =
        "SELECT c.id, c.org_id, c.subject, cu.name FROM conversations c JOIN customers cu ON cu.id = c.customer_id
         WHERE c.subject_sealed IS NULL AND ($1 IS NULL OR c.org_id = $1) AND ($2 IS NULL OR c.id > $2)
         ORDER BY c.id LIMIT $3";
    let rows: Vec<(uuid::Uuid, uuid::Uuid, String, String)> = on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(org.map(|o| o.as_uuid()))
        .bind(after.map(|a| a.as_uuid()))
        .bind(limit)
        .fetch_all(c)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, org, subject, customer_name)| UnsealedSubject {
            id: id.into(),
            org_id: org.into(),
            subject,
            customer_name,
        })
        .collect())
}

pub async fn set_subject(tx: &mut Tx, id: ConversationId, subject: &RedactedText, sealed: &str) -> Result<()> {
    let sql = "UPDATE conversations SET subject = $1, subject_sealed = $2 WHERE id = $3";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(subject.as_str())
        .bind(sealed)
        .bind(id.as_uuid())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Up to `limit` work items after `after` (id order): (id, organisation, title, description).
pub async fn work_item_texts(
    tx: &mut Tx,
    org: Option<OrgId>,
    after: Option<WorkItemId>,
    limit: i64,
) -> Result<Vec<(WorkItemId, OrgId, String, String)>> {
    let sql = "SELECT id, org_id, title, description FROM work_items
               WHERE ($1 IS NULL OR org_id = $1) AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3";
    let rows: Vec<(uuid::Uuid, uuid::Uuid, String, String)> = on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(org.map(|o| o.as_uuid()))
        .bind(after.map(|a| a.as_uuid()))
        .bind(limit)
        .fetch_all(c)
        .await)?;
    Ok(rows.into_iter().map(|(id, org, t, d)| (id.into(), org.into(), t, d)).collect())
}

pub async fn set_work_item_text(
    tx: &mut Tx,
    id: WorkItemId,
    title: &RedactedText,
    description: &RedactedText,
) -> Result<()> {
    let sql = "UPDATE work_items SET title = $1, description = $2 WHERE id = $3";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(title.as_str())
        .bind(description.as_str())
        .bind(id.as_uuid())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
