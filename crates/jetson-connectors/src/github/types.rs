//! What GitHub sends, as far as Jetson reads it. Unknown fields are ignored (GitHub adds them);
//! fields that some objects or older payloads leave out are optional.

use chrono::{DateTime, Utc};
use jetson_privacy::RedactedText;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Issue {
    pub id: u64,
    pub number: u64,
    pub title: String,
    #[serde(default)]
    pub body: Option<String>,
    /// `open` or `closed`; left out of some trimmed payloads (`pinned`), where it is not news.
    #[serde(default)]
    pub state: Option<String>,
    /// `completed`, `not_planned` or `reopened`; absent in payloads from before 2022.
    #[serde(default)]
    pub state_reason: Option<String>,
    pub html_url: String,
    #[serde(default)]
    pub labels: Vec<Label>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub closed_at: Option<DateTime<Utc>>,
    /// Present when this "issue" is a pull request (the issues API lists both).
    #[serde(default)]
    pub pull_request: Option<serde_json::Value>,
}

impl Issue {
    pub fn is_pull_request(&self) -> bool {
        self.pull_request.is_some()
    }

    pub fn is_closed(&self) -> bool {
        self.state.as_deref() == Some("closed")
    }

    pub fn label_names(&self) -> Vec<String> {
        self.labels.iter().map(|l| l.name.clone()).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Label {
    pub name: String,
    #[serde(default)]
    pub color: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SearchResults<T> {
    pub total_count: u64,
    pub incomplete_results: bool,
    pub items: Vec<T>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Repository {
    pub id: u64,
    pub full_name: String,
    #[serde(default)]
    pub private: bool,
    #[serde(default)]
    pub has_issues: Option<bool>,
    #[serde(default)]
    pub permissions: Option<Permissions>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Permissions {
    #[serde(default)]
    pub admin: bool,
    #[serde(default)]
    pub push: bool,
    #[serde(default)]
    pub pull: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub login: String,
    pub id: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Release {
    pub id: u64,
    pub tag_name: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub prerelease: bool,
    #[serde(default)]
    pub published_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub html_url: Option<String>,
}

impl Release {
    /// What people call the release: its name, else its tag.
    pub fn title(&self) -> &str {
        self.name.as_deref().filter(|n| !n.trim().is_empty()).unwrap_or(&self.tag_name)
    }
}

/// One entry of `/issues/{n}/events`; a `closed` event carries the commit that closed the issue
/// (a merged pull request's merge commit, or a pushed "fixes #n").
#[derive(Debug, Clone, Deserialize)]
pub struct IssueEvent {
    pub event: String,
    #[serde(default)]
    pub commit_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// `/compare/{base}...{head}`: `behind` or `identical` means head is already in base.
#[derive(Debug, Clone, Deserialize)]
pub struct Comparison {
    pub status: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Comment {
    pub id: u64,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Hook {
    pub id: u64,
    #[serde(default)]
    pub active: bool,
    #[serde(default)]
    pub events: Vec<String>,
    #[serde(default)]
    pub config: Option<HookConfig>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct HookConfig {
    #[serde(default)]
    pub url: Option<String>,
}

/// `POST /app/installations/{id}/access_tokens`.
#[derive(Debug, Clone, Deserialize)]
pub struct InstallationToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// An error body: `{"message": …, "errors": [...], "documentation_url": …}`.
#[derive(Debug, Clone, Deserialize)]
pub struct ApiError {
    pub message: String,
    #[serde(default)]
    pub errors: Vec<serde_json::Value>,
    #[serde(default)]
    pub documentation_url: Option<String>,
}

impl ApiError {
    /// The message and what each listed error says about which field.
    pub fn describe(&self) -> String {
        let details: Vec<String> = self
            .errors
            .iter()
            .map(|e| {
                let field = e.get("field").and_then(|f| f.as_str());
                let code = e.get("code").and_then(|c| c.as_str());
                let message = e.get("message").and_then(|m| m.as_str());
                match (field, code, message) {
                    (_, _, Some(m)) => m.to_string(),
                    (Some(f), Some(c), None) => format!("{f}: {c}"),
                    _ => e.to_string(),
                }
            })
            .collect();
        if details.is_empty() { self.message.clone() } else { format!("{} ({})", self.message, details.join("; ")) }
    }
}

/// What Jetson sends to create an issue: redacted text only (see [`RedactedText`]).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NewIssue {
    pub title: RedactedText,
    pub body: RedactedText,
    pub labels: Vec<String>,
}
