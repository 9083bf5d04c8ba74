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

/// A byte's class for [`words`]: an ASCII lower-case letter or capital, the first byte of a
/// character beyond ASCII (a letter or not, which decoding tells), or neither (a byte between
/// words, or a later byte of a character).
const LOWER: u8 = 1;
const UPPER: u8 = 2;
const LEAD: u8 = 4;
static CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = if c.is_ascii_lowercase() {
            LOWER
        } else if c.is_ascii_uppercase() {
            UPPER
        } else if c >= 0xC0 {
            LEAD
        } else {
            0
        };
        b += 1;
    }
    table
};

/// Splits `text` into words: letters with inner apostrophes and hyphens, a possessive "'s" left
/// out, an initial with its full stop. This runs over every byte of every text, so runs of ASCII
/// letters and the bytes between words cost one table lookup a byte; only characters beyond
/// ASCII are decoded.
pub(super) fn words(text: &str) -> Vec<Word> {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut out = Vec::with_capacity(n / 5);
    let class = |i: usize| CLASS[usize::from(bytes[i])];
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
    let mut i = 0;
    loop {
        i += bytes[i..].iter().take_while(|&&b| CLASS[usize::from(b)] == 0).count();
        if i == n {
            break;
        }
        let (first_upper, first_ascii, len) = match class(i) {
            LOWER => (false, true, 1),
            UPPER => (true, true, 1),
            _ => match letter_at(i) {
                Some((c, len)) => (c.is_uppercase(), false, len),
                None => {
                    i += 1;
                    continue;
                }
            },
        };
        let start = i;
        i += len;
        let (mut upper_rest, mut lower_rest, mut ascii) = (0usize, 0usize, first_ascii);
        let mut possessive = false;
        loop {
            // A run of ASCII letters, counted in one go.
            let (mut run, mut run_upper) = (0usize, 0usize);
            for &b in &bytes[i..] {
                let c = CLASS[usize::from(b)];
                if c & (LOWER | UPPER) == 0 {
                    break;
                }
                run_upper += usize::from(c >> 1);
                run += 1;
            }
            i += run;
            upper_rest += run_upper;
            lower_rest += run - run_upper;
            let Some(&b) = bytes.get(i) else { break };
            if b >= 0x80
                && let Some((c, l)) = letter_at(i)
            {
                if c.is_uppercase() {
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
            if (b == b'\'' || b == b'-') && i + 1 < n && letter_at(i + 1).is_some() {
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
        let shape = if first_upper {
            // "McDowell" and "DeShawn", not "NaN" or "PhD". A word ends in a letter, and only a
            // word with a second capital can end in one.
            let last_upper = || upper_rest == 1 && text[..end].chars().next_back().is_some_and(char::is_uppercase);
            if lower_rest > 0 && upper_rest <= 1 && !last_upper() {
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

    /// Runs of ASCII letters are counted in bulk; letters beyond ASCII, apostrophes and hyphens
    /// inside a word, and the case of its last letter must still decide its shape.
    #[test]
    fn shapes_follow_the_case_of_every_letter() {
        use Shape::{Capitalised, Initial, Lower, Other};
        let t = "McDowell DeShawn NaN PhD ÉCOLE Ångström O'Brien Jean-Luc Mary's x-ray F. A ABC İstanbul naïve ﬁne 東京 MacÉ";
        let got: Vec<(&str, Shape, bool)> = words(t).iter().map(|w| (&t[w.start..w.end], w.shape, w.ascii)).collect();
        assert_eq!(
            got,
            [
                ("McDowell", Capitalised, true),
                ("DeShawn", Capitalised, true),
                ("NaN", Other, true),
                ("PhD", Other, true),
                ("ÉCOLE", Other, false),
                ("Ångström", Capitalised, false),
                ("O'Brien", Capitalised, true),
                ("Jean-Luc", Capitalised, true),
                ("Mary", Capitalised, true),
                ("x-ray", Lower, true),
                ("F.", Initial, true),
                ("A", Initial, true),
                ("ABC", Other, true),
                ("İstanbul", Capitalised, false),
                ("naïve", Lower, false),
                ("ﬁne", Lower, false),
                ("東京", Lower, false),
                ("MacÉ", Other, false),
            ]
        );
    }
}
