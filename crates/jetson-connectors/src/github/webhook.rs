//! Webhook deliveries, typed by their `X-GitHub-Event` header. Jetson acts on `issues` and
//! `release` events and answers `ping`; other events it is subscribed to by a wide hook (comments, labels) are read
//! enough to be acknowledged and otherwise left alone.

use serde::Deserialize;

use super::types::{Issue, Label, Release};

#[derive(Debug, Clone, Deserialize)]
pub struct RepoRef {
    pub id: u64,
    pub full_name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct InstallationRef {
    pub id: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct IssuesEvent {
    pub action: String,
    pub issue: Issue,
    pub repository: RepoRef,
    #[serde(default)]
    pub changes: Option<IssueChanges>,
    #[serde(default)]
    pub label: Option<Label>,
    #[serde(default)]
    pub installation: Option<InstallationRef>,
}

/// For `transferred`: where the issue went.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IssueChanges {
    #[serde(default)]
    pub new_issue: Option<Issue>,
    #[serde(default)]
    pub new_repository: Option<RepoRef>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Ping {
    #[serde(default)]
    pub zen: Option<String>,
    #[serde(default)]
    pub hook_id: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct IssueCommentEvent {
    pub action: String,
    pub issue: Issue,
    pub repository: RepoRef,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LabelEvent {
    pub action: String,
    pub label: Label,
    pub repository: RepoRef,
}

/// A release published (or created, edited, deleted…): Jetson acts on `published`.
#[derive(Debug, Clone, Deserialize)]
pub struct ReleaseEvent {
    pub action: String,
    pub release: Release,
    pub repository: RepoRef,
}

#[derive(Debug, Clone)]
pub enum Event {
    Ping(Ping),
    Issues(Box<IssuesEvent>),
    IssueComment(Box<IssueCommentEvent>),
    Label(LabelEvent),
    Release(Box<ReleaseEvent>),
    /// An event Jetson does not subscribe to; acknowledged and ignored.
    Other(String),
}

impl Event {
    /// Parses a delivery by its event name. A known event with a body that does not fit is an
    /// error (and the delivery is refused), so a changed payload is noticed, not half-applied.
    pub fn parse(event: &str, body: &[u8]) -> Result<Event, String> {
        let bad = |e: serde_json::Error| format!("a `{event}` delivery that Jetson cannot read: {e}");
        Ok(match event {
            "ping" => Event::Ping(serde_json::from_slice(body).map_err(bad)?),
            "issues" => Event::Issues(Box::new(serde_json::from_slice(body).map_err(bad)?)),
            "issue_comment" => Event::IssueComment(Box::new(serde_json::from_slice(body).map_err(bad)?)),
            "label" => Event::Label(serde_json::from_slice(body).map_err(bad)?),
            "release" => Event::Release(Box::new(serde_json::from_slice(body).map_err(bad)?)),
            other => Event::Other(other.to_string()),
        })
    }

    /// The repository the delivery is about, when it names one.
    pub fn repository(&self) -> Option<&str> {
        match self {
            Event::Issues(e) => Some(&e.repository.full_name),
            Event::IssueComment(e) => Some(&e.repository.full_name),
            Event::Label(e) => Some(&e.repository.full_name),
            Event::Release(e) => Some(&e.repository.full_name),
            Event::Ping(_) | Event::Other(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_that_does_not_fit_its_event_is_refused_and_unknown_events_pass() {
        assert!(Event::parse("issues", b"{\"action\":\"closed\"}").is_err());
        assert!(Event::parse("issues", b"not json").is_err());
        assert!(matches!(Event::parse("star", b"{}").unwrap(), Event::Other(e) if e == "star"));
        assert!(matches!(
            Event::parse("ping", b"{\"zen\":\"Keep it simple.\",\"hook_id\":1}").unwrap(),
            Event::Ping(_)
        ));
    }
}
