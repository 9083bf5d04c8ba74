//! Evaluation metrics: classification (accuracy, per-class P/R/F1, macro-F1, confusion matrix,
//! expected calibration error), retrieval (Recall@k) and clustering (pairwise P/R/F1).

use std::collections::HashMap;
use std::hash::Hash;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

fn prf(tp: f64, fp: f64, fn_: f64) -> Prf {
    let precision = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
    let recall = if tp + fn_ > 0.0 { tp / (tp + fn_) } else { 0.0 };
    let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
    Prf { precision, recall, f1 }
}

#[derive(Debug, Clone)]
pub struct ClassificationReport {
    pub classes: Vec<String>,
    /// `confusion[truth][predicted]`.
    pub confusion: Vec<Vec<usize>>,
    pub per_class: Vec<Prf>,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub ece: f64,
    pub total: usize,
}

/// Scores predictions `(truth, predicted, confidence)` over the given classes.
pub fn classification(classes: &[&str], rows: &[(&str, &str, f64)]) -> ClassificationReport {
    let idx = |c: &str| classes.iter().position(|x| *x == c);
    let n = classes.len();
    let mut confusion = vec![vec![0usize; n]; n];
    let mut correct = 0;
    for (t, p, _) in rows {
        if let (Some(t), Some(p)) = (idx(t), idx(p)) {
            confusion[t][p] += 1;
            correct += usize::from(t == p);
        }
    }
    let per_class: Vec<Prf> = (0..n)
        .map(|k| {
            let tp = confusion[k][k] as f64;
            let fp = (0..n).filter(|t| *t != k).map(|t| confusion[t][k]).sum::<usize>() as f64;
            let fn_ = (0..n).filter(|p| *p != k).map(|p| confusion[k][p]).sum::<usize>() as f64;
            prf(tp, fp, fn_)
        })
        .collect();
    let total = rows.len();
    ClassificationReport {
        classes: classes.iter().map(|c| c.to_string()).collect(),
        macro_f1: per_class.iter().map(|p| p.f1).sum::<f64>() / n.max(1) as f64,
        accuracy: if total > 0 { correct as f64 / total as f64 } else { 0.0 },
        ece: expected_calibration_error(rows, 10),
        per_class,
        confusion,
        total,
    }
}

/// ECE: the confidence-weighted gap between confidence and accuracy over equal-width bins.
pub fn expected_calibration_error(rows: &[(&str, &str, f64)], bins: usize) -> f64 {
    let mut sums = vec![(0usize, 0f64, 0usize); bins];
    for (t, p, conf) in rows {
        let b = ((conf * bins as f64) as usize).min(bins - 1);
        sums[b].0 += 1;
        sums[b].1 += conf;
        sums[b].2 += usize::from(t == p);
    }
    let total = rows.len().max(1) as f64;
    sums.iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, conf, ok)| (*n as f64 / total) * (conf / *n as f64 - *ok as f64 / *n as f64).abs())
        .sum()
}

/// Pairwise precision, recall and F1 of a clustering: over all pairs of items, a pair is positive
/// when both items share a cluster. `truth` and `predicted` map each item to its cluster.
pub fn pairwise<I, A, B>(truth: &HashMap<I, A>, predicted: &HashMap<I, B>) -> Prf
where
    I: Eq + Hash + Clone + Ord,
    A: Eq + Hash + Clone,
    B: Eq + Hash + Clone,
{
    // Count pairs through cluster sizes: same-true, same-predicted, and same-both.
    let mut items: Vec<&I> = truth.keys().filter(|i| predicted.contains_key(*i)).collect();
    items.sort();
    let mut t_sizes: HashMap<&A, f64> = HashMap::new();
    let mut p_sizes: HashMap<&B, f64> = HashMap::new();
    let mut both: HashMap<(&A, &B), f64> = HashMap::new();
    for i in items {
        let (a, b) = (&truth[i], &predicted[i]);
        *t_sizes.entry(a).or_default() += 1.0;
        *p_sizes.entry(b).or_default() += 1.0;
        *both.entry((a, b)).or_default() += 1.0;
    }
    let pairs = |m: &mut dyn Iterator<Item = f64>| m.map(|n| n * (n - 1.0) / 2.0).sum::<f64>();
    let tp = pairs(&mut both.values().copied());
    let same_true = pairs(&mut t_sizes.values().copied());
    let same_pred = pairs(&mut p_sizes.values().copied());
    prf(tp, same_pred - tp, same_true - tp)
}

/// Recall@k: the share of queries with at least one relevant item among their top `k` results.
pub fn recall_at_k<I: PartialEq>(queries: &[(Vec<I>, Vec<I>)], k: usize) -> f64 {
    if queries.is_empty() {
        return 0.0;
    }
    let hits = queries.iter().filter(|(ranked, relevant)| ranked.iter().take(k).any(|r| relevant.contains(r))).count();
    hits as f64 / queries.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_metrics_match_a_hand_count() {
        let rows = [("bug", "bug", 0.9), ("bug", "feature", 0.6), ("feature", "feature", 0.8), ("no", "no", 0.7)];
        let r = classification(&["bug", "feature", "no"], &rows);
        assert_eq!(r.accuracy, 0.75);
        assert_eq!(r.confusion[0], vec![1, 1, 0]);
        assert!((r.per_class[0].recall - 0.5).abs() < 1e-9);
        assert!((r.per_class[1].precision - 0.5).abs() < 1e-9);
        assert!((r.macro_f1 - (2.0 / 3.0 + 2.0 / 3.0 + 1.0) / 3.0).abs() < 1e-9);
    }

    #[test]
    fn a_perfect_clustering_scores_one_and_a_single_blob_loses_precision() {
        let truth: HashMap<u32, u32> = [(1, 1), (2, 1), (3, 2), (4, 2)].into();
        assert_eq!(pairwise(&truth, &truth).f1, 1.0);
        let blob: HashMap<u32, u32> = [(1, 0), (2, 0), (3, 0), (4, 0)].into();
        let p = pairwise(&truth, &blob);
        assert!((p.precision - 2.0 / 6.0).abs() < 1e-9);
        assert_eq!(p.recall, 1.0);
    }

    #[test]
    fn recall_at_k_counts_hits_in_the_top_k() {
        let q = vec![(vec![1, 2, 3], vec![3]), (vec![4, 5, 6], vec![9])];
        assert_eq!(recall_at_k(&q, 3), 0.5);
        assert_eq!(recall_at_k(&q, 2), 0.0);
    }

    #[test]
    fn calibration_error_is_zero_when_confidence_matches_accuracy() {
        let rows = [("a", "a", 1.0), ("a", "a", 1.0)];
        assert!(expected_calibration_error(&rows, 10) < 1e-9);
    }
}
