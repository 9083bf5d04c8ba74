//! `jetson privacy detect|redact|screen`: the redactor and the screener on JSON lines, for
//! measurement and for users who want to check it. Input: `{"id": …, "text": …}` per line on
//! standard input. `detect` writes `{"id": …, "findings": [{"type", "start", "end", "score"}]}`
//! with offsets in characters (not bytes) into the text; `redact` writes `{"id": …, "text": …}`
//! with typed placeholders; `screen` writes `{"id": …, "flags": [{"category", "score"}]}`. A line
//! that is not such an object is reported on standard error with its number and skipped; the
//! others are still written.

use std::io::{BufRead, Write};

use clap::Subcommand;
use jetson_privacy::screen::Screener;
use jetson_privacy::{Known, Redactor};
use serde_json::{Value, json};

#[derive(Subcommand)]
pub enum PrivacyCommand {
    /// Find sensitive data: JSON lines in, findings with character offsets out.
    Detect,
    /// Replace sensitive data with typed placeholders: JSON lines in, redacted text out.
    Redact,
    /// Screen for harmful content: JSON lines in, `{"id", "flags": [{"category", "score"}]}` out.
    Screen,
}

/// Lines longer than this are refused (a message may be long; a line of this size is not one).
const MAX_LINE: usize = 64 * 1024 * 1024;

pub fn run(command: PrivacyCommand) -> anyhow::Result<()> {
    let stdin = std::io::stdin().lock();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut bad = 0usize;
    for (n, line) in stdin.split(b'\n').enumerate() {
        let line = line?;
        let answer = match parse_line(&line) {
            Ok(Some((id, text))) => match command {
                PrivacyCommand::Detect => json!({ "id": id, "findings": findings(&text) }),
                PrivacyCommand::Redact => json!({ "id": id, "text": Redactor.redact(&text, &Known::default()).text }),
                PrivacyCommand::Screen => json!({ "id": id, "flags": Screener::builtin().screen(&text) }),
            },
            Ok(None) => continue,
            Err(e) => {
                bad += 1;
                eprintln!("line {}: {e}; skipped", n + 1);
                continue;
            }
        };
        serde_json::to_writer(&mut out, &answer)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    if bad > 0 {
        eprintln!("{bad} line(s) skipped");
    }
    Ok(())
}

fn parse_line(line: &[u8]) -> Result<Option<(Value, String)>, String> {
    if line.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    if line.len() > MAX_LINE {
        return Err(format!("longer than {} MiB", MAX_LINE / 1024 / 1024));
    }
    let v: Value = serde_json::from_slice(line).map_err(|e| format!("not JSON ({e})"))?;
    let text = v.get("text").and_then(Value::as_str).ok_or("no string field `text`")?.to_string();
    Ok(Some((v.get("id").cloned().unwrap_or(Value::Null), text)))
}

/// Findings with character offsets.
pub fn findings(text: &str) -> Vec<Value> {
    let found = Redactor.find(text, &Known::default());
    jetson_privacy::char_offsets(text, &found)
        .into_iter()
        .zip(&found)
        .map(|((start, end), f)| json!({ "type": f.kind.label(), "start": start, "end": end, "score": f.score() }))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn offsets_are_in_characters() {
        let text = "Größe: maria@acme.io";
        let f = super::findings(text);
        assert_eq!(f[0]["type"], "EMAIL_ADDRESS");
        assert_eq!((f[0]["start"].as_u64(), f[0]["end"].as_u64()), (Some(7), Some(20)));
        assert!(super::parse_line(b"{\"id\": 1}").is_err());
        assert!(super::parse_line(b"\xff\xfe").is_err());
        assert_eq!(super::parse_line(b"  ").unwrap(), None);
    }
}
