//! The store's errors. Each names the database it concerns and says what is wrong in
//! words a user can act on. Does not decide what to do about them (the caller does).

use std::path::PathBuf;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path} is locked by another process (waited {waited_ms} ms); try again when it finishes")]
    Locked { path: PathBuf, waited_ms: u64 },
    #[error("database {path} is read-only: cannot write to it ({detail})")]
    ReadOnly { path: PathBuf, detail: String },
    #[error(
        "{path} is not a whosaid database (not an SQLite file, or encrypted); nothing was changed"
    )]
    NotADatabase { path: PathBuf },
    #[error("database {path} is corrupt ({detail}); nothing was changed — restore it from a backup or run `sqlite3 {path} .recover`")]
    Corrupt { path: PathBuf, detail: String },
    #[error("database {path} has schema version {found}, newer than this whosaid knows ({known}); upgrade whosaid")]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("database {path} has schema version {found} but was opened read-only; open it once read-write to upgrade it to {known}")]
    NeedsUpgrade {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("cannot open database {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database {path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("invalid search query {query:?}: {reason}")]
    InvalidQuery { query: String, reason: String },
    #[error("invalid cursor {cursor:?}: it must come from a previous page of the same search")]
    InvalidCursor { cursor: String },
    #[error("invalid date {value:?} for {field}: expected YYYY-MM-DD")]
    InvalidDate { field: &'static str, value: String },
    #[error("cannot write export to {target}: {detail}")]
    Export { target: String, detail: String },
}

impl StoreError {
    /// Classifies an SQLite error on the database at `path`.
    pub fn from_sqlite(path: &std::path::Path, source: rusqlite::Error, busy_ms: u64) -> Self {
        use rusqlite::ErrorCode as C;
        let path = path.to_path_buf();
        if let rusqlite::Error::SqliteFailure(e, msg) = &source {
            let detail = msg.clone().unwrap_or_else(|| e.to_string());
            match e.code {
                C::DatabaseBusy | C::DatabaseLocked => {
                    return StoreError::Locked {
                        path,
                        waited_ms: busy_ms,
                    }
                }
                C::ReadOnly => return StoreError::ReadOnly { path, detail },
                C::NotADatabase => return StoreError::NotADatabase { path },
                C::DatabaseCorrupt => return StoreError::Corrupt { path, detail },
                C::CannotOpen => return StoreError::Open { path, source },
                _ => {}
            }
        }
        StoreError::Sqlite { path, source }
    }
}
