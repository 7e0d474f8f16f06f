//! whosaid-server: the JSON HTTP API and the embedded web UI, over the store.
