//! The one error type of this crate. Every variant's message names the input it is about
//! (a path, a URL, with the line, record or byte offset where that applies) and what is
//! wrong with it, so a command-line user can act on it without a backtrace. It does not
//! carry warnings: those travel with the successfully ingested item (`Ingested::warnings`).

use std::path::PathBuf;

/// Everything that can go wrong while turning a source into articles.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{}: cannot read: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not found", .path.display())]
    NotFound { path: PathBuf },
    #[error("{}: invalid UTF-8 at byte offset {offset} (set the lossy option to decode it anyway)", .path.display())]
    InvalidUtf8 { path: PathBuf, offset: usize },
    #[error("{input}: looks like a binary file ({reason}), not text")]
    Binary { input: String, reason: String },
    #[error("{input}: empty")]
    Empty { input: String },
    #[error("{input}: {size} bytes exceeds the size limit of {limit} bytes")]
    TooLarge {
        input: String,
        size: u64,
        limit: u64,
    },
    #[error("{input}: no article text found in the HTML")]
    NoContent { input: String },
    #[error("{input}: malformed feed: {reason}")]
    Feed { input: String, reason: String },
    #[error("{}: record {record}: {reason}", .path.display())]
    Warc {
        path: PathBuf,
        record: u64,
        reason: String,
    },
    #[error("{}: line {line}: {reason}", .path.display())]
    Jsonl {
        path: PathBuf,
        line: u64,
        reason: String,
    },
    #[error("{url}: HTTP status {status}{}", if *.attempts > 1 { format!(" after {} attempts", .attempts) } else { String::new() })]
    HttpStatus {
        url: String,
        status: u16,
        attempts: u32,
    },
    #[error("{url}: request failed after {attempts} attempt(s): {reason}")]
    Fetch {
        url: String,
        attempts: u32,
        reason: String,
    },
    #[error("{url}: redirect loop (back to {target})")]
    RedirectLoop { url: String, target: String },
    #[error("{url}: more than {limit} redirects")]
    TooManyRedirects { url: String, limit: u32 },
    #[error("{url}: redirect without a usable Location header")]
    BadRedirect { url: String },
    #[error("{url}: unsupported content type {content_type:?} (expected HTML, XML or a feed)")]
    ContentType { url: String, content_type: String },
    #[error("{url}: response body exceeds the limit of {limit} bytes (after decompression)")]
    BodyTooLarge { url: String, limit: u64 },
    #[error("{input}: unsupported source: {reason}")]
    Unsupported { input: String, reason: String },
}

impl IngestError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        let path = path.into();
        if source.kind() == std::io::ErrorKind::NotFound {
            IngestError::NotFound { path }
        } else {
            IngestError::Io { path, source }
        }
    }
}
