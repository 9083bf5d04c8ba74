//! The UI in a real browser: Debian's Chromium driven through chromedriver. Skips with a message
//! when chromedriver is not installed (CI installs it). Screenshots go to `screenshots/`.

use crate::helpers::WithLoginCsrf;
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

use crate::helpers::spawn_app;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver_path() -> Option<String> {
    let candidates = [std::env::var("CHROMEDRIVER").ok(), Some("/usr/bin/chromedriver".to_string())];
    candidates.into_iter().flatten().find(|p| std::path::Path::new(p).exists())
}

/// Starts chromedriver on a free port and waits until it accepts connections.
fn start_driver(path: &str) -> (Driver, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start listening");
        std::thread::sleep(Duration::from_millis(50));
    }
    (Driver(child), port)
}

async fn browser(port: u16) -> WebDriver {
    let mut caps = DesiredCapabilities::chrome();
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,1000",
    ] {
        caps.add_arg(arg).unwrap();
    }
    if std::path::Path::new("/usr/bin/chromium").exists() {
        caps.set_binary("/usr/bin/chromium").unwrap();
    }
    WebDriver::new(format!("http://127.0.0.1:{port}"), caps).await.expect("a browser session")
}

fn screenshot_path(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// chromedriver's path, or None (with a message) when the test should skip.
fn driver_or_skip() -> Option<String> {
    let path = chromedriver_path();
    if path.is_none() {
        assert!(
            std::env::var_os("JETSON_REQUIRE_BROWSER").is_none(),
            "JETSON_REQUIRE_BROWSER is set but chromedriver is missing"
        );
        jetson_store::testing::skipped(
            "no chromedriver: the browser tests did not run (apt-get install chromium chromium-driver)",
        );
    }
    path
}

/// Clicks a button that submits a form and waits until the next page has replaced this one (until
/// then, finding elements would find the old page's).
async fn click_to_load(driver: &WebDriver, button: WebElement) -> WebDriverResult<()> {
    let old = driver.find(By::Tag("html")).await?;
    button.click().await?;
    let deadline = Instant::now() + Duration::from_secs(15);
    while old.tag_name().await.is_ok() {
        assert!(Instant::now() < deadline, "the next page did not load");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

async fn sign_in(driver: &WebDriver, app: &crate::helpers::TestApp) -> WebDriverResult<()> {
    driver.set_implicit_wait_timeout(Duration::from_secs(10)).await?;
    driver.goto(app.url("/")).await?;
    driver.find(By::Id("email")).await?.send_keys(&app.admin_email).await?;
    driver.find(By::Id("password")).await?.send_keys(&app.admin_password).await?;
    driver.find(By::Id("sign-in")).await?.click().await?;
    driver.find(By::LinkText("Integrations")).await?;
    Ok(())
}

#[tokio::test]
async fn a_person_connects_help_scout_chooses_a_mailbox_and_watches_the_import() {
    let Some(path) = driver_or_skip() else { return };
    let fake = crate::fake_helpscout::FakeHelpScout::start().await;
    fake.add(1, 60, 1);
    let api = fake.uri();
    let app =
        crate::helpers::spawn_app_with(|s| s.helpscout = jetson_connectors::helpscout::Endpoints::for_api(&api)).await;
    let (_driver_process, port) = start_driver(&path);
    let driver = browser(port).await;
    let run = async {
        sign_in(&driver, &app).await?;
        driver.find(By::LinkText("Integrations")).await?.click().await?;
        driver.find(By::Id("hs-client-id")).await?.send_keys("my-app").await?;
        driver.find(By::Id("hs-client-secret")).await?.send_keys("my-secret").await?;
        driver.find(By::Id("hs-connect")).await?.click().await?;
        assert_eq!(driver.find(By::Id("hs-connected")).await?.text().await?, "Connected");
        let mailboxes = driver.find(By::Id("hs-mailboxes")).await?.find_all(By::Css("tbody tr")).await?;
        assert_eq!(mailboxes.len(), 2, "both mailboxes of the account are listed");
        driver.screenshot(&screenshot_path("integrations.png")).await?;

        // "Sales" sorts before "Support"; the second row is Support (mailbox 1).
        let form = driver.find_all(By::Css(".mailbox-form")).await?.remove(1);
        form.find(By::Css("option[value='new']")).await?.click().await?;
        form.find(By::Css("button")).await?.click().await?;
        driver.find(By::Id("integration-notice")).await?;
        driver.find(By::Id("hs-import")).await?.click().await?;
        let status = driver.find(By::Id("import-status")).await?;
        assert_eq!(status.text().await?, "running");
        driver.screenshot(&screenshot_path("import-running.png")).await?;

        app.run_jobs().await;
        // The page refreshes itself; a reload shows the same state (it lives in the database).
        driver.refresh().await?;
        assert_eq!(driver.find(By::Id("import-percent")).await?.text().await?, "100%");
        assert_eq!(driver.find(By::Id("import-done")).await?.text().await?, "60 of 60");
        driver.screenshot(&screenshot_path("import-done.png")).await?;
        driver.goto(app.url("/")).await?;
        let rows = driver.find(By::Id("inbox")).await?.find_all(By::Css("tbody tr")).await?;
        assert!(!rows.is_empty(), "the imported conversations became work items");
        WebDriverResult::Ok(())
    };
    let result = run.await;
    driver.quit().await.ok();
    result.expect("the Help Scout walk-through");
}

#[tokio::test]
async fn a_person_signs_in_opens_the_inbox_and_a_work_item_and_changes_its_status() {
    let Some(path) = driver_or_skip() else { return };
    let app = spawn_app().await;
    app.load_demo().await;
    let (_driver_process, port) = start_driver(&path);
    let driver = browser(port).await;

    let run = async {
        // Finds wait for elements to appear (pages load after each click); no fixed sleeps.
        sign_in(&driver, &app).await?;
        let inbox = driver.find(By::Id("inbox")).await?;
        let rows = inbox.find_all(By::Css("tbody tr")).await?;
        assert!(rows.len() >= 5, "the inbox lists work items");
        driver.screenshot(&screenshot_path("inbox.png")).await?;

        let first = inbox.find(By::ClassName("item-link")).await?;
        let title = first.text().await?;
        first.click().await?;
        assert_eq!(driver.find(By::Id("item-title")).await?.text().await?, title);
        driver.find(By::Css("#status-select option[value='in_progress']")).await?.click().await?;
        // The form posts and the same URL reloads: wait for the old page to go away first.
        let old_status = driver.find(By::Id("item-status")).await?;
        driver.find(By::Id("status-save")).await?.click().await?;
        old_status.wait_until().stale().await?;
        assert_eq!(driver.find(By::Id("item-status")).await?.text().await?, "In progress");
        let why = driver.find(By::Css("#reports .why")).await?.text().await?;
        assert!(why.starts_with("Joined as the same problem as"), "each matched report explains itself: {why}");
        driver.screenshot(&screenshot_path("work-item.png")).await?;

        // Move a report to another item, then undo it from the notice.
        let before = driver.find_all(By::Css("#reports > li")).await?.len();
        let item_url = driver.current_url().await?;
        driver.find(By::Css("#reports form.move button")).await?.click().await?;
        let notice = driver.find(By::Id("moved-notice")).await?;
        assert!(notice.text().await?.starts_with("Moved"), "the move is confirmed");
        assert_eq!(driver.find_all(By::Css("#reports > li")).await?.len(), before - 1);
        driver.screenshot(&screenshot_path("work-item-moved.png")).await?;
        driver.find(By::Id("undo-move")).await?.click().await?;
        notice.wait_until().stale().await?;
        assert_eq!(driver.current_url().await?.path(), item_url.path(), "back on the item the report left");
        assert_eq!(driver.find_all(By::Css("#reports > li")).await?.len(), before, "the report is back");

        let reports = driver.find_all(By::Css("#reports li a")).await?;
        reports[0].click().await?;
        driver.find(By::Id("thread")).await?;
        driver.screenshot(&screenshot_path("conversation.png")).await?;
        driver.goto(app.url("/messages?review=1")).await?;
        driver.screenshot(&screenshot_path("messages.png")).await?;
        WebDriverResult::Ok(())
    };
    let result = run.await;
    driver.quit().await.ok();
    result.expect("the browser walk-through");
}

#[tokio::test]
async fn an_admin_defines_a_products_priorities_and_sees_what_it_learned() {
    let Some(path) = driver_or_skip() else { return };
    let app = spawn_app().await;
    app.load_demo().await;
    let (_driver_process, port) = start_driver(&path);
    let driver = browser(port).await;

    let run = async {
        driver.set_implicit_wait_timeout(Duration::from_secs(10)).await?;
        sign_in(&driver, &app).await?;
        let inbox_before = driver.find_all(By::Css("#inbox tbody tr")).await?.len();
        driver.find(By::LinkText("Products")).await?.click().await?;
        let ledgerly = driver.find(By::Id("product-Ledgerly")).await?;
        assert_eq!(ledgerly.find(By::ClassName("model-state")).await?.text().await?, "the built-in model");
        let tier = ledgerly.find(By::ClassName("embedding-tier")).await?.text().await?;
        assert!(tier.starts_with("off") && tier.contains("JETSON_EMBEDDINGS_DIR"), "{tier}");
        let words = ledgerly.find(By::Css("input[name='words_urgent']")).await?;
        words.send_keys("invoice total, tax").await?;
        ledgerly.find(By::Css("input[name='description_urgent']")).await?.send_keys("Our customers' money").await?;
        let minimum = ledgerly.find(By::Css("input[name='inbox_min_customers']")).await?;
        assert_eq!(minimum.value().await?.as_deref(), Some("2"), "the default minimum is shown");
        minimum.clear().await?;
        minimum.send_keys("5").await?;
        ledgerly.find(By::ClassName("save-product")).await?.click().await?;
        let notice = driver.find(By::Id("products-notice")).await?.text().await?;
        assert!(notice.starts_with("Saved"), "{notice}");
        let saved = driver.find(By::Css("#product-Ledgerly input[name='words_urgent']")).await?;
        assert_eq!(saved.value().await?.as_deref(), Some("invoice total, tax"));
        let minimum = driver.find(By::Css("#product-Ledgerly input[name='inbox_min_customers']")).await?;
        assert_eq!(minimum.value().await?.as_deref(), Some("5"));
        minimum.scroll_into_view().await?;
        driver.screenshot(&screenshot_path("products.png")).await?;
        driver.find(By::Css("#product-Ledgerly .learning")).await?.scroll_into_view().await?;
        driver.screenshot(&screenshot_path("products-learning.png")).await?;
        driver.goto(app.url("/")).await?;
        let inbox_after = driver.find_all(By::Css("#inbox tbody tr")).await?.len();
        assert!(
            inbox_after < inbox_before,
            "Ledgerly's smaller problems left the inbox: {inbox_before} → {inbox_after}"
        );
        WebDriverResult::Ok(())
    };
    let result = run.await;
    driver.quit().await.ok();
    result.expect("the products walk-through");
}

/// HTML5 drag and drop is not driven by WebDriver's pointer actions in Chromium, so the test
/// dispatches the browser's own drag events (with a real `DataTransfer`) on the card and column.
const DRAG: &str = r#"
    const [card, col] = arguments;
    const data = new DataTransfer();
    card.dispatchEvent(new DragEvent("dragstart", { bubbles: true, dataTransfer: data }));
    col.dispatchEvent(new DragEvent("dragover", { bubbles: true, cancelable: true, dataTransfer: data }));
    col.dispatchEvent(new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: data }));
"#;

async fn wait_for<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_person_creates_a_github_issue_from_a_work_item_after_editing_the_draft() {
    let Some(path) = driver_or_skip() else { return };
    let s = crate::github::setup().await;
    let item = s.item().await;
    let (_driver_process, port) = start_driver(&path);
    let driver = browser(port).await;
    let run = async {
        sign_in(&driver, &s.app).await?;
        driver.goto(s.app.url("/settings/integrations/github")).await?;
        assert_eq!(driver.find(By::Id("gh-valid")).await?.text().await?, "Valid");
        driver.screenshot(&screenshot_path("github-settings.png")).await?;
        driver.goto(s.app.url(&format!("/items/{item}"))).await?;
        driver.find(By::Id("create-issue")).await?.click().await?;
        let title = driver.find(By::Id("draft-title")).await?;
        title.clear().await?;
        title.send_keys("CSV export fails on the ledger page").await?;
        let body = driver.find(By::Id("draft-body")).await?.prop("value").await?.unwrap_or_default();
        assert!(body.contains("**2 distinct customers**"), "{body}");
        driver.screenshot(&screenshot_path("github-draft.png")).await?;
        driver.find(By::Id("draft-create")).await?.click().await?;
        let link = driver.find(By::Id("github-issue")).await?;
        assert_eq!(link.text().await?, "acme/widgets#1");
        driver.screenshot(&screenshot_path("work-item-github.png")).await?;
        WebDriverResult::Ok(())
    };
    let result = run.await;
    driver.quit().await.ok();
    result.expect("creating an issue in the browser");
    assert_eq!(s.fake.world().issues[&1]["title"], "CSV export fails on the ledger page");
}

#[tokio::test]
async fn a_person_merges_an_item_with_an_issue_and_the_issue_follows_its_reports() {
    let Some(path) = driver_or_skip() else { return };
    let s = crate::github::setup().await;
    let linked = s.item().await;
    assert_eq!(s.create_issue(linked, "Export fails").await.status(), 303);
    let other = s.second_item().await;
    let (_driver_process, port) = start_driver(&path);
    let driver = browser(port).await;
    let run = async {
        sign_in(&driver, &s.app).await?;
        driver.goto(s.app.url(&format!("/items/{linked}"))).await?;
        let form = driver.find(By::Id("merge-form")).await?;
        assert!(form.text().await?.contains("GitHub issue too"), "the form says the issue goes along");
        form.find(By::Css(format!("option[value='{other}']"))).await?.click().await?;
        form.find(By::Css("button")).await?.click().await?;
        wait_for("the merged item's page", || async {
            driver.current_url().await.is_ok_and(|u| u.path() == format!("/items/{other}"))
        })
        .await;
        assert_eq!(driver.find(By::Id("github-issue")).await?.text().await?, "acme/widgets#1");
        driver.screenshot(&screenshot_path("work-item-merged-with-issue.png")).await?;
        driver.goto(s.app.url(&format!("/items/{linked}"))).await?;
        driver.find(By::Id("undo-merge")).await?.click().await?;
        assert_eq!(driver.find(By::Id("github-issue")).await?.text().await?, "acme/widgets#1");
        WebDriverResult::Ok(())
    };
    let result = run.await;
    driver.quit().await.ok();
    result.expect("merging in the browser");
    assert_eq!(s.link(other).await.github_number, None, "the undo took the issue back");
}

#[tokio::test]
async fn a_person_moves_work_items_on_the_board_by_drag_and_drop_and_by_keyboard() {
    let Some(path) = driver_or_skip() else { return };
    let s = crate::github::setup().await;
    let item = s.item().await;
    let status = || async {
        jetson_store::work_items::get(&s.app.state.db, s.app.org, item).await.unwrap().status.as_str().to_string()
    };
    let (_driver_process, port) = start_driver(&path);
    let driver = browser(port).await;
    let run = async {
        sign_in(&driver, &s.app).await?;
        driver.find(By::LinkText("Board")).await?.click().await?;
        let card = driver.find(By::Id(format!("card-{item}"))).await?;
        let in_progress = driver.find(By::Id("col-in_progress")).await?;
        driver.screenshot(&screenshot_path("board.png")).await?;
        driver.execute(DRAG, vec![card.to_json()?, in_progress.to_json()?]).await?;
        wait_for("the drop to be saved", || async { status().await == "in_progress" }).await;
        let card = driver.find(By::Css(format!("#col-in_progress #card-{item}"))).await?;
        assert_eq!(driver.find(By::Css("#col-in_progress .count")).await?.text().await?, "1");

        // The keyboard: focus the card, → moves it one column right.
        card.focus().await?;
        card.send_keys(Key::Right).await?;
        wait_for("the key move to be saved", || async { status().await == "resolved" }).await;
        driver.find(By::Css(format!("#col-resolved #card-{item}"))).await?;
        let said = driver.find(By::Id("board-live")).await?.text().await?;
        assert!(said.starts_with("Moved"), "{said}");
        driver.screenshot(&screenshot_path("board-moved.png")).await?;
        // A reload shows the saved state.
        driver.refresh().await?;
        driver.find(By::Css(format!("#col-resolved #card-{item}"))).await?;
        WebDriverResult::Ok(())
    };
    let result = run.await;
    driver.quit().await.ok();
    result.expect("moving cards on the board");
}

#[tokio::test]
async fn a_person_approves_an_item_from_the_approval_queue() {
    let Some(path) = driver_or_skip() else { return };
    let s = crate::github::setup().await;
    let item = s.item().await;
    let product = jetson_store::products::list(&s.app.state.db, s.app.org).await.unwrap()[0].id;
    let rules = [
        ("label_map", r#"{"bug": ["bug"]}"#),
        ("training_map", r#"{"bug": "bug"}"#),
        ("auto_create", "on"),
        ("auto_min_customers", "5"),
        ("auto_min_confidence", "0.5"),
        ("auto_max_per_hour", "3"),
    ];
    assert_eq!(s.post(&format!("/settings/integrations/github/repos/{product}/rules"), &rules).await.status(), 303);
    s.poll().await;
    assert_eq!(s.fake.world().creates, 0, "two customers are below the threshold of five");
    let (_driver_process, port) = start_driver(&path);
    let driver = browser(port).await;
    let run = async {
        sign_in(&driver, &s.app).await?;
        driver.find(By::LinkText("Approval queue")).await?.click().await?;
        let row = driver.find(By::Id(format!("queue-{item}"))).await?;
        driver.screenshot(&screenshot_path("approval-queue.png")).await?;
        row.find(By::LinkText("Review draft")).await?.click().await?;
        driver.find(By::Id("draft-create")).await?.click().await?;
        driver.find(By::Id("github-issue")).await?;
        driver.find(By::LinkText("Approval queue")).await?.click().await?;
        assert_eq!(driver.find(By::Id("queue-empty")).await?.text().await?, "Nothing is waiting.");
        WebDriverResult::Ok(())
    };
    let result = run.await;
    driver.quit().await.ok();
    result.expect("approving from the queue");
    assert_eq!(s.fake.world().creates, 1);
}

#[tokio::test]
async fn an_admin_sees_the_escalation_first_reads_redacted_text_reveals_the_original_and_releases_a_hold() {
    let Some(path) = driver_or_skip() else { return };
    let app = spawn_app().await;
    let convs = [
        crate::helpers::conversation(
            "card",
            "pat@example.com",
            "Charged twice, write to jo@home.example",
            "I was charged twice on card 4111 1111 1111 1111. Mail me at pat@example.com.",
        ),
        crate::helpers::conversation("threat", "cy@c.example", "Sync broken", "Fix the sync or I know where you live."),
        crate::helpers::conversation(
            "abuse",
            "bo@b.example",
            "Export broken",
            "The CSV export fails again, you useless fucking bitches.",
        ),
    ];
    app.import("Widgets", &convs).await;
    let (_driver_process, port) = start_driver(&path);
    let driver = browser(port).await;
    let run = async {
        sign_in(&driver, &app).await?;
        // The badge counts the escalation on every page.
        assert_eq!(driver.find(By::Css("#nav-held .badge")).await?.text().await?, "1");
        driver.find(By::Id("nav-held")).await?.click().await?;
        let tables = driver.find_all(By::Css("table.held")).await?;
        assert_eq!(tables.len(), 2, "escalations, then the others");
        assert!(tables[0].text().await?.contains("Sync broken") && tables[0].text().await?.contains("threat"));
        assert!(tables[1].text().await?.contains("Export broken"));
        driver.screenshot(&screenshot_path("held.png")).await?;

        // The threat's own page says why it is held, with the same two decisions.
        tables[0].find(By::LinkText("Sync broken")).await?.click().await?;
        let banner = driver.find(By::Id("hold")).await?.text().await?;
        assert!(banner.contains("Held for review") && banner.contains("threat"), "{banner}");
        assert!(driver.find(By::Id("thread")).await?.text().await?.contains("I know where you live"));
        driver.screenshot(&screenshot_path("conversation-held.png")).await?;
        driver.back().await?;
        let tables = driver.find_all(By::Css("table.held")).await?;

        // Release the abusive one after reading it: it leaves the list.
        click_to_load(&driver, tables[1].find(By::Css("button")).await?).await?;
        assert_eq!(driver.find_all(By::Css("table.held tbody tr")).await?.len(), 1);

        // A conversation shows redacted text; revealing shows the original with the card masked.
        let list = jetson_store::conversations::list(
            &app.state.db,
            app.org,
            &jetson_store::conversations::Filter { limit: 10, ..Default::default() },
        )
        .await
        .unwrap();
        let card = list.iter().find(|c| c.external_id == "card").unwrap().id;
        driver.goto(app.url(&format!("/conversations/{card}"))).await?;
        let thread = driver.find(By::Id("thread")).await?.text().await?;
        assert!(thread.contains("[CARD]") && thread.contains("[EMAIL]") && !thread.contains("pat@"), "{thread}");
        let subject = driver.find(By::Tag("h1")).await?.text().await?;
        assert_eq!(subject, "Charged twice, write to [EMAIL]", "the subject is redacted too");
        driver.screenshot(&screenshot_path("conversation-redacted.png")).await?;
        click_to_load(&driver, driver.find(By::Id("reveal")).await?).await?;
        let thread = driver.find(By::Id("thread")).await?.text().await?;
        assert!(thread.contains("**** **** **** 1111") && thread.contains("pat@example.com"), "{thread}");
        let original = driver.find(By::Id("original-subject")).await?.text().await?;
        assert!(original.contains("jo@home.example"), "{original}");
        assert!(driver.find(By::Id("privacy")).await?.text().await?.contains("recorded in the audit trail"));
        driver.screenshot(&screenshot_path("conversation-revealed.png")).await?;
        WebDriverResult::Ok(())
    };
    let result = run.await;
    driver.quit().await.ok();
    result.expect("the privacy walk-through");
}

#[tokio::test]
async fn an_admin_sets_retention_and_reads_the_deletion_report() {
    let Some(path) = driver_or_skip() else { return };
    let app = spawn_app().await;
    let mut old = crate::helpers::conversation("old", "old@a.example", "Export fails", "The CSV export fails.");
    old.created_at = chrono::Utc::now() - chrono::Duration::days(500);
    old.messages[0].created_at = old.created_at;
    app.import("Widgets", &[old]).await;
    let (_driver_process, port) = start_driver(&path);
    let driver = browser(port).await;
    let run = async {
        sign_in(&driver, &app).await?;
        driver.find(By::Id("nav-privacy")).await?.click().await?;
        driver.find(By::Id("raw-body-days")).await?.send_keys("30").await?;
        driver.find(By::Id("conversation-days")).await?.send_keys("365").await?;
        driver.find(By::Id("retention-save")).await?.click().await?;
        assert!(driver.find(By::Id("privacy-notice")).await?.text().await?.starts_with("Saved."));
        app.run_jobs().await;
        driver.refresh().await?;
        let row = driver.find(By::Css("#deletion-reports tbody tr")).await?.text().await?;
        assert!(row.contains(" 1 1 1 1 "), "one body, conversation, message, report: {row}");
        assert_eq!(driver.find(By::Id("conversation-days")).await?.value().await?.as_deref(), Some("365"));
        driver.screenshot(&screenshot_path("privacy-settings.png")).await?;
        // Pausing after bursts, further down the page.
        let pause = driver.find(By::Id("pause-on-burst")).await?;
        pause.scroll_into_view().await?;
        pause.click().await?;
        click_to_load(&driver, driver.find(By::Id("require-two-factor-save")).await?).await?;
        let card = driver.find(By::Id("require-two-factor-form")).await?;
        card.scroll_into_view().await?;
        assert!(driver.find(By::Id("pause-on-burst")).await?.is_selected().await?, "saved");
        driver.screenshot(&screenshot_path("privacy-unusual-activity.png")).await?;
        WebDriverResult::Ok(())
    };
    let result = run.await;
    driver.quit().await.ok();
    result.expect("the retention walk-through");
    let org = app.org;
    let events = jetson_store::audit::list(&app.state.db, org, Some("settings.pause_on_burst"), 5).await.unwrap();
    assert_eq!(events[0].detail, "on");
}

#[tokio::test]
async fn an_admin_reads_the_audit_trail_and_filters_it_after_a_failed_sign_in() {
    let Some(path) = driver_or_skip() else { return };
    let app = spawn_app().await;
    // A sign-in from another device earlier, so that the browser's is a new device: an alert.
    let phone = reqwest::Client::builder().user_agent("Mozilla/5.0 (iPhone) Safari/604.1").build().unwrap();
    let form = [("email", app.admin_email.as_str()), ("password", app.admin_password.as_str())];
    phone.post(app.url("/login")).with_login_csrf().form(&form).send().await.unwrap();
    let (_driver_process, port) = start_driver(&path);
    let driver = browser(port).await;
    let run = async {
        driver.set_implicit_wait_timeout(Duration::from_secs(10)).await?;
        // One wrong password first: it is in the trail the admin reads.
        driver.goto(app.url("/login")).await?;
        driver.find(By::Id("email")).await?.send_keys(&app.admin_email).await?;
        driver.find(By::Id("password")).await?.send_keys("not the password").await?;
        click_to_load(&driver, driver.find(By::Id("sign-in")).await?).await?;
        assert!(driver.find(By::Css(".error")).await?.text().await?.contains("Wrong email or password."));
        sign_in(&driver, &app).await?;
        driver.find(By::Id("nav-audit")).await?.click().await?;
        assert!(driver.find(By::Id("chain-state")).await?.text().await?.starts_with("Chain intact"));
        let rows = driver.find(By::Id("audit-events")).await?.text().await?;
        assert!(rows.contains("auth.sign_in_failed") && rows.contains("auth.sign_in"), "{rows}");
        assert_eq!(driver.find(By::Id("alerts-badge")).await?.text().await?, "1");
        let alerts = driver.find(By::Id("alerts")).await?.text().await?;
        assert!(alerts.contains("signed in from a new device or network: Chrome on Linux"), "{alerts}");
        driver.screenshot(&screenshot_path("audit.png")).await?;
        click_to_load(&driver, driver.find(By::Id("alerts-seen")).await?).await?;
        assert!(driver.find_all(By::Id("alerts-badge")).await?.is_empty(), "seen");
        driver.find(By::Css("#audit-kind option[value='hold.']")).await?.click().await?;
        click_to_load(&driver, driver.find(By::Css("form.filters button")).await?).await?;
        assert!(driver.find(By::Css(".empty")).await?.text().await?.contains("No events of this kind"));
        WebDriverResult::Ok(())
    };
    let result = run.await;
    driver.quit().await.ok();
    result.expect("the audit walk-through");
}

#[tokio::test]
async fn a_person_signs_out_another_session_from_the_sessions_page() {
    let Some(path) = driver_or_skip() else { return };
    let app = spawn_app().await;
    // Another device signed in earlier.
    let other = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Version/18.0 Safari/604.1")
        .build()
        .unwrap();
    let form = [("email", app.admin_email.clone()), ("password", app.admin_password.clone())];
    assert_eq!(other.post(app.url("/login")).with_login_csrf().form(&form).send().await.unwrap().status(), 303);
    let (_driver_process, port) = start_driver(&path);
    let driver = browser(port).await;
    let run = async {
        sign_in(&driver, &app).await?;
        driver.find(By::Id("nav-account")).await?.click().await?;
        let table = driver.find(By::Id("sessions")).await?.text().await?;
        assert!(table.contains("Safari on iOS") && table.contains("Chrome on Linux"), "{table}");
        assert!(driver.find(By::Id("this-session")).await?.text().await? == "this browser");
        driver.screenshot(&screenshot_path("sessions.png")).await?;
        click_to_load(&driver, driver.find(By::Id("revoke-others")).await?).await?;
        let rows = driver.find_all(By::Css("#sessions tbody tr")).await?;
        assert_eq!(rows.len(), 1, "only this browser is left");
        WebDriverResult::Ok(())
    };
    let result = run.await;
    driver.quit().await.ok();
    result.expect("the sessions walk-through");
    assert_eq!(other.get(app.url("/")).send().await.unwrap().headers()["location"], "/login");
}

#[tokio::test]
async fn a_person_makes_an_api_token_uses_it_revokes_it_and_changes_their_password() {
    let Some(path) = driver_or_skip() else { return };
    let app = spawn_app().await;
    let (_driver_process, port) = start_driver(&path);
    let driver = browser(port).await;
    let strong = "quarry tulip engine fifty";
    let run = async {
        sign_in(&driver, &app).await?;
        driver.find(By::Id("nav-account")).await?.click().await?;
        driver.find(By::Id("nav-tokens")).await?.click().await?;
        driver.find(By::Id("token-name")).await?.send_keys("nightly export").await?;
        driver.find(By::Css("#token-scope option[value='read']")).await?.click().await?;
        click_to_load(&driver, driver.find(By::Id("token-create")).await?).await?;
        let token = driver.find(By::Id("new-token")).await?.text().await?;
        driver.screenshot(&screenshot_path("tokens.png")).await?;
        // The token works for the API, and the page then shows when it was last used.
        let res = reqwest::Client::new().get(app.url("/api/v1/work-items")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), 200);
        driver.find(By::Id("nav-tokens")).await?.click().await?;
        let row = driver.find(By::XPath("//table[@id='tokens']//tr[td[text()='nightly export']]")).await?;
        assert!(!row.text().await?.contains("never\n") && row.text().await?.contains("Read"), "{}", row.text().await?);
        click_to_load(&driver, row.find(By::Css("button.danger")).await?).await?;
        let res = reqwest::Client::new().get(app.url("/api/v1/work-items")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), 401, "revoked");

        driver.find(By::Id("nav-organisations")).await?.click().await?;
        let orgs = driver.find(By::Id("organisations")).await?.text().await?;
        assert!(orgs.contains("Test Org") && orgs.contains("you are here"), "{orgs}");
        driver.screenshot(&screenshot_path("organisations.png")).await?;

        driver.find(By::Id("nav-password")).await?.click().await?;
        driver.find(By::Id("current-password")).await?.send_keys(&app.admin_password).await?;
        driver.find(By::Id("new-password")).await?.send_keys("password1234").await?;
        driver.find(By::Id("confirm-password")).await?.send_keys("password1234").await?;
        click_to_load(&driver, driver.find(By::Id("password-save")).await?).await?;
        let problem = driver.find(By::Id("password-problem")).await?.text().await?;
        assert!(problem.contains("too easy to guess"), "{problem}");
        driver.screenshot(&screenshot_path("password_refused.png")).await?;
        driver.find(By::Id("current-password")).await?.send_keys(&app.admin_password).await?;
        driver.find(By::Id("new-password")).await?.send_keys(strong).await?;
        driver.find(By::Id("confirm-password")).await?.send_keys(strong).await?;
        click_to_load(&driver, driver.find(By::Id("password-save")).await?).await?;
        assert!(driver.find(By::Id("password-done")).await?.text().await?.starts_with("Password changed."));
        WebDriverResult::Ok(())
    };
    let result = run.await;
    driver.quit().await.ok();
    result.expect("the tokens and password walk-through");
    let form = [("email", app.admin_email.as_str()), ("password", strong)];
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    assert_eq!(client.post(app.url("/login")).with_login_csrf().form(&form).send().await.unwrap().status(), 303);
}

#[tokio::test]
async fn a_person_turns_on_two_factor_and_signs_in_with_a_code() {
    let Some(path) = driver_or_skip() else { return };
    let app = spawn_app().await;
    let (_driver_process, port) = start_driver(&path);
    let driver = browser(port).await;
    let code = |secret: &[u8], offset: i64| {
        let step = jetson::services::auth::totp::step_at(chrono::Utc::now().timestamp()) + offset;
        format!("{:06}", jetson::services::auth::totp::code(secret, step))
    };
    let run = async {
        sign_in(&driver, &app).await?;
        driver.find(By::Id("nav-account")).await?.click().await?;
        driver.find(By::Id("nav-two-factor")).await?.click().await?;
        click_to_load(&driver, driver.find(By::Id("start-two-factor")).await?).await?;
        let qr = driver.find(By::Id("qr")).await?;
        let width: i64 = driver.execute("return arguments[0].naturalWidth", vec![qr.to_json()?]).await?.convert()?;
        assert!(width > 100, "the QR code image loaded ({width} px)");
        driver.screenshot(&screenshot_path("two_factor_setup.png")).await?;
        let typed = driver.find(By::Id("secret")).await?.text().await?.replace(' ', "");
        let secret = jetson::services::auth::totp::from_base32(&typed).expect("a base32 secret");
        driver.find(By::Id("setup-code")).await?.send_keys(code(&secret, 0)).await?;
        click_to_load(&driver, driver.find(By::Id("enable-two-factor")).await?).await?;
        let codes = driver.find_all(By::Css("#recovery-codes li")).await?;
        assert_eq!(codes.len(), 10);
        driver.screenshot(&screenshot_path("two_factor_codes.png")).await?;

        click_to_load(&driver, driver.find(By::Css("form.logout button")).await?).await?;
        driver.find(By::Id("email")).await?.send_keys(&app.admin_email).await?;
        driver.find(By::Id("password")).await?.send_keys(&app.admin_password).await?;
        click_to_load(&driver, driver.find(By::Id("sign-in")).await?).await?;
        driver.find(By::Id("code")).await?.send_keys(code(&secret, 1)).await?;
        driver.screenshot(&screenshot_path("two_factor_sign_in.png")).await?;
        click_to_load(&driver, driver.find(By::Id("verify")).await?).await?;
        driver.find(By::LinkText("Integrations")).await?;
        WebDriverResult::Ok(())
    };
    let result = run.await;
    driver.quit().await.ok();
    result.expect("the two-factor walk-through");
}

#[tokio::test]
async fn an_admin_invites_someone_who_signs_up_through_the_link() {
    let Some(path) = driver_or_skip() else { return };
    let app = spawn_app().await;
    let (_driver_process, port) = start_driver(&path);
    let driver = browser(port).await;
    let run = async {
        sign_in(&driver, &app).await?;
        driver.find(By::Id("nav-members")).await?.click().await?;
        driver.find(By::Id("invite-note")).await?.send_keys("sam@new.example").await?;
        driver.find(By::Css("#invite-role option[value='member']")).await?.click().await?;
        click_to_load(&driver, driver.find(By::Id("invite-create")).await?).await?;
        let link = driver.find(By::Id("link-url")).await?.text().await?;
        assert!(link.contains("/invite/"), "{link}");
        driver.screenshot(&screenshot_path("members.png")).await?;

        // The invited person, in a browser that is not signed in.
        driver.delete_all_cookies().await?;
        driver.goto(&link).await?;
        driver.find(By::Id("email")).await?.send_keys("sam@new.example").await?;
        driver.find(By::Id("name")).await?.send_keys("Sam New").await?;
        driver.find(By::Id("password")).await?.send_keys("harbour violet cement 42").await?;
        driver.find(By::Id("confirm")).await?.send_keys("harbour violet cement 42").await?;
        driver.screenshot(&screenshot_path("invite.png")).await?;
        click_to_load(&driver, driver.find(By::Id("join")).await?).await?;
        let who = driver.find(By::Id("nav-account")).await?.text().await?;
        assert_eq!(who, "Sam New");
        assert!(driver.find_all(By::Id("nav-members")).await?.is_empty(), "a member does not manage members");
        WebDriverResult::Ok(())
    };
    let result = run.await;
    driver.quit().await.ok();
    result.expect("the invitation walk-through");
}

#[tokio::test]
async fn a_person_signs_up_and_creates_an_organisation() {
    let Some(path) = driver_or_skip() else { return };
    let app = crate::helpers::spawn_app_with(|s| s.allow_signup = true).await;
    let (_driver_process, port) = start_driver(&path);
    let driver = browser(port).await;
    let run = async {
        driver.set_implicit_wait_timeout(Duration::from_secs(10)).await?;
        driver.goto(app.url("/login")).await?;
        driver.find(By::Id("signup-link")).await?.click().await?;
        driver.find(By::Id("organisation")).await?.send_keys("Acme").await?;
        driver.find(By::Id("name")).await?.send_keys("Nia Founder").await?;
        driver.find(By::Id("email")).await?.send_keys("nia@acme.example").await?;
        driver.find(By::Id("password")).await?.send_keys("copper meadow 19 falcon").await?;
        driver.find(By::Id("confirm")).await?.send_keys("copper meadow 19 falcon").await?;
        driver.screenshot(&screenshot_path("signup.png")).await?;
        click_to_load(&driver, driver.find(By::Id("create-organisation")).await?).await?;
        assert_eq!(driver.find(By::Id("nav-account")).await?.text().await?, "Nia Founder");
        driver.find(By::Id("nav-members")).await?.click().await?;
        let members = driver.find(By::Id("members")).await?.text().await?;
        assert!(members.contains("nia@acme.example") && members.contains("owner"), "{members}");
        WebDriverResult::Ok(())
    };
    let result = run.await;
    driver.quit().await.ok();
    result.expect("the sign-up walk-through");
}

#[tokio::test]
async fn an_admin_limits_a_member_to_one_product_who_resets_a_forgotten_password_by_email_and_sees_only_it() {
    let Some(path) = driver_or_skip() else { return };
    let smtp = crate::fake_smtp::FakeSmtp::start().await;
    let url = smtp.url.clone();
    let app = crate::helpers::spawn_app_with(move |s| {
        s.smtp = Some(jetson::mail::SmtpSettings::parse(&url, "Jetson <jetson@test.example>").unwrap())
    })
    .await;
    app.import(
        "Ledgerly",
        &[crate::helpers::conversation("l1", "a@one.example", "Export broken", "The PDF export is blank.")],
    )
    .await;
    app.import(
        "Dosecraft",
        &[crate::helpers::conversation("d1", "c@two.example", "Pump stops", "The pump stops hourly.")],
    )
    .await;
    let vic = jetson_domain::Email::parse("vic@test.example").unwrap();
    jetson::services::accounts::create_user(&app.state, app.org, &vic, "Vic", jetson_domain::Role::Member)
        .await
        .unwrap();
    let (_driver_process, port) = start_driver(&path);
    let driver = browser(port).await;
    let run = async {
        sign_in(&driver, &app).await?;
        driver.find(By::Id("nav-members")).await?.click().await?;
        driver.find(By::Id("sees-vic@test.example")).await?.click().await?;
        driver.find(By::Css("form[action$='/products'] input[value='only']")).await?.click().await?;
        driver.find(By::Css("input[aria-label='vic@test.example sees Dosecraft']")).await?.click().await?;
        driver.screenshot(&screenshot_path("members_products.png")).await?;
        click_to_load(&driver, driver.find(By::Css("form[action$='/products'] button")).await?).await?;
        assert_eq!(driver.find(By::Id("sees-vic@test.example")).await?.text().await?, "Dosecraft");

        // Vic forgot their password: the sign-in page emails a link.
        driver.delete_all_cookies().await?;
        driver.goto(app.url("/login")).await?;
        click_to_load(&driver, driver.find(By::Id("forgot-link")).await?).await?;
        driver.find(By::Id("email")).await?.send_keys("vic@test.example").await?;
        click_to_load(&driver, driver.find(By::Id("send-reset")).await?).await?;
        driver.find(By::Id("forgot-sent")).await?;
        driver.screenshot(&screenshot_path("forgot.png")).await?;
        let mail = smtp.wait_for(1).await;
        driver.goto(mail[0].link().expect("a link in the mail")).await?;
        let password = "meadow quartz lantern 58";
        driver.find(By::Id("password")).await?.send_keys(password).await?;
        driver.find(By::Id("confirm")).await?.send_keys(password).await?;
        click_to_load(&driver, driver.find(By::Id("reset")).await?).await?;
        driver.find(By::Id("email")).await?.send_keys("vic@test.example").await?;
        driver.find(By::Id("password")).await?.send_keys(password).await?;
        click_to_load(&driver, driver.find(By::Id("sign-in")).await?).await?;
        driver.goto(app.url("/items")).await?;
        let page = driver.find(By::Tag("main")).await?.text().await?;
        assert!(page.contains("Pump stops") && !page.contains("Export broken"), "{page}");
        assert!(!driver.source().await?.contains("Ledgerly"), "not even in the product menu");
        driver.screenshot(&screenshot_path("items_limited.png")).await?;
        WebDriverResult::Ok(())
    };
    let result = run.await;
    driver.quit().await.ok();
    result.expect("the need-to-know and forgotten-password walk-through");
}

#[tokio::test]
async fn a_person_pages_through_the_reports_of_a_large_work_item() {
    let Some(path) = driver_or_skip() else { return };
    let app = spawn_app().await;
    let convs = crate::helpers::same_problem_from(70);
    app.import("Ledgerly", &convs).await;
    let items = jetson_store::work_items::list(&app.state.db, app.org, &Default::default(), None, 10).await.unwrap();
    let item = items.iter().max_by_key(|w| w.report_count).unwrap();
    assert!(item.report_count > 50, "{}", item.report_count);
    let (_driver_process, port) = start_driver(&path);
    let driver = browser(port).await;
    let run = async {
        sign_in(&driver, &app).await?;
        driver.goto(app.url(&format!("/items/{}", item.id))).await?;
        assert_eq!(driver.find(By::Id("reports-page")).await?.text().await?, "Page 1 of 2, oldest first");
        assert_eq!(driver.find_all(By::Css("#reports > li")).await?.len(), 50);
        click_to_load(&driver, driver.find(By::Id("reports-next")).await?).await?;
        assert_eq!(driver.find(By::Id("reports-page")).await?.text().await?, "Page 2 of 2, oldest first");
        assert_eq!(driver.find_all(By::Css("#reports > li")).await?.len() as i64, item.report_count - 50);
        assert!(driver.find_all(By::Id("reports-next")).await?.is_empty(), "the last page");
        let companies = driver.find(By::Id("companies")).await?.text().await?;
        assert!(companies.ends_with("and 58 more)"), "a long list of companies is cut short: {companies}");
        driver.find(By::Id("reports-page")).await?.scroll_into_view().await?;
        driver.screenshot(&screenshot_path("work-item-reports-page-2.png")).await?;
        WebDriverResult::Ok(())
    };
    let result = run.await;
    driver.quit().await.ok();
    result.expect("paging through reports");
}
