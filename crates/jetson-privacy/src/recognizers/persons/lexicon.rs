//! What the shipped lists and a few short tables say about a word: first names, surnames, names
//! that are also English words, company and common words, surname endings, particles and cues.

use std::collections::HashMap;
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
static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::new(lexicon_words()));

fn lexicon_words() -> HashMap<&'static str, u8, BuildHasherDefault<Fnv>> {
    let mut words: HashMap<&'static str, u8, BuildHasherDefault<Fnv>> = HashMap::default();
    let lists = [
        (include_str!("../../../data/first_names.txt"), FIRST),
        (include_str!("../../../data/surnames.txt"), SURNAME),
        (include_str!("../../../data/name_words.txt"), NAME_WORD),
    ];
    for (list, bit) in lists {
        for word in list.lines().filter(|l| !l.is_empty()) {
            *words.entry(word).or_default() |= bit;
        }
    }
    for word in COMPANY_WORDS.split_whitespace() {
        *words.entry(word).or_default() |= COMPANY;
    }
    for word in STREET_WORDS.split('|') {
        *words.entry(word).or_default() |= STREET;
    }
    words
}

/// The lexicon's words in an open-addressed table of 16-byte slots: a word of up to 15 bytes sits
/// in its slot with its bits in the last byte, so a lookup reads one slot, where a
/// `HashMap<&str, u8>` reads a bucket, then the string it points to. The table (2 MiB) does not
/// fit in a core's cache, and most words looked up are in no list (nearly every lower-case word
/// is asked whether it is a first name), so a Bloom filter of 64 KiB, which does fit, answers
/// most of them first. The few words longer than a slot stay in a map.
struct Lexicon {
    slots: Slots,
    bloom: Box<[u64]>,
    long: HashMap<&'static [u8], u8, BuildHasherDefault<Fnv>>,
}

const SLOT_BYTES: usize = 15;
const KEY: u128 = (1 << (8 * SLOT_BYTES)) - 1;
const BLOOM_BITS: u64 = 1 << 19;

impl Lexicon {
    fn new(words: HashMap<&'static str, u8, BuildHasherDefault<Fnv>>) -> Lexicon {
        let mut slots = Slots::with_room_for(words.len());
        let mut bloom = vec![0u64; (BLOOM_BITS / 64) as usize].into_boxed_slice();
        let mut long = HashMap::default();
        for (word, bits) in words {
            let Some(key) = slot_key(word.as_bytes()) else {
                long.insert(word.as_bytes(), bits);
                continue;
            };
            let h = hash(key);
            for bit in bloom_bits(h) {
                bloom[(bit / 64) as usize] |= 1 << (bit % 64);
            }
            slots.insert(key, h, bits);
        }
        Lexicon { slots, bloom, long }
    }

    fn get(&self, lower: &[u8]) -> u8 {
        let Some(key) = slot_key(lower) else { return self.long.get(lower).copied().unwrap_or(0) };
        let h = hash(key);
        if bloom_bits(h).iter().any(|&bit| self.bloom[(bit / 64) as usize] & (1 << (bit % 64)) == 0) {
            return 0;
        }
        self.slots.get(key, h)
    }
}

/// Words of up to 15 bytes, each with its bits, in an open-addressed table of 16-byte slots: the
/// word's bytes with its bits in the last byte, found by linear probing from the hash's top bits.
struct Slots(Box<[u128]>);

impl Slots {
    /// At most two in five slots used: a lookup, found or not, reads one or two slots.
    fn with_room_for(words: usize) -> Slots {
        Slots(vec![0; (words * 5 / 2).next_power_of_two()].into_boxed_slice())
    }

    /// `key` from [`slot_key`], `h` its [`hash`]; `bits` must not be 0.
    fn insert(&mut self, key: u128, h: u64, bits: u8) {
        let mut i = slot_of(h, self.0.len());
        while self.0[i] != 0 {
            i = (i + 1) & (self.0.len() - 1);
        }
        self.0[i] = key | u128::from(bits) << (8 * SLOT_BYTES);
    }

    /// The bits of the word whose key is `key` (hash `h`), 0 when it is not in the table.
    fn get(&self, key: u128, h: u64) -> u8 {
        let mut i = slot_of(h, self.0.len());
        loop {
            let slot = self.0[i];
            if slot == 0 {
                return 0;
            }
            if slot & KEY == key {
                return (slot >> (8 * SLOT_BYTES)) as u8;
            }
            i = (i + 1) & (self.0.len() - 1);
        }
    }
}

/// A word of 1 to 15 bytes as the key part of a slot (its bytes, little-endian, zero-padded).
fn slot_key(b: &[u8]) -> Option<u128> {
    if b.is_empty() || b.len() > SLOT_BYTES {
        return None;
    }
    let mut buf = [0u8; 16];
    buf[..b.len()].copy_from_slice(b);
    Some(u128::from_le_bytes(buf))
}

/// Both halves of a key multiplied and folded, then mixed once more so that the low bits, which
/// the filter uses, depend on every byte too.
fn hash(key: u128) -> u64 {
    let (lo, hi) = (key as u64, (key >> 64) as u64);
    let h = lo.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ hi.wrapping_add(lo >> 29).wrapping_mul(0xc2b2_ae3d_27d4_eb4f);
    (h ^ (h >> 32)).wrapping_mul(0xff51_afd7_ed55_8ccd)
}

/// The first slot to look at: the hash's top bits.
fn slot_of(h: u64, slots: usize) -> usize {
    (h >> (64 - slots.trailing_zeros())) as usize
}

/// The filter's two bits: from the hash's low and middle bits, apart from the top bits that
/// choose the slot.
fn bloom_bits(h: u64) -> [u64; 2] {
    [(h >> 4) % BLOOM_BITS, (h >> 23) % BLOOM_BITS]
}

fn flags(lower: &[u8]) -> u8 {
    LEXICON.get(lower)
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
/// The common words as written, in slots like the lexicon's: every one fits in a slot.
static COMMON_SLOTS: LazyLock<Slots> = LazyLock::new(|| {
    let mut slots = Slots::with_room_for(COMMON.len());
    for word in COMMON {
        let key = slot_key(word.as_bytes()).expect("a common word fits in a slot");
        slots.insert(key, hash(key), 1);
    }
    slots
});
/// Words after which the next capitalised words are a name: "Dear Ana", "Thanks, Ana", "Mr. Wirth".
pub(super) fn is_cue(word: &[u8]) -> bool {
    matches!(
        word,
        b"is"
            | b"am"
            | b"i'm"
            | b"dear"
            | b"hi"
            | b"hello"
            | b"hey"
            | b"thanks"
            | b"regards"
            | b"cheers"
            | b"best"
            | b"sincerely"
            | b"says"
            | b"said"
            | b"asked"
            | b"contact"
            | b"to"
            | b"starring"
            | b"featuring"
            | b"user"
            | b"producer"
            | b"founders"
            | b"me"
            | b"named"
            | b"called"
            | b"by"
            | b"with"
    )
}
/// The word before "is"/"am"/"to"/"me" that makes it a cue ("my name is", "I am", "speak to", "call me").
pub(super) fn cue_pair(before: &[u8], cue: &[u8]) -> bool {
    match cue {
        b"is" => matches!(before, b"name" | b"this"),
        b"am" => before == b"i",
        b"to" => matches!(before, b"speak" | b"talk" | b"assistant" | b"married" | b"it" | b"correct"),
        b"me" => matches!(before, b"call" | b"calls"),
        b"by" => matches!(before, b"written" | b"directed" | b"sung" | b"played" | b"signed"),
        b"with" => matches!(before, b"up" | b"spoke" | b"talked" | b"met"),
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
    /// The lower-case word's bytes: the lists are looked up by bytes, which needs no check
    /// that they are UTF-8 (the check cost as much as the lookup).
    pub(super) fn as_bytes(&self) -> &[u8] {
        match self {
            Lowered::Ascii(buf, len) => &buf[..*len],
            Lowered::Owned(s) => s.as_bytes(),
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

pub(super) fn evidence(lower: &[u8]) -> Evidence {
    // Characters, not bytes: every byte but the continuations of a character beyond ASCII.
    let chars = lower.iter().filter(|&&b| b & 0xC0 != 0x80).count();
    let bits = flags(lower);
    let word = bits & NAME_WORD != 0;
    let first = lower.len() >= 3 && bits & FIRST != 0 && !word;
    let surname = !word && chars >= 4 && bits & SURNAME != 0;
    let not_name = bits & (COMPANY | STREET) != 0;
    if first || surname || chars < 6 {
        return Evidence { first, surname, word, not_name, ..Evidence::default() };
    }
    let (mut ending, mut strong_ending) = (false, false);
    let last = usize::from(*lower.last().expect("six characters"));
    for &(e, weak, strong) in &ENDINGS_BY_LAST_BYTE[last] {
        if lower.ends_with(e.as_bytes()) {
            ending |= weak;
            strong_ending |= strong;
        }
    }
    Evidence { first, surname, word, not_name, ending, strong_ending }
}

/// A first name that is not also an everyday word.
pub(super) fn is_first_name(lower: &[u8]) -> bool {
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
    slot_key(word.as_bytes()).is_some_and(|key| COMMON_SLOTS.get(key, hash(key)) != 0)
}

/// A word (lower case) that makes a run of capitalised words a company, a place or a title.
pub(super) fn is_company_word(lower: &[u8]) -> bool {
    flags(lower) & COMPANY != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slot_table_answers_as_the_word_map_does() {
        let words = lexicon_words();
        assert!(words.keys().any(|w| slot_key(w.as_bytes()).is_none()), "some words are longer than a slot");
        for (word, bits) in &words {
            assert_eq!(LEXICON.get(word.as_bytes()), *bits, "{word}");
        }
        for absent in ["", "zzqx", "exportación", "a-very-long-word-beyond-a-slot", "smithx"] {
            assert_eq!(LEXICON.get(absent.as_bytes()), words.get(absent).copied().unwrap_or(0), "{absent}");
        }
    }
}
