//! Need-to-know: a member or viewer may be limited to some of the organisation's products
//! (Settings → Members). Lists filter in SQL through `visible_to`; a single object of another
//! product is fetched through the functions here, which answer "not found" exactly as for another
//! organisation's object, so its existence is not revealed either.

use jetson_domain::{ConversationId, OrgId, ProductAccess, ProductId, ReportId, UserId, WorkItemId};
use jetson_store::conversations::{self, Conversation};
use jetson_store::work_items::{self, WorkItem};
use jetson_store::{StoreError, reports};

use crate::state::AppState;

/// A caller, UI or API, with the products they see.
pub trait SeesProducts {
    fn org(&self) -> OrgId;
    fn user(&self) -> UserId;
    fn access(&self) -> &ProductAccess;

    /// For list filters (`visible_to`): this person when they are limited to some products.
    fn visible_to(&self) -> Option<UserId> {
        self.access().is_limited().then(|| self.user())
    }

    fn sees(&self, product: ProductId) -> bool {
        self.access().allows(product)
    }
}

fn seen<T>(who: &impl SeesProducts, product: ProductId, object: T) -> Result<T, StoreError> {
    if who.sees(product) { Ok(object) } else { Err(StoreError::NotFound) }
}

pub async fn work_item(state: &AppState, who: &impl SeesProducts, id: WorkItemId) -> Result<WorkItem, StoreError> {
    let item = work_items::get(&state.db, who.org(), id).await?;
    seen(who, item.product_id, item)
}

pub async fn conversation(
    state: &AppState,
    who: &impl SeesProducts,
    id: ConversationId,
) -> Result<Conversation, StoreError> {
    let conversation = conversations::get(&state.db, who.org(), id).await?;
    seen(who, conversation.product_id, conversation)
}

/// Checks that the report's work item is one this person sees.
pub async fn report(state: &AppState, who: &impl SeesProducts, id: ReportId) -> Result<(), StoreError> {
    let mut tx = state.db.begin().await?;
    let item = reports::work_item_of(&mut tx, who.org(), id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    work_item(state, who, item).await.map(|_| ())
}

/// The organisation's products this person sees, for menus and filters.
pub async fn products(
    state: &AppState,
    who: &impl SeesProducts,
) -> Result<Vec<jetson_store::products::Product>, StoreError> {
    let all = jetson_store::products::list(&state.db, who.org()).await?;
    Ok(all.into_iter().filter(|p| who.sees(p.id)).collect())
}
