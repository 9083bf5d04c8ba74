//! CSV: one message per row with columns `id, subject, customer_email, customer_name, created_at,
//! body` (and optionally `author`: customer, agent or note), grouped into conversations by `id`.

use std::collections::HashMap;

use jetson_domain::{Author, Email};

use super::{Imported, ImportedMessage, Parsed, RecordError, dates};

const REQUIRED: [&str; 6] = ["id", "subject", "customer_email", "customer_name", "created_at", "body"];

pub fn parse(content: &str) -> Parsed {
    let mut parsed = Parsed { conversations: Vec::new(), errors: Vec::new() };
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::Headers).from_reader(content.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            parsed.errors.push(RecordError {
                line: 1,
                field: String::new(),
                message: format!("unreadable header: {e}"),
            });
            return parsed;
        }
    };
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|c| col(c).is_none()).collect();
    if !missing.is_empty() {
        parsed.errors.push(RecordError {
            line: 1,
            field: missing.join(", "),
            message: "required column is missing".into(),
        });
        return parsed;
    }
    let idx: HashMap<&str, usize> = REQUIRED.iter().map(|c| (*c, col(c).expect("checked"))).collect();
    let author_col = col("author");
    let mut order: Vec<String> = Vec::new();
    let mut by_id: HashMap<String, Imported> = HashMap::new();
    // Lines counted from the record's byte offset, as the file has them: the reader's own count
    // is one short on CRLF files.
    let (mut line, mut counted_to) = (1usize, 0usize);
    for (row_no, record) in reader.records().enumerate() {
        let at = match &record {
            Ok(r) => r.position().map(|p| p.byte() as usize),
            Err(e) => e.position().map(|p| p.byte() as usize),
        };
        // After a CRLF the reader's offset is that of the LF: the record starts past it.
        let at =
            at.map(|at| at + content.as_bytes()[at.min(content.len())..].iter().take_while(|b| **b == b'\n').count());
        let line = match at.filter(|at| *at >= counted_to && *at <= content.len()) {
            Some(at) => {
                line += content.as_bytes()[counted_to..at].iter().filter(|b| **b == b'\n').count();
                counted_to = at;
                line
            }
            None => row_no + 2,
        };
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                parsed.errors.push(RecordError { line, field: String::new(), message: format!("unreadable row: {e}") });
                continue;
            }
        };
        let get = |c: &str| record.get(idx[c]).unwrap_or_default().trim();
        let fail = |field: &str, message: String| RecordError { line, field: field.into(), message };
        let id = get("id");
        if id.is_empty() {
            parsed.errors.push(fail("id", "is empty".into()));
            continue;
        }
        let email = match Email::parse(get("customer_email")) {
            Ok(e) => e,
            Err(e) => {
                parsed.errors.push(fail("customer_email", e.0));
                continue;
            }
        };
        let created_at = match dates::parse(get("created_at")) {
            Ok(d) => d,
            Err(m) => {
                parsed.errors.push(fail("created_at", m));
                continue;
            }
        };
        let author = match author_col.map(|i| record.get(i).unwrap_or_default().trim().to_ascii_lowercase()) {
            None => Author::Customer,
            Some(a) if a.is_empty() => Author::Customer,
            Some(a) => match Author::parse(&a) {
                Ok(a) => a,
                Err(e) => {
                    parsed.errors.push(fail("author", e.0));
                    continue;
                }
            },
        };
        let body = get("body");
        if body.is_empty() {
            parsed.errors.push(fail("body", "is empty".into()));
            continue;
        }
        let conv = by_id.entry(id.to_string()).or_insert_with(|| {
            order.push(id.to_string());
            Imported {
                external_id: id.to_string(),
                subject: get("subject").to_string(),
                status: "active".into(),
                tags: Vec::new(),
                customer_email: email.clone(),
                customer_name: get("customer_name").to_string(),
                created_at,
                messages: Vec::new(),
            }
        });
        let author_name = if author == Author::Customer { get("customer_name").to_string() } else { "Support".into() };
        conv.messages.push(ImportedMessage {
            external_id: format!("row-{}", conv.messages.len() + 1),
            author,
            author_name,
            body: body.to_string(),
            created_at,
        });
    }
    for id in order {
        let mut c = by_id.remove(&id).expect("every ordered id was inserted");
        c.messages.sort_by_key(|m| m.created_at);
        c.created_at = c.messages.first().map_or(c.created_at, |m| m.created_at);
        parsed.conversations.push(c);
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_group_into_conversations_and_bad_rows_are_reported() {
        let csv = "id,subject,customer_email,customer_name,created_at,body\n\
                   1,Export,ann@acme.io,Ann,2026-01-01 10:00:00,\"It is\nbroken\"\n\
                   2,Hi,not-an-email,Bob,2026-01-01,Hello\n\
                   1,Export,ann@acme.io,Ann,2026-01-02 10:00:00,Still broken\n";
        let p = parse(csv);
        assert_eq!(p.conversations.len(), 1);
        assert_eq!(p.conversations[0].messages.len(), 2);
        assert_eq!(p.errors.len(), 1);
        assert_eq!((p.errors[0].line, p.errors[0].field.as_str()), (4, "customer_email"));
    }

    #[test]
    fn lines_are_the_files_own_with_crlf_endings_too() {
        let rows = [
            "id,subject,customer_email,customer_name,created_at,body",
            "1,Export,ann@acme.io,Ann,2026-01-01 10:00:00,\"It is\r\nbroken\"",
            "2,Hi,not-an-email,Bob,2026-01-01,Hello",
            "3,Hi,bo@acme.io,Bo,yesterday-ish,Hello",
        ];
        for ending in ["\n", "\r\n"] {
            let p = parse(&rows.join(ending));
            let lines: Vec<usize> = p.errors.iter().map(|e| e.line).collect();
            assert_eq!(lines, vec![4, 5], "with {ending:?} endings");
        }
    }

    #[test]
    fn a_missing_column_is_named() {
        let p = parse("id,subject\n1,x\n");
        assert!(p.errors[0].field.contains("customer_email"));
        assert!(p.conversations.is_empty());
    }
}
