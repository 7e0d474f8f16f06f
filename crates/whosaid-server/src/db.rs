//! The database as the server uses it: one read-write [`SqliteStore`] for writes and a
//! small pool of read-only ones for queries. SQLite in WAL mode lets those readers run in
//! parallel with each other and with the writer; each `SqliteStore` holds one connection
//! behind a mutex, so the pool hands each query a store of its own. All calls run on
//! tokio's blocking threads so a slow query never stalls the async workers.
//!
//! Does not cache answers or retry: a locked database is reported (503) and the client
//! decides.

use std::path::Path;
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;
use whosaid_store::{OpenOptions, SqliteStore};

use crate::error::{ApiError, ServerError};

pub struct Db {
    writer: Arc<SqliteStore>,
    readers: Mutex<Vec<Arc<SqliteStore>>>,
    /// One permit per idle reader: holding a permit guarantees `readers` is not empty.
    permits: Semaphore,
}

impl Db {
    /// Opens (creating and migrating if needed) the database at `path` read-write, then
    /// `readers` read-only connections to it (at least one).
    pub fn open(path: &Path, readers: usize) -> Result<Db, ServerError> {
        // The writer first: it creates the file, migrates it and switches it to WAL, which
        // read-only connections cannot do themselves.
        let writer = Arc::new(SqliteStore::open(path)?);
        let n = readers.max(1);
        let opts = OpenOptions {
            read_only: true,
            ..OpenOptions::default()
        };
        let mut pool = Vec::with_capacity(n);
        for _ in 0..n {
            pool.push(Arc::new(SqliteStore::open_with(path, &opts)?));
        }
        Ok(Db {
            writer,
            readers: Mutex::new(pool),
            permits: Semaphore::new(n),
        })
    }

    /// Runs a query on a free reader, waiting (asynchronously) for one if all are busy.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&SqliteStore) -> Result<T, ApiError> + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| ApiError::Internal(format!("reader pool closed: {e}")))?;
        let store = self
            .lock()
            .pop()
            .ok_or_else(|| ApiError::Internal("no free reader despite a permit".into()))?;
        let worker = Arc::clone(&store);
        let result = tokio::task::spawn_blocking(move || f(&worker)).await;
        self.lock().push(store);
        result.map_err(|e| ApiError::Internal(format!("query task failed: {e}")))?
    }

    /// Runs a write on the one read-write connection (the store serialises writers).
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&SqliteStore) -> Result<T, ApiError> + Send + 'static,
    {
        let store = Arc::clone(&self.writer);
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| ApiError::Internal(format!("write task failed: {e}")))?
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Arc<SqliteStore>>> {
        // The vector is only pushed and popped; a panic elsewhere cannot leave it torn.
        self.readers.lock().unwrap_or_else(|p| p.into_inner())
    }
}
