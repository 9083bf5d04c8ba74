//! Extractors that turn a page handler's checks into its signature, so that none can be forgotten:
//! [`CsrfForm`] (a form whose CSRF token matched the session's), [`Allowed`] (a person whose role
//! has a permission), [`Id`] (a typed id from the path), [`Visible`] (the object that id names,
//! loaded through need-to-know). A handler that takes them has been
//! checked before its first line runs.

use std::future::Future;
use std::marker::PhantomData;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use jetson_domain::{ConversationId, Permission, WorkItemId};
use jetson_store::StoreError;
use jetson_store::conversations::Conversation;
use jetson_store::work_items::WorkItem;
use serde::de::DeserializeOwned;

use crate::secret;
use crate::services::need_to_know;
use crate::state::AppState;
use crate::web::caller::UiUser;
use crate::web::page::UiError;

/// Refuses with 403, saying who may, unless the user's role has `permission` (the role table is
/// `jetson_domain::permissions::TABLE`).
fn require(user: &UiUser, permission: Permission) -> Result<(), UiError> {
    if user.role.may(permission) {
        return Ok(());
    }
    Err(UiError::forbidden(match permission {
        Permission::Write => "Your role can look but not change things.",
        Permission::RevealOriginals => "Only owners and admins may see original messages.",
        Permission::DecideHeld => "Only owners and admins review held conversations.",
        _ => "Only owners and admins can do this: integrations, settings and the audit trail are theirs.",
    }))
}

/// A permission, as a type: `Allowed<Write>`.
pub trait Needs: Send + Sync {
    const PERMISSION: Permission;
}

macro_rules! permission_types {
    ($($name:ident),*) => {$(
        #[doc = concat!("`Allowed<", stringify!($name), ">`: the role has `Permission::", stringify!($name), "`.")]
        pub struct $name;
        impl Needs for $name {
            const PERMISSION: Permission = Permission::$name;
        }
    )*};
}
permission_types!(Write, Administer, ManageMembers, ReadAudit, DecideHeld, RevealOriginals);

/// A signed-in person whose role has `P`'s permission; anyone else gets 403.
pub struct Allowed<P: Needs> {
    pub user: UiUser,
    permission: PhantomData<P>,
}

impl<P: Needs> FromRequestParts<AppState> for Allowed<P> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let user = UiUser::from_request_parts(parts, state).await?;
        require(&user, P::PERMISSION).map_err(IntoResponse::into_response)?;
        Ok(Allowed { user, permission: PhantomData })
    }
}

/// A posted form whose `csrf` field is the signed-in session's token. Refused with 403 (the form
/// expired) when it is not, and with 400 when the form does not parse.
pub struct CsrfForm<T>(pub T);

#[derive(serde::Deserialize)]
struct Token {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = UiUser::from_request_parts(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state).await.map_err(|e| {
            UiError::bad_request(format!("The form could not be read: {}", e.body_text())).into_response()
        })?;
        let sent: Token = serde_urlencoded::from_bytes(&bytes).unwrap_or(Token { csrf: String::new() });
        if !secret::equal(&user.csrf_token, &sent.csrf) {
            return Err(UiError::forbidden("The form expired. Go back, reload the page and try again.").into_response());
        }
        serde_urlencoded::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|e| UiError::bad_request(format!("The form is not complete: {e}.")).into_response())
    }
}

/// A typed id from the path (`/items/{id}`); anything that does not parse is a 400 page.
pub struct Id<T>(pub T);

impl<T: std::str::FromStr + Send> FromRequestParts<AppState> for Id<T> {
    type Rejection = UiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, UiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| UiError::bad_request("That address has no valid id."))?;
        raw.parse().map(Id).map_err(|_| UiError::bad_request("That is not a valid id."))
    }
}

/// An object named by the path's id that the signed-in person may see (need-to-know): a work item
/// or a conversation of a product they are not limited away from. Anything else is a 404, as if
/// it did not exist.
pub struct Visible<T>(pub T);

/// What [`Visible`] can load.
pub trait Loadable: Sized {
    type Id: std::str::FromStr + Send;
    fn load(state: &AppState, user: &UiUser, id: Self::Id) -> impl Future<Output = Result<Self, StoreError>> + Send;
}

impl Loadable for WorkItem {
    type Id = WorkItemId;
    async fn load(state: &AppState, user: &UiUser, id: WorkItemId) -> Result<WorkItem, StoreError> {
        need_to_know::work_item(state, user, id).await
    }
}

impl Loadable for Conversation {
    type Id = ConversationId;
    async fn load(state: &AppState, user: &UiUser, id: ConversationId) -> Result<Conversation, StoreError> {
        need_to_know::conversation(state, user, id).await
    }
}

impl<T: Loadable> FromRequestParts<AppState> for Visible<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let user = UiUser::from_request_parts(parts, state).await?;
        let Id(id) = Id::<T::Id>::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        T::load(state, &user, id).await.map(Visible).map_err(|e| UiError::from(e).into_response())
    }
}
