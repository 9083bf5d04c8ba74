//! Words to numbers: tokens, a light stemmer, and hashed sparse vectors.
//!
//! Hashing keeps the model a fixed size whatever the vocabulary, and needs no vocabulary file.

/// The dimension of hashed feature vectors (2^18).
pub const DIM: u32 = 1 << 18;

/// Lower-cased word tokens. Apostrophes inside words are dropped ("doesn't" → "doesnt") so
/// negations stay one token; digits are kept (error codes and versions matter).
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() {
            cur.extend(c.to_lowercase());
        } else if (c == '\'' || c == '’') && !cur.is_empty() && chars.peek().is_some_and(|n| n.is_alphabetic()) {
            continue;
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A deliberately light English stemmer (plurals, -ed, -ing, -ly, a final -e or -y), enough that
/// "invoice", "invoices" and "invoiced" meet, without the over-stemming that merges unrelated words.
pub fn stem(word: &str) -> String {
    if word.len() <= 3 || !word.is_ascii() {
        return word.to_string();
    }
    let mut w = word;
    if let Some(b) = w.strip_suffix("ies") {
        return format!("{b}i");
    }
    if w.ends_with("sses") {
        w = &w[..w.len() - 2];
    } else if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        w = &w[..w.len() - 1];
    }
    for suffix in ["ing", "ed", "ly"] {
        if let Some(b) = w.strip_suffix(suffix) {
            let min = if suffix == "ly" { 5 } else { 3 };
            if b.len() >= min && b.chars().any(|c| "aeiouy".contains(c)) {
                w = b;
                let bytes = w.as_bytes();
                let n = bytes.len();
                // "stopped" → "stopp" → "stop"; but keep "ll"/"ss" ("called", "passed").
                if n >= 2 && bytes[n - 1] == bytes[n - 2] && !b"lsz".contains(&bytes[n - 1]) {
                    w = &w[..n - 1];
                }
                break;
            }
        }
    }
    let w = if w.len() > 4 { w.strip_suffix('e').unwrap_or(w) } else { w };
    match w.strip_suffix('y') {
        Some(b) if b.len() >= 3 => format!("{b}i"),
        _ => w.to_string(),
    }
}

#[rustfmt::skip]
const STOPWORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "if", "then", "so", "of", "to", "in", "on", "at", "by", "for",
    "with", "from", "as", "is", "are", "was", "were", "be", "been", "being", "am", "it", "its", "this",
    "that", "these", "those", "i", "me", "my", "we", "us", "our", "you", "your", "he", "she", "they", "them",
    "their", "his", "her", "there", "here", "what", "which", "who", "when", "where", "how", "why", "do",
    "does", "did", "done", "have", "has", "had", "will", "would", "can", "could", "should", "shall", "may",
    "might", "must", "just", "also", "very", "really", "all", "any", "some", "more", "most", "other", "such",
    "only", "own", "same", "than", "too", "again", "about", "into", "over", "after", "before", "up", "down",
    "out", "off", "no", "not", "now", "get", "got", "one", "still", "hi", "hello", "hey", "thanks", "thank",
    "please", "pls", "team", "guys", "folks", "regards", "cheers", "best", "im", "ive", "dont", "doesnt",
    "didnt", "cant", "wont", "isnt", "its", "thats", "theres", "lets", "let", "know", "like", "think", "see",
    "seems", "seem", "anyone", "something", "anything", "everything", "thing", "today", "yesterday", "since",
    "way", "time", "times", "every", "each", "help", "issue", "problem", "question", "hope", "well", "yes",
    "ok", "okay", "sure", "able", "want", "need", "use", "using", "used", "make", "made",
];

pub fn is_stopword(token: &str) -> bool {
    STOPWORDS.contains(&token)
}

/// FNV-1a, stable across platforms and releases (the model file depends on it).
pub fn hash(s: &str, salt: u32) -> u32 {
    let mut h: u32 = 0x811c_9dc5 ^ salt.wrapping_mul(0x0100_0193);
    for b in s.as_bytes() {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// A sparse vector: sorted, unique indices with their values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVec {
    pub entries: Vec<(u32, f32)>,
}

impl SparseVec {
    /// Builds from unsorted (index, value) pairs, summing duplicates.
    pub fn from_pairs(mut pairs: Vec<(u32, f32)>) -> Self {
        pairs.sort_unstable_by_key(|p| p.0);
        let mut entries: Vec<(u32, f32)> = Vec::with_capacity(pairs.len());
        for (i, v) in pairs {
            match entries.last_mut() {
                Some(last) if last.0 == i => last.1 += v,
                _ => entries.push((i, v)),
            }
        }
        SparseVec { entries }
    }

    pub fn norm(&self) -> f32 {
        self.entries.iter().map(|(_, v)| v * v).sum::<f32>().sqrt()
    }

    pub fn normalized(mut self) -> Self {
        let n = self.norm();
        if n > 0.0 {
            for e in &mut self.entries {
                e.1 /= n;
            }
        }
        self
    }

    pub fn dot(&self, other: &SparseVec) -> f32 {
        let (mut i, mut j, mut sum) = (0, 0, 0.0);
        let (a, b) = (&self.entries, &other.entries);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    sum += a[i].1 * b[j].1;
                    i += 1;
                    j += 1;
                }
            }
        }
        sum
    }
}

/// Body words beyond this many say little about what kind of message it is (they are logs,
/// code and detail), and only dilute the opening.
const BODY_WORDS: usize = 150;

/// The named features of a text for classification. A text with several lines is a title (its
/// first line) and a body; one line is all body. Features: stemmed unigrams and bigrams of both
/// (stopwords kept, because "would be", "does not" and "how do" carry the signal), the title's
/// words again marked as title words (a title states the intent: "How to …", "Add support for …",
/// "Crash when …"). Code blocks and log lines are left out of the body. Counts are sub-linear.
/// (Question marks as features made things worse: customers ask "why is my total wrong?" about
/// bugs as often as they ask questions.)
pub fn classifier_features(text: &str) -> Vec<(String, f32)> {
    let (title, body) = text.split_once('\n').unwrap_or(("", text));
    let mut named: Vec<(String, f32)> = Vec::new();
    let title_toks: Vec<String> = tokens(title).iter().map(|t| stem(t)).collect();
    push_ngrams(&mut named, &title_toks, "");
    push_ngrams(&mut named, &title_toks, "title:");
    let prose = prose_lines(body);
    let body_toks: Vec<String> = tokens(&prose).iter().take(BODY_WORDS).map(|t| stem(t)).collect();
    push_ngrams(&mut named, &body_toks, "");
    named.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<(String, f32)> = Vec::with_capacity(named.len());
    for (name, v) in named {
        match out.last_mut() {
            Some(last) if last.0 == name => last.1 += v,
            _ => out.push((name, v)),
        }
    }
    for f in &mut out {
        f.1 = 1.0 + f.1.ln();
    }
    out
}

fn push_ngrams(named: &mut Vec<(String, f32)>, toks: &[String], prefix: &str) {
    for (i, t) in toks.iter().enumerate() {
        named.push((format!("{prefix}{t}"), 1.0));
        if let Some(next) = toks.get(i + 1) {
            named.push((format!("{prefix}{t} {next}"), 1.0));
        }
    }
}

/// The body without fenced code blocks and without lines that are mostly not words (stack
/// frames, log lines, tables of numbers).
fn prose_lines(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut in_code = false;
    for line in body.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code || t.starts_with("at ") && t.contains('(') {
            continue;
        }
        let letters = t.chars().filter(|c| c.is_alphabetic() || *c == ' ').count();
        if t.len() > 20 && letters * 10 < t.chars().count() * 7 {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// [`classifier_features`], hashed and L2-normalised.
pub fn classifier_vector(text: &str) -> SparseVec {
    let pairs = classifier_features(text).into_iter().map(|(n, v)| (hash(&n, 0) % DIM, v)).collect();
    SparseVec::from_pairs(pairs).normalized()
}

/// Words that customers of any software product use for the same thing, mapped to one concept
/// (applied after stemming). General support vocabulary only, never one product's.
const CONCEPTS: &[(&str, &[&str])] = &[
    ("blank", &["empti", "blank", "white", "nothing", "missing", "disappear", "vanish", "gone"]),
    ("crash", &["crash", "freez", "hang", "froze", "quit", "closes", "clos", "stuck"]),
    ("notif", &["notif", "notifi", "notification", "alert", "push", "remind", "reminder"]),
    ("login", &["login", "signin", "logon", "sign", "log", "password", "logged"]),
    ("export", &["export", "download", "generat", "print", "pdf"]),
    ("duplic", &["duplic", "duplicat", "twice", "double", "doubl", "two time"]),
    ("wrong", &["wrong", "incorrect", "off", "mismatch", "differ", "difference"]),
    ("sync", &["sync", "synchroni", "feed", "connection", "connect"]),
    ("slow", &["slow", "lag", "laggi", "delay", "timeout", "forever"]),
    ("calendar", &["calendar", "ical", "gcal", "agenda"]),
    ("integrat", &["integrat", "integration", "connector", "zapier", "api"]),
    ("permission", &["permission", "role", "access", "login"]),
    ("hour", &["hour", "time", "timezone", "daylight", "dst", "clock"]),
    ("pay", &["pay", "payment", "card", "stripe", "paypal", "checkout"]),
    ("recurr", &["recurr", "recurring", "repeat", "schedul", "automat", "monthli", "weekli"]),
];

fn concept(stemmed: &str) -> &str {
    CONCEPTS.iter().find(|(_, words)| words.contains(&stemmed)).map_or(stemmed, |(c, _)| c)
}

/// Words as written (case kept), split on anything but letters, digits and `_`; apostrophes inside
/// words are dropped as in [`tokens`].
fn raw_words(text: &str) -> impl Iterator<Item = String> + '_ {
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        let mut cur = String::new();
        while let Some(c) = chars.next() {
            if c.is_alphanumeric() || c == '_' {
                cur.push(c);
            } else if (c == '\'' || c == '’') && !cur.is_empty() && chars.peek().is_some_and(|n| n.is_alphabetic()) {
                continue;
            } else if !cur.is_empty() {
                return Some(cur);
            }
        }
        (!cur.is_empty()).then_some(cur)
    })
}

/// The parts of an identifier: `AzureBlobFileSystem` → Azure, Blob, File, System; `HTTPServer2` →
/// HTTP, Server, 2; `max_retry_count` → max, retry, count. A plain word is one part.
pub fn identifier_parts(word: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    for piece in word.split('_').filter(|p| !p.is_empty()) {
        let chars: Vec<(usize, char)> = piece.char_indices().collect();
        let mut start = 0;
        for i in 1..chars.len() {
            let (prev, cur) = (chars[i - 1].1, chars[i].1);
            let next_lower = chars.get(i + 1).is_some_and(|(_, n)| n.is_lowercase());
            let boundary = (prev.is_lowercase() && cur.is_uppercase())
                || (prev.is_uppercase() && cur.is_uppercase() && next_lower)
                || (prev.is_alphabetic() != cur.is_alphabetic());
            if boundary {
                parts.push(&piece[start..chars[i].0]);
                start = chars[i].0;
            }
        }
        parts.push(&piece[start..]);
    }
    parts
}

fn content_word(lower: &str) -> bool {
    !is_stopword(lower) && (lower.chars().count() > 1 || lower.chars().all(|c| c.is_ascii_digit()))
}

/// A term for matching: stemmed, then mapped to its concept.
fn match_term(lower: &str) -> String {
    concept(&stem(lower)).to_string()
}

/// Weight of an identifier's parts and acronym, relative to the whole identifier.
const PART_WEIGHT: f32 = 0.5;
/// Weight of a word's character 4-grams: enough to let "Vectored" and "VectorIO" or "javadoc" and
/// "javadocs" meet, too little to match unrelated words.
const GRAM_WEIGHT: f32 = 0.1;

/// The content terms of a text for matching, hashed, with their weighted counts:
/// - each content word, stemmed and mapped to its concept ("blank" and "empty" meet);
/// - for identifiers (`AzureBlobFileSystem`, `dfs.client_timeout`), their parts and acronym
///   (`abfs`), so code names meet the words people use for them;
/// - character 4-grams of longer words, at a low weight, for spellings and compounds.
///
/// No word bigrams: they lowered both Recall@10 on gitbugs Hadoop and grouping F1 on the demo.
pub fn match_terms(text: &str) -> Vec<(u32, f32)> {
    let mut pairs = Vec::new();
    for word in raw_words(text) {
        let lower = word.to_lowercase();
        if !content_word(&lower) {
            continue;
        }
        pairs.push((hash(&match_term(&lower), 1), 1.0));
        let parts = identifier_parts(&word);
        if parts.len() > 1 {
            for part in &parts {
                let p = part.to_lowercase();
                if content_word(&p) {
                    pairs.push((hash(&match_term(&p), 1), PART_WEIGHT));
                }
            }
            let letters: Vec<&&str> = parts.iter().filter(|p| p.chars().all(char::is_alphabetic)).collect();
            if letters.len() >= 3 {
                let acronym: String =
                    letters.iter().filter_map(|p| p.chars().next()).flat_map(char::to_lowercase).collect();
                pairs.push((hash(&match_term(&acronym), 1), PART_WEIGHT));
            }
        }
        let chars: Vec<char> = format!("^{lower}$").chars().collect();
        if chars.len() > 6 && !lower.chars().all(|c| c.is_ascii_digit()) {
            for gram in chars.windows(4) {
                let g: String = gram.iter().collect();
                pairs.push((hash(&g, 2), GRAM_WEIGHT));
            }
        }
    }
    SparseVec::from_pairs(pairs).entries
}

/// The content words two texts share, as the first text writes them, rarest-looking (longest)
/// first: the "what they share" of a match explanation.
pub fn shared_words(a: &str, b: &str, top: usize) -> Vec<String> {
    let theirs: std::collections::HashSet<String> =
        raw_words(b).map(|w| w.to_lowercase()).filter(|w| content_word(w)).map(|w| match_term(&w)).collect();
    let mut seen = std::collections::HashSet::new();
    let mut shared: Vec<String> = raw_words(a)
        .filter(|w| {
            let lower = w.to_lowercase();
            content_word(&lower) && theirs.contains(&match_term(&lower)) && seen.insert(match_term(&lower))
        })
        .collect();
    shared.sort_by(|x, y| y.chars().count().cmp(&x.chars().count()).then_with(|| x.cmp(y)));
    shared.truncate(top);
    shared
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_negations_whole() {
        assert_eq!(tokens("It doesn't work, error 500!"), vec!["it", "doesnt", "work", "error", "500"]);
    }

    #[test]
    fn stemming_joins_inflections_only() {
        assert_eq!(stem("exports"), "export");
        assert_eq!(stem("exporting"), "export");
        assert_eq!(stem("exported"), "export");
        assert_eq!(stem("invoices"), stem("invoice"));
        assert_eq!(stem("crashes"), stem("crashed"));
        assert_eq!(stem("replies"), stem("reply"));
        assert_eq!(stem("stopped"), "stop");
        assert_eq!(stem("status"), "status");
        assert_eq!(stem("bus"), "bus");
    }

    #[test]
    fn vectors_are_unit_length_and_dot_is_cosine() {
        let a = classifier_vector("export fails with an error");
        assert!((a.norm() - 1.0).abs() < 1e-5);
        assert!((a.dot(&a) - 1.0).abs() < 1e-5);
        let b = classifier_vector("please add dark mode");
        assert!(a.dot(&b) < 0.2);
    }

    #[test]
    fn match_terms_ignore_stopwords() {
        let t = match_terms("the the the");
        assert!(t.is_empty());
        let words = |t: &str| match_terms(t).into_iter().filter(|(_, w)| *w >= 0.5).collect::<Vec<_>>();
        assert_eq!(words("PDF exports").len(), 1, "pdf and export are one concept");
        assert_eq!(words("blank page"), words("empty page"));
    }

    #[test]
    fn identifiers_split_into_their_words_and_acronym() {
        assert_eq!(identifier_parts("AzureBlobFileSystem"), vec!["Azure", "Blob", "File", "System"]);
        assert_eq!(identifier_parts("HTTPServer2"), vec!["HTTP", "Server", "2"]);
        assert_eq!(identifier_parts("max_retry_count"), vec!["max", "retry", "count"]);
        assert_eq!(identifier_parts("plain"), vec!["plain"]);
        let shared = |a: &str, b: &str| {
            let b: std::collections::HashSet<u32> = match_terms(b).into_iter().map(|t| t.0).collect();
            match_terms(a).into_iter().filter(|t| b.contains(&t.0)).count()
        };
        assert!(shared("AzureBlobFileSystem.open() is slow", "ABFS input stream") >= 1, "the acronym meets");
        assert!(shared("parseAccessPointFromArn fails", "access point ARN mistranslated") >= 3);
    }

    #[test]
    fn shared_words_explain_a_match_in_the_first_texts_words() {
        assert_eq!(
            shared_words("Invoices export as blank PDFs", "the pdf export is empty", 5),
            vec!["export", "blank"]
        );
    }
}
