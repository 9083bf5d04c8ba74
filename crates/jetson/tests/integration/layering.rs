//! The app crate's layers, read from its source: each folder may import only the layers below it
//! (docs/ARCHITECTURE.md draws them), and the modules inside `services/` and `web/` import each
//! other without a loop. A `use crate::…` that breaks either fails here, naming the file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules that import nothing above themselves: configuration, caches and small helpers.
const FOUNDATION: &[&str] = &[
    "config",
    "csv_safe",
    "embeddings",
    "mail",
    "logs",
    "matchers",
    "models",
    "progress",
    "protect",
    "rate_limit",
    "sealed",
    "secret",
    "telemetry",
];

/// Lowest first. A layer may import itself and every layer before it; `cli` may import all.
const LAYERS: &[&str] = &["foundation", "state", "queue", "services", "jobs", "web", "startup", "tools", "cli"];

/// The layer of a top-level module (`services` for `crate::services::…`).
fn layer_of(module: &str) -> Option<usize> {
    let name = if FOUNDATION.contains(&module) { "foundation" } else { module };
    LAYERS.iter().position(|l| *l == name)
}

fn rank(name: &str) -> usize {
    LAYERS.iter().position(|l| *l == name).expect("a layer")
}

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `crate::a::b…` path the code (not its comments) names, `crate::{a, b::c}` expanded.
fn crate_paths(source: &str) -> Vec<Vec<String>> {
    let code: String = source.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
    let mut paths = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `jetson_crate::`, say
        }
        let path = path_at(rest);
        if rest[path.len()..].starts_with("{") || (path.is_empty() && rest.starts_with('{')) {
            let inner = &rest[path.len() + 1..rest[path.len()..].find('}').map_or(rest.len(), |e| e + path.len())];
            for item in inner.split(',') {
                let full = format!("{path}{}", item.trim());
                paths.push(segments(&full));
            }
        } else {
            paths.push(segments(path));
        }
    }
    paths
}

fn path_at(s: &str) -> &str {
    let end = s.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(s.len());
    &s[..end]
}

fn segments(path: &str) -> Vec<String> {
    path.split("::").filter(|p| !p.is_empty()).map(str::to_string).collect()
}

/// `services/github/sync.rs` → ("services", Some("github")); `state.rs` → ("state", None).
fn module_of(src: &Path, file: &Path) -> (String, Option<String>) {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    (parts[0].clone(), parts.get(1).cloned())
}

#[test]
fn no_module_imports_a_layer_above_it_and_services_and_web_have_no_import_loops() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    assert!(files.len() > 50, "the source was not found at {}", src.display());
    let mut wrong = Vec::new();
    // Within services/ and web/: which sibling imports which.
    let mut siblings: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let (top, second) = module_of(&src, file);
        if matches!(top.as_str(), "lib" | "main") {
            continue;
        }
        let own = layer_of(&top).unwrap_or_else(|| panic!("{top}: a module in no layer; add it to this test"));
        for path in crate_paths(&std::fs::read_to_string(file).unwrap()) {
            let Some(target) = path.first() else { continue };
            let Some(theirs) = layer_of(target) else { continue };
            let allowed = theirs <= own || own == rank("cli");
            if !allowed {
                wrong.push(format!(
                    "{}: crate::{} ({} may not import {})",
                    file.display(),
                    path.join("::"),
                    LAYERS[own],
                    LAYERS[theirs]
                ));
            }
            if (top == "services" || top == "web")
                && target == &top
                && let (Some(from), Some(to)) = (&second, path.get(1))
                && from != to
            {
                siblings.entry((top.clone(), from.clone())).or_default().insert(to.clone());
            }
        }
    }
    assert!(wrong.is_empty(), "imports pointing up a layer:\n{}", wrong.join("\n"));
    for (group, from) in siblings.keys() {
        let mut path = vec![from.clone()];
        if let Some(cycle) = find_cycle(&siblings, group, from, &mut path) {
            panic!("{group}/ has an import loop: {}", cycle.join(" -> "));
        }
    }
}

/// Depth-first from `start`: the first path that comes back to it.
fn find_cycle(
    edges: &BTreeMap<(String, String), BTreeSet<String>>,
    group: &str,
    start: &str,
    path: &mut Vec<String>,
) -> Option<Vec<String>> {
    let last = path.last().unwrap().clone();
    for next in edges.get(&(group.to_string(), last)).into_iter().flatten() {
        if next == start {
            let mut cycle = path.clone();
            cycle.push(next.clone());
            return Some(cycle);
        }
        if !path.contains(next) {
            path.push(next.clone());
            if let Some(c) = find_cycle(edges, group, start, path) {
                return Some(c);
            }
            path.pop();
        }
    }
    None
}

#[test]
fn the_layering_check_reads_imports_as_the_compiler_does() {
    let source =
        "use crate::services::{actions, learning::x};\n// crate::cli in a comment\nlet a = crate::state::AppState;";
    let paths = crate_paths(source);
    assert_eq!(
        paths,
        vec![
            vec!["services".to_string(), "actions".into()],
            vec!["services".to_string(), "learning".into(), "x".into()],
            vec!["state".to_string(), "AppState".into()],
        ]
    );
    assert_eq!(layer_of("secret"), Some(0));
    assert!(layer_of("web") > layer_of("services") && layer_of("tools") > layer_of("web"));
}
