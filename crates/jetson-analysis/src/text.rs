//! Turning an email as received into the words a customer actually wrote for this message.

/// Block-level tags end a line when converting HTML to text.
const LINE_TAGS: &[&str] = &["div", "br", "li", "tr", "pre", "hr", "section"];
/// Paragraph-level tags end a paragraph (a blank line), which issue splitting relies on.
const PARAGRAPH_TAGS: &[&str] = &["p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote"];
/// Tags whose content is never text.
const SKIPPED_TAGS: &[&str] = &["script", "style", "head", "title", "template", "noscript", "svg"];
/// Markers of a quoted earlier message in HTML mail (Gmail, Thunderbird, Outlook, Apple Mail).
const QUOTE_MARKERS: &[&str] = &["gmail_quote", "moz-cite-prefix", "divrplyfwdmsg", "appendonsend", "yahoo_quoted"];

/// Converts HTML to plain text. With `drop_quotes`, `<blockquote>` and the quote containers of common
/// mail clients are left out. Never fails: malformed markup degrades to its text.
pub fn html_to_text(html: &str, drop_quotes: bool) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    // While skipping, the tag name and nesting depth that ends the skip.
    let mut skip: Option<(String, usize)> = None;
    while let Some(lt) = rest.find('<') {
        if skip.is_none() {
            push_text(&mut out, &rest[..lt]);
        }
        let after = &rest[lt + 1..];
        let Some(gt) = after.find('>') else {
            // An unterminated tag: the rest is text.
            if skip.is_none() {
                push_text(&mut out, &rest[lt..]);
            }
            rest = "";
            break;
        };
        let tag = &after[..gt];
        rest = &after[gt + 1..];
        if tag.starts_with('!') || tag.starts_with('?') {
            continue; // comments, doctype
        }
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let self_closing = tag.ends_with('/');
        if let Some((skip_name, depth)) = skip.as_mut() {
            if name == *skip_name && !self_closing {
                if closing {
                    *depth -= 1;
                    if *depth == 0 {
                        skip = None;
                    }
                } else {
                    *depth += 1;
                }
            }
            continue;
        }
        if !closing && !self_closing {
            let lower = tag.to_ascii_lowercase();
            let is_quote = drop_quotes && (name == "blockquote" || QUOTE_MARKERS.iter().any(|m| lower.contains(m)));
            if SKIPPED_TAGS.contains(&name.as_str()) || is_quote {
                skip = Some((name, 1));
                continue;
            }
        }
        if name == "li" && !closing {
            out.push_str("\n- ");
        } else if PARAGRAPH_TAGS.contains(&name.as_str()) {
            out.push_str("\n\n");
        } else if name == "br" || (LINE_TAGS.contains(&name.as_str()) && !out.ends_with('\n')) {
            out.push('\n');
        }
    }
    if skip.is_none() {
        push_text(&mut out, rest);
    }
    tidy(&out)
}

fn push_text(out: &mut String, raw: &str) {
    if raw.contains('&') {
        out.push_str(&html_escape::decode_html_entities(raw));
    } else {
        out.push_str(raw);
    }
}

/// Collapses runs of spaces, trims lines, and keeps at most one blank line in a row.
pub fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.lines() {
        let line: String = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_run > 0 { "\n\n" } else { "\n" });
        }
        blank_run = 0;
        out.push_str(&line);
    }
    out
}

/// Whether the text looks like HTML rather than plain text.
pub fn looks_like_html(s: &str) -> bool {
    let lower = s.get(..s.len().min(2000)).unwrap_or(s).to_ascii_lowercase();
    ["<p", "<div", "<br", "<html", "<span", "<table", "<blockquote", "<a ", "<b>", "<ul"]
        .iter()
        .any(|t| lower.contains(t))
}

/// The text a customer wrote in this message, for analysis: quoted earlier messages, signatures,
/// greetings and sign-offs removed.
pub fn clean_for_analysis(body: &str) -> String {
    let plain = if looks_like_html(body) { html_to_text(body, true) } else { tidy(body) };
    let mut kept: Vec<&str> = Vec::new();
    let lines: Vec<&str> = plain.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if starts_quoted_history(line, lines.get(i + 1).copied()) || line == "--" || line == "-- " {
            break;
        }
        if is_sign_off(line) && rest_is_signature(&lines[i + 1..]) {
            break;
        }
        if !(line.starts_with('>')
            || is_device_footer(line)
            || (kept.iter().all(|l| l.is_empty()) && is_greeting(line)))
        {
            kept.push(line);
        }
        i += 1;
    }
    tidy(&kept.join("\n"))
}

fn starts_quoted_history(line: &str, next: Option<&str>) -> bool {
    let lower = line.to_ascii_lowercase();
    if lower.starts_with("-----original message") || lower.starts_with("________________") {
        return true;
    }
    if lower.starts_with("on ")
        && (lower.ends_with("wrote:") || next.is_some_and(|n| n.trim().eq_ignore_ascii_case("wrote:")))
    {
        return true;
    }
    if lower.starts_with("from:")
        && next.is_some_and(|n| {
            let n = n.trim().to_ascii_lowercase();
            n.starts_with("sent:") || n.starts_with("date:") || n.starts_with("to:")
        })
    {
        return true;
    }
    false
}

fn is_device_footer(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    lower.starts_with("sent from my ") || lower.starts_with("get outlook for ")
}

const GREETINGS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "dear",
    "good morning",
    "good afternoon",
    "good evening",
    "greetings",
    "hallo",
    "hola",
    "bonjour",
];
const SIGN_OFFS: &[&str] = &[
    "thanks",
    "thank you",
    "thanks a lot",
    "thanks so much",
    "many thanks",
    "thx",
    "cheers",
    "best",
    "best regards",
    "kind regards",
    "regards",
    "warm regards",
    "sincerely",
    "best wishes",
    "all the best",
    "thanks in advance",
    "cordialement",
    "saludos",
    "gracias",
    "danke",
    "viele grüße",
    "merci",
    "ta",
    "talk soon",
];

/// A greeting line such as "Hi Jetson team," (short, starts with a greeting word).
pub fn is_greeting(line: &str) -> bool {
    let lower = line.to_lowercase();
    let words = lower.split_whitespace().count();
    words <= 5
        && GREETINGS
            .iter()
            .any(|g| lower.starts_with(g) && lower[g.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric()))
        && (lower.ends_with(',') || lower.ends_with('!') || words <= 3)
}

fn is_sign_off(line: &str) -> bool {
    let lower = line.to_lowercase();
    let core = lower.trim_end_matches([',', '!', '.', ' ']);
    SIGN_OFFS.contains(&core)
}

/// After a sign-off, a signature is a few short lines (name, title, company, phone), possibly
/// followed by the quoted history of the thread.
fn rest_is_signature(rest: &[&str]) -> bool {
    let end = (0..rest.len())
        .find(|&i| {
            starts_quoted_history(rest[i].trim(), rest.get(i + 1).copied()) || rest[i].trim_start().starts_with('>')
        })
        .unwrap_or(rest.len());
    let sig = &rest[..end];
    sig.len() <= 6 && sig.iter().all(|l| l.chars().count() <= 60)
}

/// The sentences of a text, split after `.`, `!` or `?` followed by a space, and at line ends.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut start = 0;
        let bytes = line.as_bytes();
        for i in 0..bytes.len() {
            if matches!(bytes[i], b'.' | b'!' | b'?') && bytes.get(i + 1) == Some(&b' ') {
                let s = line[start..=i].trim();
                if !s.is_empty() {
                    out.push(s);
                }
                start = i + 1;
            }
        }
        let s = line[start..].trim();
        if !s.is_empty() {
            out.push(s);
        }
    }
    out
}

/// At most `max` characters, cut at a word boundary, with an ellipsis when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => &cut,
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_text_without_scripts_or_quotes() {
        let html = "<p>Hello&nbsp;team,</p><p>The <b>export</b> fails.<br>Every time.</p>\
                    <script>alert(1)</script><blockquote>old <blockquote>older</blockquote> stuff</blockquote><p>Bye</p>";
        let t = html_to_text(html, true);
        assert_eq!(t, "Hello team,\n\nThe export fails.\nEvery time.\n\nBye");
        assert!(html_to_text(html, false).contains("older"));
    }

    #[test]
    fn malformed_html_degrades_to_text() {
        assert_eq!(html_to_text("a < b and <unterminated", true), "a < b and <unterminated");
        assert_eq!(html_to_text("<div><p>x", true), "x");
    }

    #[test]
    fn gmail_quotes_are_dropped() {
        let html = r#"<div>New text</div><div class="gmail_quote"><div>On Mon wrote:</div><div>old</div></div><div>after</div>"#;
        assert_eq!(html_to_text(html, true), "New text\nafter");
    }

    #[test]
    fn plain_text_loses_quotes_signature_and_greeting() {
        let body = "Hi Ledgerly team,\n\nThe PDF export is blank since Monday.\nPlease help.\n\nThanks,\nMaria Lopez\nAcme GmbH\n\nOn Tue, 3 Mar 2026 at 10:00, Support <help@x.com> wrote:\n> Did you try again?";
        assert_eq!(clean_for_analysis(body), "The PDF export is blank since Monday.\nPlease help.");
    }

    #[test]
    fn a_sign_off_above_quoted_history_is_still_a_sign_off() {
        let body = "Any update?\n\nThanks,\nAnn\n\nOn Mon, 1 Jan 2026 at 10:00, Sam wrote:\n> Hi Ann,\n> We are on it.\n> Best,\n> Sam";
        assert_eq!(clean_for_analysis(body), "Any update?");
    }

    #[test]
    fn outlook_history_and_device_footers_are_dropped() {
        let body = "Still broken.\nSent from my iPhone\n\nFrom: Support\nSent: Monday\nSubject: Re: x\n\nold text";
        assert_eq!(clean_for_analysis(body), "Still broken.");
    }

    #[test]
    fn sentences_split_on_terminal_punctuation() {
        assert_eq!(sentences("One. Two! Three?\nFour"), vec!["One.", "Two!", "Three?", "Four"]);
    }

    #[test]
    fn truncation_cuts_at_a_word() {
        assert_eq!(truncate("the quick brown fox", 12), "the quick…");
        assert_eq!(truncate("short", 12), "short");
    }
}
