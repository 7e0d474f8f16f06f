//! Dead-lettered messages: each message a worker gave up on after `max_deliver` is kept
//! in PostgreSQL's `failed_messages` (payload, error, deliveries) so it can be listed
//! (`whosaid failed`) and resubmitted once the cause is fixed (`whosaid failed --retry
//! ID`). Does not decide when a message has failed (the worker does).

use std::sync::Arc;

use async_nats::jetstream;
use serde::Serialize;
use whosaid_store::postgres::PgStore;

use crate::config::ScaleConfig;
use crate::error::{Result, ScaleError};

pub struct NewFailure {
    pub msg_id: Option<String>,
    pub subject: String,
    pub payload: Vec<u8>,
    pub error: String,
    pub deliveries: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedMessage {
    pub id: i64,
    pub msg_id: Option<String>,
    pub subject: String,
    pub error: String,
    pub deliveries: i64,
    pub failed_at: String,
    pub retried_at: Option<String>,
    /// The first 200 characters of the payload, for a look.
    pub preview: String,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Records a failure; returns its id.
pub fn record(store: &PgStore, f: &NewFailure) -> whosaid_store::Result<i64> {
    store.with_client(|c| {
        let row = c.query_one(
            "INSERT INTO failed_messages (msg_id, subject, payload, error, deliveries, failed_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &[
                &f.msg_id,
                &f.subject,
                &f.payload,
                &f.error,
                &f.deliveries,
                &now(),
            ],
        )?;
        Ok(row.get(0))
    })
}

/// Failed messages, oldest first; `include_retried` also lists those already resubmitted.
pub fn list(store: &PgStore, include_retried: bool) -> whosaid_store::Result<Vec<FailedMessage>> {
    store.with_client(|c| {
        let rows = c.query(
            "SELECT id, msg_id, subject, error, deliveries, failed_at, retried_at, payload
             FROM failed_messages WHERE $1 OR retried_at IS NULL ORDER BY id",
            &[&include_retried],
        )?;
        Ok(rows
            .iter()
            .map(|r| {
                let payload: Vec<u8> = r.get(7);
                let preview: String = String::from_utf8_lossy(&payload)
                    .chars()
                    .take(200)
                    .collect();
                FailedMessage {
                    id: r.get(0),
                    msg_id: r.get(1),
                    subject: r.get(2),
                    error: r.get(3),
                    deliveries: r.get(4),
                    failed_at: r.get(5),
                    retried_at: r.get(6),
                    preview,
                }
            })
            .collect())
    })
}

/// Resubmits a failed message to the work stream (with a fresh message id, so the
/// duplicate window does not drop it) and marks it retried.
pub async fn retry(cfg: &ScaleConfig, store: &Arc<PgStore>, id: i64) -> Result<()> {
    // The synchronous client must not run on the async runtime's threads.
    let s = store.clone();
    let payload: Option<Vec<u8>> = tokio::task::spawn_blocking(move || {
        s.with_client(|c| {
            Ok(
                c.query_opt("SELECT payload FROM failed_messages WHERE id = $1", &[&id])?
                    .map(|r| r.get(0)),
            )
        })
    })
    .await
    .map_err(|e| ScaleError::Config(format!("store task failed: {e}")))??;
    let Some(payload) = payload else {
        return Err(ScaleError::Config(format!(
            "no failed message with id {id}"
        )));
    };
    let client = crate::config::connect_nats(cfg).await?;
    let js = jetstream::new(client);
    crate::config::ensure_stream(&js, cfg).await?;
    let mut headers = async_nats::HeaderMap::new();
    headers.insert(
        async_nats::header::NATS_MESSAGE_ID,
        format!("retry-{id}-{}", chrono::Utc::now().timestamp_millis()).as_str(),
    );
    js.publish_with_headers(cfg.work_subject(), headers, payload.into())
        .await
        .map_err(|e| ScaleError::js("publish", e))?
        .await
        .map_err(|e| ScaleError::js("publish ack", e))?;
    let s = store.clone();
    tokio::task::spawn_blocking(move || {
        s.with_client(|c| {
            c.execute(
                "UPDATE failed_messages SET retried_at = $2 WHERE id = $1",
                &[&id, &now()],
            )
        })
    })
    .await
    .map_err(|e| ScaleError::Config(format!("store task failed: {e}")))??;
    Ok(())
}
