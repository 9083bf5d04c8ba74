//! What the shipped lists and a few short tables say about a word: first names, surnames, names
//! that are also English words, company and common words, surname endings, particles and cues.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use crate::recognizers::addresses::STREET_WORDS;

/// FNV-1a: the keys are short words, and SipHash's setup costs more than the lookup itself.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        self.0 = h;
    }
}

type WordSet = HashSet<&'static str, BuildHasherDefault<Fnv>>;

/// What the lists say of a word, as bits: one lookup answers every list, where a lookup per list
/// was a tenth of the recognizer's time (it runs for nearly every word of every text).
const FIRST: u8 = 1;
const SURNAME: u8 = 2;
const NAME_WORD: u8 = 4;
const COMPANY: u8 = 8;
const STREET: u8 = 16;

/// First names of many countries, surnames that are neither first names nor English words, and
/// names that are also everyday English words ("will", "hope", "park": a name only beside another;
/// see `data/README.md`), all lower case; with the words that make a run of capitalised words a
/// company, a place, a law or a title, not a person, and the street words.
static LEXICON: LazyLock<HashMap<&'static str, u8, BuildHasherDefault<Fnv>>> = LazyLock::new(|| {
    let mut map: HashMap<&'static str, u8, BuildHasherDefault<Fnv>> = HashMap::default();
    let lists = [
        (include_str!("../../../data/first_names.txt"), FIRST),
        (include_str!("../../../data/surnames.txt"), SURNAME),
        (include_str!("../../../data/name_words.txt"), NAME_WORD),
    ];
    for (list, bit) in lists {
        for word in list.lines().filter(|l| !l.is_empty()) {
            *map.entry(word).or_default() |= bit;
        }
    }
    for word in COMPANY_WORDS.split_whitespace() {
        *map.entry(word).or_default() |= COMPANY;
    }
    for word in STREET_WORDS.split('|') {
        *map.entry(word).or_default() |= STREET;
    }
    map
});

fn flags(lower: &str) -> u8 {
    LEXICON.get(lower).copied().unwrap_or(0)
}

const COMPANY_WORDS: &str = "inc corp ltd llc gmbh plc group global lines act republic kingdom states union southern \
     northern eastern western central united national royal princess prince university college school schools bank \
     insurance analytics agency news weekly pleasures stripes rights civil info orchestra transit partners health \
     systems services solutions technologies software labs studio studios foundation institute research traffic \
     reports company";
/// Endings that mark a surname in many languages (on a word of six letters or more).
const SURNAME_ENDINGS: &[&str] = &[
    "son", "sen", "sson", "dóttir", "dottir", "ez", "es", "ić", "ic", "ov", "ova", "ev", "eva", "ski", "ska", "sky",
    "nen", "la", "poulos", "escu", "ian", "yan", "shvili", "idze", "ini", "elli", "etti", "ano", "berg", "mann",
    "stein", "ers", "man", "ton", "ley", "well", "ford", "wood", "holm", "ström", "strom", "quist", "gaard", "ović",
    "evich", "vich", "enko", "uk", "ak", "ek", "czyk", "wicz",
];
/// Endings so particular to surnames that one such word is a name on its own: "early Yefremova".
const STRONG_ENDINGS: &[&str] = &[
    "ova", "ov", "ev", "eva", "ski", "ska", "ić", "vić", "dóttir", "dottir", "sson", "enko", "shvili", "idze",
    "poulos", "escu", "czyk", "wicz", "ovich", "evich",
];
/// An ending, whether it is in [`SURNAME_ENDINGS`] and whether in [`STRONG_ENDINGS`].
type Ending = (&'static str, bool, bool);

/// The endings of both lists by their last byte, each with whether it is a strong one: a word is
/// compared with the two or three endings that end like it, not with all seventy.
static ENDINGS_BY_LAST_BYTE: LazyLock<Vec<Vec<Ending>>> = LazyLock::new(|| {
    let mut table = vec![Vec::new(); 256];
    for e in SURNAME_ENDINGS.iter().chain(STRONG_ENDINGS) {
        let last = usize::from(*e.as_bytes().last().expect("not empty"));
        if !table[last].iter().any(|(x, _, _)| x == e) {
            table[last].push((*e, SURNAME_ENDINGS.contains(e), STRONG_ENDINGS.contains(e)));
        }
    }
    table
});

/// Lower-case words inside a name: "Willemine ten Pas", "Maika van de Noort".
pub(super) fn is_particle(word: &str) -> bool {
    matches!(
        word,
        "van" | "von" | "de" | "ten" | "ter" | "da" | "di" | "du" | "dos" | "das" | "del" | "della" | "la" | "le"
    )
}
/// Capitalised words that are not names: the start of a sentence, days, months, products.
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
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Miss",
    "Sir",
    "Madam",
    "User",
    "Bot",
    "Das",
    "Der",
    "Die",
    "Sie",
    "Les",
    "Le",
    "La",
    "Los",
    "El",
    "Del",
    "Van",
    "Von",
    "De",
    "I'm",
    "I've",
    "I'd",
    "I'll",
];
static COMMON_SET: LazyLock<WordSet> = LazyLock::new(|| COMMON.iter().copied().collect());
/// Words after which the next capitalised words are a name: "Dear Ana", "Thanks, Ana", "Mr. Wirth".
pub(super) fn is_cue(word: &str) -> bool {
    matches!(
        word,
        "Dear Ana"
            | "Thanks, Ana"
            | "Mr. Wirth"
            | "is"
            | "am"
            | "i'm"
            | "dear"
            | "hi"
            | "hello"
            | "hey"
            | "thanks"
            | "regards"
            | "cheers"
            | "best"
            | "sincerely"
            | "says"
            | "said"
            | "asked"
            | "contact"
            | "to"
            | "starring"
            | "featuring"
            | "user"
            | "producer"
            | "founders"
            | "me"
            | "named"
            | "called"
            | "by"
            | "with"
    )
}
/// The word before "is"/"am"/"to"/"me" that makes it a cue ("my name is", "I am", "speak to", "call me").
pub(super) fn cue_pair(before: &str, cue: &str) -> bool {
    match cue {
        "is" => matches!(before, "name" | "this"),
        "am" => before == "i",
        "to" => matches!(before, "speak" | "talk" | "assistant" | "married" | "it" | "correct"),
        "me" => matches!(before, "call" | "calls"),
        "by" => matches!(before, "written" | "directed" | "sung" | "played" | "signed"),
        "with" => matches!(before, "up" | "spoke" | "talked" | "met"),
        _ => true,
    }
}

/// A word in lower case for the lists, without allocating for short ASCII words.
pub(super) enum Lowered {
    Ascii([u8; 24], usize),
    Owned(String),
}

impl Lowered {
    pub(super) fn new(word: &str) -> Lowered {
        let raw = word.as_bytes();
        if word.is_ascii() && raw.len() <= 24 {
            let mut buf = [0u8; 24];
            buf[..raw.len()].copy_from_slice(raw);
            buf[..raw.len()].make_ascii_lowercase();
            Lowered::Ascii(buf, raw.len())
        } else {
            Lowered::Owned(word.to_lowercase())
        }
    }
    pub(super) fn as_str(&self) -> &str {
        match self {
            Lowered::Ascii(buf, len) => std::str::from_utf8(&buf[..*len]).expect("ASCII"),
            Lowered::Owned(s) => s,
        }
    }
}

/// What the lists say of one word.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Evidence {
    pub(super) first: bool,
    pub(super) surname: bool,
    /// A name that is also an English word.
    pub(super) word: bool,
    pub(super) ending: bool,
    pub(super) strong_ending: bool,
    /// A company word ("GmbH", "Insurance") or a street word ("Street", "Ave").
    pub(super) not_name: bool,
}

pub(super) fn evidence(lower: &str) -> Evidence {
    let chars = lower.chars().count();
    let bits = flags(lower);
    let word = bits & NAME_WORD != 0;
    let first = lower.len() >= 3 && bits & FIRST != 0 && !word;
    let surname = !word && chars >= 4 && bits & SURNAME != 0;
    let not_name = bits & (COMPANY | STREET) != 0;
    if first || surname || chars < 6 {
        return Evidence { first, surname, word, not_name, ..Evidence::default() };
    }
    let (mut ending, mut strong_ending) = (false, false);
    let last = usize::from(*lower.as_bytes().last().expect("six characters"));
    for &(e, weak, strong) in &ENDINGS_BY_LAST_BYTE[last] {
        if lower.ends_with(e) {
            ending |= weak;
            strong_ending |= strong;
        }
    }
    Evidence { first, surname, word, not_name, ending, strong_ending }
}

/// A first name that is not also an everyday word.
pub(super) fn is_first_name(lower: &str) -> bool {
    lower.len() >= 3 && flags(lower) & (FIRST | NAME_WORD) == FIRST
}

impl Evidence {
    pub(super) fn known(&self) -> bool {
        self.first || self.surname
    }
    pub(super) fn name_or_word(&self) -> bool {
        self.known() || self.word
    }
}

/// A capitalised word that is not a name ("The", "Monday", "Export"), as written.
pub(super) fn is_common(word: &str) -> bool {
    COMMON_SET.contains(word)
}

/// A word (lower case) that makes a run of capitalised words a company, a place or a title.
pub(super) fn is_company_word(lower: &str) -> bool {
    flags(lower) & COMPANY != 0
}
