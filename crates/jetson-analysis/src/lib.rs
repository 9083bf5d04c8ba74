//! Pure, synchronous, deterministic analysis: no IO, no async, no database.
//!
//! The path of a conversation's text through this crate:
//! [`text::html_to_text`] → [`text::clean_for_analysis`] (quotes, signatures and greetings removed) →
//! [`Analyzer::analyze`], which classifies ([`classifier`]), splits into issues ([`split`]) and
//! rates priority ([`priority`]). Reports are then grouped into work items by [`matcher::MatchIndex`].
//! [`metrics`] scores all of it against labelled data.

pub mod classifier;
pub mod corpus;
pub mod embedding_head;
pub mod features;
pub mod matcher;
pub mod metrics;
pub mod priority;
pub mod split;
pub mod text;
pub mod threshold;

mod analyzer;

pub use analyzer::{Analysis, Analyzer, BUILTIN_EMBEDDING_HEAD, BUILTIN_MODEL, IssueReport, clean_subject};
pub use classifier::{Classifier, Prediction};
