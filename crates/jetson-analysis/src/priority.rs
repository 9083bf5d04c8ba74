//! Priority from severity signals in the customer's words. A product's own definitions can add
//! signal words per level; the built-in ones cover what is severe for any software product.

use jetson_domain::{Category, Priority};

/// Signal phrases per level, checked from the most severe down. Matched on lower-cased text.
pub struct PriorityRules {
    pub levels: Vec<(Priority, Vec<String>)>,
}

impl Default for PriorityRules {
    fn default() -> Self {
        let level = |p, words: &[&str]| (p, words.iter().map(|w| w.to_string()).collect());
        PriorityRules {
            levels: vec![
                level(
                    Priority::Urgent,
                    &[
                        "data loss",
                        "lost all",
                        "lost my data",
                        "deleted all",
                        "disappeared",
                        "security",
                        "vulnerab",
                        "hacked",
                        "breach",
                        "leak",
                        "charged twice",
                        "double charged",
                        "overcharged",
                        "outage",
                        "is down",
                        "completely down",
                        "production down",
                        "cannot access anything",
                        "all our users",
                        "everyone in our company",
                        "can't log in at all",
                        "cannot log in at all",
                    ],
                ),
                level(
                    Priority::High,
                    &[
                        "urgent",
                        "asap",
                        "blocking",
                        "blocker",
                        "can't work",
                        "cannot work",
                        "crash",
                        "every time",
                        "lost",
                        "missing data",
                        "wrong amount",
                        "payment",
                        "invoice total",
                        "deadline",
                        "customers are",
                        "all of our",
                        "stopped working",
                        "not working at all",
                    ],
                ),
            ],
        }
    }
}

impl PriorityRules {
    pub fn priority(&self, category: Category, text: &str) -> Priority {
        let lower = text.to_lowercase();
        for (level, words) in &self.levels {
            if category == Category::Bug && words.iter().any(|w| lower.contains(w.as_str())) {
                return *level;
            }
        }
        match category {
            Category::Bug => Priority::Medium,
            Category::Feature | Category::NoAction => Priority::Low,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_words_raise_bug_priority() {
        let r = PriorityRules::default();
        assert_eq!(r.priority(Category::Bug, "We were charged twice this month"), Priority::Urgent);
        assert_eq!(r.priority(Category::Bug, "The app crashes on start"), Priority::High);
        assert_eq!(r.priority(Category::Bug, "The button is misaligned"), Priority::Medium);
        assert_eq!(r.priority(Category::Feature, "urgent: please add dark mode"), Priority::Low);
    }
}
