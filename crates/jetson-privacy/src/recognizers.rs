//! The recognizers: a regular expression proposes a span (the `regex` crate runs in linear time,
//! so no input can make one hang), a validator or the words around it confirm it.
//!
//! - cards: 12–19 digits passing Luhn; IBANs: mod-97; US SSNs: the 3-2-4 shape with a valid area,
//!   group and serial (or nine digits right after "SSN"/"social security");
//! - phones: 8–15 digits with a `+`, brackets or separators, or plain after a word such as "call";
//! - IP addresses: v4 and v6, checked by the standard library's parser;
//! - street addresses: a number and words ending in a street word (Street, Ave, straat, katu, …) or a
//!   street word and a number, with an apartment and the following city and country lines;
//! - person names: a first name from the shipped census list followed by a capitalised surname, or
//!   capitalised words after "my name is", "Dear", "Thanks,", … (the conversation's own names are
//!   matched exactly by the caller);
//! - credentials: known token prefixes and whatever follows "password:".

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::{Finding, Kind};

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a valid built-in pattern")
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)(?-u:\b)[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}(?-u:\b)"));
static CARD: LazyLock<Regex> = LazyLock::new(|| re(r"(?-u:\b)(?:\d[ \-]?){11,18}\d(?-u:\b)"));
/// Grouped IBANs in capitals (`DE89 3704 …`), or written solid in any case (`gb42nawi…`).
static IBAN: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?-u:\b)[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?-u:\b)|(?i)(?-u:\b)[a-z]{2}\d{2}[a-z0-9]{11,30}(?-u:\b)")
});
static SSN: LazyLock<Regex> = LazyLock::new(|| re(r"(?-u:\b)(\d{3})[- ](\d{2})[- ](\d{4})(?-u:\b)"));
static SSN_PLAIN: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(?:ssn|social security(?: number)?)\D{0,20}(?-u:\b)(\d{9})(?-u:\b)"));
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:\+\d{1,3}[ .\-]?)?(?:\(\d{1,5}\)[ .\-]?)?(?-u:\b)\d[\d \-.()]{5,17}\d(?: ?(?:x|ext\.?) ?\d{1,5})?(?-u:\b)")
});
static PHONE_CUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:call|phone|tel|fax|mobile|cell|number|reach|text|sms|whatsapp|ring|desk|office|home|work|landline)\W{0,20}$",
    )
});
static CARD_CUE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(?-u:\b)card(?-u:\b)\W{0,12}(?:number\W{0,5})?(?:is\W{0,3})?$"));
static DATE_START: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})"));
static DOTTED_PHONE: LazyLock<Regex> = LazyLock::new(|| re(r"^\d{3}\.\d{3}\.\d{4}$"));
static IPV4: LazyLock<Regex> = LazyLock::new(|| re(r"(?-u:\b)\d{1,3}(?:\.\d{1,3}){3}(?-u:\b)"));
static IPV6: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)(?:(?-u:\b)[0-9a-f]{1,4}|:)(?::[0-9a-f]{0,4}){2,7}(?-u:\b)"));
static CREDENTIAL: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?-u:\b)(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,}|sk-[A-Za-z0-9_\-]{20,}|xox[abpr]-[A-Za-z0-9\-]{10,}",
        r"|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_\-]{35}|sk_live_[0-9A-Za-z]{16,}|eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,})",
    ))
});
static PASSWORD: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(?-u:\b)(?:password|passwd|pwd|passcode|pin)\s*(?:is|:|=)\s*(\S{4,64})"));

/// Words that end (or start) a street's name, in the languages customers write in.
const STREET_WORDS: &str = "street|st|avenue|ave|road|rd|lane|ln|boulevard|blvd|drive|dr|way|court|ct|place|pl|square|sq|terrace|parkway|pkwy|highway|hwy|circle|cir|trail|alley|row|crescent|close|gardens|plaza|strasse|straße|str|weg|gasse|platz|allee|straat|laan|plein|gracht|katu|tie|vej|gade|gatan|vägen|veien|gata|rue|chemin|allée|via|viale|piazza|calle|avenida|rua|travessa|ulica|utca|út|ulice|cesta|sokak|caddesi|street";
static STREET_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?-u:\b)\d{{1,6}}[a-z]?,? (?:[\p{{L}}'.\-]+ ){{0,4}}(?:{STREET_WORDS})(?-u:\b)\.?(?: \d{{1,5}}[a-z]?(?-u:\b))?(?:,? (?:apt|apartment|suite|ste|unit|flat|#)\.? ?\w{{1,6}}){{0,2}}"
    ))
});
static STREET_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?-u:\b)(?:{STREET_WORDS}) (?:[\p{{Lu}}][\p{{L}}'.\-]* ){{0,4}}\d{{1,5}}[a-z]?(?-u:\b)(?:,? (?:apt|apartment|suite|ste|unit|flat|#)\.? ?\w{{1,6}}){{0,2}}"
    ))
});
/// A compound street word with its number: `Koskikatu 25`, `Parijsstraat 8`, `Hauptstraße 5`.
static STREET_COMPOUND: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?-u:\b)[\p{L}\-]{2,}(?:straat|strasse|straße|katu|vej|gade|gatan|vägen|veien|gata|weg|gasse|laan|gracht|platz|allee|tie|utca) \d{1,5}[a-z]?(?-u:\b)(?:,? (?:apt|apartment|suite|unit|flat)\.? ?\w{1,6})?",
    )
});
/// A house number, a street name without a street word, and a number: `22829 Jagerij 64`,
/// `6614 Luite tee 87`, with its flat or suite.
static NUMBER_NAME_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?-u:\b)\d{1,6} [\p{Lu}][\p{L}'.\-]+(?: [\p{L}'.\-]+){0,3} \d{1,5}[a-z]?(?-u:\b)(?:,? (?:apt|apartment|suite|unit|flat)\.? ?\w{1,6}){0,2}",
    )
});
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
/// A city, region, postcode or country line (or the rest of a street line): words and at most one
/// short number, no colon.
static ADDRESS_LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:(?:apt|apartment|suite|unit|flat)\.? ?\w{1,6}|[\p{L}(][\p{L} .,'()\-]{0,40}(?: \d{3,6})?|\d{3,6} [\p{L}][\p{L} .,'()\-]{0,40}|[,\p{L} ]{0,30}\d{3,6})$",
    )
});

static FIRST_NAMES: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("../data/first_names.txt").lines().filter(|l| !l.is_empty()).collect());
/// First names that are also everyday English words, trusted only with a cue or a surname.
const AMBIGUOUS: &[&str] = &[
    "will", "may", "june", "april", "august", "mark", "bill", "grant", "rose", "hope", "joy", "faith", "amber", "dawn",
    "summer", "autumn", "ivy", "lily", "ruby", "pearl", "crystal", "penny", "sue", "pat", "art", "max", "rich", "guy",
    "chase", "case", "page", "major", "king", "young", "long", "lane", "hall", "wood", "miles", "ray", "dean", "don",
    "jack", "frank", "gene", "earl", "sky", "star", "angel", "an", "in", "so", "ok", "le", "de", "la", "van",
];
static NAME_AFTER_FIRST: LazyLock<Regex> =
    LazyLock::new(|| re(r"^ (?:[\p{Lu}]\.? )?[\p{Lu}][\p{Ll}'\-]+(?:[\- ][\p{Lu}][\p{Ll}'\-]+)?"));
static NAME_CUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:(?-u:\b)my name is|(?-u:\b)name is|(?-u:\b)i am|(?-u:\b)i'm|(?-u:\b)this is|(?-u:\b)dear|(?-u:\b)hi|(?-u:\b)hello|(?-u:\b)hey|(?-u:\b)thanks,|(?-u:\b)thank you,|(?-u:\b)regards,|(?-u:\b)cheers,|(?-u:\b)best,|(?-u:\b)sincerely,|(?-u:\b)says|(?-u:\b)said|(?-u:\b)asked|(?-u:\b)contact|(?-u:\b)speak to|(?-u:\b)talk to|(?-u:\b)mr\.?|(?-u:\b)mrs\.?|(?-u:\b)ms\.?|(?-u:\b)dr\.?)[ ,]+",
    )
});
static NAME_RUN: LazyLock<Regex> = LazyLock::new(|| re(r"^[\p{Lu}][\p{L}'\-]+(?: [\p{Lu}][\p{L}'\-]+){0,2}"));
static NAME_LINE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?m)^[ \t]*[\p{Lu}][\p{Ll}'\-]+(?: [\p{Lu}]\.?)?(?: [\p{Lu}][\p{Ll}'\-]+){1,2}[ \t]*$"));
static CAP_RUN: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?-u:\b)[\p{Lu}][\p{Ll}'\-]+(?: [\p{Lu}]\.?)?(?: [\p{Lu}][\p{Ll}'\-]+){1,2}(?-u:\b)"));
/// Words in capitalised runs that make them a company, a place, a law or a title, not a person.
const NOT_NAMES: &[&str] = &[
    "inc",
    "corp",
    "ltd",
    "llc",
    "gmbh",
    "group",
    "global",
    "lines",
    "act",
    "republic",
    "kingdom",
    "states",
    "union",
    "southern",
    "northern",
    "eastern",
    "western",
    "central",
    "united",
    "national",
    "royal",
    "princess",
    "prince",
    "university",
    "college",
    "school",
    "schools",
    "bank",
    "insurance",
    "analytics",
    "agency",
    "news",
    "weekly",
    "pleasures",
    "stripes",
    "rights",
    "civil",
    "info",
    "orchestra",
    "transit",
    "partners",
    "health",
    "systems",
    "services",
    "solutions",
    "technologies",
    "software",
    "labs",
    "studio",
    "studios",
    "foundation",
    "institute",
];
/// Endings that mark a surname in many languages.
const SURNAME_ENDINGS: &[&str] = &[
    "son", "sen", "sson", "dóttir", "dottir", "ez", "es", "ić", "ic", "ov", "ova", "ev", "eva", "ski", "ska", "sky",
    "nen", "la", "poulos", "escu", "ian", "yan", "shvili", "idze", "ini", "elli", "etti", "ano", "ez", "berg", "mann",
    "stein", "ers", "man", "ton", "ley", "well", "ford", "wood", "holm", "ström", "strom", "quist", "gaard", "ović",
    "evich", "vich", "enko", "uk", "ak", "ek", "czyk", "wicz",
];
static STRONG_NAME_CUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?-u:\b)(?:my name is|my name's|name:|last name\?|first name\?)\s+(\p{L}[\p{L}'\-]*(?: \p{L}[\p{L}'\-]*){0,2})",
    )
});
const STOP: &[&str] =
    &["and", "i", "im", "i'm", "my", "from", "with", "the", "a", "please", "thanks", "and", "but", "here", "is"];
static STREET_WORD_SET: LazyLock<HashSet<&'static str>> = LazyLock::new(|| STREET_WORDS.split('|').collect());
static WORD: LazyLock<Regex> = LazyLock::new(|| re(r"(?-u:\b)[\p{Lu}][\p{Ll}'\-]{1,}(?-u:\b)"));

fn digits(s: &str) -> Vec<u32> {
    s.chars().filter_map(|c| c.to_digit(10)).collect()
}

pub fn luhn_valid(s: &str) -> bool {
    let d = digits(s);
    if !(12..=19).contains(&d.len()) {
        return false;
    }
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| if i % 2 == 1 { if x * 2 > 9 { x * 2 - 9 } else { x * 2 } } else { x })
        .sum();
    sum.is_multiple_of(10)
}

pub fn iban_valid(s: &str) -> bool {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    if !(15..=34).contains(&compact.len()) || !compact.is_ascii() {
        return false;
    }
    let rearranged = format!("{}{}", &compact[4..], &compact[..4]);
    let mut rem: u32 = 0;
    for c in rearranged.chars() {
        let Some(v) = c.to_digit(36) else { return false };
        for digit in v.to_string().chars() {
            rem = (rem * 10 + digit.to_digit(10).unwrap_or(0)) % 97;
        }
    }
    rem == 1
}

fn ssn_valid(area: &str, group: &str, serial: &str) -> bool {
    area != "000" && area != "666" && !area.starts_with('9') && group != "00" && serial != "0000"
}

/// 8 to 15 digits with a `+`, brackets or separators; plain digits only after a phone word.
fn phone_like(text: &str, start: usize, s: &str) -> bool {
    let n = digits(s.split(['x', 'e']).next().unwrap_or(s)).len();
    let before = &text[text.floor_char_boundary(start.saturating_sub(40))..start];
    let cued_seven = n == 7 && PHONE_CUE.is_match(before);
    if !((8..=15).contains(&n) || cued_seven) {
        return false;
    }
    let separated = s.starts_with('+') || s.contains(' ') || s.contains('-') || s.contains('(');
    // A date (2026-11-25) or a version (1.2.3) is not a phone.
    // A date, or a date and an hour: not a phone (a dotted French number has more after it).
    if let Some(d) = DATE_START.find(s)
        && digits(&s[d.end()..]).len() <= 2
    {
        return false;
    }
    let main = s.split(['x', 'e']).next().unwrap_or(s).trim();
    if DOTTED_PHONE.is_match(main) {
        return true;
    }
    !s.contains('.') && (separated || PHONE_CUE.is_match(before)) || (s.contains('.') && PHONE_CUE.is_match(before))
}

fn push(out: &mut Vec<Finding>, kind: Kind, start: usize, end: usize) {
    out.push(Finding { kind, start, end });
}

pub(crate) fn find_all(text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for m in EMAIL.find_iter(text) {
        push(&mut out, Kind::Email, m.start(), m.end());
    }
    for m in CREDENTIAL.find_iter(text) {
        push(&mut out, Kind::Credential, m.start(), m.end());
    }
    for c in PASSWORD.captures_iter(text) {
        let m = c.get(1).expect("group 1");
        push(&mut out, Kind::Credential, m.start(), m.end());
    }
    for c in SSN.captures_iter(text) {
        if ssn_valid(&c[1], &c[2], &c[3]) {
            let m = c.get(0).expect("group 0");
            push(&mut out, Kind::UsSsn, m.start(), m.end());
        }
    }
    for c in SSN_PLAIN.captures_iter(text) {
        let m = c.get(1).expect("group 1");
        push(&mut out, Kind::UsSsn, m.start(), m.end());
    }
    for m in IPV4.find_iter(text) {
        if m.as_str().parse::<std::net::Ipv4Addr>().is_ok() {
            push(&mut out, Kind::IpAddress, m.start(), m.end());
        }
    }
    for m in IPV6.find_iter(text) {
        if m.as_str().matches(':').count() >= 2 && m.as_str().parse::<std::net::Ipv6Addr>().is_ok() {
            push(&mut out, Kind::IpAddress, m.start(), m.end());
        }
    }
    for m in CARD.find_iter(text) {
        let before = &text[text.floor_char_boundary(m.start().saturating_sub(30))..m.start()];
        let n = digits(m.as_str()).len();
        // Luhn alone proves little for a 12-digit number; "card" before it does.
        let preceded_by_plus = text[..m.start()].ends_with('+');
        if !preceded_by_plus && ((n >= 13 && luhn_valid(m.as_str())) || (n >= 12 && CARD_CUE.is_match(before))) {
            push(&mut out, Kind::CreditCard, m.start(), m.end());
        }
    }
    for m in IBAN.find_iter(text) {
        if iban_valid(m.as_str()) {
            push(&mut out, Kind::Iban, m.start(), m.end());
        }
    }
    // Overlaps with cards, IPs and SSNs found above are settled later: the longer span wins, and
    // on a tie the recognizer that ran first.
    for m in PHONE.find_iter(text) {
        if phone_like(text, m.start(), m.as_str()) {
            push(&mut out, Kind::Phone, m.start(), m.end());
        }
    }
    addresses(text, &mut out);
    persons(text, &mut out);
    out
}

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
    if ADDRESS_LINE.is_match(text[end..rest_of_line].trim()) || text[end..rest_of_line].trim().is_empty() {
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
            if !ADDRESS_LINE.is_match(line) {
                break;
            }
            lines += 1;
            end = next_end;
        }
        at = next_end;
    }
    end
}

fn addresses(text: &str, out: &mut Vec<Finding>) {
    let mut spans = Vec::new();
    for m in MILITARY.find_iter(text) {
        spans.push((m.start(), m.end()));
    }
    for r in [&*STREET_AFTER, &*STREET_BEFORE, &*STREET_COMPOUND, &*NUMBER_NAME_NUMBER] {
        for m in r.find_iter(text) {
            spans.push((m.start(), with_tail(text, m.end())));
        }
    }
    for m in ADDRESS_CUE.find_iter(text) {
        let window = text.floor_char_boundary((m.end() + 200).min(text.len()));
        let line_end = text[m.end()..window].find(['\n', '.', '!', '?']).map_or(window, |i| m.end() + i);
        let line = &text[m.end()..line_end];
        // A cue followed by something with a number reads as an address.
        if line.chars().any(|c| c.is_ascii_digit()) && line.len() >= 4 {
            spans.push((m.end(), with_tail(text, line_end)));
        }
    }
    for (start, end) in spans {
        let end = trim_end(text, start, end);
        if end > start {
            push(out, Kind::StreetAddress, start, end);
        }
    }
}

fn trim_end(text: &str, start: usize, end: usize) -> usize {
    start + text[start..end].trim_end_matches(|c: char| c.is_whitespace() || c == ',' || c == '.').len()
}

fn persons(text: &str, out: &mut Vec<Finding>) {
    // Where a cue ("Thanks,", "my name is", "Dear") ends, found in one pass; a name may start there.
    let cue_ends: HashSet<usize> = NAME_CUE.find_iter(text).map(|m| m.end()).collect();
    // A first name from the list, followed by a capitalised surname.
    for m in WORD.find_iter(text) {
        let word = m.as_str().to_lowercase();
        if !FIRST_NAMES.contains(word.as_str()) {
            continue;
        }
        let rest = &text[m.end()..];
        match NAME_AFTER_FIRST.find(rest) {
            Some(s) if !is_common_word(s.as_str().trim()) => push(out, Kind::Person, m.start(), m.end() + s.end()),
            _ => {
                if !AMBIGUOUS.contains(&word.as_str())
                    && (cue_ends.contains(&m.start()) || !sentence_start(text, m.start()))
                {
                    push(out, Kind::Person, m.start(), m.end());
                }
            }
        }
    }
    // Two or three capitalised words of which the last reads as a surname ("Vilmer Holmberg",
    // "Samir Jelenovič"), unless one of them names a company, a place or a law.
    for m in CAP_RUN.find_iter(text) {
        let words: Vec<&str> = m.as_str().split(' ').collect();
        let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
        if words.iter().any(|w| is_common_word(w))
            || lower.iter().any(|w| STREET_WORD_SET.contains(w.as_str()) || NOT_NAMES.contains(&w.as_str()))
        {
            continue;
        }
        let last = lower.last().cloned().unwrap_or_default();
        if SURNAME_ENDINGS.iter().any(|e| last.ends_with(e)) {
            // "Yesterday Maria Lopez": a capitalised word before a known first name is not part of it.
            let skip =
                lower.len() == 3 && !FIRST_NAMES.contains(lower[0].as_str()) && FIRST_NAMES.contains(lower[1].as_str());
            let start = if skip { m.start() + words[0].len() + 1 } else { m.start() };
            push(out, Kind::Person, start, m.end());
        }
    }
    // A line that is only a name: "Fausto Calabrese" above an address, a signature.
    for m in NAME_LINE.find_iter(text) {
        let words: Vec<&str> = m.as_str().split_whitespace().collect();
        if words.iter().all(|w| !is_common_word(w) && !STREET_WORD_SET.contains(w.to_lowercase().as_str())) {
            let start = m.start() + (m.as_str().len() - m.as_str().trim_start().len());
            push(out, Kind::Person, start, start + m.as_str().trim().len());
        }
    }
    // Any words after "my name is": people type their names in lower case too.
    for c in STRONG_NAME_CUE.captures_iter(text) {
        let m = c.get(1).expect("group 1");
        let words: Vec<&str> = m
            .as_str()
            .split(' ')
            .take_while(|w| !is_common_word(w) && !STOP.contains(&w.to_lowercase().as_str()))
            .collect();
        let len: usize = words.iter().map(|w| w.len()).sum::<usize>() + words.len().saturating_sub(1);
        if len > 0 {
            push(out, Kind::Person, m.start(), m.start() + len);
        }
    }
    // Capitalised words right after a cue: "my name is Hafþór Smárason".
    for &at in &cue_ends {
        if let Some(run) = NAME_RUN.find(&text[at..]) {
            let words: Vec<&str> = run.as_str().split(' ').take_while(|w| !is_common_word(w)).collect();
            let len: usize = words.iter().map(|w| w.len()).sum::<usize>() + words.len().saturating_sub(1);
            if len > 0 {
                push(out, Kind::Person, at, at + len);
            }
        }
    }
}

/// True at the start of the text or of a sentence, where any word is capitalised.
fn sentence_start(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end();
    before.is_empty() || before.ends_with(['.', '!', '?', '\n', ':', '"'])
}

/// Capitalised words that are not names: the start of a sentence, days, months, products.
fn is_common_word(w: &str) -> bool {
    const COMMON: &[&str] = &[
        "I",
        "The",
        "A",
        "An",
        "This",
        "That",
        "It",
        "We",
        "You",
        "He",
        "She",
        "They",
        "My",
        "Your",
        "Our",
        "Is",
        "Are",
        "Was",
        "And",
        "But",
        "Or",
        "If",
        "When",
        "Thanks",
        "Thank",
        "Please",
        "Hi",
        "Hello",
        "Dear",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Support",
        "Team",
        "Customer",
        "Export",
        "Import",
        "Error",
        "Account",
        "Here",
        "There",
        "Not",
        "No",
        "Yes",
        "So",
        "Just",
        "Also",
        "Sorry",
        "Regards",
        "Best",
        "Cheers",
        "From",
        "To",
        "In",
        "On",
        "At",
        "For",
        "With",
        "About",
        "Can",
        "Could",
        "Would",
        "Should",
    ];
    COMMON.contains(&w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, String)> {
        let mut f = find_all(text);
        f = crate::resolve_overlaps(f);
        f.into_iter().map(|f| (f.kind, text[f.start..f.end].to_string())).collect()
    }

    #[test]
    fn ssns_ips_and_credentials_are_found_and_look_alikes_are_not() {
        assert_eq!(kinds("Here's my SSN: 054-28-6917"), vec![(Kind::UsSsn, "054-28-6917".into())]);
        assert!(kinds("order 666-12-3456 and 900-12-3456").iter().all(|(k, _)| *k != Kind::UsSsn), "invalid areas");
        assert_eq!(kinds("keep getting address 36.160.14.148 now"), vec![(Kind::IpAddress, "36.160.14.148".into())]);
        assert_eq!(kinds("from 6e40:4041:c617:e898:c11:40d2:c669:2eb4 x")[0].0, Kind::IpAddress);
        assert!(kinds("at 10:30:00 on 999.1.1.1").is_empty());
        assert_eq!(kinds("token ghp_abcdefghijklmnopqrstuvwxyz0123456789 ok")[0].0, Kind::Credential);
        assert_eq!(kinds("my password: hunter22 thanks"), vec![(Kind::Credential, "hunter22".into())]);
    }

    #[test]
    fn phones_need_a_shape_or_a_cue() {
        assert_eq!(kinds("They're not answering at 0680 298 70 63")[0], (Kind::Phone, "0680 298 70 63".into()));
        assert_eq!(kinds("Fax: 9498777106")[0], (Kind::Phone, "9498777106".into()));
        assert!(kinds("Invoice 9498777106 was paid").is_empty());
        assert!(kinds("Released 2026-11-25 as 1.2.3").is_empty());
    }

    #[test]
    fn addresses_take_the_street_and_the_lines_after_it() {
        let t = "The address of Persint is 6750 Koskikatu 25 Apt. 864\nArtilleros\n, CO\n Uruguay 64677";
        let found = kinds(t);
        let addr = found.iter().find(|(k, _)| *k == Kind::StreetAddress).expect("an address");
        assert!(addr.1.starts_with("6750 Koskikatu 25") && addr.1.ends_with("Uruguay 64677"), "{addr:?}");
        assert_eq!(kinds("He lives at 254 Damvergi Street.")[0], (Kind::StreetAddress, "254 Damvergi Street".into()));
    }

    #[test]
    fn names_need_the_list_and_a_surname_or_a_cue() {
        assert_eq!(kinds("Thanks, Hafþór Smárason")[0], (Kind::Person, "Hafþór Smárason".into()));
        assert_eq!(kinds("Yesterday Maria Lopez called")[0], (Kind::Person, "Maria Lopez".into()));
        assert!(kinds("Will this be fixed in May?").is_empty());
        assert!(kinds("The Export button fails").is_empty());
    }
}
