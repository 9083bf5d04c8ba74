//! Saving an organisation's choice of what replaces each kind of sensitive data (the choice
//! itself, and how it is applied, is [`crate::protect::Operators`]).

use jetson_domain::OrgId;
use jetson_privacy::{Kind, Operator};

/// Replaces the organisation's choices (kinds not listed get a placeholder) and records it.
pub async fn save(
    state: &crate::state::AppState,
    org: OrgId,
    choices: &[(Kind, Operator)],
    actor: crate::services::actions::Actor<'_>,
) -> anyhow::Result<()> {
    let rows: Vec<(String, String)> = choices
        .iter()
        .filter(|(_, op)| *op != Operator::Replace)
        .map(|(k, op)| (k.label().to_string(), op.as_str().to_string()))
        .collect();
    let mut tx = state.db.begin().await?;
    jetson_store::operators::set(&mut tx, org, &rows).await?;
    actor.record(&mut tx, org, "settings.privacy_operators", "organization", &serde_json::to_string(&rows)?).await?;
    tx.commit().await?;
    Ok(())
}
