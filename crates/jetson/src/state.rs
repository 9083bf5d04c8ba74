//! What every request handler and job shares.

use std::sync::Arc;

use jetson_analysis::Analyzer;
use jetson_store::Db;

use crate::config::Settings;
use crate::matchers::MatcherCache;
use crate::sealed::Sealer;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub analyzer: Arc<Analyzer>,
    pub matchers: Arc<MatcherCache>,
    pub settings: Arc<Settings>,
    pub sealer: Sealer,
    /// The one HTTP client for outside services (connection pooling across jobs).
    pub http: reqwest::Client,
}

impl AppState {
    pub fn new(db: Db, settings: Settings) -> AppState {
        AppState {
            db,
            analyzer: Arc::new(builtin_analyzer()),
            matchers: Arc::new(MatcherCache::default()),
            sealer: settings.sealer(),
            http: jetson_connectors::http::client(std::time::Duration::from_secs(30)),
            settings: Arc::new(settings),
        }
    }
}

/// Training the built-in model takes a moment; do it once per process.
fn builtin_analyzer() -> Analyzer {
    static MODEL: std::sync::OnceLock<jetson_analysis::Classifier> = std::sync::OnceLock::new();
    let classifier = MODEL.get_or_init(|| Analyzer::builtin().classifier).clone();
    Analyzer { classifier, priorities: Default::default() }
}
