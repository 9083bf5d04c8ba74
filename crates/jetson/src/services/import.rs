//! Importing conversations from files: Help Scout Mailbox API v2 conversation objects (a JSON array
//! or one object per line) and CSV. Parsing never stops at a bad record: each one is reported with
//! its line and field and skipped, and the rest is imported. Writing is batched: each batch of
//! conversations commits together with the job that will analyse it.

mod csv_file;
mod dates;
pub mod helpscout;
mod write;

use chrono::{DateTime, Utc};
use jetson_domain::{Author, Email};

pub use crate::protect::SUBJECT;
pub use write::{MESSAGE_BODY, Progress, Summary, write, write_batch};

/// A conversation as read from any source, before it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub external_id: String,
    pub subject: String,
    pub status: String,
    pub tags: Vec<String>,
    pub customer_email: Email,
    pub customer_name: String,
    pub created_at: DateTime<Utc>,
    pub messages: Vec<ImportedMessage>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportedMessage {
    pub external_id: String,
    pub author: Author,
    pub author_name: String,
    /// HTML or plain text, as received.
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A record that could not be read: where, which field, and what was wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordError {
    pub line: usize,
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            write!(f, "line {}: field `{}`: {}", self.line, self.field, self.message)
        }
    }
}

pub struct Parsed {
    pub conversations: Vec<Imported>,
    pub errors: Vec<RecordError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    HelpScoutJson,
    Csv,
}

impl Format {
    /// By extension, then by content: JSON starts with `[` or `{`.
    pub fn detect(path: &std::path::Path, content: &str) -> Format {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("csv") => Format::Csv,
            Some("json" | "jsonl" | "ndjson") => Format::HelpScoutJson,
            _ if content.trim_start().starts_with(['[', '{']) => Format::HelpScoutJson,
            _ => Format::Csv,
        }
    }
}

pub fn parse(format: Format, content: &str) -> Parsed {
    parse_with_progress(format, content, &mut |_, _| {})
}

/// [`parse`], calling `progress(records read, records)` as it goes (JSON records; a CSV is read
/// in one go).
pub fn parse_with_progress(format: Format, content: &str, progress: &mut dyn FnMut(usize, usize)) -> Parsed {
    match format {
        Format::HelpScoutJson => helpscout::parse(content, progress),
        Format::Csv => csv_file::parse(content),
    }
}
