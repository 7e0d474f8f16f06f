//! Where the servers are and what the stream, consumer and schema are called, plus the
//! connection helpers that retry with backoff when a server is not there yet (a worker
//! started before NATS or PostgreSQL waits for them instead of crashing).

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer, stream};
use whosaid_store::postgres::{PgOptions, PgStore};

use crate::error::{Result, ScaleError};

/// The durable consumer every worker pulls from.
pub const CONSUMER: &str = "workers";
/// Default stream name (`--stream`).
pub const DEFAULT_STREAM: &str = "whosaid";
/// How long a redelivery of the same message id is dropped by the server.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(10 * 60);
/// How long a worker may hold a message without acknowledging (it sends `+WIP` progress
/// acks while a batch is still being worked on).
pub const ACK_WAIT: Duration = Duration::from_secs(30);
/// Deliveries before a message is dead-lettered.
pub const DEFAULT_MAX_DELIVER: i64 = 5;

#[derive(Debug, Clone)]
pub struct ScaleConfig {
    pub nats_url: String,
    pub pg_url: String,
    /// Stream name; subjects are `<stream>.articles` and `<stream>.dead`.
    pub stream: String,
    /// PostgreSQL schema.
    pub schema: String,
    pub max_deliver: i64,
    /// How long to keep retrying an unreachable server at start before giving up
    /// (`None`: forever, for long-running workers).
    pub connect_patience: Option<Duration>,
}

impl ScaleConfig {
    pub fn new(nats_url: impl Into<String>, pg_url: impl Into<String>) -> Self {
        ScaleConfig {
            nats_url: nats_url.into(),
            pg_url: pg_url.into(),
            stream: DEFAULT_STREAM.into(),
            schema: whosaid_store::postgres::DEFAULT_SCHEMA.into(),
            max_deliver: DEFAULT_MAX_DELIVER,
            connect_patience: Some(Duration::from_secs(30)),
        }
    }

    pub fn work_subject(&self) -> String {
        format!("{}.articles", self.stream)
    }

    pub fn dead_subject(&self) -> String {
        format!("{}.dead", self.stream)
    }

    /// Checks names before they reach a server.
    pub fn validate(&self) -> Result<()> {
        let ok = |s: &str| {
            !s.is_empty()
                && s.len() <= 63
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        if !ok(&self.stream) {
            return Err(ScaleError::Config(format!(
                "invalid stream name {:?}: use letters, digits, '-' and '_'",
                self.stream
            )));
        }
        if !whosaid_store::postgres::valid_schema(&self.schema) {
            return Err(ScaleError::Config(format!(
                "invalid schema name {:?}: use letters, digits and '_', not starting with a digit",
                self.schema
            )));
        }
        Ok(())
    }
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis((250u64 << attempt.min(5)).min(5_000))
}

/// Connects to NATS, retrying with backoff (and saying so) while it is unreachable.
pub async fn connect_nats(cfg: &ScaleConfig) -> Result<async_nats::Client> {
    let start = Instant::now();
    let mut attempt = 0;
    loop {
        let opts = async_nats::ConnectOptions::new()
            .name("whosaid")
            .connection_timeout(Duration::from_secs(3));
        match async_nats::connect_with_options(cfg.nats_url.as_str(), opts).await {
            Ok(c) => return Ok(c),
            Err(e) => {
                if cfg.connect_patience.is_some_and(|p| start.elapsed() >= p) {
                    return Err(ScaleError::NatsUnreachable {
                        url: cfg.nats_url.clone(),
                        waited: start.elapsed(),
                        detail: e.to_string(),
                    });
                }
                let wait = backoff(attempt);
                tracing::warn!(url = %cfg.nats_url, error = %e, retry_in = ?wait, "cannot reach NATS; retrying");
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
        }
    }
}

/// Opens the PostgreSQL store (migrating it), retrying with backoff while unreachable.
pub async fn open_store(cfg: &ScaleConfig) -> Result<Arc<PgStore>> {
    let start = Instant::now();
    let mut attempt = 0;
    loop {
        let opts = PgOptions::new(cfg.pg_url.clone(), cfg.schema.clone());
        match tokio::task::spawn_blocking(move || PgStore::open(&opts)).await {
            Ok(Ok(s)) => return Ok(Arc::new(s)),
            Ok(Err(e)) => {
                let transient = whosaid_store::postgres::is_transient(&e);
                if !transient || cfg.connect_patience.is_some_and(|p| start.elapsed() >= p) {
                    return Err(e.into());
                }
                let wait = backoff(attempt);
                tracing::warn!(error = %e, retry_in = ?wait, "cannot reach PostgreSQL; retrying");
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            Err(e) => return Err(ScaleError::Config(format!("store task failed: {e}"))),
        }
    }
}

/// The work stream: work-queue retention (a message is gone once acknowledged), file
/// storage, a duplicate window for `Nats-Msg-Id`.
pub fn stream_config(cfg: &ScaleConfig) -> stream::Config {
    stream::Config {
        name: cfg.stream.clone(),
        subjects: vec![cfg.work_subject()],
        retention: stream::RetentionPolicy::WorkQueue,
        storage: stream::StorageType::File,
        duplicate_window: DUPLICATE_WINDOW,
        ..Default::default()
    }
}

pub fn consumer_config(cfg: &ScaleConfig) -> consumer::pull::Config {
    consumer::pull::Config {
        durable_name: Some(CONSUMER.into()),
        ack_policy: consumer::AckPolicy::Explicit,
        ack_wait: ACK_WAIT,
        max_deliver: cfg.max_deliver,
        max_ack_pending: 10_000,
        ..Default::default()
    }
}

/// The stream, created if missing.
pub async fn ensure_stream(
    js: &jetstream::Context,
    cfg: &ScaleConfig,
) -> Result<jetstream::stream::Stream> {
    js.get_or_create_stream(stream_config(cfg))
        .await
        .map_err(|e| ScaleError::js(format!("create stream {}", cfg.stream), e))
}

/// The shared durable pull consumer, created if missing.
pub async fn ensure_consumer(
    js: &jetstream::Context,
    cfg: &ScaleConfig,
) -> Result<jetstream::consumer::Consumer<consumer::pull::Config>> {
    let stream = ensure_stream(js, cfg).await?;
    stream
        .get_or_create_consumer(CONSUMER, consumer_config(cfg))
        .await
        .map_err(|e| ScaleError::js(format!("create consumer {CONSUMER}"), e))
}
