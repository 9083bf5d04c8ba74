//! The training corpus of the built-in model: every example is text the project wrote (see
//! `data/README.md`).
//!
//! Two kinds: messages written out one by one (`data/corpus/*.tsv`), and messages composed from
//! written templates and fragments (`templates.txt`, `fragments.txt`), which cover the many shapes
//! of developer-facing issues (issue templates, logs, version blocks) without writing each by hand.
//! Composition is seeded, so the corpus, and the model trained on it, are the same on every run.

use std::collections::{BTreeMap, HashSet};

use jetson_domain::Category;

use crate::text;

/// Files written one example per line: `label<TAB>text`, `\n` for a line break.
const WRITTEN: &[(&str, &str)] = &[
    ("support_written.tsv", include_str!("../data/corpus/support_written.tsv")),
    ("support_more.tsv", include_str!("../data/corpus/support_more.tsv")),
    ("languages.tsv", include_str!("../data/corpus/languages.tsv")),
    ("developer_issues.tsv", include_str!("../data/corpus/developer_issues.tsv")),
];
const TEMPLATES: &str = include_str!("../data/corpus/templates.txt");
const FRAGMENTS: &str = include_str!("../data/corpus/fragments.txt");
/// Each template is filled this many times.
const FILLS_PER_TEMPLATE: usize = 64;
const SEED: u64 = 0x6a65_7473_6f6e;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Written,
    Composed,
}

#[derive(Debug, Clone)]
pub struct Example {
    pub category: Category,
    pub text: String,
    pub origin: Origin,
}

/// The whole corpus, cleaned as the pipeline cleans a message (quotes and signatures go), without
/// duplicates, in a stable order.
pub fn examples() -> Result<Vec<Example>, String> {
    let mut out = Vec::new();
    for (name, tsv) in WRITTEN {
        for (category, text) in parse_tsv(tsv).map_err(|e| format!("{name}: {e}"))? {
            out.push(Example { category, text, origin: Origin::Written });
        }
    }
    out.extend(composed()?);
    let mut seen = HashSet::new();
    out.retain_mut(|e| {
        e.text = text::clean_for_analysis(&e.text);
        !e.text.trim().is_empty() && seen.insert(e.text.to_lowercase())
    });
    Ok(out)
}

/// Parses `label<TAB>text` lines; lines starting with `#` and blank lines are skipped.
pub fn parse_tsv(tsv: &str) -> Result<Vec<(Category, String)>, String> {
    tsv.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(n, l)| {
            let (label, text) = l.split_once('\t').ok_or_else(|| format!("line {}: expected label<TAB>text", n + 1))?;
            let c = Category::parse(label.trim()).map_err(|e| format!("line {}: {e}", n + 1))?;
            Ok((c, text.replace("\\n", "\n")))
        })
        .collect()
}

fn parse_fragments(src: &str) -> Result<BTreeMap<String, Vec<String>>, String> {
    let mut lists: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for (n, line) in src.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = Some(name.to_string());
            lists.entry(name.to_string()).or_default();
        } else {
            let list = current.as_ref().ok_or_else(|| format!("fragments line {}: entry before any [list]", n + 1))?;
            lists.get_mut(list).expect("opened above").push(line.to_string());
        }
    }
    Ok(lists)
}

fn parse_templates(src: &str) -> Result<Vec<(Category, String)>, String> {
    let body: String = src.lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>().join("\n");
    body.split("=== ")
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            let (label, text) = t.split_once('\n').ok_or("a template needs a label line and text")?;
            let c = Category::parse(label.trim()).map_err(|e| format!("template `{}`: {e}", label.trim()))?;
            Ok((c, text.trim().to_string()))
        })
        .collect()
}

/// xorshift64: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn composed() -> Result<Vec<Example>, String> {
    let lists = parse_fragments(FRAGMENTS)?;
    let templates = parse_templates(TEMPLATES)?;
    let mut rng = Rng(SEED);
    let mut out = Vec::with_capacity(templates.len() * FILLS_PER_TEMPLATE);
    for (category, template) in &templates {
        for _ in 0..FILLS_PER_TEMPLATE {
            let filled = fill(template, &lists, &mut rng)?;
            out.push(Example { category: *category, text: roughen(&filled, &mut rng), origin: Origin::Composed });
        }
    }
    Ok(out)
}

/// Replaces each `{name}` (or `{name2}`, another draw from the same list) with a random entry;
/// `{Name}` capitalises it.
fn fill(template: &str, lists: &BTreeMap<String, Vec<String>>, rng: &mut Rng) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').ok_or_else(|| format!("unclosed placeholder in `{template}`"))? + open;
        let name = &rest[open + 1..close];
        let key = name.trim_end_matches(|c: char| c.is_ascii_digit()).to_lowercase();
        let list = lists.get(&key).ok_or_else(|| format!("no fragment list [{key}] for `{{{name}}}`"))?;
        let entry = &list[rng.below(list.len())];
        if name.starts_with(|c: char| c.is_uppercase()) {
            let mut chars = entry.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push_str(entry);
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

const GREETINGS: &[&str] = &["Hi,", "Hello,", "Hey team,", "Good morning,", "Hi there,", "Dear support,"];
const SIGN_OFFS: &[&str] =
    &["Thanks,\nMaria", "Best regards,\nTom", "Cheers,\nPriya", "Thank you!\nJonas", "--\nSent from my iPhone"];
const QUOTED: &[&str] = &[
    "\n\nOn Tue, 3 Sep 2024 at 10:12, Support <help@example.com> wrote:\n> Thanks for reaching out, could you tell us more?\n> Best, the team",
    "\n\n-----Original Message-----\nFrom: Support\nSent: Monday\nSubject: Re: your request\n\nHi, we are looking into it.",
];

/// People do not write like templates: some examples get a greeting, a sign-off, a quoted earlier
/// message, lower case, or a typo.
fn roughen(text: &str, rng: &mut Rng) -> String {
    let mut t = text.to_string();
    if rng.chance(20) {
        t = format!("{}\n\n{t}", GREETINGS[rng.below(GREETINGS.len())]);
    }
    if rng.chance(20) {
        t = format!("{t}\n\n{}", SIGN_OFFS[rng.below(SIGN_OFFS.len())]);
    }
    if rng.chance(10) {
        t.push_str(QUOTED[rng.below(QUOTED.len())]);
    }
    if rng.chance(15) {
        t = t.to_lowercase();
    }
    if rng.chance(30) {
        t = typo(&t, rng);
    }
    t
}

/// Swaps two adjacent letters of one longer word.
fn typo(text: &str, rng: &mut Rng) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let candidates: Vec<usize> = (0..words.len())
        .filter(|i| words[*i].len() >= 5 && words[*i].chars().all(|c| c.is_ascii_alphabetic()))
        .collect();
    if candidates.is_empty() {
        return text.to_string();
    }
    let i = candidates[rng.below(candidates.len())];
    let mut letters: Vec<char> = words[i].chars().collect();
    let at = 1 + rng.below(letters.len() - 2);
    letters.swap(at, at + 1);
    let swapped: String = letters.into_iter().collect();
    words.iter().enumerate().map(|(j, w)| if j == i { swapped.as_str() } else { w }).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_is_large_varied_and_balanced() {
        let ex = examples().unwrap();
        assert!(ex.len() >= 3000, "{} examples", ex.len());
        let written = ex.iter().filter(|e| e.origin == Origin::Written).count();
        assert!(written >= 800, "{written} written one by one");
        for c in [Category::Bug, Category::Feature, Category::NoAction] {
            let n = ex.iter().filter(|e| e.category == c).count();
            assert!(n * 5 >= ex.len(), "{c}: {n} of {}", ex.len());
        }
    }

    #[test]
    fn composition_is_deterministic_and_fills_every_placeholder() {
        let a = composed().unwrap();
        let b = composed().unwrap();
        assert_eq!(a.iter().map(|e| &e.text).collect::<Vec<_>>(), b.iter().map(|e| &e.text).collect::<Vec<_>>());
        assert!(a.iter().all(|e| !e.text.contains('{') || e.text.contains("{\"")), "an unfilled placeholder");
    }

    #[test]
    fn placeholders_draw_from_their_list_and_capitalise() {
        let lists = parse_fragments("[thing]\nthe editor\n").unwrap();
        let mut rng = Rng(1);
        assert_eq!(fill("{Thing} and {thing2}.", &lists, &mut rng).unwrap(), "The editor and the editor.");
        assert!(fill("{nothing}", &lists, &mut rng).unwrap_err().contains("no fragment list"));
    }
}
