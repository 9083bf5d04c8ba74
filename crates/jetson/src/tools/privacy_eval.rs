//! `jetson eval pii FILE`: the redactor scored on labelled spans (Presidio's synthetic format: a
//! JSON array of `{"full_text", "spans": [{"entity_type", "start_position", "end_position"}]}`,
//! offsets in characters). A labelled span counts as found when a finding of its type covers at
//! least half of it; a finding counts as right when at least half of it lies in labelled spans of
//! its type (labels often cut one address into pieces). Types Jetson does not look for
//! (organisations, places, dates…), and those the file does not label, are left out of both.

use std::collections::BTreeMap;

use jetson_privacy::{Kind, Known, Redactor};
use serde::Deserialize;

#[derive(Deserialize)]
struct Example {
    full_text: String,
    #[serde(default)]
    spans: Vec<Span>,
}

#[derive(Deserialize)]
struct Span {
    entity_type: String,
    start_position: usize,
    end_position: usize,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub labelled: usize,
    pub found: usize,
    pub predicted: usize,
    pub correct: usize,
}

impl Counts {
    pub fn recall(&self) -> f64 {
        if self.labelled == 0 { 0.0 } else { self.found as f64 / self.labelled as f64 }
    }
    pub fn precision(&self) -> f64 {
        if self.predicted == 0 { 0.0 } else { self.correct as f64 / self.predicted as f64 }
    }
}

fn overlap(a: (usize, usize), b: (usize, usize)) -> usize {
    a.1.min(b.1).saturating_sub(a.0.max(b.0))
}

/// Per type, and the total of all types.
pub fn score(json: &str) -> anyhow::Result<(BTreeMap<Kind, Counts>, Counts)> {
    let examples: Vec<Example> = serde_json::from_str(json)?;
    let mut per: BTreeMap<Kind, Counts> = BTreeMap::new();
    for ex in &examples {
        let found = Redactor.find(&ex.full_text, &Known::default());
        let predicted: Vec<(Kind, (usize, usize))> = jetson_privacy::char_offsets(&ex.full_text, &found)
            .into_iter()
            .zip(&found)
            .map(|(range, f)| (f.kind, range))
            .collect();
        let labelled: Vec<(Kind, (usize, usize))> = ex
            .spans
            .iter()
            .filter_map(|s| Some((Kind::parse_label(&s.entity_type)?, (s.start_position, s.end_position))))
            .collect();
        for (kind, span) in &labelled {
            let c = per.entry(*kind).or_default();
            c.labelled += 1;
            let len = span.1 - span.0;
            if predicted.iter().any(|(k, p)| k == kind && 2 * overlap(*p, *span) >= len) {
                c.found += 1;
            }
        }
        for (kind, p) in &predicted {
            let c = per.entry(*kind).or_default();
            c.predicted += 1;
            // Labelled spans are often pieces of one thing (an address as street, flat, postcode):
            // a finding is right when at least half of it lies in labelled spans of its type.
            let inside: usize = labelled.iter().filter(|(k, _)| k == kind).map(|(_, span)| overlap(*p, *span)).sum();
            if 2 * inside >= p.1 - p.0 {
                c.correct += 1;
            }
        }
    }
    // A kind the file never labels (dates of birth, health…) cannot be scored on it: its findings
    // would all count as wrong. It is left out, as the kinds Jetson does not look for are.
    per.retain(|_, c| c.labelled > 0);
    let total = per.values().fold(Counts::default(), |t, c| Counts {
        labelled: t.labelled + c.labelled,
        found: t.found + c.found,
        predicted: t.predicted + c.predicted,
        correct: t.correct + c.correct,
    });
    Ok((per, total))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_span_is_found_when_half_of_it_is_covered() {
        let json = r#"[{"full_text": "Mail maria@acme.io or call 555", "spans": [
            {"entity_type": "EMAIL_ADDRESS", "start_position": 5, "end_position": 18},
            {"entity_type": "PHONE_NUMBER", "start_position": 27, "end_position": 30},
            {"entity_type": "ORGANIZATION", "start_position": 0, "end_position": 4}]}]"#;
        let (per, total) = super::score(json).unwrap();
        let email = per[&jetson_privacy::Kind::Email];
        assert_eq!((email.labelled, email.found, email.predicted, email.correct), (1, 1, 1, 1));
        assert_eq!((total.labelled, total.found), (2, 1), "organisations are not counted");
    }
}
