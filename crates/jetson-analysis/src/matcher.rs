//! Grouping reports of the same problem: TF-IDF cosine similarity over content terms, nearest
//! earlier report wins, above a per-product threshold.
//!
//! The index keeps term counts per report and document frequencies for the product, so IDF
//! reflects the product's own vocabulary ("invoice" says little in an invoicing product).
//! Candidates come from an inverted index over the query's terms, so a query touches only reports
//! that share a term with it.
//!
//! With the embedding tier, reports also carry a sentence embedding, and a candidate's score
//! blends in the cosine of the embeddings ([`SEMANTIC_SHARE`]); candidates are still found by
//! their words, which keeps a query fast at 100,000 items.

use std::cell::Cell;
use std::collections::HashMap;

use jetson_domain::Category;

use crate::features;

/// Per-report checks look only at the reports sharing the query's rarest terms, and at most this
/// many of the newest for each term, so a query costs the same at 100 reports and at 100,000.
const RARE_TERMS: usize = 8;
/// At most about this many work items are scored by centroid per query.
const GROUP_BUDGET: usize = 1_500;
/// Terms counted at least this much are words (or identifier parts), not character grams.
const WORD_WEIGHT: f32 = 0.5;
const POSTINGS_SCANNED: usize = 200;
/// A cached norm is recomputed once the number of groups (which moves IDF) changed this much.
const NORM_DRIFT: f64 = 0.02;
/// The embeddings' share of a hybrid score.
pub const SEMANTIC_SHARE: f64 = 0.4;
/// Unrelated texts still have a cosine of 0.2 to 0.4 under all-MiniLM-L6-v2; cosines are rescaled
/// from this baseline, so that the hybrid score stays on the lexical score's scale and a product's
/// match threshold means the same with and without the tier. Share and baseline were chosen on
/// the demo answer key (pairwise F1 0.845 → 0.939 at the default threshold) and gitbugs Hadoop
/// (Recall@10 0.845 → 0.884); see docs/QUALITY.md.
pub const SEMANTIC_BASELINE: f64 = 0.4;

/// A lexical similarity blended with an embedding cosine, when there is one.
pub fn hybrid(lexical: f64, semantic: Option<f32>) -> f64 {
    match semantic {
        Some(cosine) => {
            let semantic = ((f64::from(cosine) - SEMANTIC_BASELINE) / (1.0 - SEMANTIC_BASELINE)).max(0.0);
            (1.0 - SEMANTIC_SHARE) * lexical + SEMANTIC_SHARE * semantic
        }
        None => lexical,
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

struct Doc<K> {
    key: K,
    group: K,
    terms: Vec<(u32, f32)>,
    norm: Cell<(usize, f32)>,
    /// Unit-length sentence embedding, with the embedding tier.
    vector: Option<Box<[f32]>>,
}

struct Group {
    category: Category,
    /// Summed term counts of the group's reports: its centroid.
    centroid: HashMap<u32, f32>,
    norm: Cell<(usize, f32)>,
    /// Sum of the reports' embeddings (empty when none has one).
    vector_sum: Vec<f32>,
}

pub struct MatchIndex<K> {
    docs: Vec<Doc<K>>,
    postings: HashMap<u32, Vec<u32>>,
    groups: HashMap<K, Group>,
    /// For each term, the groups whose centroid has it. IDF is computed over groups, not reports:
    /// a word that every report of one big work item uses is exactly what identifies that item,
    /// and must not lose weight because the item grew.
    group_postings: HashMap<u32, Vec<K>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Match<K> {
    /// The nearest earlier report in the matched work item.
    pub key: K,
    /// The work item.
    pub group: K,
    pub similarity: f64,
}

impl<K: Copy + Eq + Ord + std::hash::Hash> Default for MatchIndex<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Copy + Eq + Ord + std::hash::Hash> MatchIndex<K> {
    pub fn new() -> Self {
        MatchIndex {
            docs: Vec::new(),
            postings: HashMap::new(),
            groups: HashMap::new(),
            group_postings: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    pub fn add(&mut self, key: K, group: K, category: Category, text: &str) {
        self.add_embedded(key, group, category, text, None);
    }

    /// [`MatchIndex::add`] with the text's sentence embedding (unit length).
    pub fn add_embedded(&mut self, key: K, group: K, category: Category, text: &str, vector: Option<Vec<f32>>) {
        let terms = features::match_terms(text);
        let id = self.docs.len() as u32;
        let g = self.groups.entry(group).or_insert_with(|| Group {
            category,
            centroid: HashMap::new(),
            norm: Cell::new((0, 0.0)),
            vector_sum: Vec::new(),
        });
        if let Some(v) = &vector {
            if g.vector_sum.is_empty() {
                g.vector_sum = vec![0.0; v.len()];
            }
            if g.vector_sum.len() == v.len() {
                g.vector_sum.iter_mut().zip(v).for_each(|(s, x)| *s += x);
            }
        }
        for (t, c) in &terms {
            self.postings.entry(*t).or_default().push(id);
            let count = g.centroid.entry(*t).or_default();
            if *count == 0.0 {
                self.group_postings.entry(*t).or_default().push(group);
            }
            *count += c;
        }
        g.norm.set((0, 0.0));
        self.docs.push(Doc { key, group, terms, norm: Cell::new((0, 0.0)), vector: vector.map(Vec::into_boxed_slice) });
    }

    /// Smoothed IDF. (Raised to 1.5 it lifts Recall@10 on long technical reports, gitbugs Hadoop
    /// 0.845 → 0.868, but costs grouping F1 on short support messages, the demo 0.815 → 0.792.)
    fn idf(&self, term: u32) -> f32 {
        let gf = self.group_postings.get(&term).map_or(0, Vec::len) as f32;
        ((1.0 + self.groups.len() as f32) / (1.0 + gf)).ln() + 1.0
    }

    /// Sub-linear in the count; counts below one (identifier parts, character grams) stay linear.
    fn weight(&self, term: u32, count: f32) -> f32 {
        let tf = if count >= 1.0 { 1.0 + count.ln() } else { count };
        tf * self.idf(term)
    }

    /// A norm under the current IDF, recomputed when the number of groups drifted.
    fn cached_norm<'a>(&self, cell: &Cell<(usize, f32)>, terms: impl Iterator<Item = (&'a u32, &'a f32)>) -> f32 {
        let n = self.groups.len();
        let (at, norm) = cell.get();
        if at > 0 && (n as f64 - at as f64).abs() <= at as f64 * NORM_DRIFT {
            return norm;
        }
        let norm = terms.map(|(t, c)| self.weight(*t, *c).powi(2)).sum::<f32>().sqrt().max(1e-6);
        cell.set((n, norm));
        norm
    }

    /// The best work item of this category for the text: the better of its centroid's similarity
    /// and its nearest report's, with that nearest report as the explanation.
    pub fn nearest(&self, category: Category, text: &str) -> Option<Match<K>> {
        self.nearest_embedded(category, text, None)
    }

    /// [`MatchIndex::nearest`] with the text's sentence embedding: scores blend in the cosine to
    /// each candidate that has one.
    pub fn nearest_embedded(&self, category: Category, text: &str, vector: Option<&[f32]>) -> Option<Match<K>> {
        let query: Vec<(u32, f32)> =
            features::match_terms(text).into_iter().map(|(t, c)| (t, self.weight(t, c))).collect();
        let qnorm = query.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if qnorm == 0.0 {
            return None;
        }
        let qmap: HashMap<u32, f32> = query.iter().copied().collect();

        // Candidates share one of the query's rarest terms: a work item that shares only common
        // words ("invoice" in an invoicing product) cannot come near the threshold, and scoring
        // every such item is what would make a query slow at 100,000 items.
        // Words only: character grams are there to refine a score, not to find candidates.
        let counts: HashMap<u32, f32> = features::match_terms(text).into_iter().collect();
        let mut rare: Vec<&(u32, f32)> = query.iter().filter(|(t, _)| counts[t] >= WORD_WEIGHT).collect();
        rare.sort_by(|a, b| self.idf(b.0).total_cmp(&self.idf(a.0)).then_with(|| a.0.cmp(&b.0)));
        // Work items, scored by centroid: those sharing the rarest words first, until the budget is
        // spent (a small product's every candidate fits in it).
        let mut scores: HashMap<K, (f64, Option<(f64, u32)>)> = HashMap::new();
        for (t, _) in &rare {
            if scores.len() >= GROUP_BUDGET {
                break;
            }
            let list = self.group_postings.get(t).map_or(&[][..], Vec::as_slice);
            for g in list.iter().rev().take(POSTINGS_SCANNED) {
                if !scores.contains_key(g) && self.groups[g].category == category {
                    let semantic = vector.and_then(|v| self.group_cosine(v, *g));
                    scores.insert(*g, (hybrid(self.centroid_similarity(&qmap, qnorm, *g), semantic), None));
                }
            }
        }
        // Reports, scored one by one: those sharing the query's rarest terms, grams included (a
        // rare misspelling or code name is the best pointer to a single earlier report).
        let mut rare: Vec<&(u32, f32)> = query.iter().collect();
        rare.sort_by(|a, b| self.idf(b.0).total_cmp(&self.idf(a.0)).then_with(|| a.0.cmp(&b.0)));
        rare.truncate(RARE_TERMS);
        if scores.is_empty() {
            return None;
        }
        let mut seen: std::collections::HashSet<u32> = std::collections::HashSet::new();
        for (t, _) in rare {
            let list = self.postings.get(t).map_or(&[][..], Vec::as_slice);
            for &d in list.iter().rev().take(POSTINGS_SCANNED) {
                if !seen.insert(d) {
                    continue;
                }
                let doc = &self.docs[d as usize];
                let Some(entry) = scores.get_mut(&doc.group) else { continue };
                let shared: f32 =
                    doc.terms.iter().filter_map(|(t, c)| qmap.get(t).map(|w| w * self.weight(*t, *c))).sum();
                let dnorm = self.cached_norm(&doc.norm, doc.terms.iter().map(|(t, c)| (t, c)));
                let semantic = vector.zip(doc.vector.as_deref()).filter(|(q, d)| q.len() == d.len());
                let sim = hybrid(f64::from(shared / (qnorm * dnorm)), semantic.map(|(q, d)| dot(q, d)));
                if entry.1.is_none_or(|(best, bd)| sim > best || (sim == best && d < bd)) {
                    entry.1 = Some((sim, d));
                }
            }
        }
        let (group, (centroid, nearest)) = scores
            .into_iter()
            .max_by(|a, b| {
                let sa = a.1.0.max(a.1.1.map_or(0.0, |x| x.0));
                let sb = b.1.0.max(b.1.1.map_or(0.0, |x| x.0));
                // Ties go to the older work item (smaller id), whatever the map's order.
                sa.total_cmp(&sb).then_with(|| b.0.cmp(&a.0))
            })
            .expect("not empty");
        let similarity = centroid.max(nearest.map_or(0.0, |x| x.0));
        // The explanation: the nearest report found, else the item's newest report.
        let key = match nearest {
            Some((_, d)) => self.docs[d as usize].key,
            None => self.docs.iter().rev().find(|d| d.group == group).map(|d| d.key)?,
        };
        Some(Match { key, group, similarity })
    }

    /// The `k` groups of this category most similar to the text, by centroid, best first (for
    /// retrieval evaluation; with one report per group this ranks reports).
    pub fn rank(&self, category: Category, text: &str, k: usize) -> Vec<(K, f64)> {
        let query: HashMap<u32, f32> =
            features::match_terms(text).into_iter().map(|(t, c)| (t, self.weight(t, c))).collect();
        let qnorm = query.values().map(|w| w * w).sum::<f32>().sqrt();
        if qnorm == 0.0 {
            return Vec::new();
        }
        let mut candidates: Vec<K> =
            query.keys().flat_map(|t| self.group_postings.get(t).into_iter().flatten().copied()).collect();
        candidates.sort();
        candidates.dedup();
        let mut scored: Vec<(K, f64)> = candidates
            .into_iter()
            .filter(|g| self.groups[g].category == category)
            .map(|g| (g, self.centroid_similarity(&query, qnorm, g)))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        scored.truncate(k);
        scored
    }

    /// The similarity of two texts under this index's weights (the product's vocabulary), on the
    /// same scale as [`MatchIndex::nearest`]: what the match threshold is compared with.
    pub fn similarity(&self, a: &str, b: &str) -> f64 {
        let weigh = |t: &str| -> HashMap<u32, f32> {
            features::match_terms(t).into_iter().map(|(t, c)| (t, self.weight(t, c))).collect()
        };
        let (a, b) = (weigh(a), weigh(b));
        let norm = |v: &HashMap<u32, f32>| v.values().map(|w| w * w).sum::<f32>().sqrt();
        let (na, nb) = (norm(&a), norm(&b));
        if na == 0.0 || nb == 0.0 {
            return 0.0;
        }
        let dot: f32 = a.iter().filter_map(|(t, w)| b.get(t).map(|x| w * x)).sum();
        f64::from(dot / (na * nb))
    }

    /// Cosine of the query's embedding and the group's mean embedding, when it has one.
    fn group_cosine(&self, vector: &[f32], group: K) -> Option<f32> {
        let sum = &self.groups.get(&group)?.vector_sum;
        let norm = dot(sum, sum).sqrt();
        (sum.len() == vector.len() && norm > 0.0).then(|| dot(vector, sum) / norm)
    }

    fn centroid_similarity(&self, query: &HashMap<u32, f32>, qnorm: f32, group: K) -> f64 {
        let Some(g) = self.groups.get(&group) else { return 0.0 };
        let norm = self.cached_norm(&g.norm, g.centroid.iter());
        let dot: f32 = query.iter().filter_map(|(t, w)| g.centroid.get(t).map(|c| w * self.weight(*t, *c))).sum();
        f64::from(dot / (qnorm * norm))
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
    fn ranking_puts_the_closest_report_first() {
        let mut idx = MatchIndex::new();
        idx.add(1, 1, Category::Bug, "calendar sync stopped");
        idx.add(2, 2, Category::Bug, "the PDF export is blank");
        idx.add(3, 3, Category::Bug, "blank page after login");
        let ranked = idx.rank(Category::Bug, "PDF export gives a blank file", 2);
        assert_eq!(ranked.iter().map(|r| r.0).collect::<Vec<_>>(), vec![2, 3]);
    }

    #[test]
    fn embeddings_decide_between_items_that_share_the_same_words() {
        let mut idx = MatchIndex::new();
        // Both items share "export" with the query; only the embeddings tell them apart.
        idx.add_embedded(1, 1, Category::Bug, "export fails with a timeout", Some(vec![1.0, 0.0]));
        idx.add_embedded(2, 2, Category::Bug, "export fails with a blank file", Some(vec![0.0, 1.0]));
        let query = "export fails";
        let lexical = idx.nearest(Category::Bug, query).unwrap();
        let towards_2 = idx.nearest_embedded(Category::Bug, query, Some(&[0.0, 1.0])).unwrap();
        let towards_1 = idx.nearest_embedded(Category::Bug, query, Some(&[1.0, 0.0])).unwrap();
        assert_eq!((towards_1.group, towards_2.group), (1, 2));
        // A vector of another length (another model) is ignored, not misread.
        assert_eq!(idx.nearest_embedded(Category::Bug, query, Some(&[1.0])).unwrap().group, lexical.group);
    }

    #[test]
    fn nothing_in_common_means_no_match() {
        let mut idx = MatchIndex::new();
        idx.add(1, 1, Category::Bug, "login page crashes");
        assert!(idx.nearest(Category::Bug, "dark mode please").is_none());
        assert!(idx.nearest(Category::Feature, "login page crashes").is_none());
    }
}
