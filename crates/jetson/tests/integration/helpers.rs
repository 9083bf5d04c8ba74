//! `spawn_app()`: one application per test, started the way `jetson serve` starts it.

use jetson::config::Settings;
use jetson::startup::Application;
use jetson::state::AppState;
use jetson_domain::{Email, OrgId, Role, Scope};
use tokio::sync::oneshot;

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub org: OrgId,
    /// A token with write scope for the admin.
    pub token: String,
    pub admin_email: String,
    pub admin_password: String,
    pub api: reqwest::Client,
    _dir: tempfile::TempDir,
    _stop: oneshot::Sender<()>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], with settings changed first (a fake provider's URL, say).
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    crate::log_watch::install();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings::for_data_dir(dir.path());
    settings.port = 0;
    settings.run_worker = false; // tests run jobs themselves, deterministically
    settings.secret_key = Some([7; 32]);
    settings.helpscout_retry = jetson_connectors::helpscout::Retry {
        attempts: 3,
        base: std::time::Duration::from_millis(10),
        max: std::time::Duration::from_millis(50),
    };
    configure(&mut settings);
    if let Some(url) = jetson_store::testing::fresh_postgres_url().await.expect("fresh PostgreSQL database") {
        settings.database_url = url;
    }
    let app = Application::build(settings).await.expect("the application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    let org = jetson::services::accounts::ensure_org(&state, "Test Org").await.unwrap();
    let email = Email::parse("admin@test.example").unwrap();
    let (user, password) =
        jetson::services::accounts::create_user(&state, org, &email, "Test Admin", Role::Owner).await.unwrap();
    let (_, token) =
        jetson::services::accounts::create_token(&state, org, user, "test", Scope::Write, None, None).await.unwrap();
    crate::log_watch::never_log("a password", &password);
    crate::log_watch::never_log("an API token", &token);
    crate::log_watch::never_log("the instance key", &hex::encode([7u8; 32]));
    TestApp {
        address,
        state,
        org,
        token,
        admin_email: email.to_string(),
        admin_password: password,
        api: reqwest::Client::new(),
        _dir: dir,
        _stop: stop,
    }
}

/// The suite's log check: an app's test fails if any log line so far held a secret.
impl Drop for TestApp {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            crate::log_watch::assert_no_leaks();
        }
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get_api(&self, path: &str) -> reqwest::Response {
        self.api.get(self.url(path)).bearer_auth(&self.token).send().await.expect("request")
    }

    pub async fn post_api(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.api.post(self.url(path)).bearer_auth(&self.token).json(&body).send().await.expect("request")
    }

    /// Imports the bundled demo data into this app's organisation and analyses it.
    pub async fn load_demo(&self) -> Vec<jetson::tools::demo::DemoConversation> {
        let dataset = jetson::tools::demo::parse(jetson::tools::demo::DATASET).unwrap();
        let convs = jetson::tools::demo::generate(&dataset, chrono::Utc::now());
        jetson::tools::demo::load(&self.state, self.org, &convs, &mut |_, _| {}).await.unwrap();
        self.run_jobs().await;
        convs
    }

    /// Imports conversations into a product and analyses them.
    pub async fn import(&self, product: &str, convs: &[jetson::services::import::Imported]) {
        let mut tx = self.state.db.begin().await.unwrap();
        let p = jetson_store::products::get_or_create(
            &mut tx,
            self.org,
            &jetson_domain::ProductName::parse(product).unwrap(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        jetson::services::import::write(&self.state, self.org, p.id, convs, &mut |_, _| {}).await.unwrap();
        self.run_jobs().await;
    }

    pub async fn run_jobs(&self) {
        jetson::jobs::worker::drain(&self.state, |_| {}).await.unwrap();
        assert!(jetson_store::jobs::failed(&self.state.db).await.unwrap().is_empty(), "no job may fail");
    }

    /// A token for a new user with `role` and `scope` in this organisation. A scope wider than the
    /// role allows is what a person keeps after being demoted: the token is made while they may
    /// hold it, then their role is lowered.
    pub async fn token_for(&self, email: &str, role: Role, scope: &str) -> String {
        let scope = Scope::parse(scope).unwrap();
        let made_as = if scope > Scope::widest_for(role) { Role::Owner } else { role };
        let (user, _) = jetson::services::accounts::create_user(
            &self.state,
            self.org,
            &Email::parse(email).unwrap(),
            "Someone",
            made_as,
        )
        .await
        .unwrap();
        let token = jetson::services::accounts::create_token(&self.state, self.org, user, "t", scope, None, None)
            .await
            .unwrap()
            .1;
        crate::log_watch::never_log("an API token", &token);
        if made_as != role {
            let mut tx = self.state.db.begin().await.unwrap();
            jetson_store::users::add_membership(&mut tx, self.org, user, role).await.unwrap();
            tx.commit().await.unwrap();
        }
        token
    }
}

/// `n` customers, each at their own company, reporting the same CSV export failure: one work item
/// with `n` reports.
pub fn same_problem_from(n: usize) -> Vec<jetson::services::import::Imported> {
    (0..n)
        .map(|i| {
            conversation(
                &format!("c{i}"),
                &format!("person{i}@customer{i}.example"),
                "CSV export fails",
                "The CSV export fails with an error every time I click Export on the ledger page.",
            )
        })
        .collect()
}

/// A conversation with one customer message, for tests that need specific text.
pub fn conversation(id: &str, email: &str, subject: &str, body: &str) -> jetson::services::import::Imported {
    let at = chrono::Utc::now() - chrono::Duration::days(1);
    jetson::services::import::Imported {
        external_id: id.into(),
        subject: subject.into(),
        status: "active".into(),
        tags: Vec::new(),
        customer_email: Email::parse(email).unwrap(),
        customer_name: "Pat Example".into(),
        created_at: at,
        messages: vec![jetson::services::import::ImportedMessage {
            external_id: format!("{id}-1"),
            author: jetson_domain::Author::Customer,
            author_name: "Pat Example".into(),
            body: body.into(),
            created_at: at,
        }],
    }
}

/// The sign-in form's CSRF token, as a browser that loaded the form sends it: the cookie and the
/// same value in a header. For tests that post `/login` without loading the page first.
pub trait WithLoginCsrf {
    fn with_login_csrf(self) -> Self;
}

impl WithLoginCsrf for reqwest::RequestBuilder {
    fn with_login_csrf(self) -> Self {
        const TOKEN: &str = "a-test-sign-in-form-token-of-enough-length";
        self.header("cookie", format!("{}={TOKEN}", jetson::web::ui::login::FORM_COOKIE)).header("x-csrf-token", TOKEN)
    }
}
