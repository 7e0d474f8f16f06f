//! `whosaid schedule`: polls a list of feeds every interval and submits their new entries.
//! Only one scheduler is active at a time: the active one holds a session-level
//! PostgreSQL advisory lock (`pg_try_advisory_lock`) on a connection of its own; the
//! others stand by and retry, so when the active one dies (its connection closes and
//! PostgreSQL releases the lock) a stand-by takes over within a few seconds. Feed state
//! (ETag, Last-Modified) is kept in the store's `feeds` table, so a conditional GET
//! survives a takeover. Entries are published like `submit` does (same message ids), so
//! an entry seen twice inside the duplicate window is dropped by the server, and one
//! seen later is `Unchanged` in the store.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_nats::jetstream;
use whosaid_ingest::{IngestOptions, Validators};
use whosaid_store::{FeedState, Store};

use crate::config::{self, ScaleConfig};
use crate::error::{Result, ScaleError};
use crate::submit::{message_for, Publisher};

/// How often a stand-by scheduler tries to take over.
pub const STANDBY_POLL: Duration = Duration::from_secs(2);

#[derive(Debug, Clone)]
pub struct ScheduleOptions {
    pub every: Duration,
    /// Poll once (if active) and return.
    pub once: bool,
}

/// Parses "15m", "30s", "2h", "1d" or plain seconds.
pub fn parse_interval(s: &str) -> std::result::Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num
        .parse()
        .map_err(|_| format!("invalid interval {s:?}: expected e.g. 30s, 15m, 2h"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("invalid interval unit in {s:?}: use s, m, h or d")),
    };
    if secs == 0 {
        return Err("the interval must be at least 1s".into());
    }
    Ok(Duration::from_secs(secs))
}

/// Reads a feeds file: one URL per line; blank lines and `#` comments ignored.
pub fn read_feeds(path: &std::path::Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path)?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

/// The lease: a connection holding the scheduler's advisory lock.
struct Lease {
    client: Option<Arc<Mutex<postgres::Client>>>,
}

impl Drop for Lease {
    /// Closes the connection (releasing the lock) off the async runtime's thread: the
    /// `postgres` client blocks when dropped.
    fn drop(&mut self) {
        if let Some(c) = self.client.take() {
            let _ = std::thread::spawn(move || drop(c)).join();
        }
    }
}

async fn try_lease(cfg: &ScaleConfig) -> Option<Lease> {
    let url = cfg.pg_url.clone();
    let key = lease_key(&cfg.schema);
    tokio::task::spawn_blocking(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).ok()?;
        let got: bool = client
            .query_one("SELECT pg_try_advisory_lock($1, -2)", &[&key])
            .ok()?
            .get(0);
        if got {
            Some(Lease {
                client: Some(Arc::new(Mutex::new(client))),
            })
        } else {
            // Not ours: close it here, on the blocking thread.
            drop(client);
            None
        }
    })
    .await
    .ok()
    .flatten()
}

fn lease_key(schema: &str) -> i32 {
    blake3::hash(format!("whosaid-scheduler:{schema}").as_bytes()).as_bytes()[0] as i32
        | (blake3::hash(schema.as_bytes()).as_bytes()[1] as i32) << 8
}

async fn lease_alive(lease: &Lease) -> bool {
    let Some(c) = lease.client.clone() else {
        return false;
    };
    tokio::task::spawn_blocking(move || {
        let mut c = c.lock().unwrap_or_else(|p| p.into_inner());
        c.is_valid(Duration::from_secs(3)).is_ok()
    })
    .await
    .unwrap_or(false)
}

/// Runs the scheduler until `stop` is set.
pub async fn run(
    cfg: &ScaleConfig,
    feeds: Vec<String>,
    opts: &ScheduleOptions,
    stop: Arc<AtomicBool>,
) -> Result<usize> {
    cfg.validate()?;
    let store = config::open_store(cfg).await?;
    let client = config::connect_nats(cfg).await?;
    let js = jetstream::new(client);
    config::ensure_stream(&js, cfg).await?;
    let mut total = 0;
    let mut lease: Option<Lease> = None;
    while !stop.load(Ordering::SeqCst) {
        if lease.is_none() {
            lease = try_lease(cfg).await;
            if lease.is_none() {
                tracing::debug!("another scheduler is active; standing by");
                tokio::time::sleep(STANDBY_POLL).await;
                continue;
            }
            tracing::info!("scheduler lease taken; this scheduler is active");
        }
        for url in &feeds {
            match poll_feed(cfg, &js, &store, url).await {
                Ok(n) => total += n,
                Err(e) => tracing::warn!(feed = %url, error = %e, "feed poll failed"),
            }
        }
        if opts.once {
            break;
        }
        let until = Instant::now() + opts.every;
        while Instant::now() < until && !stop.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_secs(1).min(opts.every)).await;
            if let Some(l) = &lease {
                if !lease_alive(l).await {
                    tracing::warn!("scheduler lease lost (database connection closed)");
                    lease = None;
                    break;
                }
            }
        }
    }
    Ok(total)
}

/// Fetches one feed (conditionally) and publishes its entries; returns how many.
pub async fn poll_feed(
    cfg: &ScaleConfig,
    js: &jetstream::Context,
    store: &Arc<whosaid_store::postgres::PgStore>,
    url: &str,
) -> Result<usize> {
    let (s, u) = (store.clone(), url.to_string());
    let items = tokio::task::spawn_blocking(move || {
        let mut opts = IngestOptions::default();
        if let Some(st) = s.feed_state(&u)? {
            opts.validators.insert(
                u.clone(),
                Validators {
                    etag: st.etag,
                    last_modified: st.last_modified,
                },
            );
        }
        let src = whosaid_ingest::open(&u, &opts).map_err(|e| ScaleError::Source {
            source_spec: u.clone(),
            detail: e.to_string(),
        })?;
        let validators = src.validators().cloned();
        let mut msgs = Vec::new();
        for item in src {
            match item
                .map_err(|e| e.to_string())
                .and_then(|ing| message_for(ing.article, &ing.origin).map_err(|e| e.to_string()))
            {
                Ok(m) => msgs.push(m),
                Err(e) => tracing::warn!(feed = %u, error = %e, "skipped entry"),
            }
        }
        if let Some(v) = validators.filter(|v| !v.is_empty()) {
            s.set_feed_state(
                &u,
                &FeedState {
                    etag: v.etag,
                    last_modified: v.last_modified,
                },
            )?;
        }
        Ok::<_, ScaleError>(msgs)
    })
    .await
    .map_err(|e| ScaleError::Config(format!("feed task failed: {e}")))??;
    let mut publisher = Publisher::new(js.clone(), cfg);
    for (id, bytes, _) in items {
        publisher.publish(&id, bytes).await?;
    }
    let report = publisher.finish().await?;
    tracing::info!(feed = %url, published = report.published, duplicates = report.duplicates, "feed polled");
    Ok(report.published)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_interval("30").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_interval("2h").unwrap(), Duration::from_secs(7200));
        assert!(parse_interval("0s").is_err());
        assert!(parse_interval("5x").is_err());
    }
}
