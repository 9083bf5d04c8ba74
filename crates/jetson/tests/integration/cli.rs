//! The `jetson` binary itself: import from files, bad records, re-import, and crash recovery.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use jetson_store::Db;

fn jetson() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jetson"));
    // The tests choose the configuration; the embedding tier is tested in `embedding_tier`.
    command.env_remove("JETSON_EMBEDDINGS_DIR");
    // Message bodies are sealed under the instance key; a database outside the data directory
    // needs it given.
    command.env("JETSON_SECRET_KEY", "07".repeat(32));
    command
}

/// `jetson` on the data directory's own SQLite database, where it keeps its key beside it.
fn jetson_in(data: &std::path::Path) -> Command {
    let mut command = jetson();
    command.env_remove("JETSON_SECRET_KEY").env_remove("JETSON_DATABASE_URL").arg("--data-dir").arg(data);
    command
}

async fn database_url(dir: &std::path::Path) -> String {
    match jetson_store::testing::fresh_postgres_url().await.unwrap() {
        Some(url) => url,
        None => format!("sqlite://{}", dir.join("cli.db").display()),
    }
}

#[tokio::test]
async fn a_csv_with_a_bad_row_imports_the_rest_and_reimporting_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(dir.path()).await;
    let csv = dir.path().join("export.csv");
    std::fs::write(
        &csv,
        "id,subject,customer_email,customer_name,created_at,body\n\
         1,PDF export,ann@acme.io,Ann,2026-11-01 10:00:00,The PDF export of my invoices is blank.\n\
         2,Hello,not-an-email,Bob,2026-11-01 11:00:00,Hi\n\
         3,Dark mode,cy@beta.io,Cy,2026-11-02 09:00:00,Could you add a dark mode?\n",
    )
    .unwrap();
    let first = jetson().args(["import", "--database", &db, "--product", "Ledgerly"]).arg(&csv).output().unwrap();
    let (out, err) = (String::from_utf8_lossy(&first.stdout), String::from_utf8_lossy(&first.stderr));
    assert!(first.status.success(), "{err}");
    assert!(err.contains("line 3: field `customer_email`"), "{err}");
    assert!(out.contains("imported 2 new, 0 changed, 0 unchanged conversation(s); skipped 1 bad record(s)"), "{out}");
    let again = jetson().args(["import", "--database", &db, "--product", "Ledgerly"]).arg(&csv).output().unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("imported 0 new, 0 changed, 2 unchanged"));
    // What the import created, and where.
    let list = jetson().args(["org", "list", "--database", &db]).output().unwrap();
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(list.status.success(), "{}", String::from_utf8_lossy(&list.stderr));
    assert!(listed.lines().count() == 1 && listed.contains("\t0 member(s)\t2 conversation(s)\tcreated "), "{listed}");
}

#[tokio::test]
async fn binary_junk_is_refused_with_a_clear_message_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(dir.path()).await;
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, [0xff, 0xfe, 0x00, 0x01, 0x80]).unwrap();
    let out = jetson().args(["import", "--database", &db, "--product", "P"]).arg(&junk).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not UTF-8 text"));
    let truncated = dir.path().join("cut.json");
    std::fs::write(&truncated, "[{\"id\": 1, \"createdAt\": \"2026-01-01T00:00:00Z\"").unwrap();
    let out = jetson().args(["import", "--database", &db, "--product", "P"]).arg(&truncated).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not closed"));
}

/// Writes `n` demo-like conversations as Help Scout JSON lines (the benchmark's generator).
fn write_conversations(path: &std::path::Path, n: usize) {
    std::fs::write(path, jetson::tools::bench::synthetic_conversations(n).unwrap()).unwrap();
}

/// One `SELECT COUNT(*) …` on the database at `db_url`.
async fn count(db_url: &str, sql: &'static str) -> i64 {
    let db = Db::connect(db_url).await.unwrap();
    let n = match &db {
        Db::Sqlite(p) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await.unwrap(),
    };
    db.close().await;
    n
}

async fn counts(db_url: &str) -> (i64, i64, i64, i64) {
    (
        count(db_url, "SELECT COUNT(*) FROM conversations").await,
        count(db_url, "SELECT COUNT(*) FROM conversations WHERE analyzed_at IS NULL").await,
        count(db_url, "SELECT COUNT(*) FROM reports").await,
        count(db_url, "SELECT COUNT(*) FROM jobs WHERE status <> 'done'").await,
    )
}

/// 3,000 conversations in a file, and the counts one uninterrupted import of it leaves.
async fn big_file_and_a_clean_import(dir: &std::path::Path) -> (std::path::PathBuf, (i64, i64, i64, i64)) {
    let file = dir.join("big.jsonl");
    write_conversations(&file, 3000);
    let clean_db = database_url(dir).await.replace("cli.db", "clean.db");
    let clean = jetson().args(["import", "--database", &clean_db, "--product", "P"]).arg(&file).output().unwrap();
    assert!(clean.status.success(), "{}", String::from_utf8_lossy(&clean.stderr));
    let expected = counts(&clean_db).await;
    assert_eq!((expected.0, expected.1, expected.3), (3000, 0, 0));
    (file, expected)
}

/// `jetson import` of `file` into `db`, handed back once analysis has started, with the rest of
/// what it writes to stderr.
fn import_until_analysing(
    db: &str,
    file: &std::path::Path,
) -> (std::process::Child, std::io::Lines<BufReader<std::process::ChildStderr>>) {
    let mut child = jetson()
        .args(["import", "--database", db, "--product", "P"])
        .arg(file)
        .env("JETSON_SHUTDOWN_GRACE", "20")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    for line in stderr.by_ref() {
        if line.unwrap().starts_with("analysing:") {
            break;
        }
    }
    (child, stderr)
}

#[tokio::test]
async fn killing_an_import_midway_and_running_it_again_finishes_without_duplicates_or_losses() {
    let dir = tempfile::tempdir().unwrap();
    let (file, expected) = big_file_and_a_clean_import(dir.path()).await;
    // Kill it as soon as analysis has started, then run the same command again.
    let db = database_url(dir.path()).await;
    let (mut child, _) = import_until_analysing(&db, &file);
    child.kill().unwrap();
    child.wait().unwrap();
    let midway = counts(&db).await;
    assert!(midway.3 > 0, "the kill must leave unfinished work for this test to mean anything: {midway:?}");

    let resumed = jetson().args(["import", "--database", &db, "--product", "P"]).arg(&file).output().unwrap();
    assert!(resumed.status.success(), "{}", String::from_utf8_lossy(&resumed.stderr));
    assert_eq!(counts(&db).await, expected, "(conversations, unanalysed, reports, unfinished jobs)");
}

#[tokio::test]
async fn sigterm_during_an_import_stops_it_cleanly_and_running_it_again_loses_nothing_and_does_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let (file, expected) = big_file_and_a_clean_import(dir.path()).await;
    let db = database_url(dir.path()).await;
    let (mut child, stderr) = import_until_analysing(&db, &file);
    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(term.success());
    let said: Vec<String> = stderr.map(|l| l.unwrap()).collect();
    let status = child.wait().unwrap();
    assert!(!status.success(), "a stopped import must not report success");
    let said = said.join("\n");
    assert!(said.contains("run the same command again"), "{said}");
    let midway = counts(&db).await;
    assert!(midway.3 > 0, "the stop must leave work for this test to mean anything: {midway:?}");
    let running = count(&db, "SELECT COUNT(*) FROM jobs WHERE status = 'running'").await;
    assert_eq!(running, 0, "the job in hand finished or went back to the queue");

    let resumed = jetson().args(["import", "--database", &db, "--product", "P"]).arg(&file).output().unwrap();
    let err = String::from_utf8_lossy(&resumed.stderr);
    assert!(resumed.status.success(), "{err}");
    assert!(!err.contains("waiting for work held by another"), "nothing was left leased: {err}");
    assert_eq!(counts(&db).await, expected, "(conversations, unanalysed, reports, unfinished jobs)");
}

#[tokio::test]
async fn killing_a_help_scout_sync_and_running_it_again_finishes_without_duplicates() {
    let fake = crate::fake_helpscout::FakeHelpScout::start().await;
    fake.add(1, 75, 1);
    fake.world.lock().unwrap().slow.push(3);
    let dir = tempfile::tempdir().unwrap();
    let db_url = database_url(dir.path()).await;
    let hs = |args: &[&str]| {
        let mut c = jetson();
        c.arg("helpscout").args(args).args(["--database", &db_url]);
        c.env("JETSON_HELPSCOUT_API_URL", fake.uri()).env("JETSON_SECRET_KEY", "ab".repeat(32));
        c.current_dir(dir.path());
        c
    };
    // Before anything exists, each step says what to do first.
    let early = hs(&["connect", "--client-id", "app", "--client-secret", "s"]).output().unwrap();
    assert!(String::from_utf8_lossy(&early.stderr).contains("there is no organisation here yet"));
    let org = jetson()
        .args(["org", "create", "Shopfront", "--database", &db_url])
        .env("JETSON_SECRET_KEY", "ab".repeat(32))
        .output()
        .unwrap();
    assert!(org.status.success(), "{}", String::from_utf8_lossy(&org.stderr));
    let early = hs(&["link", "--mailbox", "Support", "--product", "Shop"]).output().unwrap();
    assert!(String::from_utf8_lossy(&early.stderr).contains("Help Scout is not connected"));
    let out = hs(&["connect", "--client-id", "app", "--client-secret", "s"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Help Scout: connected"));
    assert!(hs(&["link", "--mailbox", "Support", "--product", "Shop"]).output().unwrap().status.success());

    let mut child = hs(&["sync", "--product", "Shop"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let db = Db::connect(&db_url).await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let org = jetson_store::orgs::list(&db).await.unwrap()[0].id;
        let runs = jetson_store::sync_runs::list(&db, org, 1).await.unwrap();
        if runs.first().is_some_and(|r| r.done == 50) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the sync never reached page 3");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();

    fake.world.lock().unwrap().slow.clear();
    let out = hs(&["sync", "--product", "Shop"]).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("continuing the interrupted import"), "{stderr}");
    assert!(stdout.contains("imported 75 new, 0 changed, 0 unchanged"), "{stdout}");
    let org = jetson_store::orgs::list(&db).await.unwrap()[0].id;
    assert_eq!(jetson_store::conversations::count(&db, org).await.unwrap(), 75, "no duplicates, nothing lost");
    let pages = fake.world.lock().unwrap().page_requests.clone();
    assert_eq!(pages.iter().filter(|p| **p == 1).count(), 1, "page 1 was not read again: {pages:?}");
}

#[test]
fn privacy_detect_and_redact_read_json_lines_and_skip_bad_ones() {
    use std::io::Write;
    let run = |sub: &str, input: &[u8]| {
        let mut child = jetson()
            .args(["privacy", sub])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        child.wait_with_output().unwrap()
    };
    let mut input =
        "{\"id\": 1, \"text\": \"Größe: mail maria@acme.io, SSN 054-28-6917\"}\nnot json\n".as_bytes().to_vec();
    input.extend_from_slice(b"\xff\xfe\n{\"id\": \"b\", \"text\": \"nothing here\"}\n");
    let out = run("detect", &input);
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0]["findings"][0],
        serde_json::json!({"type": "EMAIL_ADDRESS", "start": 12, "end": 25, "score": 0.95})
    );
    assert_eq!(lines[0]["findings"][1]["type"], "US_SSN");
    assert_eq!(lines[1], serde_json::json!({"id": "b", "findings": []}));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("line 2: not JSON") && err.contains("line 3:") && err.contains("2 line(s) skipped"), "{err}");

    let out = run("redact", b"{\"id\": 1, \"text\": \"call me on +49 30 1234 5678\"}\n");
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["text"], "call me on [PHONE]");

    let out =
        run("screen", b"{\"id\": 1, \"text\": \"Export fails\"}\n{\"id\": 2, \"text\": \"I want to end it all\"}\n");
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0], serde_json::json!({"id": 1, "flags": []}));
    assert_eq!(lines[1]["flags"][0]["category"], "self_harm");
}

#[tokio::test]
async fn keys_rotate_replaces_the_key_file_and_the_new_key_opens_everything() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("export.csv");
    std::fs::write(
        &csv,
        "id,subject,customer_email,customer_name,created_at,body\n\
         1,PDF export,ann@acme.io,Ann,2026-11-01 10:00:00,The PDF export is blank. Card 4111 1111 1111 1111.\n",
    )
    .unwrap();
    // The data directory's own SQLite database: Jetson keeps the key beside it.
    let data = dir.path().join("data");
    let in_data_dir = || jetson_in(&data);
    let import = in_data_dir().args(["import", "--product", "Ledgerly"]).arg(&csv).output().unwrap();
    assert!(import.status.success(), "{}", String::from_utf8_lossy(&import.stderr));
    let key_file = data.join("secret.key");
    let first_key = std::fs::read_to_string(&key_file).unwrap();
    let rotate = in_data_dir().args(["keys", "rotate"]).output().unwrap();
    let out = String::from_utf8_lossy(&rotate.stdout);
    assert!(rotate.status.success(), "{}", String::from_utf8_lossy(&rotate.stderr));
    assert!(out.contains("re-encrypted 3 value(s)"), "the key canary, the body and the subject: {out}");
    let second_key = std::fs::read_to_string(&key_file).unwrap();
    assert_ne!(first_key, second_key);
    assert!(!data.join("secret.key.new").exists());
    // Rotating again must open every value with the key the file now holds.
    let again = in_data_dir().args(["keys", "rotate"]).output().unwrap();
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));

    // A wrong key changes nothing and says so (the start-up check of the key catches it).
    std::fs::write(&key_file, "11".repeat(32)).unwrap();
    let wrong = in_data_dir().args(["keys", "rotate"]).output().unwrap();
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(!wrong.status.success() && err.contains("does not open this database's sealed data"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), "11".repeat(32));
}

#[tokio::test]
async fn a_backup_restores_the_state_it_was_taken_in_and_a_bad_file_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let in_data_dir = || jetson_in(&data);
    let import = |id: u32| {
        let csv = dir.path().join(format!("export-{id}.csv"));
        std::fs::write(
            &csv,
            format!(
                "id,subject,customer_email,customer_name,created_at,body\n\
                 {id},PDF export,ann@acme.io,Ann,2026-11-01 10:00:00,The PDF export is blank.\n"
            ),
        )
        .unwrap();
        let out = in_data_dir().args(["import", "--product", "Ledgerly"]).arg(&csv).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    let conversations = || async {
        let db = Db::connect(&format!("sqlite://{}", data.join("jetson.db").display())).await.unwrap();
        let f = jetson_store::conversations::Filter { limit: 100, ..Default::default() };
        let org = jetson_store::orgs::list(&db).await.unwrap()[0].id;
        let n = jetson_store::conversations::list(&db, org, &f).await.unwrap().len();
        db.close().await;
        n
    };
    import(1);
    let backup = dir.path().join("jetson-backup.db");
    let out = in_data_dir().arg("backup").arg(&backup).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("backed up to"));
    let again = in_data_dir().arg("backup").arg(&backup).output().unwrap();
    assert!(!again.status.success(), "an existing file is not overwritten");
    import(2);
    assert_eq!(conversations().await, 2);

    // Not a database, or not Jetson's: refused, and the current database is untouched.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"\x00\x01 definitely not sqlite").unwrap();
    let out = in_data_dir().arg("restore").arg(&junk).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a SQLite database"));
    let foreign = dir.path().join("foreign.db");
    let db = Db::connect(&format!("sqlite://{}", foreign.display())).await.unwrap();
    db.close().await;
    let out = in_data_dir().arg("restore").arg(&foreign).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("not a Jetson database") && err.contains("nothing was changed"),
        "{err}"
    );
    assert_eq!(conversations().await, 2);

    let out = in_data_dir().arg("restore").arg(&backup).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(conversations().await, 1, "the state at backup time");
    assert!(data.join("jetson.db.before-restore").exists(), "the replaced database is kept");
    // The restored bodies still open with the instance key.
    let rotate = in_data_dir().args(["keys", "rotate"]).output().unwrap();
    assert!(rotate.status.success(), "{}", String::from_utf8_lossy(&rotate.stderr));
}

#[tokio::test]
async fn audit_verify_finds_an_edited_event() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let in_data_dir = || jetson_in(&data);
    // Two audited actions: setting retention, and running it.
    let csv = dir.path().join("export.csv");
    std::fs::write(&csv, "id,subject,customer_email,customer_name,created_at,body\n1,PDF,ann@acme.io,Ann,2026-11-01 10:00:00,Blank PDF.\n")
        .unwrap();
    assert!(in_data_dir().args(["import", "--product", "Ledgerly"]).arg(&csv).output().unwrap().status.success());
    let set = in_data_dir().args(["retention", "set", "--raw-bodies", "30", "--yes"]).output().unwrap();
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    let ok = in_data_dir().args(["audit", "verify"]).output().unwrap();
    let out = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success() && out.contains("2 event(s), the chain holds"), "{out}");

    let db = Db::connect(&format!("sqlite://{}", data.join("jetson.db").display())).await.unwrap();
    if let Db::Sqlite(pool) = &db {
        sqlx::query("UPDATE audit_events SET actor = 'someone else' WHERE seq = 1").execute(pool).await.unwrap();
    }
    db.close().await;
    let bad = in_data_dir().args(["audit", "verify"]).output().unwrap();
    let out = String::from_utf8_lossy(&bad.stdout);
    assert!(!bad.status.success() && out.contains("event 1 its content was changed"), "{out}");
}

#[tokio::test]
async fn an_admin_creates_an_organisation_its_owner_and_a_token_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(dir.path()).await;
    let run = |args: &[&str]| {
        let out = jetson().args(args).args(["--database", &db]).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (ok, out, err) = run(&["org", "create", "Acme Support"]);
    assert!(ok && out.contains("created organisation Acme Support"), "{err}");
    let (ok, _, err) = run(&["org", "create", "Acme Support"]);
    assert!(!ok && err.contains("exists already"), "{err}");
    let (ok, out, err) =
        run(&["user", "create", "--org", "Acme Support", "--email", "ops@acme.example", "--role", "owner"]);
    assert!(ok && out.contains("with password"), "{err}");
    let (ok, out, err) = run(&[
        "token",
        "create",
        "--org",
        "Acme Support",
        "--email",
        "ops@acme.example",
        "--scope",
        "read",
        "--expires",
        "30",
    ]);
    assert!(ok && out.contains("API token: jt_"), "{err}");
    let (ok, _, err) =
        run(&["token", "create", "--org", "Acme Support", "--email", "ops@acme.example", "--scope", "root"]);
    assert!(!ok && err.contains("not a token scope"), "{err}");
}

#[tokio::test]
async fn a_database_is_never_opened_with_a_missing_wrong_or_unreadable_key_nor_an_empty_file_taken_for_new() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("export.csv");
    std::fs::write(
        &csv,
        "id,subject,customer_email,customer_name,created_at,body\n\
         1,PDF export,ann@acme.io,Ann,2026-11-01 10:00:00,The PDF export is blank.\n",
    )
    .unwrap();
    let data = dir.path().join("data");
    let import = || jetson_in(&data).args(["import", "--product", "Ledgerly"]).arg(&csv).output().unwrap();
    let first = import();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let key_file = data.join("secret.key");
    let key = std::fs::read_to_string(&key_file).unwrap();

    // Missing: refused, naming the file and what to do; no new key is made.
    std::fs::remove_file(&key_file).unwrap();
    let missing = import();
    let why = String::from_utf8_lossy(&missing.stderr);
    assert!(!missing.status.success());
    assert!(why.contains("secret.key does not") && why.contains("restore secret.key from the backup"), "{why}");
    assert!(!key_file.exists(), "no key was invented");

    // Unreadable (a directory stands in for a file root could not read): said as such.
    std::fs::create_dir(&key_file).unwrap();
    let unreadable = import();
    let why = String::from_utf8_lossy(&unreadable.stderr);
    assert!(!unreadable.status.success());
    assert!(why.contains("exists but cannot be read") && !why.contains("openssl"), "{why}");
    std::fs::remove_dir(&key_file).unwrap();

    // Another key: the canary does not open, and nothing is changed.
    std::fs::write(&key_file, "ab".repeat(32)).unwrap();
    let wrong = import();
    let why = String::from_utf8_lossy(&wrong.stderr);
    assert!(!wrong.status.success());
    assert!(why.contains("does not open this database's sealed data"), "{why}");

    // The right key again: all is well.
    std::fs::remove_file(&key_file).unwrap();
    std::fs::write(&key_file, &key).unwrap();
    let again = import();
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));

    // An empty database file is not quietly set up as a new database.
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("jetson.db"), "").unwrap();
    let out = jetson_in(&empty).args(["import", "--product", "Ledgerly"]).arg(&csv).output().unwrap();
    let why = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(why.contains("is empty (0 bytes)"), "{why}");
    assert_eq!(std::fs::metadata(empty.join("jetson.db")).unwrap().len(), 0, "left as it was");
}
