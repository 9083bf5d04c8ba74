//! Settings: defaults, then `JETSON_*` environment variables, then command-line flags.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Every variable Jetson reads. Anything else starting with `JETSON_` is probably a typo.
const KNOWN_VARS: &[&str] = &[
    "JETSON_DATABASE_URL",
    "JETSON_DATA_DIR",
    "JETSON_HOST",
    "JETSON_PORT",
    "JETSON_WORKER",
    "JETSON_SECURE_COOKIES",
    "JETSON_LOG",
    "JETSON_TEST_POSTGRES_URL",
    "JETSON_REQUIRE_BROWSER",
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
        }
    }

    /// Defaults overridden by the environment; `data_dir` from a flag wins over `JETSON_DATA_DIR`.
    pub fn from_env(data_dir: Option<PathBuf>) -> anyhow::Result<Settings> {
        warn_unknown_vars();
        let dir = data_dir
            .or_else(|| std::env::var_os("JETSON_DATA_DIR").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("data"));
        let mut s = Settings::for_data_dir(&dir);
        if let Ok(url) = std::env::var("JETSON_DATABASE_URL") {
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
        Ok(s)
    }

    /// Creates the data directory when the database lives in it.
    pub fn prepare_data_dir(&self) -> anyhow::Result<()> {
        if self.database_url.starts_with("sqlite:") {
            std::fs::create_dir_all(&self.data_dir)
                .with_context(|| format!("cannot create data directory {}", self.data_dir.display()))?;
        }
        Ok(())
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
