//! The privacy boundary as a type. Text that is stored for analysis, becomes a work item's title or
//! description, or leaves the process (GitHub issues, model calls) is a [`RedactedText`], and only
//! this crate makes one from arbitrary text: by redacting it. A store function or request builder
//! that takes a `RedactedText` cannot be handed a raw subject by mistake; that is a compile error.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct RedactedText(String);

impl RedactedText {
    /// Only [`crate::Redactor`] calls this, on its own output.
    pub(crate) fn redacted(text: String) -> RedactedText {
        RedactedText(text)
    }

    /// Text read back from a column that is written only with `RedactedText` (the store's reads of
    /// subjects, analysis text, titles and excerpts). The one way in besides redaction: it is
    /// sound because the writes are typed, and it is named so that a search finds every use.
    pub fn from_redacted_column(text: String) -> RedactedText {
        RedactedText(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// This text followed by `own`: words Jetson wrote itself from no customer text, such as
    /// a link to the work item or the marker it finds its issues by. Kept out of redaction because
    /// recognizers would take a host's IP address or an id's digits for personal data.
    pub fn followed_by_own(mut self, own: &str) -> RedactedText {
        self.0.push_str(own);
        self
    }
}

impl fmt::Display for RedactedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for RedactedText {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for RedactedText {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}
