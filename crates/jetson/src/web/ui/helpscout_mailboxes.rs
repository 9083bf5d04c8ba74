//! Choosing which product each Help Scout mailbox feeds, and refreshing the mailbox list.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jetson_domain::{ProductId, ProductName};
use jetson_store::{helpscout as store, products};
use serde::Deserialize;

use super::CsrfOnly;
use super::UiError;
use super::integrations::page;
use crate::state::AppState;
use crate::web::guards::{Administer, Allowed, CsrfForm};

#[derive(Deserialize)]
pub struct LinkForm {
    /// A product id, `new` (a product named after the mailbox) or `none`.
    pub product: String,
}

pub async fn link(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    Path(mailbox): Path<i64>,
    CsrfForm(f): CsrfForm<LinkForm>,
) -> Result<Response, UiError> {
    let org = user.org_id;
    let Some(m) = store::mailboxes(&state.db, org).await?.into_iter().find(|m| m.mailbox_id == mailbox) else {
        return Err(UiError::bad_request("That mailbox is not in the list; refresh it."));
    };
    let mut tx = state.db.begin().await?;
    let product = match f.product.as_str() {
        "none" => None,
        "new" => {
            let name = ProductName::parse(&m.name).map_err(|e| UiError::bad_request(e.0))?;
            Some(products::get_or_create(&mut tx, org, &name).await?.id)
        }
        id => {
            let id: ProductId = id.parse().map_err(|_| UiError::bad_request("That is not a product."))?;
            Some(products::get_in_tx(&mut tx, org, id).await?.id)
        }
    };
    store::link_mailbox(&mut tx, org, mailbox, product).await?;
    let detail = match product {
        Some(p) => format!("\"{}\" feeds product:{p}", m.name),
        None => format!("\"{}\" feeds no product", m.name),
    };
    user.actor().record(&mut tx, org, "settings.mailbox", &format!("mailbox:{mailbox}"), &detail).await?;
    tx.commit().await?;
    Ok(Redirect::to("/settings/integrations?notice=linked").into_response())
}

pub async fn refresh(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    match crate::services::helpscout::connect::refresh_mailboxes(&state, user.org_id).await {
        Ok(_) => Ok(Redirect::to("/settings/integrations?notice=mailboxes").into_response()),
        Err(e) => page(&state, &user, Some(format!("The mailboxes could not be listed: {e:#}")), None).await,
    }
}
