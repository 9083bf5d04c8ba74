//! Splitting a text into words for the name recognizer, with each word's shape.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// "Ana", "Björgvinsdóttir", "McDowell".
    Capitalised,
    /// "F." or "F" inside a name.
    Initial,
    Lower,
    Other,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Word {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) shape: Shape,
    pub(super) ascii: bool,
}

/// Splits `text` into words: letters with inner apostrophes and hyphens, a possessive "'s" left
/// out, an initial with its full stop.
pub(super) fn words(text: &str) -> Vec<Word> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(text.len() / 5);
    let mut i = 0;
    let letter_at = |i: usize| -> Option<(char, usize)> {
        let b = bytes[i];
        if b.is_ascii_alphabetic() {
            return Some((b as char, 1));
        }
        if b < 0x80 {
            return None;
        }
        let c = text[i..].chars().next()?;
        c.is_alphabetic().then_some((c, c.len_utf8()))
    };
    while i < bytes.len() {
        let b = bytes[i];
        // Most bytes between words are ASCII; a UTF-8 continuation byte is never a word's start.
        if (b < 0x80 && !b.is_ascii_alphabetic()) || (b & 0xC0) == 0x80 {
            i += 1;
            continue;
        }
        // An ASCII letter, the common case, without the call.
        let ascii_first = b.is_ascii_alphabetic().then_some((b as char, 1));
        let Some((first, len)) = ascii_first.or_else(|| letter_at(i)) else {
            i += 1;
            continue;
        };
        let start = i;
        i += len;
        let (mut upper_rest, mut lower_rest, mut ascii) = (0usize, 0usize, first.is_ascii());
        let mut last_upper = first.is_uppercase();
        let mut possessive = false;
        while let Some(&b) = bytes.get(i) {
            // ASCII letters, the common case, without decoding a character.
            if b.is_ascii_alphabetic() {
                last_upper = b.is_ascii_uppercase();
                if last_upper {
                    upper_rest += 1;
                } else {
                    lower_rest += 1;
                }
                i += 1;
                continue;
            }
            if b >= 0x80
                && let Some((c, l)) = letter_at(i)
            {
                last_upper = c.is_uppercase();
                if last_upper {
                    upper_rest += 1;
                } else {
                    lower_rest += 1;
                }
                ascii = false;
                i += l;
                continue;
            }
            // An apostrophe or hyphen with a letter after it stays inside the word, except a
            // possessive "'s" at the end.
            if (b == b'\'' || b == b'-') && i + 1 < bytes.len() && letter_at(i + 1).is_some() {
                possessive = b == b'\''
                    && matches!(bytes[i + 1], b's' | b'S')
                    && bytes.get(i + 2).is_none_or(|&n| !n.is_ascii_alphanumeric());
                if possessive {
                    break;
                }
                i += 1;
                continue;
            }
            break;
        }
        let mut end = i;
        let shape = if first.is_uppercase() {
            // "McDowell" and "DeShawn", not "NaN" or "PhD".
            if lower_rest > 0 && upper_rest <= 1 && !last_upper {
                Shape::Capitalised
            } else if upper_rest + lower_rest == 0 {
                if bytes.get(end) == Some(&b'.') {
                    end += 1;
                    i += 1;
                }
                Shape::Initial
            } else {
                Shape::Other
            }
        } else if upper_rest == 0 {
            Shape::Lower
        } else {
            Shape::Other
        };
        out.push(Word { start, end, shape, ascii });
        if possessive {
            i += 2;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_initials_and_leave_possessives_out() {
        let t = "Faina D. Yefremova's verses";
        let w: Vec<&str> = words(t).iter().map(|w| &t[w.start..w.end]).collect();
        assert_eq!(w, ["Faina", "D.", "Yefremova", "verses"]);
    }
}
