//! What travels on the stream: one message per article, JSON. Small articles go inline;
//! an article whose JSON exceeds [`INLINE_LIMIT`] and that came from a file of its own
//! goes by reference (the worker reads the file), so large bodies never fill the stream.
//! The message id (`Nats-Msg-Id`) is derived from the article's identity — its
//! canonical URL, else its text hash, as the store keys it — plus its text hash, so an
//! identical resubmission inside the duplicate window is dropped by the server while a
//! changed article (same URL, new text) still goes through.

use serde::{Deserialize, Serialize};
use whosaid_core::Article;
use whosaid_store::normalize;

use crate::error::{Result, ScaleError};

/// Largest article sent inline (bytes of JSON). Above it, a file-backed article goes by
/// reference; others go inline up to NATS's max payload (1 MiB by default) and are
/// refused beyond it.
pub const INLINE_LIMIT: usize = 256 * 1024;
/// Largest message accepted at all (NATS's default max_payload).
pub const MAX_PAYLOAD: usize = 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "body", rename_all = "lowercase")]
pub enum WorkMessage {
    /// The article itself.
    Inline { article: Article, origin: String },
    /// A file holding one article (text or HTML), read by the worker.
    File { path: String, origin: String },
}

impl WorkMessage {
    pub fn origin(&self) -> &str {
        match self {
            WorkMessage::Inline { origin, .. } | WorkMessage::File { origin, .. } => origin,
        }
    }

    pub fn encode(&self) -> Result<Vec<u8>> {
        serde_json::to_vec(self).map_err(|e| ScaleError::Message {
            what: "encode".into(),
            detail: e.to_string(),
        })
    }

    pub fn decode(bytes: &[u8]) -> Result<Self> {
        serde_json::from_slice(bytes).map_err(|e| ScaleError::Message {
            what: "decode".into(),
            detail: e.to_string(),
        })
    }

    /// The article, reading it from its file when sent by reference.
    pub fn into_article(self) -> Result<Article> {
        match self {
            WorkMessage::Inline { article, .. } => Ok(article),
            WorkMessage::File { path, .. } => {
                let opts = whosaid_ingest::IngestOptions::default();
                let mut src =
                    whosaid_ingest::open(&path, &opts).map_err(|e| ScaleError::Source {
                        source_spec: path.clone(),
                        detail: e.to_string(),
                    })?;
                match src.next() {
                    Some(Ok(ing)) => Ok(ing.article),
                    Some(Err(e)) => Err(ScaleError::Source {
                        source_spec: path,
                        detail: e.to_string(),
                    }),
                    None => Err(ScaleError::Source {
                        source_spec: path,
                        detail: "no article in file".into(),
                    }),
                }
            }
        }
    }
}

/// The store's identity key for an article ('url:' + canonical URL, else 'text:' + hash).
pub fn identity(article: &Article) -> (String, String) {
    let hash = normalize::text_hash(&article.text);
    let key = match article.url.as_deref().and_then(normalize::canonical_url) {
        Some(u) => format!("url:{u}"),
        None => format!("text:{hash}"),
    };
    (key, hash)
}

/// The `Nats-Msg-Id` for an article: hash of its identity key, and its text hash.
pub fn message_id(article: &Article) -> String {
    let (key, hash) = identity(article);
    let k = blake3::hash(key.as_bytes()).to_hex();
    format!("{}-{}", &k[..32], &hash[..hash.len().min(16)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_identity() {
        let a = Article {
            url: Some("https://www.example.com/a?utm_source=x".into()),
            ..Article::new("1", "Text one.")
        };
        let b = Article {
            url: Some("https://example.com/a".into()),
            ..Article::new("2", "Text one.")
        };
        let c = Article {
            url: Some("https://example.com/a".into()),
            ..Article::new("2", "Text two.")
        };
        assert_eq!(message_id(&a), message_id(&b));
        assert_ne!(message_id(&a), message_id(&c));
        let m = WorkMessage::Inline {
            article: a,
            origin: "x".into(),
        };
        assert_eq!(WorkMessage::decode(&m.encode().unwrap()).unwrap(), m);
        assert!(WorkMessage::decode(b"not json").is_err());
    }
}
