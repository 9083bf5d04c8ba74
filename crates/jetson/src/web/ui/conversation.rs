//! One conversation: the thread and the analysis beside it. By default each message shows its
//! redacted text (what analysis read: personal data replaced by placeholders). Owners and admins
//! may reveal the originals (sanitised HTML: scripts, event handlers and remote content removed);
//! each reveal is recorded in the audit trail, and it is a POST so that no link or prefetch
//! reveals anything.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use jetson_domain::{ConversationId, Permission};
use jetson_store::conversations::{self, Conversation};
use jetson_store::holds::StoredFlag;
use jetson_store::reports::{self, Report};

use super::{CsrfOnly, Layout, UiError, render};
use crate::services::import::{MESSAGE_BODY, SUBJECT};
use crate::services::need_to_know;
use crate::state::AppState;
use crate::web::caller::UiUser;
use crate::web::guards::{Allowed, CsrfForm, RevealOriginals};

pub struct ShownMessage {
    pub author: &'static str,
    pub author_name: String,
    pub sent: String,
    /// Sanitised HTML, safe to insert as is.
    pub html: String,
}

#[derive(Template)]
#[template(path = "conversation.html")]
struct ConversationPage {
    layout: Layout,
    conversation: Conversation,
    messages: Vec<ShownMessage>,
    reports: Vec<Report>,
    can_write: bool,
    can_reveal: bool,
    /// The originals are shown (after a recorded reveal).
    revealed: bool,
    /// The original subject line, when revealed and still kept.
    original_subject: Option<String>,
    flags: Vec<StoredFlag>,
}

/// Keeps formatting and links; drops scripts, styles, event handlers, images and anything else
/// that could run or phone home.
pub fn sanitize(body: &str) -> String {
    let html = if jetson_analysis::text::looks_like_html(body) {
        body.to_string()
    } else {
        html_escape_text(body).replace('\n', "<br>")
    };
    ammonia::Builder::default().rm_tags(["img"]).link_rel(Some("noopener noreferrer nofollow")).clean(&html).to_string()
}

fn html_escape_text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

pub async fn handler(State(state): State<AppState>, user: UiUser, Path(id): Path<String>) -> Result<Response, UiError> {
    show(&state, &user, parse_id(&id)?, false).await
}

/// Shows the original messages to an owner or admin, and records that they were seen.
pub async fn reveal(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<RevealOriginals>,
    Path(id): Path<String>,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    need_to_know::conversation(&state, &user, id).await?;
    let actor = user.actor();
    crate::services::actions::record_reveal(&state, user.org_id, id, actor).await?;
    show(&state, &user, id, true).await
}

fn parse_id(id: &str) -> Result<ConversationId, UiError> {
    id.parse().map_err(|_| UiError::bad_request("That is not a conversation id."))
}

async fn show(state: &AppState, user: &UiUser, id: ConversationId, revealed: bool) -> Result<Response, UiError> {
    let conversation = need_to_know::conversation(state, user, id).await?;
    let sealer = if revealed { Some(state.sealer().map_err(UiError::from)?) } else { None };
    let messages = conversations::messages(&state.db, user.org_id, id)
        .await?
        .into_iter()
        .map(|m| {
            let html = match sealer {
                Some(sealer) => sanitize(&original(sealer, &m.body_html)),
                None => html_escape_text(&m.analysis_text).replace('\n', "<br>"),
            };
            ShownMessage {
                author: m.author.as_str(),
                author_name: m.author_name,
                sent: m.created_at.format("%Y-%m-%d %H:%M").to_string(),
                html,
            }
        })
        .collect();
    let original_subject = match sealer {
        Some(sealer) => conversations::sealed_subject(&state.db, user.org_id, id)
            .await?
            .map(|s| original_of(sealer, SUBJECT, &s, "subject line")),
        None => None,
    };
    let reports = reports::for_conversation(&state.db, user.org_id, id).await?;
    let flags = conversation.screen_flags.as_ref().map(|f| f.0.clone()).unwrap_or_default();
    let page = ConversationPage {
        layout: Layout::new(user, "messages"),
        conversation,
        messages,
        reports,
        can_write: user.role.can_write(),
        can_reveal: user.role.may(Permission::RevealOriginals),
        revealed,
        original_subject,
        flags,
    };
    Ok(render(&page))
}

/// A stored body opened; bodies are sealed, and one that will not open says so instead.
fn original(sealer: &crate::sealed::Sealer, stored: &str) -> String {
    original_of(sealer, MESSAGE_BODY, stored, "message")
}

fn original_of(sealer: &crate::sealed::Sealer, purpose: &str, stored: &str, what: &str) -> String {
    if stored.is_empty() {
        return "(the original was deleted under the retention policy; the redacted text remains)".into();
    }
    if !stored.starts_with("v1.") {
        return stored.to_string();
    }
    sealer.open(purpose, stored).unwrap_or_else(|_| format!("(this {what} cannot be decrypted with the current key)"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn scripts_and_handlers_never_survive() {
        let out = super::sanitize(
            "<p onclick=\"x()\">Hi<script>alert(1)</script><img src=http://t/p.gif></p><a href=\"javascript:alert(1)\">l</a>",
        );
        assert!(
            !out.contains("script") && !out.contains("onclick") && !out.contains("img") && !out.contains("javascript"),
            "{out}"
        );
        assert_eq!(super::sanitize("1 < 2 & 3\nnext"), "1 &lt; 2 &amp; 3<br>next");
    }
}
