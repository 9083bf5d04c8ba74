//! Log output: human-readable lines by default, one JSON object per line with
//! `JETSON_LOG_FORMAT=json` (for Loki, Elasticsearch, journald's JSON, a cloud's log service).
//! A JSON line carries the fields of the span it was written in, so every line written while a
//! request runs has its `request_id` (see [`crate::web::observe`]).
//!
//! What is logged never includes a secret, a token or conversation text: errors are logged as
//! their messages, which name objects by id. The integration suite checks its own logs for that.

use anyhow::bail;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

impl Format {
    /// From `JETSON_LOG_FORMAT` (`text`, the default, or `json`).
    pub fn from_env() -> anyhow::Result<Format> {
        match std::env::var("JETSON_LOG_FORMAT").as_deref() {
            Err(_) | Ok("") | Ok("text") => Ok(Format::Text),
            Ok("json") => Ok(Format::Json),
            Ok(other) => bail!("JETSON_LOG_FORMAT=`{other}` is neither `text` nor `json`"),
        }
    }
}

/// `JETSON_LOG` if set (`info`, `jetson=debug,sqlx=warn`, …), else `default_level` for Jetson and
/// warnings only from sqlx, whose statements would otherwise fill the log.
pub fn filter(default_level: &str) -> EnvFilter {
    EnvFilter::try_from_env("JETSON_LOG").unwrap_or_else(|_| EnvFilter::new(format!("{default_level},sqlx=warn")))
}

/// The process's subscriber, writing to `writer`.
pub fn subscriber<W>(
    format: Format,
    filter: EnvFilter,
    writer: W,
    ansi: bool,
) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer);
    match format {
        Format::Text => Box::new(builder.with_ansi(ansi).finish()),
        Format::Json => Box::new(builder.json().with_current_span(true).with_span_list(false).finish()),
    }
}
