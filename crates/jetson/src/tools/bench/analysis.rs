//! `jetson bench classify` and `jetson bench match`: the analysis itself, without the database,
//! on one thread.

use std::time::Instant;

use chrono::Utc;
use jetson_analysis::Analyzer;
use jetson_analysis::matcher::MatchIndex;
use jetson_analysis::text::clean_for_analysis;
use jetson_domain::{Author, Category};

use crate::progress::Progress;

/// The demo's conversations as the analyser sees them: (subject, cleaned customer messages).
pub(crate) fn demo_texts() -> anyhow::Result<Vec<(String, Vec<String>)>> {
    let dataset = crate::tools::demo::parse(crate::tools::demo::DATASET).map_err(anyhow::Error::msg)?;
    Ok(crate::tools::demo::generate(&dataset, Utc::now())
        .into_iter()
        .map(|d| {
            let c = d.conversation;
            let messages = c
                .messages
                .iter()
                .filter(|m| m.author == Author::Customer)
                .map(|m| clean_for_analysis(&m.body))
                .collect();
            (c.subject, messages)
        })
        .collect())
}

/// Full analysis (classification, issue splitting, priority, explanation) of `n` conversations.
pub fn classify(n: usize) -> anyhow::Result<()> {
    let analyzer = Analyzer::builtin();
    let texts = demo_texts()?;
    let mut bar = Progress::new("analysing", n as u64);
    let started = Instant::now();
    let mut reports = 0;
    for (i, (subject, messages)) in texts.iter().cycle().take(n).enumerate() {
        let msgs: Vec<(i64, &str)> = messages.iter().map(|m| (0, m.as_str())).collect();
        reports += analyzer.analyze(subject, &msgs, None).reports.len();
        if i % 1000 == 0 {
            bar.set(i as u64);
        }
    }
    let secs = started.elapsed().as_secs_f64();
    bar.finish();
    println!(
        "classify: {n} conversations in {secs:.2} s on one thread = {:.0} conversations/s ({reports} reports)",
        n as f64 / secs
    );
    Ok(())
}

/// Matching a new report against an index of `items` work items (one report each, built from the
/// demo's reports with distinct ticket numbers so that no two are the same text).
pub fn matching(items: usize, queries: usize) -> anyhow::Result<()> {
    let texts: Vec<String> =
        demo_texts()?.into_iter().filter(|(_, m)| !m.is_empty()).map(|(s, m)| format!("{s}\n{s}\n{}", m[0])).collect();
    let mut index: MatchIndex<u32> = MatchIndex::new();
    let mut bar = Progress::new("indexing", items as u64);
    for (i, t) in texts.iter().cycle().take(items).enumerate() {
        index.add(i as u32, i as u32, Category::Bug, &format!("{t}\nticket {i} account {}", i * 7919 % 100_003));
        if i % 5000 == 0 {
            bar.set(i as u64);
        }
    }
    bar.finish();
    let mut times: Vec<f64> = Vec::with_capacity(queries);
    let mut matched = 0;
    for (q, t) in texts.iter().cycle().skip(7).take(queries).enumerate() {
        let query = format!("{t}\nalso seen by customer {q}");
        let started = Instant::now();
        if index.nearest(Category::Bug, &query).is_some() {
            matched += 1;
        }
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
    let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];
    println!(
        "match: {queries} queries against {items} work items: mean {mean:.2} ms, p99 {p99:.2} ms, max {:.2} ms ({matched} found a candidate)",
        times.last().copied().unwrap_or_default()
    );
    Ok(())
}
