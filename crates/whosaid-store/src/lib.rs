//! whosaid-store: where extractions go (SQLite by default), with search and
//! cross-article grouping. Knows nothing of where articles come from.
