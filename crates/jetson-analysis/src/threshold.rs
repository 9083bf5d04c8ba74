//! Learning a product's match threshold from what people did: pairs of reports they put together
//! (merge, move into) and pairs they separated (unmerge, move out of).

/// How far one round of learning may move the threshold: a handful of corrections should nudge
/// it, not swing it.
const MAX_STEP: f64 = 0.05;
const MIN: f64 = 0.05;
const MAX: f64 = 0.60;

/// The threshold that best separates the pairs (`(same problem?, similarity)`), moved from
/// `current` by at most [`MAX_STEP`]. "Best" is the least total distance by which pairs fall on
/// the wrong side (a hinge loss), so a pair that one step cannot fix still pulls the threshold
/// its way. Ties go to the value nearest `current`; with no pairs it stays.
pub fn learn(current: f64, pairs: &[(bool, f64)]) -> f64 {
    if pairs.is_empty() {
        return current;
    }
    let loss = |t: f64| -> f64 {
        pairs.iter().map(|(same, s)| if *same { (t - s).max(0.0) } else { (s + 1e-6 - t).max(0.0) }).sum()
    };
    // Candidates: just above or at each observed similarity, and the current value.
    let mut candidates: Vec<f64> = pairs.iter().flat_map(|(_, s)| [*s, s + 1e-6]).collect();
    candidates.push(current);
    let lo = (current - MAX_STEP).max(MIN);
    let hi = (current + MAX_STEP).min(MAX);
    candidates.extend([lo, hi]);
    candidates
        .into_iter()
        .map(|t| t.clamp(lo, hi))
        .min_by(|a, b| loss(*a).total_cmp(&loss(*b)).then_with(|| (a - current).abs().total_cmp(&(b - current).abs())))
        .unwrap_or(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_below_the_threshold_lower_it_and_splits_above_raise_it() {
        let lowered = learn(0.30, &[(true, 0.27), (true, 0.28), (false, 0.10)]);
        assert!(lowered <= 0.27 && lowered > 0.10, "{lowered}");
        let raised = learn(0.20, &[(false, 0.22), (false, 0.23), (true, 0.5)]);
        assert!(raised > 0.23, "{raised}");
    }

    #[test]
    fn one_round_moves_at_most_a_step_and_nothing_learned_changes_nothing() {
        assert!((learn(0.30, &[(true, 0.01)]) - 0.25).abs() < 1e-9);
        assert_eq!(learn(0.16, &[]), 0.16);
        assert_eq!(learn(0.16, &[(true, 0.5), (false, 0.05)]), 0.16, "already right: stays");
    }
}
