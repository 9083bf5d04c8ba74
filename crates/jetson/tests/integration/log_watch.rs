//! Every log line the suite's apps write goes through [`install`]'s subscriber, in the JSON format
//! `JETSON_LOG_FORMAT=json` gives, at debug level for Jetson's crates. Each line is checked at once
//! against every secret the tests have registered (passwords, API tokens, the instance key,
//! conversation text); a hit is kept, and the next [`TestApp`](crate::helpers::TestApp) to be
//! dropped fails its test naming the secret's kind and the line. The last lines are kept for
//! tests that look for their own.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::{Mutex, Once};

static SECRETS: Mutex<Vec<(&'static str, String)>> = Mutex::new(Vec::new());
static LEAKS: Mutex<Vec<String>> = Mutex::new(Vec::new());
static RECENT: Mutex<VecDeque<String>> = Mutex::new(VecDeque::new());
const RECENT_LINES: usize = 50_000;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::new("warn,jetson=debug,jetson_store=debug,jetson_connectors=debug");
        let subscriber = jetson::logs::subscriber(jetson::logs::Format::Json, filter, || Line(Vec::new()), false);
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
}

/// `value` must never appear in a log line; `kind` names it in the failure.
pub fn never_log(kind: &'static str, value: &str) {
    if value.len() >= 6 {
        lock(&SECRETS).push((kind, value.to_string()));
    }
}

/// Fails (panics) if any line so far held a registered secret.
pub fn assert_no_leaks() {
    let leaks = lock(&LEAKS);
    assert!(leaks.is_empty(), "log lines held secrets:\n{}", leaks.join("\n"));
}

/// The kept lines that contain `needle`.
pub fn lines_with(needle: &str) -> Vec<String> {
    lock(&RECENT).iter().filter(|l| l.contains(needle)).cloned().collect()
}

/// One log line, checked when the formatter is done with it.
struct Line(Vec<u8>);

impl Write for Line {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        let line = String::from_utf8_lossy(&self.0).trim_end().to_string();
        if line.is_empty() {
            return;
        }
        for (kind, secret) in lock(&SECRETS).iter() {
            if line.contains(secret.as_str()) {
                lock(&LEAKS).push(format!("{kind}: {line}"));
            }
        }
        let mut recent = lock(&RECENT);
        if recent.len() == RECENT_LINES {
            recent.pop_front();
        }
        recent.push_back(line);
    }
}
