//! Person names, found over words rather than by many regular expressions: one pass splits the text
//! into words, and each run of capitalised words (with initials and particles such as "van de") is
//! a name when it holds a first name from the shipped lists, ends in a known surname or a surname
//! ending, follows a cue ("my name is", "Dear", "Thanks,"), stands alone on a line, or is a pair
//! written in letters beyond ASCII. Names typed in lower case count when a known first name is
//! followed by a known surname, in a list of first names, or after "my name is". The
//! conversation's own names are matched exactly by the caller.

mod lexicon;
mod words;

use lexicon::{Evidence, Lowered, cue_pair, evidence, is_common, is_company_word, is_cue, is_first_name, is_particle};
use words::{Shape, Word, words};

use super::{Pattern, Present, push};
use crate::{Finding, Kind};

/// `present`: which of the rarely matching patterns the text has (see `recognizers::Pattern`).
pub(super) fn persons(text: &str, present: &Present, out: &mut Vec<Finding>) {
    let words = words(text);
    let word = |i: usize| &text[words[i].start..words[i].end];
    // The gaps are compared as bytes: slicing the text as a string checks both ends for a
    // character boundary, at every word.
    let gap = |i: usize| &text.as_bytes()[words[i - 1].end..words[i].start];
    // Capitalised words, initials and particles joined by a space make one run.
    let joined = |i: usize| {
        let g = gap(i);
        (g == b" " || g == b"  ") && words[i].shape != Shape::Other
    };
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if w.shape == Shape::Lower {
            i = lower_case(text, &words, i, out);
            continue;
        }
        if w.shape != Shape::Capitalised && w.shape != Shape::Initial {
            i += 1;
            continue;
        }
        if i + 1 < words.len()
            && gap(i + 1) == b", "
            && !is_common(word(i))
            && let Some(next) = list(text, &words, i, out)
        {
            i = next;
            continue;
        }
        // The run: from i while words are capitalised, initials, or particles between capitals.
        let mut end = i + 1;
        while end < words.len() && joined(end) {
            let s = words[end].shape;
            // "der" and "den" only after "van" or "von": alone they join German nouns.
            let particle = s == Shape::Lower
                && (is_particle(word(end))
                    || matches!(word(end), "der" | "den") && matches!(word(end - 1), "van" | "von"));
            let name_part = s == Shape::Capitalised || s == Shape::Initial;
            if !(name_part || particle && end + 1 < words.len() && joined(end + 1)) {
                break;
            }
            end += 1;
        }
        // "Meyer GmbH", "Acme LLC": a company word of any shape right after the run. Looked up
        // only for a run that names someone, as few do.
        let company = || end < words.len() && gap(end) == b" " && is_company_word(Lowered::new(word(end)).as_bytes());
        if let Some((start, name_end)) = run(text, &words, i, end)
            && !company()
        {
            push(out, Kind::Person, start, name_end);
        }
        i = end;
    }
    if present.has(Pattern::Name) {
        strong_cue(text, out);
    }
}

const MAX_RUN: usize = 8;

/// Decides on the run `words[from..to]` of capitalised words, initials and particles: the span
/// of the name in it, if there is one.
fn run(text: &str, words: &[Word], from: usize, to: usize) -> Option<(usize, usize)> {
    let word = |i: usize| &text[words[i].start..words[i].end];
    // Words that end the run: a common word ("The", "Monday", "Export") cuts it short.
    let mut from = from;
    while from < to && (is_common(word(from)) || words[from].shape != Shape::Capitalised) {
        from += 1;
    }
    // The word at `from` is not a common one (or the run is empty).
    let mut to = (from + 1..to).find(|&i| is_common(word(i))).unwrap_or(to);
    while to > from && words[to - 1].shape != Shape::Capitalised {
        to -= 1;
    }
    // Names are a few words long; a longer run is a title or a heading, not a name.
    if from >= to || to - from > MAX_RUN {
        return None;
    }
    // Fixed-size arrays, not vectors: this runs for every capitalised word, and allocating was a
    // tenth of the recognizer's time.
    let mut ev = [Evidence::default(); MAX_RUN];
    let mut capitals = [0usize; MAX_RUN];
    let mut n_capitals = 0;
    for i in from..to {
        let lowered = Lowered::new(word(i));
        ev[i - from] = evidence(lowered.as_bytes());
        if ev[i - from].not_name {
            return None;
        }
        if words[i].shape == Shape::Capitalised {
            capitals[n_capitals] = i;
            n_capitals += 1;
        }
    }
    let e = |i: usize| ev[i - from];
    let capitals = &capitals[..n_capitals];
    let at_sentence_start = sentence_start(text, words[from].start);
    // The cue before the run: read only when the words themselves do not decide.
    let cue = std::cell::OnceCell::new();
    let cue = || *cue.get_or_init(|| cue_before(text, words, from));
    let cued = || cue() != Cue::None;
    let (start, end) = (words[from].start, words[to - 1].end);
    if capitals.len() >= 2 {
        let last = *capitals.last().expect("two");
        let name_in_it =
            (from..to).any(|i| e(i).first) || e(last).surname || e(last).ending || (from..to).any(|i| !words[i].ascii);
        if name_in_it || cued() || alone_on_line(text, words, from, to - 1) {
            // "Yesterday Maria Lopez": a capitalised word that starts a sentence and names no one is
            // not part of the name after it.
            let first_known = |i: usize| e(i).known() || e(i).word;
            let skip = at_sentence_start
                && capitals.len() >= 3
                && !first_known(capitals[0])
                && first_known(capitals[1])
                && !cued();
            let start = if skip { words[capitals[1]].start } else { start };
            return Some((start, end));
        }
        return None;
    }
    // One capitalised word, perhaps with initials.
    let one = capitals[0];
    let ev = e(one);
    let alone = ev.first
        || ev.surname
        || (ev.strong_ending && !at_sentence_start)
        || (cued() && !ev.word)
        || (cued() && ev.word && !at_sentence_start)
        || cue() == Cue::Title;
    alone.then_some((start, end))
}

/// Lower-case names: a known first name and a known surname ("aksel kristensen", "benjamin a
/// seiler"), or a list of three or more words, most of them first names ("leonti, terrence, pamela
/// and brian"). Returns the index of the next word to look at.
fn lower_case(text: &str, words: &[Word], i: usize, out: &mut Vec<Finding>) -> usize {
    // This runs for every lower-case word, and nearly every one fails on the shape of what
    // follows it: the words and gaps are read as bytes, and the lists are looked at last.
    let b = text.as_bytes();
    let bytes = |w: &Word| &b[w.start..w.end];
    let Some(next) = words.get(i + 1) else { return i + 1 };
    match &b[words[i].end..next.start] {
        b", " => return list(text, words, i, out).unwrap_or(i + 1),
        b" " => {}
        _ => return i + 1,
    }
    // first [initial] surname, with the initial, a cue before or alone on its line: "cierra sola"
    // and "elke keer" are Spanish and Dutch words. An initial is one character: one byte, or two
    // of one character beyond ASCII.
    let initial = next.end - next.start == 1 || next.end - next.start == 2 && !next.ascii;
    let j = if initial { i + 2 } else { i + 1 };
    let Some(last) = words.get(j) else { return i + 1 };
    // A surname has four letters or more, and most words after a lower-case word are shorter
    // ("the", "to", "and").
    let shaped = (!initial || &b[next.end..last.start] == b" ") && last.shape == Shape::Lower;
    if shaped
        && last.end - last.start >= 4
        && is_first_name(bytes(&words[i]))
        && evidence(bytes(last)).surname
        && (initial || cue_before(text, words, i) != Cue::None || alone_on_line(text, words, i, j))
    {
        push(out, Kind::Person, words[i].start, last.end);
        return j + 1;
    }
    i + 1
}

/// A list of three or more single words of the same shape, separated by ", " or " and ", two in
/// three of them names: "leonti, terrence, pamela and brian", "Hleb, Sheila, Donna and Shane".
/// Returns the index of the word after the list when it is one.
fn list(text: &str, words: &[Word], i: usize, out: &mut Vec<Finding>) -> Option<usize> {
    let word = |i: usize| &text[words[i].start..words[i].end];
    let gap = |i: usize| &text.as_bytes()[words[i - 1].end..words[i].start];
    let shape = words[i].shape;
    let same = |k: usize| k < words.len() && words[k].shape == shape;
    let lower = |k: usize| k < words.len() && words[k].shape == Shape::Lower;
    let conjunction = |k: usize| lower(k) && matches!(word(k), "and" | "or");
    // The items after the first: most calls find none, and an empty vector does not allocate.
    let mut more = Vec::new();
    let mut k = i + 1;
    loop {
        // ", next", ", and next", " and next"
        let next = if same(k) && gap(k) == b", " && !conjunction(k) {
            k
        } else if conjunction(k) && matches!(gap(k), b" " | b", ") && same(k + 1) && gap(k + 1) == b" " {
            k + 1
        } else {
            break;
        };
        // A capitalised item is one word: "Hleb, Sheila", not "Hleb, Sheila Smith".
        if shape == Shape::Capitalised && next + 1 < words.len() && gap(next + 1) == b" " && same(next + 1) {
            return None;
        }
        more.push(next);
        k = next + 1;
    }
    if more.len() < 2 {
        return None;
    }
    let items = || std::iter::once(i).chain(more.iter().copied());
    let named = |x: usize| {
        let lower = Lowered::new(word(x));
        if shape == Shape::Lower { is_first_name(lower.as_bytes()) } else { evidence(lower.as_bytes()).name_or_word() }
    };
    let known = items().filter(|&x| named(x)).count();
    if known * 3 < (1 + more.len()) * 2 {
        return None;
    }
    for x in items() {
        push(out, Kind::Person, words[x].start, words[x].end);
    }
    Some(k)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    None,
    /// "Dear", "Thanks,", "my name is".
    Word,
    /// "Mr.", "Dr.": whatever capitalised word follows is a name, "Mrs. Baker" too.
    Title,
}

/// Whether a cue word (or pair) stands right before `words[i]`.
fn cue_before(text: &str, words: &[Word], i: usize) -> Cue {
    if i == 0 {
        return Cue::None;
    }
    let gap = &text[words[i - 1].end..words[i].start];
    if gap.len() > 3 || gap.contains('\n') || gap.contains(['.', '!', '?']) && !gap.starts_with('.') {
        return Cue::None;
    }
    let prev = Lowered::new(&text[words[i - 1].start..words[i - 1].end]);
    let prev = prev.as_bytes();
    if matches!(prev, b"mr" | b"mrs" | b"ms" | b"dr" | b"miss") {
        return Cue::Title;
    }
    if !is_cue(prev) {
        return Cue::None;
    }
    let before = if i >= 2 { Lowered::new(&text[words[i - 2].start..words[i - 2].end]) } else { Lowered::new("") };
    if cue_pair(before.as_bytes(), prev) { Cue::Word } else { Cue::None }
}

/// True at the start of the text or of a sentence, where any word is capitalised.
fn sentence_start(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end();
    before.is_empty() || before.ends_with(['.', '!', '?', '\n', ':', '"', '>'])
}

/// Whether `words[first..=last]` is all there is on its line, but for spaces and leading marks
/// ("> ", "- "). Only the gaps next to them can hold the line's ends: a word beyond either gap on
/// the same line is text on the line.
fn alone_on_line(text: &str, words: &[Word], first: usize, last: usize) -> bool {
    let before = &text[if first == 0 { 0 } else { words[first - 1].end }..words[first].start];
    let before = match before.rfind('\n') {
        Some(i) => &before[i + 1..],
        None if first == 0 => before,
        None => return false,
    };
    let after = &text[words[last].end..words.get(last + 1).map_or(text.len(), |w| w.start)];
    let after = match after.find('\n') {
        Some(i) => &after[..i],
        None if last + 1 == words.len() => after,
        None => return false,
    };
    before.chars().all(|c| !c.is_alphanumeric()) && after.trim().is_empty()
}

/// In every cue of [`strong_cue`]: a text without it has none.
pub(super) const NAME_PATTERN: &str = "(?i-u)name";

/// "my name is", "name:", "first name?": up to three words after it are a name, even in lower case.
fn strong_cue(text: &str, out: &mut Vec<Finding>) {
    const STOP: &[&str] =
        &["and", "i", "im", "i'm", "my", "from", "with", "the", "a", "please", "thanks", "but", "here", "is"];
    // Each cue around "name": what comes before it and after it. The text is searched for "name"
    // once, not once for each cue.
    const CUES: [(&str, &str); 6] =
        [("my ", " is "), ("my ", "'s "), ("", ": "), ("last ", "? "), ("first ", "? "), ("your ", "? ")];
    let lower = text.to_ascii_lowercase();
    let names: Vec<usize> = lower.match_indices("name").map(|(at, _)| at).collect();
    for (before, after) in CUES {
        for &at in &names {
            if !(lower[..at].ends_with(before) && lower[at + 4..].starts_with(after)) {
                continue;
            }
            let start = at + 4 + after.len();
            let (mut end, mut word_at) = (start, start);
            for w in text[start..].split(' ').take(3) {
                let bare = w.trim_end_matches(|c: char| !c.is_alphanumeric());
                let lowered = bare.to_lowercase();
                if bare.is_empty() || STOP.contains(&lowered.as_str()) || is_common(bare) {
                    break;
                }
                end = word_at + bare.len();
                if bare.len() != w.len() {
                    break;
                }
                word_at += w.len() + 1;
            }
            if end > start {
                push(out, Kind::Person, start, end);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        persons(text, &Present::All, &mut out);
        out.sort_by_key(|f| (f.start, f.end));
        out.dedup();
        out.iter().map(|f| &text[f.start..f.end]).collect()
    }

    #[test]
    fn a_known_first_name_or_surname_is_a_name_alone() {
        assert_eq!(names("Jennifer is a very sympathetic person."), ["Jennifer"]);
        assert_eq!(names("It may be too that Kaczmarek was influenced"), ["Kaczmarek"]);
        assert_eq!(names("better than early Yefremova?"), ["Yefremova"]);
        assert_eq!(names("Faina D. Yefremova's Cautionary Tales"), ["Faina D. Yefremova"]);
        assert_eq!(names("Maika van de Noort\nEmployment manager"), ["Maika van de Noort"]);
    }

    #[test]
    fn everyday_words_and_companies_are_not_names() {
        assert!(names("Will this be fixed in May?").is_empty());
        assert!(names("The Export button fails on Monday").is_empty());
        assert!(
            names("We use Allstate Insurance Group and Google Chrome").is_empty(),
            "{:?}",
            names("We use Allstate Insurance Group and Google Chrome")
        );
        assert!(names("Please mark the invoice as paid").is_empty());
        assert!(names("change the company name to Meyer GmbH?").is_empty());
    }

    #[test]
    fn lower_case_names_need_both_halves_or_a_list() {
        assert_eq!(names("follow up with benjamin a seiler soon"), ["benjamin a seiler"]);
        assert_eq!(names("they had 4: leonti, terrence, pamela and brian."), ["leonti", "terrence", "pamela", "brian"]);
        assert!(names("the export and import are slow").is_empty());
        assert_eq!(names("my name is borna jerković"), ["borna jerković"]);
    }
}
