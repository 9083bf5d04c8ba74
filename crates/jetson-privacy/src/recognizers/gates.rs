//! Cheap necessary conditions for the costly patterns, found in one pass over the bytes.
//!
//! Most of those patterns start with a digit or a character class, so the regex engine has no
//! literal to skip ahead with and walks every byte of every text with digits in it, once per
//! pattern. Each gate here is implied by its pattern: when a gate is shut, the pattern cannot
//! match (or no match could pass its validator), so skipping it changes no finding. Where a
//! condition would need Unicode case folding or letters beyond ASCII, the gate stays open.

use std::sync::LazyLock;

use super::addresses::{COMPOUND_STREET_WORDS, STREET_WORDS};

/// The street words as numbers (their bytes, little-endian), sorted: a binary search over
/// integers, without hashing, comparing strings or allocating.
static ASCII_STREET_WORDS: LazyLock<Vec<u128>> = LazyLock::new(|| {
    let mut words: Vec<u128> =
        STREET_WORDS.split('|').filter(|w| w.len() <= 16).map(|w| packed(w.as_bytes())).collect();
    words.sort_unstable();
    words.dedup();
    words
});

/// For each first letter, the lengths of the street words that start with it, as bits.
static STREET_SHAPES: LazyLock<[u16; 26]> = LazyLock::new(|| {
    let mut shapes = [0u16; 26];
    for w in STREET_WORDS.split('|').filter(|w| w.is_ascii() && w.len() < 16) {
        shapes[usize::from(w.as_bytes()[0] - b'a')] |= 1 << w.len();
    }
    shapes
});

/// The compound street words, split once.
static COMPOUND_ENDINGS: LazyLock<Vec<&'static str>> = LazyLock::new(|| COMPOUND_STREET_WORDS.split('|').collect());

/// A word of up to 16 bytes as a number: its bytes, little-endian, in lower case. Folded byte by
/// byte, where copying into a buffer called the C library twice.
fn packed(word: &[u8]) -> u128 {
    word.iter().rev().fold(0, |key, &c| key << 8 | u128::from(c.to_ascii_lowercase()))
}

/// What a text may hold, as far as the patterns that need digits are concerned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Gates {
    /// The most digits in one run of digits and phone separators (` -.()+`): cards need 12,
    /// SSNs written as nine digits 9, phones 7, UK National Insurance numbers 6.
    pub(super) digit_run: usize,
    /// Three digits, a dash or space, two digits, a dash or space and four digits: a US SSN's shape.
    pub(super) ssn: bool,
    /// Two letters and two digits (`DE89…`): every IBAN starts so.
    pub(super) iban: bool,
    /// Two capitals, perhaps a space, and a digit: every UK National Insurance number starts so.
    pub(super) nino: bool,
    /// A run of at least 24 token characters (`[A-Za-z0-9+/_-]`): a random-looking secret.
    pub(super) token: bool,
    /// A number, up to four words and a street word: `12 Main Street`.
    pub(super) street_after: bool,
    /// A word ending in a street word and a number: `Koskikatu 25`.
    pub(super) street_compound: bool,
    /// A number, a capitalised word and, within four words, a number: `22829 Jagerij 64`.
    pub(super) number_name_number: bool,
    /// A number of one to three digits after "turned", "aged", "age of" … or before "years",
    /// "yrs", "y/o": an age.
    pub(super) age: bool,
    /// A word of 6 to 12 letters and digits with a digit in it: what follows "passport" or
    /// "driver's licence".
    pub(super) national_id: bool,
}

impl Gates {
    /// Every gate open: what the recognizers did before there were gates.
    #[cfg(test)]
    pub(super) const OPEN: Gates = Gates {
        digit_run: usize::MAX,
        ssn: true,
        iban: true,
        nino: true,
        token: true,
        street_after: true,
        street_compound: true,
        number_name_number: true,
        age: true,
        national_id: true,
    };
}

const TOKEN_LEN: usize = 24;

const TOKEN_CHAR: u8 = 1;
/// What may sit between the digits of a phone number.
const SEPARATOR: u8 = 2;

/// Each byte's classes: one table lookup answers each question about a byte.
static CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'_' | b'-') {
            table[b] |= TOKEN_CHAR;
        }
        if matches!(c, b' ' | b'-' | b'.' | b'(' | b')' | b'+') {
            table[b] |= SEPARATOR;
        }
        b += 1;
    }
    table
};

pub(super) fn gates(text: &str) -> Gates {
    let b = text.as_bytes();
    let mut g = Gates { token: has_token_run(b), ..Gates::default() };
    // From one run of digits to the next: the bytes between are looked at only to see whether
    // they are all phone separators, which carry the count of digits over.
    let (mut run_digits, mut previous_end) = (0usize, 0usize);
    let mut i = 0;
    while let Some(start) = next_digit(b, i) {
        // Letters (or bytes of a non-ASCII character, which case folding could make one) and
        // two digits.
        let letterish = |x: u8| x.is_ascii_alphabetic() || x >= 0x80;
        if start >= 2
            && start + 1 < b.len()
            && letterish(b[start - 2])
            && letterish(b[start - 1])
            && b[start + 1].is_ascii_digit()
        {
            g.iban = true;
        }
        // Two capitals, and perhaps a space, right before the digits: how a UK National Insurance
        // number starts (`AB 12 34 56 C`).
        let capital = |back: usize| start.checked_sub(back).is_some_and(|at| b[at].is_ascii_uppercase());
        g.nino |= capital(1) && capital(2) || start >= 1 && b[start - 1] == b' ' && capital(2) && capital(3);
        // A maximal run of digits: what follows and precedes it decides the other gates.
        let end = start + b[start..].iter().take_while(|c| c.is_ascii_digit()).count();
        if !b[previous_end..start].iter().all(|&c| CLASSES[usize::from(c)] & SEPARATOR != 0) {
            run_digits = 0;
        }
        run_digits += end - start;
        g.digit_run = g.digit_run.max(run_digits);
        g.ssn |= end - start == 3 && ssn_after(b, end);
        address_gates(text, start, end, &mut g);
        g.age |= age_at(text, start, end);
        g.national_id |= id_at(b, start, end);
        (previous_end, i) = (end, end);
    }
    g
}

/// Where the next ASCII digit at or after `from` is. Eight bytes are tested at a time for one
/// in `0x30..=0x39` ("hasbetween" from Bit Twiddling Hacks: exact for each byte, carry-free across
/// them), so the bytes between numbers, most of a text, cost an eighth of a test each.
pub(super) fn next_digit(b: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::MAX / 255;
    const LOW7: u64 = ONES * 127;
    let mut i = from;
    while let Some(chunk) = b.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let low = x & LOW7;
        // Per byte v below 0x80: the top bit of 127 + 0x3A - v is set when v < 0x3A, that of
        // v + 127 - 0x2F when v > 0x2F.
        let digits =
            (ONES * (127 + 0x3A)).wrapping_sub(low) & !x & low.wrapping_add(ONES * (127 - 0x2F)) & (ONES * 128);
        if digits != 0 {
            break;
        }
        i += 8;
    }
    b.get(i..)?.iter().position(u8::is_ascii_digit).map(|p| i + p)
}

/// Whether the text holds a run of [`TOKEN_LEN`] token characters. Such a run holds a whole
/// aligned block of half that length, so only blocks made entirely of token characters (in prose,
/// a space ends nearly every block within a few bytes) are measured out to the run around them.
fn has_token_run(b: &[u8]) -> bool {
    const BLOCK: usize = TOKEN_LEN / 2;
    let token = |c: &u8| CLASSES[usize::from(*c)] & TOKEN_CHAR != 0;
    let mut at = 0;
    while at + BLOCK <= b.len() {
        if b[at..at + BLOCK].iter().all(token) {
            let left = b[..at].iter().rev().take_while(|c| token(c)).count();
            let right = b[at + BLOCK..].iter().take_while(|c| token(c)).count();
            if left + BLOCK + right >= TOKEN_LEN {
                return true;
            }
        }
        at += BLOCK;
    }
    false
}

/// The address gates at the digit run `start..end`.
fn address_gates(text: &str, start: usize, end: usize, g: &mut Gates) {
    let b = text.as_bytes();
    if !g.street_after || !g.number_name_number {
        // `\d{1,6}[a-z]?,? `: one letter and a comma may sit between the number and the space.
        let mut at = end;
        if let Some(c) = text[at..].chars().next()
            && c.is_alphabetic()
        {
            at += c.len_utf8();
        }
        if b.get(at) == Some(&b',') {
            at += 1;
        }
        if b.get(at) == Some(&b' ') {
            let after = &text[at + 1..];
            g.street_after |= street_word_ahead(after);
            g.number_name_number |= name_and_number_ahead(&text[end..]);
        }
    }
    if g.street_compound || start == 0 || b[start - 1] != b' ' {
        return;
    }
    // The word before the number, up to the space before it.
    let before = &b[..start - 1];
    let nearest = &before[before.iter().rposition(|&c| c == b' ').map_or(0, |p| p + 1)..];
    g.street_compound = !nearest.is_ascii()
        || COMPOUND_ENDINGS
            .iter()
            .any(|e| nearest.len() >= e.len() && nearest[nearest.len() - e.len()..].eq_ignore_ascii_case(e.as_bytes()));
}

/// After three digits that end at `end`: a dash or space, exactly two digits, a dash or space and
/// exactly four digits (`054-28-6917`).
fn ssn_after(b: &[u8], end: usize) -> bool {
    let separator = |at: usize| matches!(b.get(at), Some(b'-' | b' '));
    let digits = |from: usize, n: usize| {
        b.get(from..from + n).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
            && b.get(from + n).is_none_or(|c| !c.is_ascii_digit())
    };
    separator(end) && digits(end + 1, 2) && separator(end + 3) && digits(end + 4, 4)
}

/// `AGE`: a run of one to three digits after a cue word and spaces, or before spaces (or a
/// hyphen) and a "y". Anything beyond ASCII next to it leaves the gate open.
fn age_at(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    if !(1..=3).contains(&(end - start)) || start > 0 && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'_')
    {
        return false;
    }
    let after = text[end..].trim_start_matches(|c: char| c.is_whitespace() || c == '-');
    if after.as_bytes().first().is_some_and(|&c| c == b'y' || c == b'Y' || c >= 0x80) {
        return true;
    }
    let before = &text[..start];
    let cue = before.trim_end_matches(char::is_whitespace);
    if cue.len() == before.len() && !cue.ends_with(':') {
        return false;
    }
    let cue = cue.strip_suffix(':').unwrap_or(cue);
    let letters = cue.len() - cue.bytes().rev().take_while(u8::is_ascii_alphabetic).count();
    let word = &cue[letters..];
    cue.as_bytes()[..letters].last().is_some_and(|&c| c >= 0x80)
        || ["turned", "turning", "turn", "of", "aged", "ages", "age"].iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// `ID_AFTER_CUE`: the word of ASCII letters, digits and underscores around a digit run is 6 to 12
/// long (or touches a character beyond ASCII).
fn id_at(b: &[u8], start: usize, end: usize) -> bool {
    let word = |c: &u8| c.is_ascii_alphanumeric() || *c == b'_';
    let left = b[..start].iter().rev().take_while(|c| word(c)).count();
    let right = b[end..].iter().take_while(|c| word(c)).count();
    let beyond_ascii =
        b[..start - left].last().is_some_and(|&c| c >= 0x80) || b.get(end + right).is_some_and(|&c| c >= 0x80);
    beyond_ascii || (6..=12).contains(&(left + (end - start) + right))
}

/// Up to five words after a number: does one of them start with a street word that ends there
/// (`Main St.`, `Elm Street`)? Words between are letters, apostrophes, dots and hyphens.
fn street_word_ahead(after: &str) -> bool {
    let mut rest = after;
    for _ in 0..5 {
        let b = rest.as_bytes();
        let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
        match b.get(letters) {
            // A letter beyond ASCII: a street word such as "vägen", or case folding: stay open.
            Some(&c) if c >= 0x80 => return true,
            Some(&c) if c.is_ascii_digit() || c == b'_' => {}
            _ if letters > 0 && is_street_word(&b[..letters]) => return true,
            _ => {}
        }
        // On to the next word, if this one is all letters, apostrophes, dots and hyphens.
        let word_len = b.iter().take_while(|&&c| c.is_ascii_alphabetic() || c >= 0x80 || b"'.-".contains(&c)).count();
        if word_len == 0 || b.get(word_len) != Some(&b' ') {
            return false;
        }
        rest = &rest[word_len + 1..];
    }
    false
}

/// After a number: a space, a capital (or a letter beyond ASCII) and, within four more words, a
/// word starting with a digit.
fn name_and_number_ahead(after: &str) -> bool {
    let Some(rest) = after.strip_prefix(' ') else { return false };
    if !rest.as_bytes().first().is_some_and(|&c| c.is_ascii_uppercase() || c >= 0x80) {
        return false;
    }
    rest.split(' ').skip(1).take(4).any(|w| w.as_bytes().first().is_some_and(u8::is_ascii_digit))
}

/// An ASCII street word, in any case (the gates stay open for words beyond ASCII).
fn is_street_word(word: &[u8]) -> bool {
    // Most words fail on their first letter and length, without a search.
    let Some(first) = word.first().map(|c| c.to_ascii_lowercase().wrapping_sub(b'a')) else { return false };
    if !(2..=9).contains(&word.len()) || first >= 26 || STREET_SHAPES[usize::from(first)] & (1 << word.len()) == 0 {
        return false;
    }
    ASCII_STREET_WORDS.binary_search(&packed(word)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_digit_is_found_eight_bytes_at_a_time_as_one_at_a_time() {
        let texts = [
            "",
            "7",
            "abcdefgh",
            "abcdefgh9",
            "abc/:def0",
            "ä€ß😀 9 x",
            "//////////:::::::::5",
            "no digits at all here",
        ];
        for t in texts {
            let b = t.as_bytes();
            for from in 0..=b.len() {
                assert_eq!(
                    next_digit(b, from),
                    b[from..].iter().position(u8::is_ascii_digit).map(|p| from + p),
                    "{t:?} {from}"
                );
            }
        }
        // Every byte value, in every lane.
        for v in 0..=255u8 {
            for lane in 0..8 {
                let mut b = [b'x'; 9];
                b[lane] = v;
                assert_eq!(next_digit(&b, 0), v.is_ascii_digit().then_some(lane), "{v} in lane {lane}");
            }
        }
    }

    #[test]
    fn gates_open_for_what_the_patterns_need_and_stay_shut_otherwise() {
        let g = gates("Call 0680 298 70 63 about order 12 at 254 Damvergi Street");
        assert!(g.digit_run >= 10 && g.street_after && !g.iban && !g.token);
        assert!(gates("at Koskikatu 25").street_compound);
        assert!(gates("22829 Jagerij 64").number_name_number);
        assert!(gates("SSN 054-28-6917.").ssn && gates("054 28 6917").ssn);
        assert!(!gates("054-28-69170").ssn && !gates("054-281-6917").ssn && !gates("+1 555-12-34567").ssn);
        assert!(gates("IBAN DE89 3704").iban);
        assert!(gates("NI AB 12 34 56 C").nino && gates("AB123456C").nino && !gates("Ab 12 34 56 C").nino);
        assert!(gates("key Zx9Qm2LpR7vT4wYb8NcK3fHd").token);
        assert!(gates("He just turned 78").age && gates("a 38-year-old").age && gates("age: 26").age);
        assert!(gates("passport X1234567").national_id);
        let plain = gates("Version 2 of the export failed 3 times on 2026-11-25, order #1234 is out");
        assert!(!plain.street_after && !plain.street_compound && !plain.number_name_number);
        assert!(!plain.iban && !plain.nino && !plain.token && !plain.ssn && plain.digit_run == 8, "{plain:?}");
        assert!(!plain.age && !plain.national_id, "{plain:?}");
    }
}
