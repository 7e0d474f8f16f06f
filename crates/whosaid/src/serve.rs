//! `whosaid serve`: turns flags into a `whosaid_server::Config` and runs the server over
//! the database `whosaid ingest` built. The HTTP API and UI live in `whosaid-server`;
//! nothing here but flags, the database path and messages for the person at the terminal.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Args;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Database file (default: whosaid.db in the platform data directory).
    #[arg(long, env = "WHOSAID_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub addr: String,
    /// Token that enables `POST /api/v1/articles` (sent as `Authorization: Bearer TOKEN`).
    /// Without it, writes are off.
    #[arg(
        long,
        env = "WHOSAID_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub token: Option<String>,
    /// Largest request body accepted, in bytes.
    #[arg(long, default_value_t = 1 << 20, value_name = "BYTES")]
    pub max_body: usize,
    /// Longest a request may take, in seconds (body reading included).
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    pub timeout: u64,
    /// Read-only database connections serving queries in parallel.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub readers: usize,
}

/// The database path: `--db`, `WHOSAID_DB`, else the same default as the corpus commands.
fn db_path(db: &Option<PathBuf>) -> Result<PathBuf> {
    if let Some(p) = db {
        return Ok(p.clone());
    }
    let dirs = directories::ProjectDirs::from("", "", "whosaid")
        .context("cannot find a data directory for the database; pass --db PATH")?;
    Ok(dirs.data_dir().join("whosaid.db"))
}

pub fn run_serve(a: ServeArgs) -> Result<i32> {
    let path = db_path(&a.db)?;
    if !path.exists() {
        bail!(
            "no database at {} — run `whosaid ingest SOURCE --db {}` first",
            path.display(),
            path.display()
        );
    }
    if a.timeout == 0 || a.max_body == 0 {
        bail!("--timeout and --max-body must be greater than 0");
    }
    // An empty WHOSAID_TOKEN is how shells spell "unset": writes stay off.
    let token = a.token.filter(|t| !t.trim().is_empty());
    let writes = token.is_some();
    let config = whosaid_server::Config {
        token,
        max_body_bytes: a.max_body,
        request_timeout: Duration::from_secs(a.timeout),
        readers: a.readers.max(1),
        ..Default::default()
    };
    whosaid_server::run_blocking(&path, &a.addr, config, |addr| {
        eprintln!(
            "whosaid: serving {} on http://{addr}/ (API under /api/v1; writes {}); Ctrl-C stops",
            path.display(),
            if writes { "on" } else { "off" }
        );
    })
    .with_context(|| format!("cannot serve {}", path.display()))?;
    Ok(0)
}
