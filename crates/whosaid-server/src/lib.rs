//! whosaid-server: the JSON HTTP API (versioned under `/api/v1`, described by an OpenAPI
//! document) and the embedded web UI, over a whosaid store.
//!
//! What it does: opens one SQLite database (one read-write connection for writes, a few
//! read-only ones for queries, all called off the async runtime with `spawn_blocking`),
//! builds an axum [`Router`] with the API, the UI pages and their embedded assets, and
//! serves it with timeouts, body limits, security headers and graceful shutdown.
//!
//! What it does not do: extraction (whosaid-core), storage or query logic (whosaid-store),
//! or reading flags and the environment (the `whosaid serve` command does that and hands
//! over a [`Config`]).

pub mod api;
pub mod db;
pub mod error;
pub mod http;
pub mod ui;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub use db::Db;
pub use error::{ApiError, ServerError};
pub use http::serve;

/// How the server behaves; the command line fills it in.
#[derive(Debug, Clone)]
pub struct Config {
    /// Bearer token that enables writes (`POST /api/v1/articles`). `None`: writes are off.
    pub token: Option<String>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Longest a request may take, body reading included (answered 408 after).
    pub request_timeout: Duration,
    /// Longest a client may take to send its request headers (the connection is closed).
    pub header_read_timeout: Duration,
    /// Read-only database connections serving queries in parallel.
    pub readers: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            token: None,
            max_body_bytes: 1 << 20,
            request_timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(10),
            readers: 4,
        }
    }
}

/// Everything a handler needs, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Arc<Db>,
    pub config: Arc<Config>,
}

impl AppState {
    /// Opens the database at `path` (creating and migrating it if needed) with the reader
    /// pool the config asks for.
    pub fn open(path: &Path, config: Config) -> Result<AppState, ServerError> {
        let db = Db::open(path, config.readers)?;
        Ok(AppState {
            db: Arc::new(db),
            config: Arc::new(config),
        })
    }
}

/// Opens the database, listens on `addr` and serves until Ctrl-C or SIGTERM, on a tokio
/// runtime of its own (so the synchronous command line needs no async code).
/// `on_listen` is told the bound address (useful with port 0).
pub fn run_blocking(
    db: &Path,
    addr: &str,
    config: Config,
    on_listen: impl FnOnce(std::net::SocketAddr),
) -> Result<(), ServerError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServerError::Runtime)?;
    let state = AppState::open(db, config)?;
    let config = Arc::clone(&state.config);
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ServerError::Bind {
                addr: addr.to_string(),
                source,
            })?;
        let local = listener.local_addr().map_err(|source| ServerError::Bind {
            addr: addr.to_string(),
            source,
        })?;
        on_listen(local);
        serve(listener, router(state), &config, http::shutdown_signal())
            .await
            .map_err(ServerError::Serve)
    })
}

/// The whole application: API, UI and the middleware around both.
pub fn router(state: AppState) -> axum::Router {
    http::with_middleware(
        api::router().merge(ui::router()).fallback(ui::not_found),
        state,
    )
}
