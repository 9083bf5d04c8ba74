//! Street addresses: a number and a street word (Street, Ave, straat, katu, …), a street word and a
//! number (`ul. Miła 53`, `C/ Señores Curas 88`, `Rua Vinte e Cinco de Setembro 1257`),
//! number–name–number, post office boxes, US military addresses, or what follows "lives at"; then the city,
//! region, postcode and country lines after it.

use std::sync::LazyLock;

use regex::Regex;
use regex_automata::{Anchored, Input, meta};

use super::gates::Gates;
use super::{Pattern, Present, push, re};
use crate::Finding;
use crate::Kind;

/// Words that end (or start) a street's name, in the languages customers write in.
pub(super) const STREET_WORDS: &str = "street|st|avenue|ave|road|rd|lane|ln|boulevard|blvd|drive|dr|way|court|ct|place|pl|square|sq|terrace|parkway|pkwy|highway|hwy|circle|cir|trail|alley|row|crescent|close|gardens|plaza|strasse|straße|str|weg|gasse|platz|allee|straat|laan|plein|gracht|katu|tie|vej|gade|gatan|vägen|veien|gata|rue|chemin|allée|via|viale|piazza|calle|avenida|rua|travessa|ulica|utca|út|ulice|cesta|sokak|caddesi|tér|ul|street";
static STREET_AFTER: LazyLock<meta::Regex> = LazyLock::new(|| {
    meta_re(&format!(
        r"(?i)(?-u:\b)[0-9]{{1,6}}[a-z]?,? (?:[\p{{L}}'.\-]+ ){{0,4}}(?:{STREET_WORDS})(?-u:\b)\.?(?: [0-9]{{1,5}}[a-z]?(?-u:\b))?(?:,? (?:apt|apartment|suite|ste|unit|flat|#)\.? ?\w{{1,6}}){{0,2}}"
    ))
});
static STREET_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:(?-u:\b)(?:{STREET_WORDS})\.?|(?-u:\b)c/) (?:(?:[\p{{Lu}}][\p{{L}}'.\-]*|e|de|da|do|dos|das|del|la|van|von|di|der) ){{0,5}}[0-9]{{1,5}}[a-z]?(?-u:\b)(?:,? (?:apt|apartment|suite|ste|unit|flat|#)\.? ?\w{{1,6}}){{0,2}}"
    ))
});
/// A compound street word with its number: `Koskikatu 25`, `Parijsstraat 8`, `Hauptstraße 5`.
static STREET_COMPOUND: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?-u:\b)[\p{{L}}\-]{{2,}}(?:{COMPOUND_STREET_WORDS}) [0-9]{{1,5}}[a-z]?(?-u:\b)(?:,? (?:apt|apartment|suite|unit|flat)\.? ?\w{{1,6}})?",
    ))
});
/// The street words that end a compound street name.
pub(super) const COMPOUND_STREET_WORDS: &str =
    "straat|strasse|straße|katu|vej|gade|gatan|vägen|veien|gata|weg|gasse|laan|gracht|platz|allee|tie|utca";
/// A house number, a street name without a street word, and a number: `22829 Jagerij 64`,
/// `6614 Luite tee 87`, with its flat or suite.
static NUMBER_NAME_NUMBER: LazyLock<meta::Regex> = LazyLock::new(|| {
    meta_re(
        r"(?-u:\b)[0-9]{1,6} [\p{Lu}][\p{L}'.\-]+(?: [\p{L}'.\-]+){0,3} [0-9]{1,5}[a-z]?(?-u:\b)(?:,? (?:apt|apartment|suite|unit|flat)\.? ?\w{1,6}){0,2}",
    )
});
/// A post office box: `P.O. Box 149`.
static PO_BOX: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)(?-u:\b)p\.? ?o\.? box \d{1,6}(?-u:\b)"));
/// US military and diplomatic addresses: `USNS Møller / FPO AA 85844`, `PSC 0725, Box 6031 / APO AP 99241`.
static MILITARY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?-u:\b)(?:(?:usns|uss|usnv|uscgc) [\p{L}'\-]+|(?:psc|unit) \d{3,5},? box \d{3,5})\s*\n?\s*[afd]po a[aep] \d{5}(?-u:\b)",
    )
});
/// Where an address often follows: the rest of the line is taken.
static ADDRESS_CUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?-u:\b)(?:my address is|address is|address:|lives at|live at|living at|located at|ship(?:ped)? (?:it )?to|send (?:it|them|a new one|the \w+) to|deliver(?:ed)? to|moved to)\s*",
    )
});
/// Extends an address span over the rest of its line and up to three following lines that read
/// as city, region, postcode or country (not a labelled line such as `Mobile: …`, not a phone).
fn with_tail(text: &str, end: usize) -> usize {
    let mut end = end;
    // Lines of an address are short: never look further than this, whatever the input.
    let window = text.floor_char_boundary((end + 300).min(text.len()));
    let Some(rest_of_line) = text[end..window].find('\n').map(|i| end + i).or((window == text.len()).then_some(window))
    else {
        return end;
    };
    if address_line(text[end..rest_of_line].trim()) || text[end..rest_of_line].trim().is_empty() {
        end = rest_of_line;
    }
    let mut lines = 0;
    let mut at = end;
    // Up to four more lines; one blank line may sit between them.
    while lines < 4 && text[at..].starts_with('\n') {
        let window = text.floor_char_boundary((at + 1 + 300).min(text.len()));
        let Some(next_end) =
            text[at + 1..window].find('\n').map(|i| at + 1 + i).or((window == text.len()).then_some(window))
        else {
            break;
        };
        let line = text[at + 1..next_end].trim().trim_start_matches(['>', '?']).trim().trim_start_matches(',').trim();
        if line.is_empty() && at != end {
            break;
        }
        if !line.is_empty() {
            if !address_line(line) {
                break;
            }
            lines += 1;
            end = next_end;
        }
        at = next_end;
    }
    end
}

/// `present`: which of the rarely matching patterns the text has (see `recognizers::Pattern`).
pub(super) fn addresses(text: &str, gates: &Gates, present: &Present, out: &mut Vec<Finding>) {
    let mut spans = Vec::new();
    if present.has(Pattern::Military) {
        for m in MILITARY.find_iter(text) {
            spans.push((m.start(), m.end()));
        }
    }
    for (r, open) in [(&*STREET_AFTER, gates.street_after), (&*NUMBER_NAME_NUMBER, gates.number_name_number)] {
        if open {
            for (start, end) in at_numbers(text, r) {
                spans.push((start, with_tail(text, end)));
            }
        }
    }
    let patterns = [
        // A street word and a number (`ul. Miła 53`) has no gate: its pattern starts with the
        // street words, which the regex engine finds faster than a look back from each number.
        (&*STREET_BEFORE, true),
        (&*STREET_COMPOUND, gates.street_compound),
        (&*PO_BOX, present.has(Pattern::PoBox)),
    ];
    for (r, _) in patterns.iter().filter(|(_, open)| *open) {
        for m in r.find_iter(text) {
            spans.push((m.start(), with_tail(text, m.end())));
        }
    }
    if present.has(Pattern::AddressCue) {
        for m in ADDRESS_CUE.find_iter(text) {
            let window = text.floor_char_boundary((m.end() + 200).min(text.len()));
            let line_end = text[m.end()..window].find(['\n', '.', '!', '?']).map_or(window, |i| m.end() + i);
            let line = &text[m.end()..line_end];
            // A cue followed by something with a number reads as an address.
            if line.chars().any(|c| c.is_ascii_digit()) && line.len() >= 4 {
                spans.push((m.end(), with_tail(text, line_end)));
            }
        }
    }
    for (start, end) in spans {
        let end = trim_end(text, start, end);
        if end > start {
            push(out, Kind::StreetAddress, start, end);
        }
    }
}

/// What `find_iter` would find of a pattern that starts with a number at a word boundary, found
/// by searching only at such numbers, anchored: each search stops where the address does, instead
/// of reading the whole text.
fn at_numbers(text: &str, r: &meta::Regex) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(start) = super::gates::next_digit(b, i) {
        i = start + b[start..].iter().take_while(|c| c.is_ascii_digit()).count();
        if start > 0 && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'_') {
            continue;
        }
        if let Some(m) = r.search(&Input::new(text).range(start..).anchored(Anchored::Yes)) {
            found.push((m.start(), m.end()));
            i = i.max(m.end());
        }
    }
    found
}

fn meta_re(pattern: &str) -> meta::Regex {
    meta::Regex::new(pattern).expect("a valid built-in pattern")
}

/// A city, region, postcode or country line (or the rest of a street line): words and at most one
/// short number, no colon. One of: a flat or suite (`Apt. 864`); words, then perhaps a number of
/// 3–6 digits (`Artilleros`, `Uruguay 64677`); a number of 3–6 digits and words (`75008 Paris`);
/// a few words and a number (`, CO 80202`). Written out rather than as a regular expression: this
/// runs on every line after every candidate address, and the regex engine's check of a short,
/// anchored pattern with Unicode classes clears a large table on each call.
fn address_line(line: &str) -> bool {
    // No line that passes is longer than this many characters (a street word of nine letters, a
    // dot, a space and six; or 41 of words and a number of six; or a number of six, a space and
    // 41); most lines looked at are the rest of a sentence, and fail here without a copy.
    const MOST: usize = 48;
    let mut buf = ['\0'; MOST];
    let mut n = 0;
    for c in line.chars() {
        if n == MOST {
            return false;
        }
        buf[n] = c;
        n += 1;
    }
    let chars = &buf[..n];
    let is_text = |c: char| c.is_alphabetic() || " .,'()-".contains(c);
    let digits_at_end = |from: usize| {
        let n = chars.len() - from;
        (3..=6).contains(&n) && chars[from..].iter().all(char::is_ascii_digit)
    };
    // A flat or suite: `apt`, `apartment`, `suite`, `unit`, `flat`, an optional dot and space, and
    // one to six word characters. Only a line starting with one of those letters can be one (no
    // other character lowers to them), so only such a line is lowered.
    if line.starts_with(['a', 'A', 's', 'S', 'u', 'U', 'f', 'F']) {
        let lower = line.to_lowercase();
        for word in ["apartment", "apt", "suite", "unit", "flat"] {
            if let Some(rest) = lower.strip_prefix(word) {
                let rest = rest.strip_prefix('.').unwrap_or(rest);
                let rest = rest.strip_prefix(' ').unwrap_or(rest);
                let n = rest.chars().count();
                if (1..=6).contains(&n) && rest.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    return true;
                }
            }
        }
    }
    let Some(&first) = chars.first() else { return false };
    // Words, then perhaps ` 12345`.
    if first.is_alphabetic() || first == '(' {
        let text_end = chars.iter().position(|&c| !is_text(c)).unwrap_or(chars.len());
        if text_end == chars.len() && chars.len() <= 41 {
            return true;
        }
        if text_end >= 1 && chars[text_end - 1] == ' ' && text_end - 1 <= 41 && digits_at_end(text_end) {
            return true;
        }
    }
    // `12345 Paris`.
    let lead = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    if (3..=6).contains(&lead)
        && chars.get(lead) == Some(&' ')
        && chars.get(lead + 1).is_some_and(|c| c.is_alphabetic())
        && chars.len() - (lead + 2) <= 40
        && chars[lead + 2..].iter().all(|&c| is_text(c))
    {
        return true;
    }
    // `, CO 80202`: up to 30 commas, letters and spaces, then the number.
    let head = chars.iter().take_while(|&&c| c == ',' || c == ' ' || c.is_alphabetic()).count();
    head <= 30 && digits_at_end(head)
}

fn trim_end(text: &str, start: usize, end: usize) -> usize {
    start + text[start..end].trim_end_matches(|c: char| c.is_whitespace() || c == ',' || c == '.').len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searching_only_at_numbers_finds_what_a_search_of_the_whole_text_finds() {
        const PIECES: &[&str] = &[
            "12 Main Street",
            "12a, Elm Road Apt 4",
            "22829 Jagerij 64",
            "6614 Luite tee 87",
            "x12 Main St",
            "1234567 Way",
            "12 12 Oak Lane",
            "at",
            "Way",
            "Street",
            "99",
            "\n",
            " ",
            "Ülkü",
            "4 Çınar Sokak 7",
            "_5 Main St",
            "3 Rue",
        ];
        for text in super::super::pieced_texts(PIECES, 6, 3_000) {
            for r in [&*STREET_AFTER, &*NUMBER_NAME_NUMBER] {
                let whole: Vec<(usize, usize)> = r.find_iter(&text).map(|m| (m.start(), m.end())).collect();
                assert_eq!(at_numbers(&text, r), whole, "{text:?}");
            }
        }
    }

    /// The expression `address_line` stands for, as the oracle it must agree with.
    static ADDRESS_LINE: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"^(?:(?:apt|apartment|suite|unit|flat)\.? ?\w{1,6}|[\p{L}(][\p{L} .,'()\-]{0,40}(?: \d{3,6})?|\d{3,6} [\p{L}][\p{L} .,'()\-]{0,40}|[,\p{L} ]{0,30}\d{3,6})$",
        )
    });

    #[test]
    fn address_lines_are_recognised_exactly_as_the_expression_says() {
        let mut lines: Vec<String> = [
            "Apt. 864",
            "apt 12",
            "Suite 282",
            "flat 3b",
            "unit",
            "Artilleros",
            ", CO",
            "Uruguay 64677",
            "75008 Paris",
            ", CO 80202",
            "Cyprus (Greek) 25572",
            "Mobile: 555 1234",
            "12",
            "1234567",
            "São Paulo",
            "",
            " ",
            "AAPAJÄRVI, LL 34736",
            "Österreich",
            "PO Box 12",
            "Apt. 1234567",
            "(Greek)",
            "a".repeat(41).as_str(),
            "a".repeat(42).as_str(),
            &format!("{} 12345", "b".repeat(41)),
            &format!("{}12345", ",".repeat(31)),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Every line of a few realistic messages too.
        let text = "Julcsa Kárpáthy\n50668 Kiannonkatu 98 Apt. 105, ISHAM, United Kingdom\nPhone: 555-0100\nDanmarkshavn, Greenlander 87967\n";
        lines.extend(text.lines().map(str::to_string));
        // And every line of Presidio's synthetic sentences, when `../shared/data` is there.
        let presidio = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/pii_presidio_synth/synth_dev.json");
        if let Ok(json) = std::fs::read_to_string(presidio) {
            for piece in json.split("\\n") {
                lines.extend(piece.split('"').map(|l| l.trim().to_string()));
            }
        }
        for line in &lines {
            assert_eq!(address_line(line), ADDRESS_LINE.is_match(line), "{line:?}");
        }
    }
}
