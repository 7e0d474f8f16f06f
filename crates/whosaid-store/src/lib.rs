//! whosaid-store: where extractions go (SQLite by default), with search and
//! cross-article grouping. Knows nothing of where articles come from.
//!
//! The [`Store`] trait is everything the command line and an HTTP server need; a backend
//! implements it ([`SqliteStore`] today, PostgreSQL later) and is checked by the same
//! tests. Cross-article work happens incrementally inside each upsert's transaction:
//! syndication groups ([`syndication`]), repeated quotes ([`quotes`]) and corpus speakers
//! ([`speakers`]). Exporters ([`export`]) work on any `Store`.

pub mod api;
pub mod error;
pub mod export;
mod memindex;
pub mod migrate;
pub mod normalize;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod prepare;
pub mod query;
pub mod quotes;
pub mod speakers;
pub mod sqlite;
pub mod syndication;

pub use api::*;
pub use error::{Result, StoreError};
pub use prepare::{prepare, PreparedArticle};
pub use sqlite::{OpenOptions, SqliteStore};
