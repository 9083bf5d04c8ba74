//! Priority from severity signals in the customer's words. A product's own definitions can add
//! signal words per level; the built-in ones cover what is severe for any software product.

use jetson_domain::{Category, Priority};

/// Signal phrases per level, checked from the most severe down. Matched on lower-cased text.
#[derive(Debug, Clone)]
pub struct PriorityRules {
    /// The built-in severity signals; they raise bug reports.
    pub levels: Vec<(Priority, Vec<String>)>,
    /// The product's own signal words per level; they raise any report, bug or feature request.
    pub product: Vec<(Priority, Vec<String>)>,
}

/// A product's definition of one priority level, edited in Settings → Products.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PriorityDefinition {
    pub level: Priority,
    /// What the level means for this product, for the people who triage.
    pub description: String,
    /// Words or phrases that put a report at this level (case does not matter).
    pub words: Vec<String>,
}

impl Default for PriorityRules {
    fn default() -> Self {
        let level = |p, words: &[&str]| (p, words.iter().map(|w| w.to_string()).collect());
        PriorityRules {
            product: Vec::new(),
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
    /// The built-in signals plus a product's own definitions.
    pub fn with_definitions(definitions: &[PriorityDefinition]) -> PriorityRules {
        let mut product: Vec<(Priority, Vec<String>)> = definitions
            .iter()
            .map(|d| {
                let words = d.words.iter().map(|w| w.trim().to_lowercase()).filter(|w| !w.is_empty()).collect();
                (d.level, words)
            })
            .collect();
        product.sort_by_key(|p| std::cmp::Reverse(p.0));
        PriorityRules { product, ..PriorityRules::default() }
    }

    pub fn priority(&self, category: Category, text: &str) -> Priority {
        let lower = text.to_lowercase();
        let builtin = self.builtin_priority(category, &lower);
        let own = self
            .product
            .iter()
            .find(|(_, words)| category.is_actionable() && words.iter().any(|w| lower.contains(w.as_str())))
            .map(|(level, _)| *level);
        own.map_or(builtin, |p| p.max(builtin))
    }

    fn builtin_priority(&self, category: Category, lower: &str) -> Priority {
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

    #[test]
    fn a_products_own_words_raise_bugs_and_requests_but_never_lower_them() {
        let defs = [
            PriorityDefinition {
                level: Priority::Urgent,
                description: "Patients affected".into(),
                words: vec!["Dosage".into()],
            },
            PriorityDefinition {
                level: Priority::High,
                description: "Renewals at risk".into(),
                words: vec!["renewal".into(), " ".into()],
            },
        ];
        let r = PriorityRules::with_definitions(&defs);
        assert_eq!(r.priority(Category::Bug, "the dosage field shows mg instead of ml"), Priority::Urgent);
        assert_eq!(r.priority(Category::Feature, "we need SSO before our renewal"), Priority::High);
        assert_eq!(
            r.priority(Category::Bug, "charged twice before our renewal"),
            Priority::Urgent,
            "built-in severity stays"
        );
        assert_eq!(r.priority(Category::NoAction, "question about renewal"), Priority::Low);
        assert_eq!(r.priority(Category::Bug, "a misaligned button"), Priority::Medium, "a blank word matches nothing");
    }
}
