//! Grouping reports of the same problem: TF-IDF cosine similarity over content terms, nearest
//! earlier report wins, above a per-product threshold.
//!
//! The index keeps term counts per report and document frequencies for the product, so IDF
//! reflects the product's own vocabulary ("invoice" says little in an invoicing product).
//! Candidates come from an inverted index over the query's terms, so a query touches only reports
//! that share a term with it.

use std::collections::HashMap;

use jetson_domain::Category;

use crate::features;

pub struct Doc<K> {
    pub key: K,
    pub group: K,
    pub category: Category,
    terms: Vec<(u32, f32)>,
}

pub struct MatchIndex<K> {
    docs: Vec<Doc<K>>,
    postings: HashMap<u32, Vec<u32>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Match<K> {
    /// The nearest earlier report.
    pub key: K,
    /// Its work item.
    pub group: K,
    pub similarity: f64,
}

impl<K: Copy + PartialEq> Default for MatchIndex<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Copy + PartialEq> MatchIndex<K> {
    pub fn new() -> Self {
        MatchIndex { docs: Vec::new(), postings: HashMap::new() }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    pub fn add(&mut self, key: K, group: K, category: Category, text: &str) {
        let terms = features::match_terms(text);
        let id = self.docs.len() as u32;
        for (t, _) in &terms {
            self.postings.entry(*t).or_default().push(id);
        }
        self.docs.push(Doc { key, group, category, terms });
    }

    fn idf(&self, term: u32) -> f32 {
        let df = self.postings.get(&term).map_or(0, Vec::len) as f32;
        ((1.0 + self.docs.len() as f32) / (1.0 + df)).ln() + 1.0
    }

    fn weighted(&self, terms: &[(u32, f32)]) -> (Vec<(u32, f32)>, f32) {
        let w: Vec<(u32, f32)> = terms.iter().map(|(t, c)| (*t, (1.0 + c.ln()) * self.idf(*t))).collect();
        let norm = w.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        (w, norm)
    }

    /// The most similar earlier report of the same category, if any shares a term.
    pub fn nearest(&self, category: Category, text: &str) -> Option<Match<K>> {
        let (query, qnorm) = self.weighted(&features::match_terms(text));
        if qnorm == 0.0 {
            return None;
        }
        let mut dots: HashMap<u32, f32> = HashMap::new();
        for (t, w) in &query {
            if let Some(list) = self.postings.get(t) {
                for &d in list {
                    if self.docs[d as usize].category == category {
                        let tf = self.docs[d as usize].terms.iter().find(|(x, _)| x == t).map_or(0.0, |(_, c)| *c);
                        *dots.entry(d).or_insert(0.0) += w * (1.0 + tf.ln()) * self.idf(*t);
                    }
                }
            }
        }
        dots.into_iter()
            .map(|(d, dot)| {
                let (_, dnorm) = self.weighted(&self.docs[d as usize].terms);
                (d, f64::from(dot / (qnorm * dnorm.max(1e-6))))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
            .map(|(d, similarity)| {
                let doc = &self.docs[d as usize];
                Match { key: doc.key, group: doc.group, similarity }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_problem_in_other_words_matches_and_a_different_one_does_not() {
        let mut idx = MatchIndex::new();
        idx.add(1, 10, Category::Bug, "The PDF export of invoices comes out blank");
        idx.add(2, 20, Category::Bug, "Calendar sync with Google stopped working");
        idx.add(3, 30, Category::Feature, "Please add a blank invoice template");
        let m = idx.nearest(Category::Bug, "exported invoice PDFs are completely blank").unwrap();
        assert_eq!(m.group, 10);
        assert!(m.similarity > 0.3, "{m:?}");
        let other = idx.nearest(Category::Bug, "Google calendar is not syncing any more").unwrap();
        assert_eq!(other.group, 20);
    }

    #[test]
    fn nothing_in_common_means_no_match() {
        let mut idx = MatchIndex::new();
        idx.add(1, 1, Category::Bug, "login page crashes");
        assert!(idx.nearest(Category::Bug, "dark mode please").is_none());
        assert!(idx.nearest(Category::Feature, "login page crashes").is_none());
    }
}
