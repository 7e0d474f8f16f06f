//! `whosaid status`: the stream's depth, the shared consumer's backlog and redeliveries,
//! the store's counts and the open dead letters, in one report.

use async_nats::jetstream;
use serde::Serialize;
use whosaid_store::Store;

use crate::config::{self, ScaleConfig, CONSUMER};
use crate::error::{Result, ScaleError};

#[derive(Debug, Clone, Default, Serialize)]
pub struct StatusReport {
    pub stream: String,
    /// Messages in the stream (not yet acknowledged).
    pub stream_messages: u64,
    pub stream_bytes: u64,
    pub consumers: usize,
    /// Messages not yet delivered to any worker.
    pub pending: u64,
    /// Delivered, awaiting a worker's ack.
    pub ack_pending: usize,
    pub redelivered: usize,
    /// Pull requests waiting (≈ idle workers).
    pub waiting: usize,
    pub store: Option<whosaid_store::Stats>,
    pub failed_open: Option<usize>,
}

pub async fn status(cfg: &ScaleConfig, with_store: bool) -> Result<StatusReport> {
    cfg.validate()?;
    let client = config::connect_nats(cfg).await?;
    let js = jetstream::new(client);
    let mut stream = config::ensure_stream(&js, cfg).await?;
    let info = stream
        .info()
        .await
        .map_err(|e| ScaleError::js("stream info", e))?;
    let mut report = StatusReport {
        stream: cfg.stream.clone(),
        stream_messages: info.state.messages,
        stream_bytes: info.state.bytes,
        consumers: info.state.consumer_count,
        ..Default::default()
    };
    if let Ok(mut c) = stream
        .get_consumer::<jetstream::consumer::pull::Config>(CONSUMER)
        .await
    {
        if let Ok(ci) = c.info().await {
            report.pending = ci.num_pending;
            report.ack_pending = ci.num_ack_pending;
            report.redelivered = ci.num_redelivered;
            report.waiting = ci.num_waiting;
        }
    }
    if with_store {
        let store = config::open_store(cfg).await?;
        let s = store.clone();
        let (stats, failed) = tokio::task::spawn_blocking(move || {
            let stats = s.stats()?;
            let failed = crate::failed::list(&s, false)?.len();
            Ok::<_, whosaid_store::StoreError>((stats, failed))
        })
        .await
        .map_err(|e| ScaleError::Config(format!("store task failed: {e}")))??;
        report.store = Some(stats);
        report.failed_open = Some(failed);
    }
    Ok(report)
}
