//! What every request handler and job shares.

use std::sync::Arc;

use jetson_analysis::Analyzer;
use jetson_store::Db;

use crate::config::Settings;
use crate::embeddings::Embeddings;
use crate::mail::Mailer;
use crate::matchers::MatcherCache;
use crate::models::ModelCache;
use crate::rate_limit::RateLimiter;
use crate::sealed::Sealer;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub analyzer: Arc<Analyzer>,
    pub matchers: Arc<MatcherCache>,
    /// Each product's own trained model, when it has one.
    pub models: Arc<ModelCache>,
    pub settings: Arc<Settings>,
    /// None when no secret key is configured: then nothing can be sealed or opened, and the
    /// features that need it say so.
    sealer: Option<Sealer>,
    /// The one HTTP client for outside services (connection pooling across jobs).
    pub http: reqwest::Client,
    /// The optional embedding tier, when configured (`JETSON_EMBEDDINGS_DIR`).
    pub embeddings: Option<Arc<Embeddings>>,
    /// Requests per minute per API token or client address, in this process.
    pub rate_limiter: Arc<RateLimiter>,
    /// Sends mail when an SMTP server is configured.
    pub mailer: Option<Mailer>,
}

impl AppState {
    /// Seals and opens secrets at rest, or explains that no key is configured.
    pub fn sealer(&self) -> anyhow::Result<&Sealer> {
        self.sealer.as_ref().ok_or_else(|| {
            anyhow::anyhow!(
                "no secret key is configured (JETSON_SECRET_KEY or JETSON_SECRET_KEY_FILE), so message bodies and \
                 secrets cannot be stored encrypted or read back"
            )
        })
    }

    /// Fails when an embedding tier is configured but cannot be loaded: a self-hoster who asked
    /// for it must not get the lexical tier alone without knowing.
    pub fn new(db: Db, settings: Settings) -> anyhow::Result<AppState> {
        let embeddings = match &settings.embeddings_dir {
            Some(dir) => Some(Arc::new(Embeddings::load(dir).map_err(|e| {
                e.context(format!("JETSON_EMBEDDINGS_DIR={}: the embedding tier cannot be loaded", dir.display()))
            })?)),
            None => None,
        };
        let mailer = settings.smtp.as_ref().map(Mailer::new).transpose()?;
        if let Some(smtp) = &settings.smtp {
            tracing::info!(server = %smtp.server(), "invitations, reset links and alerts are emailed");
        }
        Ok(AppState {
            db,
            mailer,
            analyzer: Arc::new(builtin_analyzer()),
            matchers: Arc::new(MatcherCache::default()),
            models: Arc::new(ModelCache::default()),
            sealer: settings.sealer(),
            http: jetson_connectors::http::client(std::time::Duration::from_secs(30)),
            rate_limiter: Arc::new(RateLimiter::new(settings.rate_limit_per_minute)),
            settings: Arc::new(settings),
            embeddings,
        })
    }
}

/// Loading the built-in model takes a moment; do it once per process.
fn builtin_analyzer() -> Analyzer {
    static MODEL: std::sync::OnceLock<Analyzer> = std::sync::OnceLock::new();
    MODEL.get_or_init(Analyzer::builtin).clone()
}
