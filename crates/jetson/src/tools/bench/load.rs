//! `jetson bench load`: holds a steady rate of mixed API requests against a running Jetson for a
//! while and reports latency percentiles and errors. The load is open-loop: a request starts every
//! 1/rate seconds whether or not earlier ones have finished, so a slow server shows as latency and
//! a backlog rather than as a politely lower rate.
//!
//! The mix, over the organisation's own objects (found through the API first): 40% work-item
//! lists, 20% one work item, 20% conversation lists, 10% one conversation, 10% status changes
//! (alternating open and in progress, so nothing is left changed beyond that).

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::progress::Progress;

pub struct Options {
    pub url: String,
    pub token: String,
    pub rate: u32,
    pub seconds: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    ListItems,
    GetItem,
    ListConversations,
    GetConversation,
    ChangeStatus,
}

/// Ten calls in the mix's proportions, taken in turn.
const MIX: [Call; 10] = [
    Call::ListItems,
    Call::GetItem,
    Call::ListConversations,
    Call::ListItems,
    Call::GetConversation,
    Call::ListItems,
    Call::GetItem,
    Call::ListConversations,
    Call::ListItems,
    Call::ChangeStatus,
];

pub async fn run(o: Options) -> anyhow::Result<()> {
    anyhow::ensure!(o.rate > 0 && o.seconds > 0, "--rate and --seconds must be at least 1");
    let base = o.url.trim_end_matches('/').to_string();
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).pool_max_idle_per_host(512).build()?;
    let ids = |path: &'static str| {
        let request = client.get(format!("{base}{path}")).bearer_auth(&o.token);
        async move {
            let res = request.send().await.with_context(|| format!("cannot reach {path}"))?;
            if !res.status().is_success() {
                bail!("{path} answered {}: is the token right?", res.status());
            }
            let body: Value = res.json().await?;
            let ids: Vec<String> = body["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| i["id"].as_str().map(String::from))
                .collect();
            anyhow::ensure!(!ids.is_empty(), "{path} is empty: load some data first (`jetson demo` does)");
            Ok(ids)
        }
    };
    let items = ids("/api/v1/work-items?limit=100").await?;
    let conversations = ids("/api/v1/conversations?limit=100").await?;

    let total = o.rate as u64 * o.seconds;
    let (sent, mut done) = (tokio::sync::mpsc::unbounded_channel::<(Call, u16, Duration)>(), Vec::new());
    let (tx, mut rx) = sent;
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(o.rate)));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut bar = Progress::new("requests", total);
    let started = Instant::now();
    for i in 0..total as usize {
        ticker.tick().await;
        let call = MIX[i % MIX.len()];
        let (item, conversation) = (&items[i % items.len()], &conversations[i % conversations.len()]);
        let request = match call {
            Call::ListItems => client.get(format!("{base}/api/v1/work-items?limit=20")),
            Call::GetItem => client.get(format!("{base}/api/v1/work-items/{item}")),
            Call::ListConversations => client.get(format!("{base}/api/v1/conversations?limit=20")),
            Call::GetConversation => client.get(format!("{base}/api/v1/conversations/{conversation}")),
            Call::ChangeStatus => {
                let status = if (i / MIX.len()).is_multiple_of(2) { "in_progress" } else { "open" };
                client.post(format!("{base}/api/v1/work-items/{item}/status")).json(&json!({ "status": status }))
            }
        }
        .bearer_auth(&o.token);
        let tx = tx.clone();
        tokio::spawn(async move {
            let at = Instant::now();
            let status = match request.send().await {
                Ok(res) => {
                    let status = res.status().as_u16();
                    let _ = res.bytes().await;
                    status
                }
                Err(_) => 0,
            };
            let _ = tx.send((call, status, at.elapsed()));
        });
        while let Ok(result) = rx.try_recv() {
            done.push(result);
        }
        bar.set(i as u64 + 1);
    }
    drop(tx);
    while let Some(result) = rx.recv().await {
        done.push(result);
    }
    bar.finish();
    let elapsed = started.elapsed().as_secs_f64();
    report(&done, elapsed);
    Ok(())
}

/// The `q` quantile of sorted, non-empty latencies (nearest rank).
fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn report(done: &[(Call, u16, Duration)], elapsed: f64) {
    let mut ms: Vec<f64> = done.iter().map(|(_, _, d)| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| percentile(&ms, q);
    let errors: Vec<&(Call, u16, Duration)> = done.iter().filter(|(_, s, _)| !(200..300).contains(s)).collect();
    println!(
        "load: {} requests in {elapsed:.1} s ({:.1}/s); errors: {}; latency ms p50 {:.1}, p90 {:.1}, p99 {:.1}, max {:.1}",
        done.len(),
        done.len() as f64 / elapsed,
        errors.len(),
        at(0.50),
        at(0.90),
        at(0.99),
        ms.last().copied().unwrap_or_default(),
    );
    for call in [Call::ListItems, Call::GetItem, Call::ListConversations, Call::GetConversation, Call::ChangeStatus] {
        let mut mine: Vec<f64> =
            done.iter().filter(|(c, _, _)| *c == call).map(|(_, _, d)| d.as_secs_f64() * 1000.0).collect();
        mine.sort_by(f64::total_cmp);
        if let Some(last) = mine.last() {
            let p = |q: f64| percentile(&mine, q);
            println!(
                "  {call:?}: {} requests, p50 {:.1} ms, p99 {:.1} ms, max {last:.1} ms",
                mine.len(),
                p(0.5),
                p(0.99)
            );
        }
    }
    if let Some((call, status, _)) = errors.first() {
        println!(
            "  first error: {call:?} answered {}",
            if *status == 0 { "nothing (timeout or refused)".to_string() } else { status.to_string() }
        );
    }
}
