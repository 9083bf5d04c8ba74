//! The Help Scout account's shared state, kept in the database so every Jetson process agrees:
//! the per-minute request budget and the OAuth tokens (sealed).

use std::time::Duration;

use jetson_connectors::helpscout::{Account, RateHeaders, Tokens};
use jetson_domain::OrgId;
use jetson_store::{Db, helpscout, jobs::now_ms, rate_budgets};

use super::purpose;
use crate::sealed::Sealer;
use crate::state::AppState;

/// Help Scout's smallest plan allows 200 requests a minute; the headers tell the real figure.
const DEFAULT_LIMIT: i64 = 200;

pub struct DbAccount {
    db: Db,
    org: OrgId,
    sealer: Sealer,
    key: String,
}

impl DbAccount {
    pub fn new(state: &AppState, org: OrgId) -> anyhow::Result<DbAccount> {
        let sealer = state.sealer()?.clone();
        Ok(DbAccount { db: state.db.clone(), org, sealer, key: format!("helpscout:{org}") })
    }
}

impl Account for DbAccount {
    async fn reserve(&self, cost: u32) -> Result<Duration, String> {
        let wait = rate_budgets::reserve(&self.db, &self.key, cost.into(), DEFAULT_LIMIT, now_ms())
            .await
            .map_err(|e| e.to_string())?;
        Ok(Duration::from_millis(wait.max(0) as u64))
    }

    async fn observe(&self, seen: RateHeaders) -> Result<(), String> {
        if seen == RateHeaders::default() {
            return Ok(());
        }
        let (limit, remaining, retry) =
            (seen.limit.map(i64::from), seen.remaining.map(i64::from), seen.retry_after.map(i64::from));
        rate_budgets::observe(&self.db, &self.key, limit, remaining, retry, now_ms()).await.map_err(|e| e.to_string())
    }

    async fn save_tokens(&self, t: &Tokens) -> Result<(), String> {
        let access = self.sealer.seal(purpose::ACCESS_TOKEN, &t.access_token);
        let refresh = t.refresh_token.as_deref().map(|r| self.sealer.seal(purpose::REFRESH_TOKEN, r));
        helpscout::save_tokens(&self.db, self.org, &access, refresh.as_deref(), t.expires_at)
            .await
            .map_err(|e| e.to_string())
    }
}
