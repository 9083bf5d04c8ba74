//! What Help Scout sends, as far as Jetson reads it. Unknown fields are ignored (Help Scout adds
//! them); fields Help Scout leaves out on some objects are optional.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// A page of any list: `_embedded.<collection>`, `_links`, and `page`. An empty list has no
/// `_embedded` at all.
#[derive(Debug, Clone, Deserialize)]
pub struct Page {
    #[serde(rename = "_embedded", default)]
    pub embedded: Map<String, Value>,
    #[serde(rename = "_links", default)]
    pub links: Links,
    pub page: Option<PageInfo>,
}

impl Page {
    /// The items of `collection`, each parsed as `T`; the raw objects come along so that callers
    /// can keep what they do not model.
    pub fn items<T: DeserializeOwned>(&self, collection: &str) -> Result<Vec<(T, Value)>, String> {
        let Some(list) = self.embedded.get(collection) else { return Ok(Vec::new()) };
        let list = list.as_array().ok_or_else(|| format!("_embedded.{collection} is not a list"))?;
        list.iter()
            .enumerate()
            .map(|(i, v)| {
                T::deserialize(v).map(|t| (t, v.clone())).map_err(|e| format!("_embedded.{collection}[{i}]: {e}"))
            })
            .collect()
    }

    /// The raw objects of `collection`, unparsed, so that one odd item does not sink the page.
    pub fn raw_items(&self, collection: &str) -> Result<Vec<Value>, String> {
        match self.embedded.get(collection) {
            None => Ok(Vec::new()),
            Some(Value::Array(list)) => Ok(list.clone()),
            Some(_) => Err(format!("_embedded.{collection} is not a list")),
        }
    }

    pub fn next(&self) -> Option<&str> {
        self.links.next.as_ref().map(|l| l.href.as_str())
    }

    /// A last page sometimes still links a `next` past the end; the page numbers tell.
    pub fn is_last(&self) -> bool {
        match &self.page {
            Some(p) => p.number >= p.total_pages || self.next().is_none(),
            None => self.next().is_none(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Links {
    pub next: Option<Link>,
    #[serde(rename = "self")]
    pub this: Option<Link>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Link {
    pub href: String,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub size: u64,
    pub total_elements: u64,
    pub total_pages: u64,
    pub number: u64,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Mailbox {
    pub id: u64,
    pub name: String,
    pub email: Option<String>,
    pub slug: Option<String>,
}

/// The parts of a conversation that decide what to do with it; the words are read from the raw
/// object by the importer.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    pub id: u64,
    pub number: Option<u64>,
    pub subject: Option<String>,
    pub status: Option<String>,
    pub state: Option<String>,
    pub mailbox_id: Option<u64>,
    pub created_at: Option<String>,
    pub user_updated_at: Option<String>,
    pub closed_at: Option<String>,
    pub primary_customer: Option<Person>,
    pub created_by: Option<Person>,
    #[serde(default)]
    pub tags: Vec<ConversationTag>,
    #[serde(rename = "_embedded")]
    pub embedded: Option<ConversationEmbedded>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ConversationEmbedded {
    #[serde(default)]
    pub threads: Vec<Thread>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ConversationTag {
    pub id: Option<u64>,
    pub tag: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Thread {
    pub id: u64,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub status: Option<String>,
    pub body: Option<String>,
    pub created_at: Option<String>,
    pub created_by: Option<Person>,
    pub customer: Option<Person>,
}

/// A customer or user as embedded in conversations and threads (often only an id).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Person {
    pub id: Option<u64>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub first: Option<String>,
    pub last: Option<String>,
    pub email: Option<String>,
}

/// A customer as `/v2/customers` returns it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub id: u64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub organization: Option<String>,
    pub created_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Tag {
    pub id: u64,
    pub name: String,
    pub slug: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Webhook {
    pub id: u64,
    pub url: String,
    pub state: String,
    #[serde(default)]
    pub events: Vec<String>,
}

/// Help Scout's error body: a message, a log reference, and per-field errors on validation.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    pub log_ref: Option<String>,
    pub message: Option<String>,
    #[serde(rename = "_embedded")]
    pub embedded: Option<ApiErrorDetails>,
    /// The OAuth endpoint answers `{status, message}`; others `{error, error_description}`.
    pub error: Option<String>,
    #[serde(rename = "error_description")]
    pub error_description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct ApiErrorDetails {
    #[serde(default)]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct FieldError {
    pub path: Option<String>,
    pub message: String,
}

impl ApiError {
    /// One line a person can read: the message, the fields at fault, and Help Scout's reference.
    pub fn describe(&self) -> String {
        let mut out = self
            .message
            .clone()
            .or_else(|| self.error_description.clone())
            .or_else(|| self.error.clone())
            .unwrap_or_else(|| "no explanation given".into());
        if let Some(details) = &self.embedded {
            for e in &details.errors {
                out.push_str(&format!("; {}: {}", e.path.as_deref().unwrap_or("request"), e.message));
            }
        }
        if let Some(r) = &self.log_ref {
            out.push_str(&format!(" (Help Scout reference {r})"));
        }
        out
    }
}

/// The token endpoint's answer. Client-credentials tokens come without a refresh token.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct TokenResponse {
    pub token_type: String,
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: u64,
}
