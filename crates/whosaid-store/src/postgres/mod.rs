//! The PostgreSQL backend of the [`Store`] trait, for many processes sharing one database
//! (the scale-out workers). Same logical schema as the SQLite backend, in a PostgreSQL
//! schema of its own (`--schema`, default `whosaid`) so deployments and parallel tests can
//! share a server. Versioned migrations (`migrations/`) run at open by whichever process
//! comes first, under `pg_advisory_lock`. Full-text search uses `tsvector` columns with
//! GIN indexes, written by the store with the SQLite backend's tokens ([`fts`]); the
//! user's query syntax is the SQLite backend's (parsed by [`crate::query`]) turned into a
//! `tsquery` by [`tsquery`], always bound as a parameter.
//!
//! Cross-article work (syndication, repeated quotes, corpus speakers) is the SQLite
//! backend's logic, done incrementally in each batch's transaction and made safe for
//! concurrent writers: a new article for a key is guarded by the unique key (a batch that
//! loses that race is retried), every other decision taken on the *absence* of a row (a
//! new speaker for a surname, a new quote for a text) by striped transaction-level
//! advisory locks taken in sorted order once the batch's articles are written, and
//! syndication groups are changed under `SELECT … FOR UPDATE` row locks. Counters are
//! `ON CONFLICT … DO UPDATE SET count = count + n` upserts, so no update is lost. A
//! deadlock or serialization failure retries the batch. Upserts are idempotent per
//! article identity: a redelivered article is `Unchanged`.
//!
//! Uses the synchronous `postgres` crate (it runs its own small runtime: call it from a
//! plain thread or `spawn_blocking`, not from inside an async task). Does not parse
//! queries (see `query`) or decide speaker identity (see `speakers`).

pub mod fts;
mod migrate;
mod read;
mod synd_plan;
pub mod tsquery;
mod write;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use ::postgres::{Client, NoTls, Statement};

use crate::error::{Result, StoreError};

pub use migrate::SCHEMA_VERSION;

/// The default PostgreSQL schema whosaid's tables live in.
pub const DEFAULT_SCHEMA: &str = "whosaid";

/// How to reach a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// `postgres://user@host:port/db` (or a key=value connection string).
    pub url: String,
    /// Schema for whosaid's tables (created if missing). Letters, digits and `_`.
    pub schema: String,
    pub connect_timeout: Duration,
}

impl PgOptions {
    pub fn new(url: impl Into<String>, schema: impl Into<String>) -> Self {
        PgOptions {
            url: url.into(),
            schema: schema.into(),
            connect_timeout: Duration::from_secs(5),
        }
    }
}

/// One connection with its prepared statements.
pub(crate) struct Conn {
    pub(crate) client: Client,
    pub(crate) stmts: HashMap<&'static str, Statement>,
}

/// A whosaid database in a PostgreSQL schema.
pub struct PgStore {
    opts: PgOptions,
    /// What error messages call this database (the URL without a password, and schema).
    target: String,
    conn: Mutex<Option<Conn>>,
    /// Statement rows whose speaker or quote link the confirming pass corrected.
    corrected: std::sync::atomic::AtomicU64,
}

/// Whether `schema` is a plain identifier we can safely quote into DDL.
pub fn valid_schema(schema: &str) -> bool {
    let mut chars = schema.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && schema.len() <= 63
}

fn redact(url: &str) -> String {
    // postgres://user:secret@host/db → postgres://user@host/db
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}{}", &url[..s + 3], user, &url[at..])
        }
        _ => url.to_string(),
    }
}

/// Wraps a PostgreSQL error as a [`StoreError`] naming the database. (The store's error
/// type has no PostgreSQL variant yet; the original error stays reachable through
/// `source()`, which [`is_transient`] uses.)
pub(crate) fn pg_err(target: &str, e: ::postgres::Error) -> StoreError {
    StoreError::Sqlite {
        path: PathBuf::from(target),
        source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
    }
}

fn pg_source(e: &StoreError) -> Option<&::postgres::Error> {
    match e {
        StoreError::Sqlite {
            source: rusqlite::Error::ToSqlConversionFailure(b),
            ..
        } => b.downcast_ref::<::postgres::Error>(),
        _ => None,
    }
}

fn pg_transient(e: &::postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    match e.code() {
        // No SQLSTATE: an I/O or protocol error on the connection.
        None => true,
        Some(code) => {
            let c = code.code();
            c.starts_with("08")          // connection exception
                || c.starts_with("57P")  // admin shutdown, crash shutdown, cannot connect now
                || c == "53300"          // too many connections
                || c == "40001"          // serialization failure
                || c == "40P01" // deadlock detected
        }
    }
}

/// Whether an error from a [`PgStore`] is worth retrying later (the database is
/// unreachable or restarting, or a transaction lost a race) rather than a fault of the
/// input.
pub fn is_transient(e: &StoreError) -> bool {
    pg_source(e).is_some_and(pg_transient)
}

/// Whether a batch that failed with this error should be retried at once (a deadlock,
/// serialization failure or a foreign key a concurrent merge removed).
fn is_race(e: &::postgres::Error) -> bool {
    e.code()
        .is_some_and(|c| matches!(c.code(), "40001" | "40P01" | "23503" | "23505"))
}

pub(crate) fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

impl PgStore {
    /// How many statement rows this handle has written with a tentative speaker or quote
    /// link that its confirming pass then corrected (another writer committed a speaker,
    /// quote or merge in between). Diagnostics and tests.
    pub fn corrected_links(&self) -> u64 {
        self.corrected.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Connects, creating the schema and migrating it to the current version if needed.
    pub fn open(opts: &PgOptions) -> Result<Self> {
        if !valid_schema(&opts.schema) {
            return Err(StoreError::InvalidQuery {
                query: opts.schema.clone(),
                reason:
                    "a schema name is letters, digits and _ (at most 63), not starting with a digit"
                        .into(),
            });
        }
        let target = format!("{} (schema {})", redact(&opts.url), opts.schema);
        let store = PgStore {
            corrected: std::sync::atomic::AtomicU64::new(0),
            opts: opts.clone(),
            target,
            conn: Mutex::new(None),
        };
        {
            let mut guard = store.conn()?;
            let conn = guard.as_mut().ok_or_else(|| store.closed())?;
            migrate::run(&mut conn.client, &opts.schema, &store.target)?;
        }
        Ok(store)
    }

    /// What error messages call this database.
    pub fn target(&self) -> &str {
        &self.target
    }

    pub fn schema(&self) -> &str {
        &self.opts.schema
    }

    fn closed(&self) -> StoreError {
        StoreError::Sqlite {
            path: PathBuf::from(&self.target),
            source: rusqlite::Error::ToSqlConversionFailure("connection closed".into()),
        }
    }

    fn connect(&self) -> Result<Conn> {
        let mut cfg: ::postgres::Config =
            self.opts.url.parse().map_err(|e| pg_err(&self.target, e))?;
        cfg.connect_timeout(self.opts.connect_timeout);
        cfg.application_name("whosaid");
        let mut client = cfg.connect(NoTls).map_err(|e| pg_err(&self.target, e))?;
        // No JIT: our statements are short, and compiling one costs milliseconds whenever
        // the planner's estimate for an LSH or fingerprint lookup crosses jit_above_cost.
        client
            .batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {0}; SET search_path TO {0}; SET jit = off",
                quote_ident(&self.opts.schema)
            ))
            .or_else(|e| {
                // CREATE SCHEMA IF NOT EXISTS can race another process doing the same.
                if e.code()
                    .is_some_and(|c| c.code() == "23505" || c.code() == "42P06")
                {
                    client.batch_execute(&format!(
                        "SET search_path TO {}; SET jit = off",
                        quote_ident(&self.opts.schema)
                    ))
                } else {
                    Err(e)
                }
            })
            .map_err(|e| pg_err(&self.target, e))?;
        Ok(Conn {
            client,
            stmts: HashMap::new(),
        })
    }

    /// The connection, reconnecting first if it was lost.
    pub(crate) fn conn(&self) -> Result<MutexGuard<'_, Option<Conn>>> {
        let mut guard = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        if !matches!(guard.as_ref(), Some(c) if !c.client.is_closed()) {
            *guard = None;
            *guard = Some(self.connect()?);
        }
        Ok(guard)
    }

    /// Runs `f` on the connection; a connection error drops it so the next call
    /// reconnects.
    pub(crate) fn with_conn<T>(
        &self,
        f: impl FnOnce(&mut Conn) -> std::result::Result<T, ::postgres::Error>,
    ) -> Result<T> {
        let mut guard = self.conn()?;
        let conn = guard.as_mut().ok_or_else(|| self.closed())?;
        match f(conn) {
            Ok(v) => Ok(v),
            Err(e) => {
                if e.is_closed() || e.code().is_none() {
                    *guard = None;
                }
                Err(pg_err(&self.target, e))
            }
        }
    }

    /// Runs `f` with a plain `postgres::Client` on this store's schema (for the workers'
    /// own bookkeeping tables: failed messages, scheduler state).
    pub fn with_client<T>(
        &self,
        f: impl FnOnce(&mut Client) -> std::result::Result<T, ::postgres::Error>,
    ) -> Result<T> {
        self.with_conn(|c| f(&mut c.client))
    }

    /// Drops a whosaid schema and everything in it (tests and teardown).
    pub fn drop_schema(url: &str, schema: &str) -> Result<()> {
        let target = format!("{} (schema {schema})", redact(url));
        if !valid_schema(schema) {
            return Ok(());
        }
        let mut client = Client::connect(url, NoTls).map_err(|e| pg_err(&target, e))?;
        client
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {} CASCADE",
                quote_ident(schema)
            ))
            .map_err(|e| pg_err(&target, e))
    }
}

impl Drop for PgStore {
    /// Closes the connection on a thread of its own: the `postgres` client blocks on its
    /// runtime when dropped, which panics when that happens on an async runtime's thread
    /// (a worker dropping its store at the end of an async function).
    fn drop(&mut self) {
        let conn = self
            .conn
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(conn) = conn {
            let _ = std::thread::spawn(move || drop(conn)).join();
        }
    }
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_and_redaction() {
        assert!(valid_schema("whosaid"));
        assert!(valid_schema("t_1a2b"));
        assert!(!valid_schema("1abc"));
        assert!(!valid_schema("a\"; DROP"));
        assert!(!valid_schema(""));
        assert_eq!(
            redact("postgres://me:secret@db:5432/test"),
            "postgres://me@db:5432/test"
        );
        assert_eq!(redact("host=x user=y"), "host=x user=y");
    }
}
