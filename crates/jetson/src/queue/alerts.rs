//! `alert.webhook` and `alert.email`: an alert, delivered to `JETSON_ALERT_WEBHOOK` and by email,
//! each retried while the receiver is down. Raised by `alerts`, run by `alerts::deliver`/`email`.

use jetson_domain::OrgId;
use jetson_store::Tx;
use jetson_store::jobs::{self, NewJob};
use serde::{Deserialize, Serialize};

pub const WEBHOOK_JOB: &str = "alert.webhook";
pub const EMAIL_JOB: &str = "alert.email";

/// What the webhook receives.
#[derive(Debug, Serialize, Deserialize)]
pub struct Payload {
    pub org: OrgId,
    pub kind: String,
    pub detail: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Queues the alert's delivery by webhook and by email, once per alert (`alert_id`).
pub async fn enqueue(tx: &mut Tx, alert_id: impl std::fmt::Display, payload: &Payload) -> anyhow::Result<()> {
    let payload = serde_json::to_value(payload)?;
    for kind in [WEBHOOK_JOB, EMAIL_JOB] {
        let job =
            NewJob { kind, payload: payload.clone(), dedup_key: Some(format!("{kind}:{alert_id}")), max_attempts: 5 };
        jobs::enqueue(tx, job).await?;
    }
    Ok(())
}
