//! Unusual activity, raised for an organisation's owners and admins (Settings → Audit, and a count
//! beside Audit in the navigation); when `JETSON_ALERT_WEBHOOK` is set, posted there as JSON, and
//! when a mail server is configured, emailed to them, each by a job retried while the receiver is
//! down:
//!
//! - `new_device`: a sign-in from a browser, system or network (IPv4 /24, IPv6 /48) the person has
//!   not signed in from before (their first sign-in only records it). Devices are kept as hashes.
//! - `account_locked`: failed sign-ins locked an account.
//! - `burst`: one person revealed original messages 10 times, or exported 3 times, within 10
//!   minutes (once per window). An organisation may also pause that person's reveals and exports
//!   for the next 15 minutes (Settings → Privacy).

use std::net::IpAddr;

use chrono::Duration;
use jetson_domain::{OrgId, UserId};
use jetson_store::Tx;
use jetson_store::jobs::Claimed;
use jetson_store::security_alerts;

use crate::queue::alerts::Payload;
use crate::state::AppState;

pub const NEW_DEVICE: &str = "new_device";
pub const ACCOUNT_LOCKED: &str = "account_locked";
pub const BURST: &str = "burst";

const BURST_WINDOW: Duration = Duration::minutes(10);

/// How many of an action by one person within the window make a burst.
fn burst_limit(action: &str) -> Option<i64> {
    match action {
        "message.reveal" => Some(10),
        "audit.export" | "customer.export" => Some(3),
        _ => None,
    }
}

async fn raise(tx: &mut Tx, org: OrgId, kind: &str, user: Option<UserId>, detail: &str) -> anyhow::Result<()> {
    let id = security_alerts::raise(tx, org, kind, user, detail).await?;
    let payload = Payload { org, kind: kind.to_string(), detail: detail.to_string(), at: jetson_store::now() };
    crate::queue::alerts::enqueue(tx, id, &payload).await?;
    tracing::warn!(%org, kind, detail, "security alert");
    Ok(())
}

/// After an audited action: a burst of reveals or exports by one person raises an alert.
pub async fn after_action(tx: &mut Tx, org: OrgId, user: UserId, email: &str, action: &str) -> anyhow::Result<()> {
    let Some(limit) = burst_limit(action) else { return Ok(()) };
    let since = jetson_store::now() - BURST_WINDOW;
    let count = jetson_store::audit::count_by(tx, org, user, action, since).await?;
    if count >= limit && !security_alerts::raised_since(tx, org, BURST, user, since).await? {
        let detail = format!("{email}: {count} × {action} within {} minutes", BURST_WINDOW.num_minutes());
        raise(tx, org, BURST, Some(user), &detail).await?;
    }
    Ok(())
}

/// How long a burst pauses a person's reveals and exports, where the organisation asks for it.
pub const PAUSE: Duration = Duration::minutes(15);

/// Refuses a reveal or an export by someone paused after a burst of them (where the organisation
/// pauses on bursts); call it before recording the action.
pub async fn ensure_not_paused(state: &AppState, tx: &mut Tx, org: OrgId, user: UserId) -> anyhow::Result<()> {
    if jetson_store::orgs::security_policy(&state.db, org).await?.pause_on_burst
        && security_alerts::raised_since(tx, org, BURST, user, jetson_store::now() - PAUSE).await?
    {
        return Err(jetson_store::StoreError::Conflict(format!(
            "your reveals and exports are paused for {} minutes after a burst of them; an owner or admin sees why under Settings → Audit",
            PAUSE.num_minutes()
        ))
        .into());
    }
    Ok(())
}

/// The network a client address belongs to, as people read it.
fn network(address: Option<IpAddr>) -> String {
    match address {
        Some(IpAddr::V4(a)) => {
            let [x, y, z, _] = a.octets();
            format!("{x}.{y}.{z}.0/24")
        }
        Some(IpAddr::V6(a)) => {
            let s = a.segments();
            format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
        }
        None => "an unknown network".into(),
    }
}

/// After a sign-in: a device or network the person has not used before raises an alert.
pub async fn signed_in(
    tx: &mut Tx,
    org: OrgId,
    user: UserId,
    email: &str,
    user_agent: &str,
    address: Option<IpAddr>,
) -> anyhow::Result<()> {
    let (device, network) = (crate::services::devices::device(user_agent), network(address));
    let fingerprint = crate::secret::hash(&format!("device:{device}|{network}"));
    let (new, had_any) = security_alerts::see_device(tx, user, &fingerprint).await?;
    if new && had_any {
        let detail = format!("{email} signed in from a new device or network: {device}, {network}");
        raise(tx, org, NEW_DEVICE, Some(user), &detail).await?;
    }
    Ok(())
}

pub async fn account_locked(
    state: &AppState,
    org: OrgId,
    user: UserId,
    email: &str,
    minutes: i64,
) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    let detail = format!("failed sign-ins locked {email} for {minutes} minutes");
    raise(&mut tx, org, ACCOUNT_LOCKED, Some(user), &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// The `alert.webhook` job: posts the alert to `JETSON_ALERT_WEBHOOK` (nothing to do without one).
pub async fn deliver(state: &AppState, job: &Claimed, worker: &str) -> anyhow::Result<()> {
    if let Some(url) = &state.settings.alert_webhook {
        let payload: Payload = serde_json::from_value(job.payload.clone())?;
        let res = state.http.post(url).json(&payload).send().await?;
        anyhow::ensure!(res.status().is_success(), "the alert webhook answered {}", res.status());
    }
    crate::queue::complete_alone(state, job, worker).await
}

/// The `alert.email` job: emails the alert to the organisation's owners and admins (nothing to do
/// without a mail server). A retry after a partial failure may send someone the alert twice,
/// which is better than not at all.
pub async fn email(state: &AppState, job: &Claimed, worker: &str) -> anyhow::Result<()> {
    if let Some(mailer) = &state.mailer {
        let payload: Payload = serde_json::from_value(job.payload.clone())?;
        let org = jetson_store::orgs::get(&state.db, payload.org).await?.name;
        let subject = format!("Jetson security alert for {org}: {}", payload.kind.replace('_', " "));
        let body = format!(
            "{}\n\nAt {} UTC. See Settings → Audit: {}/settings/audit\n\nYou receive this as an owner or admin of {org}.\n",
            payload.detail,
            payload.at.format("%Y-%m-%d %H:%M"),
            state.settings.public_base(),
        );
        let admins = jetson_store::users::members(&state.db, payload.org).await?;
        for admin in admins.iter().filter(|m| m.role.may(jetson_domain::Permission::ReadAudit)) {
            mailer.send(crate::mail::Email { to: &admin.email, subject: &subject, body: body.clone() }).await?;
        }
    }
    crate::queue::complete_alone(state, job, worker).await
}
