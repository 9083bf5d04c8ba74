//! Special categories and identifiers: ages and dates of birth, children's information, health,
//! national identity numbers and secrets that only look random.
//!
//! - ages: a number from 1 to 120 after "turned", "age of", "aged", or before "years old",
//!   "-year-old", "y/o"; a child's age (under 13, with "son", "daughter", "kid" … just before)
//!   is a CHILD finding instead, and so is a school's name;
//! - dates of birth: a date after "born on", "date of birth", "DOB", "birthday";
//! - health: named conditions, medications and procedures, and ICD-10 codes next to "ICD" or
//!   "diagnosis";
//! - national ids: UK National Insurance numbers, and the number after "passport", "driver's
//!   licence", "national ID";
//! - secrets: long tokens mixing upper case, lower case and digits with high entropy.

use std::sync::LazyLock;

use regex::Regex;

use super::gates::Gates;
use super::{Pattern, Present, captures, push, push_first_groups, re};
use crate::{Finding, Kind};

static AGE: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)(?:(?-u:\b)(?:turned|turning|turn|age of|aged|ages|age:?)\s+(\d{1,3})(?-u:\b)",
        r"|(?-u:\b)(\d{1,3})(?:\s*|-)(?:years?|yrs?)(?:\s*|-)old(?-u:\b)|(?-u:\b)(\d{1,3})\s*y/o)"
    ))
});
static CHILD_WORD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?-u:\b)(?:son|daughter|kid|kids|child|children|boy|girl|toddler|baby|grandson|granddaughter|stepson|stepdaughter)(?-u:\b)",
    )
});
static SCHOOL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:[A-Z][a-z]+[ \-]){1,4}(?:Elementary|Primary|Middle|Junior High|Nursery|Infant|Grammar) School|(?:[A-Z][a-z]+ ){1,3}(?:Kindergarten|Preschool|Daycare)",
    )
});
const BIRTH_DATE_PATTERN: &str = concat!(
    r"(?i)(?:born(?: on)?|date of birth|d\.?o\.?b\.?|birth ?date|birthday(?: is)?(?: on)?)\W{0,4}",
    r"(\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}(?:st|nd|rd|th)? (?:of )?[a-z]{3,9},? \d{4}|[a-z]{3,9} \d{1,2}(?:st|nd|rd|th)?,? \d{4})"
);
static BIRTH_DATE: LazyLock<Regex> = LazyLock::new(|| re(BIRTH_DATE_PATTERN));
pub(super) const HEALTH_PATTERN: &str = concat!(
    r"(?i)(?-u:\b)(?:diabetes|diabetic|cancer|leukemia|leukaemia|lymphoma|tumou?r|hiv|hepatitis|epilepsy|",
    r"seizures?|asthma|copd|depression|anxiety disorder|bipolar|schizophrenia|ptsd|adhd|autism|autistic|dementia|",
    r"alzheimer'?s|parkinson'?s|multiple sclerosis|crohn'?s|celiac|coeliac|arthritis|lupus|heart attack|",
    r"heart failure|hypertension|pregnan(?:t|cy)|miscarriage|covid(?:-19)?|chemotherapy|chemo|",
    r"radiotherapy|dialysis|biopsy|mastectomy|psychiatrist|",
    r"insulin|metformin|sertraline|fluoxetine|prozac|zoloft|xanax|methadone|oxycodone|morphine|",
    r"adderall|ritalin|chemo ?therapy|antidepressants?|inhaler|epipen)(?-u:\b)"
);
static HEALTH: LazyLock<Regex> = LazyLock::new(|| re(HEALTH_PATTERN));
const ICD10_PATTERN: &str =
    r"(?i)(?:icd(?:-?10)?|diagnosis|diagnosed|dx)\W{0,20}(?-u:\b)([A-TV-Z]\d{2}(?:\.\d{1,4})?)(?-u:\b)";
static ICD10: LazyLock<Regex> = LazyLock::new(|| re(ICD10_PATTERN));
static NINO: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?-u:\b)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D](?-u:\b)"));
static ID_AFTER_CUE: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)(?:passport|driver'?s licen[cs]e|driving licen[cs]e|licen[cs]e number|national id|id card|",
        r"identity card|personalausweis|tax id|steuer-?id)(?: number| no\.?| #)?\W{0,5}(?:is\W{0,3})?(?-u:\b)([A-Z0-9]{6,12})(?-u:\b)"
    ))
});
static TOKEN: LazyLock<Regex> = LazyLock::new(|| re(r"[A-Za-z0-9+/_\-]{24,200}={0,2}"));

/// `gates`: what the text may hold (see `gates`), when it has a digit.
/// `present`: which of the rarely matching patterns the text has (see `recognizers::Pattern`).
pub(super) fn sensitive(text: &str, gates: Option<&Gates>, present: &Present, out: &mut Vec<Finding>) {
    if present.has(Pattern::School) {
        for m in SCHOOL.find_iter(text) {
            push(out, Kind::Child, m.start(), m.end());
        }
    }
    if present.has(Pattern::Health) {
        for m in HEALTH.find_iter(text) {
            push(out, Kind::Health, m.start(), m.end());
        }
    }
    let Some(gates) = gates else { return };
    if gates.age {
        ages(text, out);
    }
    if present.has(Pattern::BirthDate) {
        push_first_groups(&BIRTH_DATE, text, Kind::DateOfBirth, out);
    }
    if present.has(Pattern::Icd10) {
        push_first_groups(&ICD10, text, Kind::Health, out);
    }
    if gates.digit_run >= 6 && gates.nino {
        for m in NINO.find_iter(text) {
            push(out, Kind::NationalId, m.start(), m.end());
        }
    }
    if gates.national_id {
        for c in captures(&ID_AFTER_CUE, text) {
            let m = c.get(1).expect("group 1");
            if m.as_str().bytes().any(|b| b.is_ascii_digit()) {
                push(out, Kind::NationalId, m.start(), m.end());
            }
        }
    }
    if gates.token {
        for m in TOKEN.find_iter(text) {
            if looks_random(m.as_str()) {
                push(out, Kind::Credential, m.start(), m.end());
            }
        }
    }
}

fn ages(text: &str, out: &mut Vec<Finding>) {
    for c in captures(&AGE, text) {
        let Some(m) = c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3)) else { continue };
        let Ok(age) = m.as_str().parse::<u32>() else { continue };
        if !(1..=120).contains(&age) {
            continue;
        }
        let window = &text[text.floor_char_boundary(m.start().saturating_sub(40))..m.start()];
        let kind = if age < 13 && CHILD_WORD.is_match(window) { Kind::Child } else { Kind::Age };
        push(out, kind, m.start(), m.end());
    }
}

/// Upper case, lower case and digits, and about five or more bits of entropy a character: an API
/// key or a password, not a word, a path, a hash in hex or a UUID.
fn looks_random(token: &str) -> bool {
    let bytes = token.as_bytes();
    let has = |f: fn(&u8) -> bool| bytes.iter().any(f);
    if !(has(u8::is_ascii_uppercase) && has(u8::is_ascii_lowercase) && has(u8::is_ascii_digit)) {
        return false;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let n = bytes.len() as f64;
    let entropy: f64 = counts.iter().filter(|&&c| c > 0).map(|&c| -(c as f64 / n) * (c as f64 / n).log2()).sum();
    entropy >= 4.2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(Kind, &str)> {
        let mut out = Vec::new();
        let gates = text.bytes().any(|b| b.is_ascii_digit()).then(|| super::super::gates::gates(text));
        sensitive(text, gates.as_ref(), &Present::All, &mut out);
        out.sort_by_key(|f| f.start);
        out.iter().map(|f| (f.kind, &text[f.start..f.end])).collect()
    }

    #[test]
    fn ages_and_childrens_information() {
        assert_eq!(found("He just turned 78 years old"), [(Kind::Age, "78")]);
        assert_eq!(found("Patient is a 38-year-old male"), [(Kind::Age, "38")]);
        assert_eq!(found("i'm 26 y/o."), [(Kind::Age, "26")]);
        assert_eq!(found("my daughter is 9 years old and uses your app"), [(Kind::Child, "9")]);
        assert_eq!(found("My son goes to Lincoln Elementary School"), [(Kind::Child, "Lincoln Elementary School")]);
        assert!(found("Version 2 is 3 years old").iter().all(|(k, _)| *k == Kind::Age));
        assert!(found("we waited 300 years old-style").is_empty());
    }

    #[test]
    fn dates_of_birth_health_and_ids() {
        assert_eq!(found("date of birth: 12/03/1985"), [(Kind::DateOfBirth, "12/03/1985")]);
        assert_eq!(found("I was born on March 12, 1985"), [(Kind::DateOfBirth, "March 12, 1985")]);
        assert_eq!(found("I have diabetes and take insulin"), [(Kind::Health, "diabetes"), (Kind::Health, "insulin")]);
        assert_eq!(found("diagnosis code ICD-10 E11.9 on file"), [(Kind::Health, "E11.9")]);
        assert_eq!(found("NI number AB 12 34 56 C"), [(Kind::NationalId, "AB 12 34 56 C")]);
        assert_eq!(found("my passport number is X1234567"), [(Kind::NationalId, "X1234567")]);
        assert!(found("the export crashed at 12:03").is_empty());
    }

    #[test]
    fn random_looking_tokens_are_secrets_and_ordinary_long_words_are_not() {
        assert_eq!(found("key: Zx9Qm2LpR7vT4wYb8NcK3fHd"), [(Kind::Credential, "Zx9Qm2LpR7vT4wYb8NcK3fHd")]);
        assert_eq!(found("k=Zx9Qm2LpR7vT4wYb8NcK3fHd== ok"), [(Kind::Credential, "Zx9Qm2LpR7vT4wYb8NcK3fHd==")]);
        for t in [
            "0f8fad5b-d9cb-469f-a165-70867728950e",
            "d41d8cd98f00b204e9800998ecf8427e",
            "internationalization_settings",
            "/var/lib/jetson/data/jetson.db",
        ] {
            assert!(found(t).is_empty(), "{t}");
        }
    }
}
