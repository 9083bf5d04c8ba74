//! Settings: defaults, then `JETSON_*` environment variables, then command-line flags.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Every variable Jetson reads. Anything else starting with `JETSON_` is probably a typo.
const KNOWN_VARS: &[&str] = &[
    "JETSON_DATABASE_URL",
    "JETSON_DATABASE_URL_FILE",
    "JETSON_DATA_DIR",
    "JETSON_HOST",
    "JETSON_PORT",
    "JETSON_WORKER",
    "JETSON_SECURE_COOKIES",
    "JETSON_LOG",
    "JETSON_TEST_POSTGRES_URL",
    "JETSON_REQUIRE_BROWSER",
    "JETSON_SECRET_KEY",
    "JETSON_SECRET_KEY_FILE",
    "JETSON_PUBLIC_URL",
    "JETSON_HELPSCOUT_API_URL",
    "JETSON_HELPSCOUT_AUTHORIZE_URL",
    "JETSON_HELPSCOUT_TOKEN_URL",
    "JETSON_HELPSCOUT_CLIENT_ID",
    "JETSON_HELPSCOUT_CLIENT_SECRET",
    "JETSON_HELPSCOUT_CLIENT_SECRET_FILE",
    "JETSON_EMBEDDINGS_DIR",
    "JETSON_GITHUB_API_URL",
    "JETSON_REQUIRE_EMBEDDINGS",
    "JETSON_RATE_LIMIT",
    "JETSON_MAX_CONNECTIONS",
    "JETSON_HEADER_TIMEOUT",
    "JETSON_SHUTDOWN_GRACE",
    "JETSON_METRICS_TOKEN",
    "JETSON_METRICS_TOKEN_FILE",
    "JETSON_LOG_FORMAT",
    "JETSON_BEHIND_PROXY",
    "JETSON_ALLOW_SIGNUP",
    "JETSON_ALERT_WEBHOOK",
    "JETSON_SMTP_URL",
    "JETSON_SMTP_URL_FILE",
    "JETSON_SMTP_FROM",
];

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub host: IpAddr,
    pub port: u16,
    /// Run a job worker inside the server process.
    pub run_worker: bool,
    /// Mark cookies `Secure` (on when served over HTTPS, behind a proxy).
    pub secure_cookies: bool,
    /// Seals secrets at rest. From `JETSON_SECRET_KEY(_FILE)`, else `secret.key` in the data
    /// directory (created there on first start when the database is SQLite in that directory).
    pub secret_key: Option<[u8; 32]>,
    /// The file the key was read from (`JETSON_SECRET_KEY_FILE` or the data directory's
    /// `secret.key`), which `jetson keys rotate` replaces; None when it came from the environment.
    pub key_file: Option<PathBuf>,
    /// Where people and providers reach this instance (OAuth redirects, webhook URLs); defaults
    /// to `http://HOST:PORT`.
    pub public_url: Option<String>,
    pub helpscout: jetson_connectors::helpscout::Endpoints,
    /// The operator's own Help Scout OAuth app, offered to every organisation (optional: each
    /// organisation may bring its own).
    pub helpscout_app: Option<jetson_connectors::helpscout::Credentials>,
    /// How patiently Help Scout calls are retried (tests shorten it).
    pub helpscout_retry: jetson_connectors::helpscout::Retry,
    /// The GitHub API (`JETSON_GITHUB_API_URL`; GitHub Enterprise, or a fake in tests).
    pub github_api: String,
    /// How patiently GitHub calls are retried, and how long one may take (tests shorten both).
    pub github_retry: jetson_connectors::github::Retry,
    pub github_timeout: std::time::Duration,
    /// The optional embedding tier: a directory with all-MiniLM-L6-v2 (`JETSON_EMBEDDINGS_DIR`).
    pub embeddings_dir: Option<PathBuf>,
    /// Requests a minute per API token or client address (`JETSON_RATE_LIMIT`; 0: no limit).
    pub rate_limit_per_minute: u32,
    /// Open connections served at once (`JETSON_MAX_CONNECTIONS`); more wait to be accepted.
    pub max_connections: usize,
    /// How long a client may take to send a request's headers, and how long a kept-alive
    /// connection may sit idle (`JETSON_HEADER_TIMEOUT`, in seconds).
    pub header_timeout: std::time::Duration,
    /// How long a stop (SIGTERM, Ctrl-C) waits for open requests and the job in hand before it
    /// cuts them off and returns the job to the queue (`JETSON_SHUTDOWN_GRACE`, in seconds).
    pub shutdown_grace: std::time::Duration,
    /// The bearer token `GET /metrics` asks for (`JETSON_METRICS_TOKEN(_FILE)`); without one the
    /// endpoint does not exist.
    pub metrics_token: Option<String>,
    /// Served through a reverse proxy that appends the client's address to `X-Forwarded-For`
    /// (`JETSON_BEHIND_PROXY`): throttling and rate limits then go by that address.
    pub behind_proxy: bool,
    /// Anyone who reaches the instance may create an organisation at `/signup`
    /// (`JETSON_ALLOW_SIGNUP`). Without it, only the first organisation is created there, on an
    /// instance that has none; the rest come from the command line or invitations.
    pub allow_signup: bool,
    /// Where security alerts are posted as JSON (`JETSON_ALERT_WEBHOOK`), besides the app.
    pub alert_webhook: Option<String>,
    /// The mail server for invitations, reset links and alerts (`JETSON_SMTP_URL(_FILE)` and
    /// `JETSON_SMTP_FROM`); without one, links are handed over by people.
    pub smtp: Option<crate::mail::SmtpSettings>,
}

impl Settings {
    /// Defaults for a data directory: a SQLite file inside it, localhost, port 8080.
    pub fn for_data_dir(data_dir: &Path) -> Settings {
        Settings {
            database_url: sqlite_url(&data_dir.join("jetson.db")),
            data_dir: data_dir.to_path_buf(),
            host: IpAddr::from([127, 0, 0, 1]),
            port: 8080,
            run_worker: true,
            secure_cookies: false,
            secret_key: None,
            key_file: None,
            public_url: None,
            helpscout: Default::default(),
            helpscout_app: None,
            helpscout_retry: Default::default(),
            github_api: jetson_connectors::github::DEFAULT_API.into(),
            github_retry: Default::default(),
            github_timeout: std::time::Duration::from_secs(30),
            embeddings_dir: None,
            rate_limit_per_minute: 600,
            max_connections: 1024,
            header_timeout: std::time::Duration::from_secs(15),
            shutdown_grace: std::time::Duration::from_secs(30),
            metrics_token: None,
            behind_proxy: false,
            allow_signup: false,
            alert_webhook: None,
            smtp: None,
        }
    }

    /// Defaults overridden by the environment; `data_dir` from a flag wins over `JETSON_DATA_DIR`.
    pub fn from_env(data_dir: Option<PathBuf>) -> anyhow::Result<Settings> {
        warn_unknown_vars();
        let dir = data_dir
            .or_else(|| std::env::var_os("JETSON_DATA_DIR").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("data"));
        let mut s = Settings::for_data_dir(&dir);
        if let Some(url) = secret("JETSON_DATABASE_URL")? {
            s.database_url = url;
        }
        if let Ok(host) = std::env::var("JETSON_HOST") {
            s.host = host.parse().with_context(|| format!("JETSON_HOST=`{host}` is not an IP address"))?;
        }
        if let Ok(port) = std::env::var("JETSON_PORT") {
            s.port = port.parse().with_context(|| format!("JETSON_PORT=`{port}` is not a port number"))?;
        }
        s.run_worker = flag("JETSON_WORKER", true)?;
        s.secure_cookies = flag("JETSON_SECURE_COOKIES", false)?;
        s.behind_proxy = flag("JETSON_BEHIND_PROXY", false)?;
        s.allow_signup = flag("JETSON_ALLOW_SIGNUP", false)?;
        if let Ok(url) = std::env::var("JETSON_ALERT_WEBHOOK") {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                bail!("JETSON_ALERT_WEBHOOK must be an http(s) URL, not `{url}`");
            }
            s.alert_webhook = Some(url);
        }
        s.smtp = match (secret("JETSON_SMTP_URL")?, std::env::var("JETSON_SMTP_FROM").ok()) {
            (Some(url), Some(from)) => Some(crate::mail::SmtpSettings::parse(&url, &from)?),
            (None, None) => None,
            (Some(_), None) => bail!("JETSON_SMTP_URL is set but JETSON_SMTP_FROM is not: say who the mail comes from"),
            (None, Some(_)) => {
                bail!("JETSON_SMTP_FROM is set but JETSON_SMTP_URL is not: say which server sends the mail")
            }
        };
        if let Some(key) = secret("JETSON_SECRET_KEY")? {
            s.secret_key = Some(crate::sealed::parse_key_hex(&key).context(
                "JETSON_SECRET_KEY must be 64 hex characters (32 bytes); make one with `openssl rand -hex 32`",
            )?);
            if std::env::var_os("JETSON_SECRET_KEY").is_none() {
                s.key_file = std::env::var_os("JETSON_SECRET_KEY_FILE").map(PathBuf::from);
            }
        }
        s.public_url = std::env::var("JETSON_PUBLIC_URL").ok().map(|u| u.trim_end_matches('/').to_string());
        if let Ok(api) = std::env::var("JETSON_HELPSCOUT_API_URL") {
            s.helpscout = jetson_connectors::helpscout::Endpoints::for_api(&api);
        }
        if let Ok(url) = std::env::var("JETSON_HELPSCOUT_AUTHORIZE_URL") {
            s.helpscout.authorize = url;
        }
        if let Ok(url) = std::env::var("JETSON_HELPSCOUT_TOKEN_URL") {
            s.helpscout.token = url;
        }
        if let (Ok(client_id), Some(client_secret)) =
            (std::env::var("JETSON_HELPSCOUT_CLIENT_ID"), secret("JETSON_HELPSCOUT_CLIENT_SECRET")?)
        {
            s.helpscout_app = Some(jetson_connectors::helpscout::Credentials { client_id, client_secret });
        }
        if let Ok(api) = std::env::var("JETSON_GITHUB_API_URL") {
            s.github_api = api.trim_end_matches('/').to_string();
        }
        s.embeddings_dir = std::env::var_os("JETSON_EMBEDDINGS_DIR").filter(|d| !d.is_empty()).map(PathBuf::from);
        if let Ok(limit) = std::env::var("JETSON_RATE_LIMIT") {
            s.rate_limit_per_minute = limit
                .parse()
                .with_context(|| format!("JETSON_RATE_LIMIT=`{limit}` is not a number of requests a minute"))?;
        }
        if let Ok(n) = std::env::var("JETSON_MAX_CONNECTIONS") {
            s.max_connections = n
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .with_context(|| format!("JETSON_MAX_CONNECTIONS=`{n}` is not a positive number of connections"))?;
        }
        if let Ok(secs) = std::env::var("JETSON_HEADER_TIMEOUT") {
            let secs: u64 = secs
                .parse()
                .ok()
                .filter(|s| *s > 0)
                .with_context(|| format!("JETSON_HEADER_TIMEOUT=`{secs}` is not a positive number of seconds"))?;
            s.header_timeout = std::time::Duration::from_secs(secs);
        }
        if let Ok(secs) = std::env::var("JETSON_SHUTDOWN_GRACE") {
            let secs: u64 =
                secs.parse().with_context(|| format!("JETSON_SHUTDOWN_GRACE=`{secs}` is not a number of seconds"))?;
            s.shutdown_grace = std::time::Duration::from_secs(secs);
        }
        s.metrics_token = secret("JETSON_METRICS_TOKEN")?;
        if s.metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
            bail!("JETSON_METRICS_TOKEN must be at least 16 characters; make one with `openssl rand -hex 16`");
        }
        Ok(s)
    }

    /// The configured key, else the data directory's `secret.key` if there is one (never made).
    pub fn existing_key(&self) -> anyhow::Result<Option<[u8; 32]>> {
        match self.secret_key {
            Some(key) => Ok(Some(key)),
            None => key_file(&self.data_dir.join("secret.key"), false),
        }
    }

    /// Marks the data directory as in use by a running server or worker, for as long as the
    /// returned file is held: any number of them share it, and [`Settings::lock_data_dir_alone`]
    /// is refused meanwhile. (Processes on other machines, sharing a PostgreSQL database, are not
    /// seen: stop them by hand.)
    pub fn lock_data_dir_shared(&self) -> anyhow::Result<std::fs::File> {
        self.lock_data_dir(false)
    }

    /// The data directory to this command alone (key rotation, restore): refused while a server
    /// or worker uses it.
    pub fn lock_data_dir_alone(&self) -> anyhow::Result<std::fs::File> {
        self.lock_data_dir(true)
    }

    fn lock_data_dir(&self, alone: bool) -> anyhow::Result<std::fs::File> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("cannot create data directory {}", self.data_dir.display()))?;
        let path = self.data_dir.join("jetson.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        let dir = self.data_dir.display();
        match (alone, if alone { file.try_lock() } else { file.try_lock_shared() }) {
            (_, Ok(())) => Ok(file),
            (true, Err(_)) => {
                bail!("Jetson is running on {dir} (a `serve`, `worker` or `demo`): stop it first, then run this again")
            }
            (false, Err(_)) => {
                bail!("{dir} is locked by `jetson keys rotate` or `jetson restore`: wait for it to finish")
            }
        }
    }

    /// Creates the data directory when the database lives in it, and finds the secret key: the
    /// configured one, else `secret.key` in the data directory, created there when the database is
    /// this directory's own SQLite file (a single-node instance). Elsewhere a missing key stays
    /// missing, and `serve` and `worker` refuse to start without it.
    pub fn prepare(&mut self) -> anyhow::Result<()> {
        let own_sqlite = self.database_url == sqlite_url(&self.data_dir.join("jetson.db"));
        if self.database_url.starts_with("sqlite:") {
            std::fs::create_dir_all(&self.data_dir)
                .with_context(|| format!("cannot create data directory {}", self.data_dir.display()))?;
        }
        // An empty file would be set up as a new database without a word: after a failed copy or
        // restore, that hides the loss until someone looks for their data.
        let database_file = sqlite_file(&self.database_url);
        let existing = database_file.as_deref().and_then(|f| std::fs::metadata(f).ok());
        if let (Some(file), Some(meta)) = (&database_file, &existing)
            && meta.len() == 0
        {
            bail!(
                "{} is empty (0 bytes): if you restored or copied a backup, the copy did not complete; restore it \
                 again. To start a new database, delete the empty file.",
                file.display()
            );
        }
        if self.secret_key.is_none() {
            let path = self.data_dir.join("secret.key");
            // A new key only for a new database: an existing one holds values sealed with its own.
            let may_create = own_sqlite && existing.is_none();
            self.secret_key = key_file(&path, may_create)?;
            if self.secret_key.is_none() && own_sqlite && existing.is_some() {
                bail!(
                    "{} exists but {} does not. The database's original messages and connection secrets open only \
                     with the key they were sealed with: restore secret.key from the backup you made with the \
                     database (or set JETSON_SECRET_KEY to it). Jetson will not make a new key for an existing \
                     database.",
                    self.data_dir.join("jetson.db").display(),
                    path.display()
                );
            }
            self.key_file = self.secret_key.map(|_| path);
        }
        Ok(())
    }

    /// For commands that run for good (`serve`, `worker`): no key, no start.
    pub fn require_secret_key(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.secret_key.is_some(),
            "no secret key: set JETSON_SECRET_KEY (or JETSON_SECRET_KEY_FILE) to 64 hex characters, the same for \
             every Jetson process sharing this database; make one with `openssl rand -hex 32`"
        );
        Ok(())
    }

    /// Where people and providers reach this instance, without a trailing slash.
    pub fn public_base(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| format!("http://{}:{}", self.host, self.port))
    }

    pub fn sealer(&self) -> Option<crate::sealed::Sealer> {
        self.secret_key.as_ref().map(crate::sealed::Sealer::new)
    }
}

/// The key in `path`, if there is one; created there when `may_create` (a single-node SQLite
/// instance). Several processes sharing a PostgreSQL database must share one key, so there it must
/// be given, not invented.
fn key_file(path: &Path, may_create: bool) -> anyhow::Result<Option<[u8; 32]>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(
            crate::sealed::parse_key_hex(&text)
                .with_context(|| format!("{} does not hold a 64-hex-character key", path.display()))?,
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && may_create => {
            let key = crate::sealed::generate_key_hex();
            write_private(path, &key).with_context(|| format!("cannot create {}", path.display()))?;
            tracing::info!(path = %path.display(), "created a new secret key; back it up with the database");
            Ok(crate::sealed::parse_key_hex(&key))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        // There but unreadable: say so, and never offer to make a new one, which would lose the data.
        Err(e) => bail!(
            "{} exists but cannot be read ({e}): give the user Jetson runs as read access to it (it should be \
             readable by that user only). Do not replace it: the database's sealed data opens only with this key.",
            path.display()
        ),
    }
}

/// The file of a `sqlite://` URL (its query string dropped); None for other databases.
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

pub(crate) fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

/// A secret from `NAME`, or from the file named by `NAME_FILE`.
fn secret(name: &str) -> anyhow::Result<Option<String>> {
    if let Ok(v) = std::env::var(name) {
        return Ok(Some(v));
    }
    match std::env::var(format!("{name}_FILE")) {
        Ok(path) => Ok(Some(
            std::fs::read_to_string(&path)
                .with_context(|| format!("{name}_FILE: cannot read {path}"))?
                .trim()
                .to_string(),
        )),
        Err(_) => Ok(None),
    }
}

pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

fn flag(name: &str, default: bool) -> anyhow::Result<bool> {
    match std::env::var(name) {
        Err(_) => Ok(default),
        Ok(v) => match v.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => bail!("{name}=`{v}`: expected true or false"),
        },
    }
}

fn warn_unknown_vars() {
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("JETSON_") && !KNOWN_VARS.contains(&name.as_ref()) {
            eprintln!("warning: unknown setting {name} is ignored (known: {})", KNOWN_VARS.join(", "));
        }
    }
}
