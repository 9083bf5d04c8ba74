//! One conversation: the thread as written (sanitised HTML: scripts, event handlers and remote
//! content removed) and the analysis beside it.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use jetson_domain::ConversationId;
use jetson_store::conversations::{self, Conversation};
use jetson_store::reports::{self, Report};

use super::{Layout, UiError, render};
use crate::auth::UiUser;
use crate::state::AppState;

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
    let id: ConversationId = id.parse().map_err(|_| UiError::bad_request("That is not a conversation id."))?;
    let conversation = conversations::get(&state.db, user.org_id, id).await?;
    let messages = conversations::messages(&state.db, user.org_id, id)
        .await?
        .into_iter()
        .map(|m| ShownMessage {
            author: m.author.as_str(),
            author_name: m.author_name,
            sent: m.created_at.format("%Y-%m-%d %H:%M").to_string(),
            html: sanitize(&m.body_html),
        })
        .collect();
    let reports = reports::for_conversation(&state.db, user.org_id, id).await?;
    let page = ConversationPage {
        layout: Layout::new(&user, "messages"),
        conversation,
        messages,
        reports,
        can_write: user.role.can_write(),
    };
    Ok(render(&page))
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
