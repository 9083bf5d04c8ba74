//! Every recorded GitHub response in `../shared/data/github_fixtures/octokit-fixtures` that Jetson
//! reads parses into our types (issues, labels, search, repositories, releases, errors), every
//! response's rate-limit and `Link` headers are understood, every webhook payload there is
//! accepted as its event type, and our signature check agrees with every vector. Skips (with a
//! message) when the data is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jetson_connectors::github::headers::{RateHeaders, links, next_link};
use jetson_connectors::github::signature;
use jetson_connectors::github::types::*;
use jetson_connectors::github::webhook::Event;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn fixtures() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/github_fixtures");
    if dir.is_dir() {
        Some(dir)
    } else {
        // Straight to the terminal: the harness hides a passing test's eprintln, and an unseen skip
        // reads as a pass.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"note: skipped: ../shared/data/github_fixtures is absent: the conformance tests did not run\n",
        );
        None
    }
}

fn parse<T: DeserializeOwned>(what: &str, v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{what} does not parse: {e}"))
}

fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p, suffix));
        } else if p.to_string_lossy().ends_with(suffix) {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Which of our types reads a recorded response, by method and path (query left off).
fn type_of(method: &str, path: &str, status: u64) -> Option<&'static str> {
    let path = path.split('?').next().unwrap();
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    // A redirect (a renamed repository) says why in the error shape; the client follows it.
    if status >= 400 || (status >= 300 && status != 304) {
        return Some("error");
    }
    match (method, parts.as_slice()) {
        ("get", ["repos", _, _, "issues"]) | ("get", ["repositories", _, "issues"]) => Some("issues"),
        ("post", ["repos", _, _, "issues"]) | (_, ["repos", _, _, "issues", _]) => Some("issue"),
        (_, ["repos", _, _, "issues", _, "labels"]) | ("get", ["repos", _, _, "labels"]) => Some("labels"),
        ("post", ["repos", _, _, "labels"]) | ("get" | "patch", ["repos", _, _, "labels", _]) => Some("label"),
        ("get", ["search", "issues"]) => Some("search"),
        ("get", ["repos", _, _, "releases", "tags", _]) => Some("release"),
        ("get", ["repos", _, _]) | ("post", ["orgs", _, "repos"]) | ("post", ["user", "repos"]) => Some("repository"),
        _ => None,
    }
}

#[test]
fn every_recorded_response_jetson_reads_parses_and_every_header_is_understood() {
    let Some(dir) = fixtures() else { return };
    let mut typed: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut responses, mut with_rate, mut with_links) = (0, 0, 0);
    for file in files(&dir.join("octokit-fixtures"), "-fixture.json") {
        let name = file.strip_prefix(&dir).unwrap().display().to_string();
        let raw = name.ends_with("raw-fixture.json");
        let recorded: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for (i, r) in recorded.iter().enumerate() {
            let what = format!("{name}[{i}] {} {}", r["method"], r["path"]);
            responses += 1;
            let status = r["status"].as_u64().unwrap();
            // Raw sessions hold `[name, value, …]`; normalized ones an object (numbers unquoted).
            let headers: Vec<(String, String)> = match (&r["rawHeaders"], &r["headers"]) {
                (Value::Array(flat), _) => {
                    flat.chunks(2).map(|p| (p[0].as_str().unwrap().into(), p[1].as_str().unwrap().into())).collect()
                }
                (_, Value::Object(map)) => map
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
                    .collect(),
                _ => panic!("{what}: no headers"),
            };
            let pairs = || headers.iter().map(|(n, v)| (n.as_str(), v.as_str()));
            let rate = RateHeaders::from_pairs(pairs());
            // Archives are served by codeload.github.com, outside the API and its budget.
            if raw && r["scope"].as_str().is_none_or(|s| s.contains("api.github.com")) {
                assert!(rate.limit.is_some() && rate.remaining.is_some() && rate.reset.is_some(), "{what}: {rate:?}");
                with_rate += 1;
            }
            if let Some((_, link)) = pairs().find(|(n, _)| n.eq_ignore_ascii_case("link")) {
                let all = links(link);
                assert!(!all.is_empty(), "{what}: Link `{link}`");
                assert!(all.iter().all(|(_, url)| reqwest::Url::parse(url).is_ok()), "{what}");
                if all.iter().any(|(rel, _)| rel == "next") {
                    assert!(next_link(link).is_some());
                }
                with_links += 1;
            }
            let body = &r["response"];
            let Some(kind) = type_of(r["method"].as_str().unwrap(), r["path"].as_str().unwrap(), status) else {
                continue;
            };
            if kind == "error" && !body.is_object() {
                continue; // a 404 on a HEAD-like check carries no body
            }
            match kind {
                "error" => {
                    let e: ApiError = parse(&what, body);
                    assert!(!e.describe().is_empty());
                }
                "issues" => {
                    let list: Vec<Issue> = parse(&what, body);
                    assert!(list.iter().all(|i| i.number > 0 && !i.html_url.is_empty()), "{what}");
                }
                "issue" => drop(parse::<Issue>(&what, body)),
                "labels" => drop(parse::<Vec<Label>>(&what, body)),
                "label" => drop(parse::<Label>(&what, body)),
                "search" => {
                    let s: SearchResults<Issue> = parse(&what, body);
                    assert!(s.items.len() as u64 <= s.total_count);
                }
                "release" => assert!(!parse::<Release>(&what, body).title().is_empty()),
                "repository" => assert!(parse::<Repository>(&what, body).full_name.contains('/')),
                _ => unreachable!(),
            }
            *typed.entry(kind).or_default() += 1;
        }
    }
    eprintln!("{responses} responses, {with_rate} with rate headers, {with_links} with Link headers; typed: {typed:?}");
    for kind in ["issues", "issue", "labels", "label", "search", "release", "repository", "error"] {
        assert!(typed.get(kind).copied().unwrap_or(0) > 0, "no recorded response was read as {kind}");
    }
    assert!(with_rate >= 100 && with_links >= 4, "{with_rate} {with_links}");
}

#[test]
fn every_recorded_webhook_payload_is_accepted_as_its_event_type() {
    let Some(dir) = fixtures() else { return };
    let mut seen = 0;
    for file in files(&dir.join("webhook-payloads/octokit-webhooks"), ".json") {
        let event = file.parent().unwrap().file_name().unwrap().to_str().unwrap();
        let body = std::fs::read(&file).unwrap();
        let parsed = Event::parse(event, &body).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let action = file.file_name().unwrap().to_str().unwrap().split('.').next().unwrap();
        match (event, &parsed) {
            ("issues", Event::Issues(e)) => {
                assert_eq!(e.action, action, "{}", file.display());
                if e.action == "transferred" {
                    let changes = e.changes.as_ref().expect("a transfer says where the issue went");
                    assert!(changes.new_issue.is_some() && changes.new_repository.is_some());
                }
            }
            ("issue_comment", Event::IssueComment(e)) => assert_eq!(e.action, action),
            ("label", Event::Label(e)) => assert_eq!(e.action, action),
            ("release", Event::Release(e)) => assert_eq!(e.action, action),
            ("ping", Event::Ping(p)) => assert!(p.zen.is_some()),
            _ => panic!("{} was read as {parsed:?}", file.display()),
        }
        assert!(parsed.repository().is_some() || event == "ping");
        seen += 1;
    }
    for file in files(&dir.join("webhook-payloads/recorded"), ".json") {
        let body = std::fs::read(&file).unwrap();
        let Event::Issues(e) = Event::parse("issues", &body).unwrap() else { panic!("{}", file.display()) };
        assert_eq!(e.action, "closed", "{}", file.display());
        assert!(e.issue.is_closed(), "{}", file.display());
        if file.to_string_lossy().contains("codinasion") {
            assert_eq!(e.issue.state_reason.as_deref(), Some("completed"));
        }
        seen += 1;
    }
    assert!(seen >= 46, "{seen}");
}

#[test]
fn the_signature_check_agrees_with_every_vector() {
    let Some(dir) = fixtures() else { return };
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("webhook_signature_vectors.json")).unwrap()).unwrap();
    let vectors = doc["vectors"].as_array().unwrap();
    let mut negatives = 0;
    for v in vectors {
        let (secret, payload, sig) =
            (v["secret"].as_str().unwrap(), v["payload"].as_str().unwrap(), v["X-Hub-Signature-256"].as_str().unwrap());
        let expect = v["expect_valid"].as_bool().unwrap();
        assert_eq!(signature::verify(secret, payload.as_bytes(), Some(sig)), expect, "{}", v["source"]);
        if expect {
            assert_eq!(signature::sign(secret, payload.as_bytes()), sig);
        } else {
            negatives += 1;
        }
    }
    assert!(vectors.len() >= 5 && negatives >= 1);
}
