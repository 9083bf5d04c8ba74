//! Person names: a first name from the shipped census list followed by a capitalised surname,
//! capitalised words after a cue ("my name is", "Dear", "Thanks,"), lines that hold only a name, and
//! capitalised runs that end like a surname. The conversation's own names are matched exactly by
//! the caller.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::addresses::STREET_WORD_SET;
use super::{push, re};
use crate::{Finding, Kind};

static FIRST_NAMES: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("../../data/first_names.txt").lines().filter(|l| !l.is_empty()).collect());
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
        r"(?i)(?:(?-u:\b)my name is|(?-u:\b)name is|(?-u:\b)i am|(?-u:\b)i'm|(?-u:\b)this is|(?-u:\b)dear|(?-u:\b)hi|(?-u:\b)hello|(?-u:\b)hey|(?-u:\b)thanks,|(?-u:\b)thank you,|(?-u:\b)regards,|(?-u:\b)cheers,|(?-u:\b)best,|(?-u:\b)sincerely,|(?-u:\b)says|(?-u:\b)said|(?-u:\b)asked|(?-u:\b)contact|(?-u:\b)speak to|(?-u:\b)talk to|(?-u:\b)mr\.?|(?-u:\b)mrs\.?|(?-u:\b)ms\.?|(?-u:\b)dr\.?|(?-u:\b)starring|(?-u:\b)featuring|(?-u:\b)user:|(?-u:\b)producer|(?-u:\b)founders:|(?-u:\b)assistant to)[ ,]+",
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
static WORD: LazyLock<Regex> = LazyLock::new(|| re(r"(?-u:\b)[\p{Lu}][\p{Ll}'\-]{1,}(?-u:\b)"));

pub(super) fn persons(text: &str, out: &mut Vec<Finding>) {
    // Where a cue ("Thanks,", "my name is", "Dear") ends, found in one pass; a name may start there.
    // In text order (the search goes forwards), so a binary search answers "does a cue end here".
    let cue_ends: Vec<usize> = NAME_CUE.find_iter(text).map(|m| m.end()).collect();
    // A first name from the list, followed by a capitalised surname.
    for m in WORD.find_iter(text) {
        // The list is lower-case ASCII: look a word up without allocating, and most words not at all.
        let mut buf = [0u8; 24];
        let raw = m.as_str().as_bytes();
        if raw.len() > buf.len() || !raw.is_ascii() {
            continue;
        }
        buf[..raw.len()].copy_from_slice(raw);
        buf[..raw.len()].make_ascii_lowercase();
        let word = std::str::from_utf8(&buf[..raw.len()]).expect("ASCII");
        if !FIRST_NAMES.contains(word) {
            continue;
        }
        let rest = &text[m.end()..];
        match NAME_AFTER_FIRST.find(rest) {
            Some(s) if !is_common_word(s.as_str().trim()) => push(out, Kind::Person, m.start(), m.end() + s.end()),
            _ => {
                if !AMBIGUOUS.contains(&word)
                    && (cue_ends.binary_search(&m.start()).is_ok() || !sentence_start(text, m.start()))
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
        if words.iter().any(|w| is_common_word(w)) {
            continue;
        }
        let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
        if lower.iter().any(|w| STREET_WORD_SET.contains(w.as_str()) || NOT_NAMES.contains(&w.as_str())) {
            continue;
        }
        let last = lower.last().cloned().unwrap_or_default();
        // Letters beyond ASCII in a pair of capitalised words ("Krisztián Szöllösy", "Šárka
        // Ottová") read as a name from a language whose surnames the endings do not cover.
        let foreign = words.len() >= 2 && m.as_str().chars().any(|c| c.is_alphabetic() && !c.is_ascii());
        if foreign || SURNAME_ENDINGS.iter().any(|e| last.ends_with(e)) {
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
    static SET: LazyLock<HashSet<&'static str>> = LazyLock::new(|| COMMON.iter().copied().collect());
    SET.contains(w)
}
