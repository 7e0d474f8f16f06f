//! The errors of the scale-out commands, each saying which server or input is at fault.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ScaleError {
    #[error("cannot reach NATS at {url} (gave up after {waited:?}): {detail}")]
    NatsUnreachable {
        url: String,
        waited: Duration,
        detail: String,
    },
    #[error("NATS JetStream ({what}): {detail}")]
    JetStream { what: String, detail: String },
    #[error("PostgreSQL: {0}")]
    Store(#[from] whosaid_store::StoreError),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] postgres::Error),
    #[error("cannot read {source_spec}: {detail}")]
    Source { source_spec: String, detail: String },
    #[error("message {what}: {detail}")]
    Message { what: String, detail: String },
    #[error("{0}")]
    Config(String),
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}

impl ScaleError {
    pub fn js(what: impl Into<String>, e: impl std::fmt::Display) -> Self {
        ScaleError::JetStream {
            what: what.into(),
            detail: e.to_string(),
        }
    }
}

pub type Result<T, E = ScaleError> = std::result::Result<T, E>;
