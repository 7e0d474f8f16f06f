//! whosaid-ingest: where articles come from (plain text, HTML, RSS/Atom, WARC, JSONL,
//! HTTP). Produces `whosaid_core::Article`s; knows nothing of storage.
