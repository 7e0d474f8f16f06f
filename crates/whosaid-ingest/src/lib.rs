//! whosaid-ingest: where articles come from — plain text, HTML main text, RSS/Atom feeds,
//! WARC archives, JSONL, and polite HTTP fetching. Produces `whosaid_core::Article`s, each
//! with its [`Origin`]; knows nothing of storage or extraction.
//!
//! Start at [`source::open`], which classifies a SOURCE argument (folder, file, URL).
//! Each format's module can also be used on its own.

pub mod date;
pub mod error;
pub mod feed;
pub mod fetch;
pub mod html;
pub mod jsonl;
pub mod options;
pub mod origin;
pub mod source;
pub mod text;
pub mod warc;

pub use error::IngestError;
pub use fetch::{FetchOptions, FetchOutcome, Fetcher, Validators};
pub use options::IngestOptions;
pub use origin::{Ingested, Origin};
pub use source::{open, Source, SourceKind};
