//! Knobs shared by every source: size limits, lossy decoding, and how HTTP is fetched.
//! Defaults are chosen for news pages; the README lists them. Holds no state.

use std::collections::HashMap;

use crate::fetch::{FetchOptions, Validators};

/// Default cap on one input file (50 MB): news articles are kilobytes, so anything near
/// this is a mistake (a disk image, a database dump) that we refuse rather than load.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;

/// Options for [`crate::source::open`] and the per-format readers.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Largest input file accepted, in bytes (WARC and JSONL are streamed, so for them
    /// this caps one record or one line instead).
    pub max_file_bytes: u64,
    /// Decode invalid UTF-8 in text files with U+FFFD replacements (and report a warning)
    /// instead of failing.
    pub lossy: bool,
    /// For feed entries that carry only a summary: fetch the linked page and extract it.
    pub fetch_entry_pages: bool,
    /// Shortest extracted body (in characters) for a fetched page to replace a summary.
    pub min_article_chars: usize,
    /// How HTTP(S) is fetched.
    pub fetch: FetchOptions,
    /// Validators (ETag / Last-Modified) from an earlier run, keyed by URL, so a re-run
    /// asks the server "changed since?" and a 304 yields no articles.
    pub validators: HashMap<String, Validators>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            lossy: false,
            fetch_entry_pages: true,
            min_article_chars: 200,
            fetch: FetchOptions::default(),
            validators: HashMap::new(),
        }
    }
}
