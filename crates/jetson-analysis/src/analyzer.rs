//! One conversation in, its analysis out: category, confidence, priority, explanation, and one
//! report per issue raised.

use jetson_domain::{Category, Priority};

use crate::classifier::{CLASSES, Classifier, Prediction, TrainOptions};
use crate::embedding_head::{self, EmbeddingHead};
use crate::priority::PriorityRules;
use crate::{split, text};

/// A segment must be at least this confident to count as a separate issue.
const SEGMENT_CONFIDENCE: f64 = 0.6;
const EXCERPT_CHARS: usize = 300;
const TITLE_CHARS: usize = 90;

/// The built-in model, trained by `jetson model train` on [`crate::corpus`] (a unit test checks
/// that this file is what training produces).
pub const BUILTIN_MODEL: &[u8] = include_bytes!("../data/model.bin");

/// The embedding tier's built-in head, trained by `jetson model train-head` on the same corpus's
/// all-MiniLM-L6-v2 embeddings. Used only when the tier is on.
pub const BUILTIN_EMBEDDING_HEAD: &[u8] = include_bytes!("../data/embedding_head.bin");

#[derive(Clone)]
pub struct Analyzer {
    /// Shared, so that a product's analyser with its own priorities costs no copy of the model.
    pub classifier: std::sync::Arc<Classifier>,
    pub priorities: PriorityRules,
    /// The embedding tier's head; its probabilities are mixed in when an embedding is given.
    pub head: Option<std::sync::Arc<EmbeddingHead>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IssueReport {
    pub category: Category,
    pub priority: Priority,
    /// A title for a new work item started by this report.
    pub title: String,
    /// The customer's words, shortened, for people to read.
    pub excerpt: String,
    /// The text the matcher compares.
    pub match_text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub category: Category,
    pub confidence: f64,
    pub priority: Priority,
    pub explanation: Vec<(String, f32)>,
    pub reports: Vec<IssueReport>,
}

impl Analyzer {
    /// The embedded default: the committed model file.
    pub fn builtin() -> Analyzer {
        Analyzer::with_classifier(
            Classifier::from_bytes(BUILTIN_MODEL).expect("the committed model loads (a unit test checks it)"),
        )
    }

    pub fn with_classifier(classifier: Classifier) -> Analyzer {
        Analyzer { classifier: std::sync::Arc::new(classifier), priorities: PriorityRules::default(), head: None }
    }

    /// The same model with other priority rules (a product's own definitions).
    pub fn with_priorities(&self, priorities: PriorityRules) -> Analyzer {
        Analyzer { priorities, ..self.clone() }
    }

    /// The same model with the embedding tier's head as a second opinion.
    pub fn with_head(&self, head: std::sync::Arc<EmbeddingHead>) -> Analyzer {
        Analyzer { head: Some(head), ..self.clone() }
    }

    /// The text a conversation is classified on; the embedding tier embeds exactly this.
    pub fn classified_text(subject: &str, messages: &[(i64, &str)]) -> String {
        let body: Vec<&str> = messages.iter().map(|(_, t)| *t).collect();
        format!("{}\n\n{}", clean_subject(subject), body.join("\n\n"))
    }

    /// The lexical model's prediction, mixed with the embedding head's when both the head and the
    /// text's embedding are there.
    pub fn predict(&self, text: &str, embedding: Option<&[f32]>) -> Prediction {
        let lexical = self.classifier.predict(text);
        let semantic = self.head.as_ref().zip(embedding).and_then(|(h, e)| h.probabilities(e));
        match semantic {
            Some(semantic) if !text.trim().is_empty() => {
                let p = embedding_head::mix(&lexical.probabilities, &semantic, embedding_head::SEMANTIC_SHARE);
                let best = (0..CLASSES.len()).max_by(|a, b| p[*a].total_cmp(&p[*b])).expect("three classes");
                Prediction { category: CLASSES[best], confidence: p[best], probabilities: p }
            }
            _ => lexical,
        }
    }

    /// Trains a model on the corpus plus extra examples (a product's own, which count
    /// `extra_weight` times). Deterministic: the same inputs give the same bytes.
    pub fn train(extra: &[(Category, String)], extra_weight: usize) -> Result<Classifier, String> {
        let mut examples: Vec<(Category, String)> =
            crate::corpus::examples()?.into_iter().map(|e| (e.category, e.text)).collect();
        for _ in 0..extra_weight {
            examples.extend(extra.iter().map(|(c, t)| (*c, text::clean_for_analysis(t))));
        }
        Ok(Classifier::train_calibrated(&examples, TrainOptions::default()))
    }

    /// Analyses a conversation from its subject and the customer's cleaned messages
    /// (`(sent at epoch ms, text)`). A human's category, when given, is kept.
    pub fn analyze(&self, subject: &str, messages: &[(i64, &str)], human: Option<Category>) -> Analysis {
        self.analyze_embedded(subject, messages, human, None)
    }

    /// [`Analyzer::analyze`] with the embedding of [`Analyzer::classified_text`], for the
    /// embedding tier's head.
    pub fn analyze_embedded(
        &self,
        subject: &str,
        messages: &[(i64, &str)],
        human: Option<Category>,
        embedding: Option<&[f32]>,
    ) -> Analysis {
        let full = Self::classified_text(subject, messages);
        let subject = clean_subject(subject);
        let body: Vec<&str> = messages.iter().map(|(_, t)| *t).collect();
        let pred = self.predict(&full, embedding);
        let category = human.unwrap_or(pred.category);
        let confidence = if human.is_some() { 1.0 } else { pred.confidence };

        let msgs: Vec<split::Message<'_>> =
            messages.iter().map(|(at, t)| split::Message { sent_at_ms: *at, text: t }).collect();
        let segments = split::segments(&msgs);
        let mut issues: Vec<(Category, String)> = Vec::new();
        if human.is_none() {
            for seg in &segments {
                // A segment has no title of its own.
                let p = self.classifier.predict(&format!("\n{seg}"));
                if p.category.is_actionable()
                    && p.confidence >= SEGMENT_CONFIDENCE
                    && seg.split_whitespace().count() >= 6
                {
                    match issues.last_mut() {
                        // Consecutive segments of the same kind are usually one issue told at length.
                        Some((c, text)) if *c == p.category && !split_marker(seg) => {
                            text.push('\n');
                            text.push_str(seg);
                        }
                        _ => issues.push((p.category, seg.clone())),
                    }
                }
            }
        }
        let reports: Vec<IssueReport> = if issues.len() >= 2 {
            issues
                .iter()
                .enumerate()
                .map(|(i, (c, seg))| {
                    let match_text = if i == 0 { format!("{subject}\n{subject}\n{seg}") } else { seg.clone() };
                    self.report(*c, &subject, seg, match_text, i == 0)
                })
                .collect()
        } else if category.is_actionable() {
            let words = body.join("\n\n");
            // Match on what states the problem: the subject (customers' own summary, so it counts
            // twice) and the first message; follow-ups are mostly "any update?".
            let first = body.first().copied().unwrap_or_default();
            let match_text = format!("{subject}\n{subject}\n{first}");
            vec![self.report(category, &subject, &words, match_text, true)]
        } else {
            Vec::new()
        };
        let priority = reports.iter().map(|r| r.priority).max().unwrap_or(Priority::Low);
        // A conversation that raises several issues is, first of all, its first issue.
        let category = match (issues.len() >= 2, reports.first()) {
            (true, Some(first)) => first.category,
            (_, Some(first)) if !category.is_actionable() => first.category,
            _ => category,
        };
        Analysis { category, confidence, priority, explanation: self.classifier.explain(&full, category, 8), reports }
    }

    fn report(&self, category: Category, subject: &str, words: &str, match_text: String, first: bool) -> IssueReport {
        IssueReport {
            category,
            priority: self.priorities.priority(category, &match_text),
            title: title_for(subject, words, first),
            excerpt: text::truncate(&words.replace('\n', " "), EXCERPT_CHARS),
            match_text,
        }
    }
}

/// Whether a segment was opened by an explicit new-topic marker (numbered point, "Also, …").
fn split_marker(seg: &str) -> bool {
    let t = seg.trim_start().to_lowercase();
    t.starts_with("also")
        || t.starts_with("another")
        || t.starts_with("p.s")
        || t.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// "Re: Fwd: Export broken" → "Export broken".
pub fn clean_subject(subject: &str) -> String {
    let mut s = subject.trim();
    loop {
        let lower = s.to_lowercase();
        let Some(prefix) = ["re:", "fwd:", "fw:", "aw:", "wg:", "tr:"].iter().find(|p| lower.starts_with(**p)) else {
            break;
        };
        s = s[prefix.len()..].trim_start();
    }
    s.to_string()
}

const GENERIC_SUBJECTS: &[&str] = &[
    "",
    "help",
    "question",
    "quick question",
    "issue",
    "problem",
    "support",
    "urgent",
    "bug",
    "hi",
    "hello",
    "hey",
    "feature request",
    "request",
    "suggestion",
    "feedback",
    "idea",
    "(no subject)",
    "no subject",
    "a problem",
    "an issue",
    "help needed",
    "need help",
    "small issue",
    "another issue",
    "two things",
    "a few things",
];

/// The subject if it says something; otherwise the first sentence of the customer's words.
fn title_for(subject: &str, words: &str, first: bool) -> String {
    let s = subject.trim().trim_end_matches(['!', '?', '.']).to_lowercase();
    if first && !GENERIC_SUBJECTS.contains(&s.as_str()) {
        return text::truncate(subject, TITLE_CHARS);
    }
    let sentence = text::sentences(words)
        .into_iter()
        .map(|s| {
            s.trim_start_matches(|c: char| {
                c == '-' || c == '*' || c.is_ascii_digit() || c == '.' || c == ')' || c == ' '
            })
        })
        .find(|s| s.split_whitespace().count() >= 3 && !announces_points(s))
        .unwrap_or(words);
    let sentence = strip_opener(sentence);
    let mut title = text::truncate(sentence.trim_end_matches(['.', '!', '?', ':']), TITLE_CHARS);
    if let Some(first_char) = title.chars().next() {
        title.replace_range(..first_char.len_utf8(), &first_char.to_uppercase().to_string());
    }
    title
}

/// "I have two things." / "A few questions:" announce what follows; they are not a title.
fn announces_points(sentence: &str) -> bool {
    let lower = sentence.to_lowercase();
    sentence.split_whitespace().count() <= 6
        && ["thing", "question", "issue", "point", "request"].iter().any(|w| lower.contains(w))
}

fn strip_opener(s: &str) -> &str {
    let lower = s.to_lowercase();
    for o in ["also, ", "also ", "another thing: ", "another thing, ", "p.s. ", "ps: ", "and ", "secondly, ", "btw, "] {
        if lower.starts_with(o) {
            return &s[o.len()..];
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzer() -> &'static Analyzer {
        static A: std::sync::OnceLock<Analyzer> = std::sync::OnceLock::new();
        A.get_or_init(Analyzer::builtin)
    }

    #[test]
    fn the_committed_model_is_what_training_produces() {
        let trained = Analyzer::train(&[], 0).unwrap().to_bytes();
        assert!(
            trained == BUILTIN_MODEL,
            "data/model.bin is stale: run `cargo run --release -- model train --out crates/jetson-analysis/data/model.bin`"
        );
    }

    #[test]
    fn a_bug_report_becomes_one_bug_report() {
        let a = analyzer().analyze(
            "Export broken",
            &[(0, "When I export my invoices to PDF the file is empty. It worked last week.")],
            None,
        );
        assert_eq!(a.category, Category::Bug);
        assert_eq!(a.reports.len(), 1);
        assert_eq!(a.reports[0].title, "Export broken");
    }

    #[test]
    fn a_thank_you_creates_no_work() {
        let a =
            analyzer().analyze("Re: your ticket", &[(0, "Thanks a lot, that solved it. Have a nice weekend!")], None);
        assert_eq!(a.category, Category::NoAction);
        assert!(a.reports.is_empty());
    }

    #[test]
    fn two_issues_in_one_message_become_two_reports() {
        let text = "1. The mobile app crashes every time I open the reports tab, it just closes.\n\
                    2. It would be great if you could add an option to export reports to Excel.";
        let a = analyzer().analyze("Two things", &[(0, text)], None);
        assert_eq!(a.reports.len(), 2, "{a:?}");
        assert_eq!(a.reports[0].category, Category::Bug);
        assert_eq!(a.reports[1].category, Category::Feature);
        assert!(a.reports[1].title.starts_with("It would be great"), "{}", a.reports[1].title);
    }

    #[test]
    fn a_human_category_is_kept() {
        let a = analyzer().analyze("Hello", &[(0, "How do I change my password?")], Some(Category::Bug));
        assert_eq!(a.category, Category::Bug);
        assert_eq!(a.confidence, 1.0);
        assert_eq!(a.reports.len(), 1);
    }

    #[test]
    fn subjects_lose_reply_prefixes() {
        assert_eq!(clean_subject("Re: Fwd: RE: Export"), "Export");
    }
}
