//! `whosaid submit`: reads sources with `whosaid-ingest` (files, folders, feeds, WARC,
//! JSONL, URLs) on a blocking thread and publishes one message per article to the work
//! stream, with `Nats-Msg-Id` set from the article's identity (see `message`). Publishes
//! are pipelined (up to [`IN_FLIGHT`] awaiting the server's ack) and every ack is
//! checked, so a returned report means every article is in the stream (or was a
//! duplicate the server dropped). Does not extract or store anything.

use std::collections::VecDeque;

use async_nats::jetstream::{self, context::PublishAckFuture};
use whosaid_core::Article;
use whosaid_ingest::{IngestOptions, Origin};

use crate::config::{self, ScaleConfig};
use crate::error::{Result, ScaleError};
use crate::message::{self, WorkMessage, INLINE_LIMIT, MAX_PAYLOAD};

/// Publishes awaiting their ack at once.
pub const IN_FLIGHT: usize = 512;

#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SubmitReport {
    /// Messages the stream accepted.
    pub published: usize,
    /// Messages the server dropped as duplicates (same id inside the window).
    pub duplicates: usize,
    /// Of the published, how many went by reference (file path) instead of inline.
    pub by_reference: usize,
    /// Inputs that could not be read or sent (one line each).
    pub errors: Vec<String>,
}

/// Builds the message for one article.
pub fn message_for(article: Article, origin: &Origin) -> Result<(String, Vec<u8>, bool)> {
    let id = message::message_id(&article);
    let inline = WorkMessage::Inline {
        article,
        origin: origin.to_string(),
    };
    let bytes = inline.encode()?;
    if bytes.len() <= INLINE_LIMIT {
        return Ok((id, bytes, false));
    }
    if let Origin::File { path } = origin {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        let m = WorkMessage::File {
            path: path.to_string_lossy().into_owned(),
            origin: origin.to_string(),
        };
        return Ok((id, m.encode()?, true));
    }
    if bytes.len() + 4096 > MAX_PAYLOAD {
        return Err(ScaleError::Message {
            what: format!("for {origin}"),
            detail: format!(
                "article is {} bytes, over the {} byte message limit, and has no file to send by reference",
                bytes.len(),
                MAX_PAYLOAD
            ),
        });
    }
    Ok((id, bytes, false))
}

/// A publisher with pipelined, checked acks.
pub struct Publisher {
    js: jetstream::Context,
    subject: String,
    pending: VecDeque<PublishAckFuture>,
    pub report: SubmitReport,
}

impl Publisher {
    pub fn new(js: jetstream::Context, cfg: &ScaleConfig) -> Self {
        Publisher {
            js,
            subject: cfg.work_subject(),
            pending: VecDeque::new(),
            report: SubmitReport::default(),
        }
    }

    pub async fn publish(&mut self, id: &str, payload: Vec<u8>) -> Result<()> {
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(async_nats::header::NATS_MESSAGE_ID, id);
        let fut = self
            .js
            .publish_with_headers(self.subject.clone(), headers, payload.into())
            .await
            .map_err(|e| ScaleError::js("publish", e))?;
        self.pending.push_back(fut);
        while self.pending.len() >= IN_FLIGHT {
            self.settle_one().await?;
        }
        Ok(())
    }

    async fn settle_one(&mut self) -> Result<()> {
        if let Some(f) = self.pending.pop_front() {
            let ack = f.await.map_err(|e| ScaleError::js("publish ack", e))?;
            if ack.duplicate {
                self.report.duplicates += 1;
            } else {
                self.report.published += 1;
            }
        }
        Ok(())
    }

    /// Waits for every outstanding ack.
    pub async fn finish(mut self) -> Result<SubmitReport> {
        while !self.pending.is_empty() {
            self.settle_one().await?;
        }
        Ok(self.report)
    }
}

enum Item {
    Message(String, Vec<u8>, bool),
    Error(String),
}

/// Reads `sources` and publishes their articles.
pub async fn submit(
    cfg: &ScaleConfig,
    sources: &[String],
    opts: IngestOptions,
) -> Result<SubmitReport> {
    cfg.validate()?;
    let client = config::connect_nats(cfg).await?;
    let js = jetstream::new(client);
    config::ensure_stream(&js, cfg).await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Item>(1024);
    let sources = sources.to_vec();
    let reader = tokio::task::spawn_blocking(move || {
        for spec in sources {
            let src = match whosaid_ingest::open(&spec, &opts) {
                Ok(s) => s,
                Err(e) => {
                    let _ = tx.blocking_send(Item::Error(format!("{spec}: {e}")));
                    continue;
                }
            };
            for item in src {
                let msg = match item {
                    Ok(ing) => match message_for(ing.article, &ing.origin) {
                        Ok((id, bytes, by_ref)) => Item::Message(id, bytes, by_ref),
                        Err(e) => Item::Error(e.to_string()),
                    },
                    Err(e) => Item::Error(e.to_string()),
                };
                if tx.blocking_send(msg).is_err() {
                    return;
                }
            }
        }
    });
    let mut publisher = Publisher::new(js, cfg);
    let mut by_reference = 0;
    let mut errors = Vec::new();
    while let Some(item) = rx.recv().await {
        match item {
            Item::Message(id, bytes, by_ref) => {
                by_reference += usize::from(by_ref);
                publisher.publish(&id, bytes).await?;
            }
            Item::Error(e) => {
                tracing::warn!(error = %e, "skipped input");
                errors.push(e);
            }
        }
    }
    reader
        .await
        .map_err(|e| ScaleError::Config(format!("reader thread failed: {e}")))?;
    let mut report = publisher.finish().await?;
    report.by_reference = by_reference;
    report.errors = errors;
    Ok(report)
}
