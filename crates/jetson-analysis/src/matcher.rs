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
    /// Per group (work item): summed term counts of its reports, the group's centroid.
    groups: HashMap<K, HashMap<u32, f32>>,
    /// In how many groups each term occurs. IDF is computed over groups, not reports: a word that
    /// every report of one big work item uses is exactly what identifies that item, and must not
    /// lose weight because the item grew.
    group_freq: HashMap<u32, u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Match<K> {
    /// The nearest earlier report.
    pub key: K,
    /// Its work item.
    pub group: K,
    pub similarity: f64,
}

impl<K: Copy + Eq + std::hash::Hash> Default for MatchIndex<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Copy + Eq + std::hash::Hash> MatchIndex<K> {
    pub fn new() -> Self {
        MatchIndex { docs: Vec::new(), postings: HashMap::new(), groups: HashMap::new(), group_freq: HashMap::new() }
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
        let centroid = self.groups.entry(group).or_default();
        for (t, c) in &terms {
            self.postings.entry(*t).or_default().push(id);
            let count = centroid.entry(*t).or_default();
            if *count == 0.0 {
                *self.group_freq.entry(*t).or_default() += 1;
            }
            *count += c;
        }
        self.docs.push(Doc { key, group, category, terms });
    }

    fn idf(&self, term: u32) -> f32 {
        let gf = self.group_freq.get(&term).copied().unwrap_or(0) as f32;
        ((1.0 + self.groups.len() as f32) / (1.0 + gf)).ln() + 1.0
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
        // Score each candidate work item by the better of its nearest report and its centroid: a
        // group that has absorbed several phrasings of a problem matches a new phrasing better
        // than any one of its reports does.
        let mut best: Option<(f64, u32)> = None;
        let mut seen_groups: Vec<K> = Vec::new();
        for (d, dot) in dots {
            let doc = &self.docs[d as usize];
            let (_, dnorm) = self.weighted(&doc.terms);
            let mut sim = f64::from(dot / (qnorm * dnorm.max(1e-6)));
            if !seen_groups.contains(&doc.group) {
                seen_groups.push(doc.group);
            }
            sim = sim.max(self.centroid_similarity(&query, qnorm, doc.group));
            if best.is_none_or(|(s, bd)| sim > s || (sim == s && d < bd)) {
                best = Some((sim, d));
            }
        }
        best.map(|(similarity, d)| {
            let doc = &self.docs[d as usize];
            Match { key: doc.key, group: doc.group, similarity }
        })
    }

    /// Pairs of groups of the same category whose centroids are at least `threshold` similar,
    /// most similar first: work items that are probably one problem.
    pub fn similar_groups(&self, threshold: f64) -> Vec<(K, K, f64)> {
        let mut category_of: HashMap<K, Category> = HashMap::new();
        for d in &self.docs {
            category_of.insert(d.group, d.category);
        }
        // (group, tf-idf weighted centroid, its norm)
        type Weighted<K> = (K, Vec<(u32, f32)>, f32);
        let vectors: Vec<Weighted<K>> = self
            .groups
            .iter()
            .map(|(g, centroid)| {
                let terms: Vec<(u32, f32)> = centroid.iter().map(|(t, c)| (*t, *c)).collect();
                let (w, norm) = self.weighted(&terms);
                (*g, w, norm)
            })
            .collect();
        let mut out = Vec::new();
        for (i, (a, wa, na)) in vectors.iter().enumerate() {
            let map: HashMap<u32, f32> = wa.iter().copied().collect();
            for (b, wb, nb) in &vectors[i + 1..] {
                if category_of.get(a) != category_of.get(b) {
                    continue;
                }
                let dot: f32 = wb.iter().filter_map(|(t, w)| map.get(t).map(|x| x * w)).sum();
                let sim = f64::from(dot / (na * nb).max(1e-6));
                if sim >= threshold {
                    out.push((*a, *b, sim));
                }
            }
        }
        out.sort_by(|x, y| y.2.total_cmp(&x.2));
        out
    }

    /// Moves every report of group `from` into group `into` (after the work items were merged).
    pub fn merge_groups(&mut self, from: K, into: K) {
        for d in &mut self.docs {
            if d.group == from {
                d.group = into;
            }
        }
        if let Some(c) = self.groups.remove(&from) {
            let target = self.groups.entry(into).or_default();
            for (t, n) in c {
                let count = target.entry(t).or_default();
                if *count > 0.0 {
                    // The term was in both groups; now it is in one.
                    if let Some(f) = self.group_freq.get_mut(&t) {
                        *f = f.saturating_sub(1);
                    }
                }
                *count += n;
            }
        }
    }

    fn centroid_similarity(&self, query: &[(u32, f32)], qnorm: f32, group: K) -> f64 {
        let Some(centroid) = self.groups.get(&group) else { return 0.0 };
        let mut norm = 0.0f32;
        for (t, c) in centroid {
            let w = (1.0 + c.ln()) * self.idf(*t);
            norm += w * w;
        }
        let dot: f32 =
            query.iter().filter_map(|(t, w)| centroid.get(t).map(|c| w * (1.0 + c.ln()) * self.idf(*t))).sum();
        f64::from(dot / (qnorm * norm.sqrt().max(1e-6)))
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
