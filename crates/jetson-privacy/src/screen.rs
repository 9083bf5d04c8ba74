//! Harmful content: hate, threats, harassment, sexual content and self-harm, screened in every
//! customer message so that a flagged conversation can be held out of analysis until a person has
//! looked at it. Two parts: a small abusive-language model (hate and harassment; trained on the
//! Davidson et al. tweets, MIT licence), which flags only a text that uses an insult, profanity or
//! a slur from a short lexicon, and phrase rules for threats, self-harm and sexual content.

use serde::Serialize;

pub mod model;
mod rules;

pub use model::Model;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Self-harm and threats come first: they go to the escalation list.
    SelfHarm,
    Threat,
    Hate,
    Harassment,
    Sexual,
}

impl Category {
    pub const ALL: [Category; 5] =
        [Category::SelfHarm, Category::Threat, Category::Hate, Category::Harassment, Category::Sexual];

    pub fn as_str(&self) -> &'static str {
        match self {
            Category::SelfHarm => "self_harm",
            Category::Threat => "threat",
            Category::Hate => "hate",
            Category::Harassment => "harassment",
            Category::Sexual => "sexual",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Someone may be in danger: admins see these first.
    pub fn escalates(&self) -> bool {
        matches!(self, Category::SelfHarm | Category::Threat)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Flag {
    pub category: Category,
    pub score: f32,
}

pub struct Screener {
    model: Model,
    rules: rules::Rules,
}

/// The shipped model, trained by `jetson model train-screen` (a test checks it is what training
/// produces).
const BUILTIN: &[u8] = include_bytes!("../data/screen_model.bin");

/// Rules have no probability; this is what their flags report.
const RULE_SCORE: f32 = 0.9;

impl Screener {
    pub fn new(model: Model) -> Screener {
        Screener { model, rules: rules::Rules::new() }
    }

    /// The built-in screener, loaded once per process.
    pub fn builtin() -> &'static Screener {
        static SCREENER: std::sync::OnceLock<Screener> = std::sync::OnceLock::new();
        SCREENER.get_or_init(|| Screener::new(Model::from_bytes(BUILTIN).expect("the built-in screening model loads")))
    }

    /// The flags raised by `text`, most serious first; empty when it is fine.
    pub fn screen(&self, text: &str) -> Vec<Flag> {
        if !self.rules.any(text) {
            return Vec::new();
        }
        let mut flags: Vec<Flag> =
            self.rules.matches(text).into_iter().map(|category| Flag { category, score: RULE_SCORE }).collect();
        // The model flags only a text that uses an insult, profanity or a slur; most texts use none,
        // and one pass of the lexicon costs a fraction of the model's, so it goes first.
        if self.rules.abusive_word(text) {
            let p = self.model.probabilities(text);
            let abusive = p[model::OFFENSIVE] + p[model::HATE];
            if abusive >= self.model.flag_threshold {
                flags.push(if p[model::HATE] >= self.model.hate_threshold {
                    Flag { category: Category::Hate, score: p[model::HATE] }
                } else {
                    Flag { category: Category::Harassment, score: abusive }
                });
            }
        }
        flags.sort_by_key(|f| f.category);
        flags
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abuse_aimed_at_an_agent_is_flagged_and_a_complaint_is_not() {
        let s = Screener::builtin();
        let flags = s.screen("you are a useless fucking idiot, bitch");
        assert!(flags.iter().any(|f| f.category == Category::Harassment || f.category == Category::Hate), "{flags:?}");
        assert!(s.screen("The CSV export fails with an error since the last update. Can you help?").is_empty());
        // Lines that read like tweets but use no insult, profanity or slur.
        assert!(s.screen("Pool 5: the chlorine reading sits at 0.0 although the water tested fine by hand").is_empty());
        assert!(s.screen("My name is Rubija").is_empty());
    }

    #[test]
    fn self_harm_comes_first_and_escalates() {
        let flags = Screener::builtin().screen("I'm going to kill myself, and I know where you live");
        assert_eq!(flags.iter().map(|f| f.category).collect::<Vec<_>>()[..2], [Category::SelfHarm, Category::Threat]);
        assert!(flags[0].category.escalates());
    }

    #[test]
    fn binary_junk_and_huge_text_are_screened_safely() {
        let junk: String = (0..200_000u32).filter_map(char::from_u32).collect();
        let _ = Screener::builtin().screen(&junk);
        let _ = Screener::builtin().screen(&"kill ".repeat(2_000_000));
    }
}
