//! Help Scout Mailbox API v2 conversation objects with `_embedded.threads`.
//!
//! Read field by field from `serde_json::Value` rather than derived structs, so that an error can
//! name the exact field, and unknown fields (Help Scout adds them) are ignored.

use jetson_domain::{Author, Email};
use serde_json::Value;

use super::{Imported, ImportedMessage, Parsed, RecordError, dates};

pub fn parse(content: &str, progress: &mut dyn FnMut(usize, usize)) -> Parsed {
    let mut parsed = Parsed { conversations: Vec::new(), errors: Vec::new() };
    let records = match split_records(content) {
        Ok((records, not_objects)) => {
            parsed.errors = not_objects;
            records
        }
        Err(e) => {
            parsed.errors.push(e);
            return parsed;
        }
    };
    let total = records.len();
    for (n, (line, text)) in records.into_iter().enumerate() {
        let result = serde_json::from_str::<Value>(text)
            .map_err(|e| RecordError {
                line: line + e.line().saturating_sub(1),
                field: String::new(),
                message: format!("invalid JSON: {e}"),
            })
            .and_then(|v| conversation(&v).map_err(|(field, message)| RecordError { line, field, message }));
        match result {
            Ok(c) => parsed.conversations.push(c),
            Err(e) => parsed.errors.push(e),
        }
        if (n + 1) % 1000 == 0 || n + 1 == total {
            progress(n + 1, total);
        }
    }
    parsed.errors.sort_by_key(|e| e.line);
    parsed
}

/// Records with the line each starts on, and the array elements that were not records.
type Split<'a> = (Vec<(usize, &'a str)>, Vec<RecordError>);

/// The top-level records with the line each starts on: the elements of a JSON array, or one
/// object per non-empty line. Elements of an array that are not objects or arrays (strings,
/// numbers, `null`…) are reported, not dropped. One pass, lines counted as it goes.
fn split_records(content: &str) -> Result<Split<'_>, RecordError> {
    let trimmed = content.trim_start();
    // One (possibly pretty-printed) object is one record.
    if trimmed.starts_with('{') && serde_json::from_str::<Value>(content).is_ok_and(|v| v.is_object()) {
        let line = content.len() - trimmed.len();
        return Ok((vec![(content[..line].matches('\n').count() + 1, trimmed)], Vec::new()));
    }
    if !trimmed.starts_with('[') {
        let lines = content.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).map(|(i, l)| (i + 1, l));
        return Ok((lines.collect(), Vec::new()));
    }
    // Walk the array tracking strings and nesting, so one malformed element stays one error.
    let base = content.len() - trimmed.len();
    let bytes = content.as_bytes();
    let (mut depth, mut in_string, mut escaped, mut in_scalar) = (0usize, false, false, false);
    let mut start: Option<(usize, usize)> = None;
    let mut out = Vec::new();
    let mut not_objects = Vec::new();
    let mut line = content[..base].matches('\n').count() + 1;
    let mut not_an_object = |line: usize, what: &str| {
        not_objects.push(RecordError {
            line,
            field: String::new(),
            message: format!("{what} in the array is not a conversation object; skipped"),
        })
    };
    for (i, &b) in bytes.iter().enumerate().skip(base) {
        if b == b'\n' {
            line += 1;
        }
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                if depth == 1 {
                    not_an_object(line, "a string");
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth == 2 {
                    start = Some((i, line));
                }
            }
            b']' | b'}' => {
                if depth == 2
                    && let Some((s, at)) = start.take()
                {
                    out.push((at, &content[s..=i]));
                }
                depth = depth.saturating_sub(1);
                in_scalar = false;
            }
            b',' => in_scalar = false,
            _ if b.is_ascii_whitespace() => {}
            _ if depth == 1 && !in_scalar => {
                in_scalar = true;
                let what = match b {
                    b'n' => "a null",
                    b't' | b'f' => "a true or false",
                    _ => "a number",
                };
                not_an_object(line, what);
            }
            _ => {}
        }
    }
    if depth != 0 || in_string {
        return Err(RecordError {
            line,
            field: String::new(),
            message: "the JSON array is not closed (truncated file?)".into(),
        });
    }
    Ok((out, not_objects))
}

/// `(field, what is wrong with it)`.
pub type FieldResult<T> = Result<T, (String, String)>;

fn missing(field: &str) -> (String, String) {
    (field.to_string(), "is missing".to_string())
}

fn id_of(v: &Value, field: &str) -> FieldResult<String> {
    match v.get(field) {
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Some(_) => Err((field.into(), "must be a number or a non-empty string".into())),
        None => Err(missing(field)),
    }
}

fn str_of<'a>(v: &'a Value, field: &str) -> Option<&'a str> {
    v.get(field).and_then(Value::as_str)
}

fn person_name(p: &Value) -> String {
    let first = str_of(p, "first").unwrap_or_default();
    let last = str_of(p, "last").unwrap_or_default();
    format!("{first} {last}").trim().to_string()
}

fn date_of(v: &Value, field: &str, path: &str) -> FieldResult<chrono::DateTime<chrono::Utc>> {
    let s = str_of(v, field).ok_or_else(|| missing(path))?;
    dates::parse(s).map_err(|m| (path.to_string(), m))
}

/// One Help Scout conversation object (with `_embedded.threads`) as an import; an error names the
/// field at fault.
pub fn conversation(v: &Value) -> FieldResult<Imported> {
    if !v.is_object() {
        return Err((String::new(), "expected a conversation object".into()));
    }
    let external_id = id_of(v, "id")?;
    let created_at = date_of(v, "createdAt", "createdAt")?;
    let threads = v
        .get("_embedded")
        .and_then(|e| e.get("threads"))
        .and_then(Value::as_array)
        .ok_or_else(|| missing("_embedded.threads"))?;

    // The customer: primaryCustomer, else the creator when a customer, else a customer thread's.
    let candidates = [
        v.get("primaryCustomer"),
        v.get("customer"),
        v.get("createdBy").filter(|c| str_of(c, "type") == Some("customer")),
    ];
    let from_threads = threads.iter().filter_map(|t| t.get("customer"));
    let customer = candidates.into_iter().flatten().chain(from_threads).find(|c| str_of(c, "email").is_some());
    let customer = customer.ok_or_else(|| missing("primaryCustomer.email"))?;
    let customer_email = Email::parse(str_of(customer, "email").unwrap_or_default())
        .map_err(|e| ("primaryCustomer.email".to_string(), e.0))?;
    let customer_name = person_name(customer);

    let mut messages = Vec::new();
    for (i, t) in threads.iter().enumerate() {
        let path = |f: &str| format!("_embedded.threads[{i}].{f}");
        let kind = str_of(t, "type").ok_or_else(|| (path("type"), "is missing".to_string()))?;
        let created_by = t.get("createdBy");
        let by_customer = created_by.and_then(|c| str_of(c, "type")) == Some("customer");
        let author = match kind {
            "customer" => Author::Customer,
            "message" | "reply" => Author::Agent,
            "note" => Author::Note,
            "chat" | "phone" if by_customer => Author::Customer,
            "chat" | "phone" => Author::Agent,
            _ => continue, // line items, merges, forwards: events, not words
        };
        let Some(body) = str_of(t, "body") else { continue };
        let author_name = created_by.map(person_name).filter(|n| !n.is_empty()).unwrap_or_else(|| match author {
            Author::Customer => customer_name.clone(),
            _ => "Support".to_string(),
        });
        messages.push(ImportedMessage {
            external_id: id_of(t, "id").map_err(|(_, m)| (path("id"), m))?,
            author,
            author_name,
            body: body.to_string(),
            // Help Scout puts a thread's time on the thread or on its creator.
            created_at: match (str_of(t, "createdAt"), created_by.and_then(|c| str_of(c, "createdAt"))) {
                (Some(_), _) => date_of(t, "createdAt", &path("createdAt"))?,
                (None, Some(_)) => date_of(created_by.expect("checked"), "createdAt", &path("createdBy.createdAt"))?,
                (None, None) => created_at,
            },
        });
    }
    if messages.is_empty() {
        return Err(("_embedded.threads".into(), "has no message with a body".into()));
    }
    messages.sort_by_key(|m| m.created_at);
    Ok(Imported {
        external_id,
        subject: str_of(v, "subject").unwrap_or_default().to_string(),
        status: str_of(v, "status").unwrap_or("active").to_string(),
        tags: v
            .get("tags")
            .and_then(Value::as_array)
            .map(|tags| {
                tags.iter().filter_map(|t| str_of(t, "tag").or_else(|| t.as_str())).map(str::to_string).collect()
            })
            .unwrap_or_default(),
        customer_email,
        customer_name,
        created_at,
        messages,
    })
}

/// A conversation as a Help Scout Mailbox API v2 object with embedded threads (for exports and
/// benchmarks; [`parse`] reads it back).
pub fn to_json(c: &Imported) -> Value {
    let (first, last) = c.customer_name.split_once(' ').unwrap_or((&c.customer_name, ""));
    let customer = serde_json::json!({ "first": first, "last": last, "email": c.customer_email.as_str() });
    let threads: Vec<Value> = c
        .messages
        .iter()
        .map(|m| {
            let (kind, by) = match m.author {
                Author::Customer => ("customer", "customer"),
                Author::Agent => ("message", "user"),
                Author::Note => ("note", "user"),
            };
            let (f, l) = m.author_name.split_once(' ').unwrap_or((&m.author_name, ""));
            serde_json::json!({
                "id": m.external_id, "type": kind, "body": m.body,
                "createdAt": m.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "createdBy": { "type": by, "first": f, "last": l },
                "customer": customer,
            })
        })
        .collect();
    let tags: Vec<Value> = c.tags.iter().map(|t| serde_json::json!({ "tag": t })).collect();
    serde_json::json!({
        "id": c.external_id, "subject": c.subject, "status": c.status, "tags": tags,
        "createdAt": c.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "primaryCustomer": customer,
        "_embedded": { "threads": threads },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"{"id": 7, "subject": "Export", "status": "active", "createdAt": "2026-01-02T03:04:05Z",
        "primaryCustomer": {"id": 1, "first": "Ann", "last": "Lee", "email": "ann@acme.io"},
        "_embedded": {"threads": [
          {"id": 2, "type": "message", "body": "Fixed?", "createdAt": "2026-01-03T00:00:00Z", "createdBy": {"type": "user", "first": "Sam"}},
          {"id": 1, "type": "customer", "body": "<p>Broken</p>", "createdAt": "2026-01-02T03:04:05Z"},
          {"id": 3, "type": "lineitem", "createdAt": "2026-01-03T00:00:00Z"}
        ]}, "unknownField": true}"#;

    #[test]
    fn a_conversation_object_becomes_ordered_messages() {
        let p = parse(&ONE.replace('\n', " "), &mut |_, _| {});
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let c = &p.conversations[0];
        assert_eq!(c.external_id, "7");
        assert_eq!(c.customer_email.as_str(), "ann@acme.io");
        assert_eq!(c.customer_name, "Ann Lee");
        assert_eq!(c.messages.len(), 2);
        assert_eq!(c.messages[0].author, Author::Customer);
        assert_eq!(c.messages[1].author_name, "Sam");
    }

    #[test]
    fn arrays_and_lines_both_work_and_bad_records_name_line_and_field() {
        let array = format!("[\n{},\n{{\"id\": 8, \"createdAt\": \"nope\"}}\n]", ONE.replace('\n', " "));
        let p = parse(&array, &mut |_, _| {});
        assert_eq!(p.conversations.len(), 1);
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].line, 3);
        assert_eq!(p.errors[0].field, "createdAt");
        let pretty = parse(ONE, &mut |_, _| {});
        assert_eq!((pretty.conversations.len(), pretty.errors.len()), (1, 0), "a pretty-printed object is one record");
        let lines = format!("{}\nnot json\n", ONE.replace('\n', " "));
        let p = parse(&lines, &mut |_, _| {});
        assert_eq!((p.conversations.len(), p.errors.len()), (1, 1));
        assert_eq!(p.errors[0].line, 2);
    }

    #[test]
    fn elements_that_are_not_objects_are_reported_with_their_line_and_progress_is_told() {
        let one = ONE.replace('\n', " ");
        let array = format!("[\n{one},\n\"a string, with a comma\",\n42,\nnull, true,\n{one}\n]");
        let mut told = Vec::new();
        let p = parse(&array, &mut |done, total| told.push((done, total)));
        assert_eq!(p.conversations.len(), 2);
        let found: Vec<(usize, &str)> = p.errors.iter().map(|e| (e.line, e.message.as_str())).collect();
        assert_eq!(found.len(), 4, "{found:?}");
        assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), vec![3, 4, 5, 5]);
        assert!(found[0].1.starts_with("a string in the array is not a conversation object"));
        assert!(found[1].1.starts_with("a number") && found[2].1.starts_with("a null"));
        assert_eq!(told.last(), Some(&(2, 2)));
    }

    #[test]
    fn a_truncated_array_is_reported() {
        let p = parse("[{\"id\": 1", &mut |_, _| {});
        assert_eq!(p.errors.len(), 1);
        assert!(p.errors[0].message.contains("not closed"));
    }

    #[test]
    fn the_recorded_help_scout_payloads_parse() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/helpscout_fixtures/helpscout-api-php");
        let Ok(text) = std::fs::read_to_string(dir.join("conversations_list_page1_embed_threads.json")) else {
            jetson_store::testing::skipped(
                "../shared/data is absent: tests against recorded Help Scout, GitHub and labelled data did not run",
            );
            return;
        };
        let page: Value = serde_json::from_str(&text).unwrap();
        let convs = page["_embedded"]["conversations"].as_array().unwrap();
        for c in convs {
            let got = conversation(c);
            assert!(got.is_ok(), "{got:?}");
        }
        let single: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("conversation_get_123.json")).unwrap()).unwrap();
        // The single-conversation payload has no embedded threads unless asked for.
        if single.get("_embedded").and_then(|e| e.get("threads")).is_some() {
            assert!(conversation(&single).is_ok());
        }
    }
}
