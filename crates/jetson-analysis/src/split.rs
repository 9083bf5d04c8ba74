//! Splitting one conversation into the separate issues it raises.
//!
//! Candidate boundaries are paragraphs, numbered or bulleted points, sentences that open a new
//! topic ("Also, …", "Another thing …", "P.S."), and customer messages sent days apart. Whether two
//! segments really are different issues is decided by the analyzer, which classifies each one.

/// Customer messages this far apart start a new topic candidate (3 days, in milliseconds).
pub const DAYS_APART_MS: i64 = 3 * 24 * 60 * 60 * 1000;

const TOPIC_OPENERS: &[&str] = &[
    "also,",
    "also ",
    "another thing",
    "one more thing",
    "separately",
    "on another note",
    "unrelated",
    "p.s.",
    "ps:",
    "ps ",
    "additionally",
    "second,",
    "secondly",
    "by the way",
    "btw",
];

/// A customer message: when it was sent (epoch ms) and its cleaned text.
pub struct Message<'a> {
    pub sent_at_ms: i64,
    pub text: &'a str,
}

/// The candidate segments of a conversation, in order. Short fragments join their predecessor.
pub fn segments(messages: &[Message<'_>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut last_sent: Option<i64> = None;
    for m in messages {
        let new_topic_by_time = last_sent.is_some_and(|t| m.sent_at_ms - t >= DAYS_APART_MS);
        last_sent = Some(m.sent_at_ms);
        let mut first_in_message = true;
        for para in m.text.split("\n\n") {
            for piece in split_points(para) {
                let piece = piece.trim();
                if piece.is_empty() {
                    continue;
                }
                let starts_new = (first_in_message && new_topic_by_time) || opens_topic(piece) || is_point(piece);
                let short = piece.split_whitespace().count() < 6;
                match out.last_mut() {
                    Some(prev) if short && !starts_new => {
                        prev.push(' ');
                        prev.push_str(piece);
                    }
                    _ => out.push(piece.to_string()),
                }
                first_in_message = false;
            }
        }
    }
    // An opening fragment ("Two things:") belongs to what follows it.
    if out.len() >= 2 && out[0].split_whitespace().count() < 6 {
        let first = out.remove(0);
        out[0] = format!("{first} {}", out[0]);
    }
    out
}

/// Splits a paragraph at numbered or bulleted lines and at sentences that open a new topic.
fn split_points(para: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![String::new()];
    for line in para.lines() {
        if is_point(line) && !out.last().is_some_and(|s| s.is_empty()) {
            out.push(String::new());
        }
        for sentence in crate::text::sentences(line) {
            if opens_topic(sentence) && !out.last().is_some_and(|s| s.is_empty()) {
                out.push(String::new());
            }
            let cur = out.last_mut().expect("non-empty");
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(sentence);
        }
    }
    out
}

fn opens_topic(s: &str) -> bool {
    let lower = s.trim_start_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    TOPIC_OPENERS.iter().any(|o| lower.starts_with(o))
}

fn is_point(line: &str) -> bool {
    let t = line.trim_start();
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    (digits > 0 && digits <= 2 && matches!(t[digits..].chars().next(), Some('.') | Some(')')))
        || t.starts_with("- ")
        || t.starts_with("* ")
        || t.starts_with("• ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(text: &str) -> Vec<String> {
        segments(&[Message { sent_at_ms: 0, text }])
    }

    #[test]
    fn numbered_points_are_separate_segments() {
        let s = segs(
            "Two things:\n1. The export button does nothing at all.\n2. Could you add a dark mode for the editor?",
        );
        assert_eq!(s.len(), 2, "{s:?}");
        assert!(s[0].starts_with("Two things: 1."));
        assert!(s[1].contains("dark mode"));
    }

    #[test]
    fn also_opens_a_new_segment() {
        let s = segs(
            "The invoice PDF shows the wrong tax rate for Germany. Also, it would be great to have recurring invoices.",
        );
        assert_eq!(s.len(), 2, "{s:?}");
    }

    #[test]
    fn short_fragments_join_the_previous_segment() {
        let s = segs("The calendar sync stopped working yesterday evening.\n\nAny idea?");
        assert_eq!(s, vec!["The calendar sync stopped working yesterday evening. Any idea?"]);
    }

    #[test]
    fn a_message_days_later_is_a_new_segment() {
        let s = segments(&[
            Message { sent_at_ms: 0, text: "The weekly report email never arrives on Mondays." },
            Message { sent_at_ms: DAYS_APART_MS, text: "Different thing: the logo upload rejects PNG files." },
        ]);
        assert_eq!(s.len(), 2);
    }
}
