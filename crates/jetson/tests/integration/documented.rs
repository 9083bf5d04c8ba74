//! The README's and docs/DEPLOY.md's `jetson …` commands, run in their written order on an empty
//! data directory, as a new user would copy them. Lines that need an outside service (Help Scout)
//! are left to their own suites; `serve` is started, asked whether it is ready, shown to block key
//! rotation, and stopped with SIGTERM.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

/// Every line of a ```sh block that starts with `jetson `, its comment cut off.
fn documented_commands(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in markdown.lines() {
        if line.starts_with("```") {
            in_sh = line.trim() == "```sh";
            continue;
        }
        if in_sh && line.starts_with("jetson ") {
            out.push(without_comment(line).trim().to_string());
        }
    }
    out
}

fn without_comment(line: &str) -> &str {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted && line[..i].ends_with(' ') => return &line[..i],
            _ => {}
        }
    }
    line
}

/// Shell words: spaces split, double quotes group.
fn words(line: &str) -> Vec<String> {
    let (mut out, mut word, mut quoted, mut any) = (Vec::new(), String::new(), false, false);
    for c in line.chars() {
        match c {
            '"' => (quoted, any) = (!quoted, true),
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut word));
                }
                any = false;
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(word);
    }
    out
}

fn jetson(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jetson"));
    for (var, _) in std::env::vars().filter(|(v, _)| v.starts_with("JETSON_")) {
        c.env_remove(var);
    }
    c.current_dir(dir).env("JETSON_DATA_DIR", dir.join("data")).env("JETSON_PORT", "0");
    c
}

#[test]
fn the_readme_and_the_deployment_guide_work_in_their_written_order_on_an_empty_data_directory() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let deploy = std::fs::read_to_string(root.join("docs/DEPLOY.md")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    // The files the README's examples name.
    std::fs::write(dir.join("conversations.json"), jetson::tools::bench::synthetic_conversations(40).unwrap()).unwrap();
    std::fs::write(
        dir.join("export.csv"),
        "id,subject,customer_email,customer_name,created_at,body\n\
         c1,Blank PDF,customer@example.com,Casey,2026-01-05 10:00:00,The PDF export of my invoices is blank.\n\
         c2,PDF empty,dana@example.org,Dana,2026-01-06 11:00:00,Exported PDF invoices come out empty.\n",
    )
    .unwrap();

    let mut ran = Vec::new();
    for line in documented_commands(&readme).into_iter().chain(documented_commands(&deploy)) {
        let args = words(&line);
        if args.get(1).map(String::as_str) == Some("helpscout") {
            continue; // needs Help Scout: the `helpscout` suite runs these against a fake
        }
        if args.get(1).map(String::as_str) == Some("serve") {
            serve_is_ready_blocks_key_rotation_and_stops_on_sigterm(dir);
            ran.push(line);
            continue;
        }
        let out = jetson(dir).args(&args[1..]).output().unwrap();
        assert!(
            out.status.success(),
            "`{line}` failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        ran.push(line);
    }
    // The walk covered the first run, the stewardship commands and the guide's.
    for must in [
        "jetson org create",
        "jetson import",
        "jetson serve",
        "jetson retention set",
        "jetson keys rotate",
        "jetson backup verify",
        "jetson migrate",
    ] {
        assert!(ran.iter().any(|l| l.starts_with(must)), "`{must}` is documented and was run: {ran:#?}");
    }
}

fn serve_is_ready_blocks_key_rotation_and_stops_on_sigterm(dir: &Path) {
    let mut serve = jetson(dir).arg("serve").stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut lines = BufReader::new(serve.stdout.take().unwrap()).lines();
    let address = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("Jetson is running at ").map(str::to_string))
        .expect("serve says where it runs");
    let ready = jetson(dir).args(["healthcheck", "--url", &format!("{address}/readyz")]).output().unwrap();
    assert!(ready.status.success(), "{}", String::from_utf8_lossy(&ready.stderr));
    let rotate = jetson(dir).args(["keys", "rotate"]).output().unwrap();
    assert!(!rotate.status.success());
    assert!(String::from_utf8_lossy(&rotate.stderr).contains("stop it first"));
    let term = Command::new("kill").args(["-TERM", &serve.id().to_string()]).status().unwrap();
    assert!(term.success());
    let status = serve.wait().unwrap();
    assert!(status.success(), "serve exits cleanly on SIGTERM: {status}");
}

#[test]
fn commands_are_read_as_a_shell_would() {
    assert_eq!(
        words(r#"jetson org delete --org "Your Company" --confirm "Your Company""#),
        ["jetson", "org", "delete", "--org", "Your Company", "--confirm", "Your Company"]
    );
    assert_eq!(
        without_comment(r#"jetson org create "A # B"   # the organisation"#).trim(),
        r#"jetson org create "A # B""#
    );
}
