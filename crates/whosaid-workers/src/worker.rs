//! `whosaid worker`: pulls batches from the shared durable consumer, extracts each
//! article (`whosaid-core`), stores the batch in one PostgreSQL transaction, and
//! acknowledges each message only after that transaction committed. While a batch is
//! being worked on (long articles, a database retry) it sends `+WIP` progress acks so the
//! server does not redeliver it. A database that is down is retried with backoff, the
//! messages held meanwhile; an input that fails on its own (undecodable, a panic in
//! extraction, a row the database refuses) is negatively acknowledged and, at the
//! stream's `max_deliver`, recorded in `failed_messages`, published on the dead-letter
//! subject and terminated — it never blocks the others. SIGTERM or Ctrl-C: the batches in
//! hand are finished and acknowledged, then the worker exits.
//!
//! Two batches are in hand at a time: the next one is fetched and extracted while the
//! previous one is in its store transaction (one at a time per worker, in order), so the
//! worker's CPU work overlaps the database's instead of waiting on it.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, AckKind, Message};
use futures_util::StreamExt;
use whosaid_store::postgres::{is_transient, PgStore};
use whosaid_store::{PreparedArticle, UpsertAction};

use crate::config::{self, ScaleConfig};
use crate::error::{Result, ScaleError};
use crate::failed;
use crate::message::WorkMessage;
use crate::metrics as m;

/// Messages per batch by default. Each batch pays fixed costs in its transaction (the
/// stripes, the set-based reads, the commit) and runs its speaker-and-quote section under
/// the stripes, so bigger batches serialise less: 2 workers on this 2-core box store
/// ~950 articles/s at 32, ~1,070 at 64 and ~1,200 at 256 (docs/scale-out.md); 512 gave
/// no more. Memory stays bounded by batch × the 1 MiB largest inline message.
pub const DEFAULT_BATCH: usize = 256;

#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Messages fetched (and stored in one transaction) at a time.
    pub batch: usize,
    /// Exit once the stream has nothing pending or in flight.
    pub exit_when_idle: bool,
    /// Serve Prometheus metrics here.
    pub metrics_addr: Option<SocketAddr>,
    /// How often to send `+WIP` for a batch still in progress.
    pub progress_every: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            batch: DEFAULT_BATCH,
            exit_when_idle: false,
            metrics_addr: None,
            progress_every: config::ACK_WAIT / 3,
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WorkerReport {
    pub batches: usize,
    pub stored: usize,
    pub unchanged: usize,
    pub statements: usize,
    pub failures: usize,
    pub dead_lettered: usize,
    pub redeliveries: usize,
    /// Time spent extracting and preparing, and in store transactions (milliseconds).
    pub extract_ms: u64,
    pub store_ms: u64,
}

/// A flag set by SIGTERM / SIGINT.
pub fn stop_on_signals() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(t) => t,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot listen for SIGTERM");
                        let _ = ctrl_c.await;
                        flag.store(true, Ordering::SeqCst);
                        return;
                    }
                };
            tokio::select! {
                _ = ctrl_c => {},
                _ = term.recv() => {},
            }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
        tracing::info!("stopping: finishing the batch in hand");
        flag.store(true, Ordering::SeqCst);
    });
    stop
}

struct Work {
    msg: Message,
    delivered: i64,
    prepared: std::result::Result<PreparedArticle, String>,
}

fn prepare_one(payload: &[u8]) -> std::result::Result<PreparedArticle, String> {
    let article = WorkMessage::decode(payload)
        .and_then(WorkMessage::into_article)
        .map_err(|e| e.to_string())?;
    std::panic::catch_unwind(move || {
        let extraction = whosaid_core::extract(&article);
        whosaid_store::prepare(article, extraction)
    })
    .map_err(|p| {
        let what = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        format!("extraction panicked: {what}")
    })
}

/// Runs a worker until `stop` is set (or, with `exit_when_idle`, the stream is drained).
pub async fn run(
    cfg: &ScaleConfig,
    opts: &WorkerOptions,
    stop: Arc<AtomicBool>,
) -> Result<WorkerReport> {
    cfg.validate()?;
    if let Some(addr) = opts.metrics_addr {
        m::serve(addr).await?;
    }
    let store = config::open_store(cfg).await?;
    let client = config::connect_nats(cfg).await?;
    let js = jetstream::new(client.clone());
    let mut consumer = config::ensure_consumer(&js, cfg).await?;
    let mut report = WorkerReport::default();
    let mut last_lag = Instant::now() - Duration::from_secs(60);
    let mut in_flight: Option<StoreTask> = None;
    // Acknowledgements go out from their own task: a batch's 256 confirmed acks are a
    // few tens of milliseconds of round trips, during which the next batch's store
    // transaction can already run (the database sat idle through them before).
    let (acker, mut to_ack) = tokio::sync::mpsc::unbounded_channel::<Vec<Message>>();
    let ack_task = tokio::spawn(async move {
        while let Some(msgs) = to_ack.recv().await {
            let acks = msgs.iter().map(|msg| msg.double_ack());
            for r in futures_util::future::join_all(acks).await {
                if let Err(e) = r {
                    tracing::warn!(error = %e, "ack failed; the message will be redelivered (harmless)");
                }
            }
        }
    });
    tracing::info!(stream = %cfg.stream, schema = %cfg.schema, "worker started");
    while !stop.load(Ordering::SeqCst) {
        let batch = consumer
            .batch()
            .max_messages(opts.batch.max(1))
            .expires(Duration::from_millis(500))
            .messages()
            .await;
        let mut msgs = Vec::new();
        match batch {
            Ok(mut s) => {
                while let Some(item) = s.next().await {
                    match item {
                        Ok(msg) => msgs.push(msg),
                        Err(e) => tracing::warn!(error = %e, "fetch error"),
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot fetch from the stream; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        }
        if msgs.is_empty() {
            // Idle: let the batch in flight finish (and ack) before judging the stream.
            if let Some(h) = in_flight.take() {
                finish(h, &mut report).await?;
            }
        }
        if msgs.is_empty() || last_lag.elapsed() > Duration::from_secs(5) {
            if let Ok(info) = consumer.info().await {
                metrics::gauge!(m::CONSUMER_LAG).set(info.num_pending as f64);
                last_lag = Instant::now();
                if msgs.is_empty()
                    && opts.exit_when_idle
                    && info.num_pending == 0
                    && info.num_ack_pending == 0
                {
                    tracing::info!("stream drained; exiting");
                    break;
                }
            }
        }
        if msgs.is_empty() {
            continue;
        }
        let started = Instant::now();
        let (work, ticker) = extract_batch(opts, msgs, &mut report).await?;
        // One store transaction at a time: this batch waits (kept alive by its ticker)
        // for the previous one to commit.
        let previous = in_flight.take();
        if let Some(h) = previous {
            let waited = finish(h, &mut report).await;
            ticker.abort();
            waited?;
        } else {
            ticker.abort();
        }
        let _ = ticker.await;
        let (cfg, store, client, stop) = (cfg.clone(), store.clone(), client.clone(), stop.clone());
        let acker = acker.clone();
        in_flight = Some(tokio::spawn(async move {
            let mut report = WorkerReport::default();
            let result =
                store_and_ack(&cfg, &store, &client, &acker, work, &stop, &mut report).await;
            metrics::histogram!(m::BATCH_SECONDS).record(started.elapsed().as_secs_f64());
            (result, report)
        }));
    }
    if let Some(h) = in_flight.take() {
        finish(h, &mut report).await?;
    }
    // Every stored batch's acks are out before the worker exits.
    drop(acker);
    let _ = ack_task.await;
    Ok(report)
}

type StoreTask = tokio::task::JoinHandle<(Result<()>, WorkerReport)>;

/// Waits for a batch's store task and adds its counts to the worker's.
async fn finish(h: StoreTask, report: &mut WorkerReport) -> Result<()> {
    let (result, r) = h
        .await
        .map_err(|e| ScaleError::Config(format!("store task failed: {e}")))?;
    report.stored += r.stored;
    report.unchanged += r.unchanged;
    report.statements += r.statements;
    report.failures += r.failures;
    report.dead_lettered += r.dead_lettered;
    report.redeliveries += r.redeliveries;
    report.store_ms += r.store_ms;
    result
}

/// Extracts and prepares a batch; returns it with the ticker that keeps its messages
/// alive (`+WIP`) until the caller hands them to the store.
async fn extract_batch(
    opts: &WorkerOptions,
    msgs: Vec<Message>,
    report: &mut WorkerReport,
) -> Result<(Vec<Work>, tokio::task::JoinHandle<()>)> {
    report.batches += 1;
    // Keep the whole batch alive on the server while we work on it.
    let msgs = Arc::new(msgs);
    let ticker = {
        let msgs = msgs.clone();
        let every = opts.progress_every;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                for msg in msgs.iter() {
                    let _ = msg.ack_with(AckKind::Progress).await;
                }
            }
        })
    };
    let payloads: Vec<(Vec<u8>, i64)> = msgs
        .iter()
        .map(|msg| {
            let delivered = msg.info().map(|i| i.delivered).unwrap_or(1);
            (msg.payload.to_vec(), delivered)
        })
        .collect();
    let t = Instant::now();
    let prepared = tokio::task::spawn_blocking(move || {
        payloads
            .into_iter()
            .map(|(p, d)| (prepare_one(&p), d))
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| ScaleError::Config(format!("extraction task failed: {e}")))?;
    metrics::histogram!(m::EXTRACT_SECONDS).record(t.elapsed().as_secs_f64());
    report.extract_ms += t.elapsed().as_millis() as u64;
    // The ticker holds clones of the messages (cheap: payloads are shared bytes); the
    // store step sends its own progress acks while it retries.
    let work: Vec<Work> = msgs
        .iter()
        .cloned()
        .zip(prepared)
        .map(|(msg, (prepared, delivered))| Work {
            msg,
            delivered,
            prepared,
        })
        .collect();
    Ok((work, ticker))
}

async fn upsert(
    store: &Arc<PgStore>,
    items: Arc<Vec<PreparedArticle>>,
    range: std::ops::Range<usize>,
) -> whosaid_store::Result<Vec<whosaid_store::UpsertOutcome>> {
    let store = store.clone();
    match tokio::task::spawn_blocking(move || store.upsert_slice(&items[range])).await {
        Ok(r) => r,
        Err(e) => Err(whosaid_store::StoreError::Export {
            target: "store task".into(),
            detail: e.to_string(),
        }),
    }
}

/// Stores the good items in one transaction, retrying while the database is
/// unreachable; acks after commit; routes bad items to `fail`.
async fn store_and_ack(
    cfg: &ScaleConfig,
    store: &Arc<PgStore>,
    client: &async_nats::Client,
    acker: &Acker,
    work: Vec<Work>,
    stop: &AtomicBool,
    report: &mut WorkerReport,
) -> Result<()> {
    let mut good: Vec<Message> = Vec::new();
    let mut items: Vec<PreparedArticle> = Vec::new();
    for w in work {
        if w.delivered > 1 {
            report.redeliveries += 1;
            metrics::counter!(m::REDELIVERIES).increment(1);
        }
        match w.prepared {
            Ok(p) => {
                good.push(w.msg);
                items.push(p);
            }
            Err(e) => fail(cfg, store, client, &w.msg, w.delivered, &e, report).await,
        }
    }
    if good.is_empty() {
        return Ok(());
    }
    let items = Arc::new(items);
    let mut attempt: u32 = 0;
    let t = Instant::now();
    let outcome = loop {
        match upsert(store, items.clone(), 0..items.len()).await {
            Ok(out) => break Ok(out),
            Err(e) if is_transient(&e) => {
                attempt += 1;
                metrics::counter!(m::STORE_RETRIES).increment(1);
                if stop.load(Ordering::SeqCst) {
                    // Leave them for another worker (or this one after a restart).
                    for msg in &good {
                        let _ = msg.ack_with(AckKind::Nak(None)).await;
                    }
                    return Ok(());
                }
                let wait = Duration::from_millis((200u64 << attempt.min(5)).min(5_000));
                tracing::warn!(error = %e, attempt, retry_in = ?wait, "database unavailable; holding the batch and retrying");
                for msg in &good {
                    let _ = msg.ack_with(AckKind::Progress).await;
                }
                tokio::time::sleep(wait).await;
            }
            Err(e @ whosaid_store::StoreError::TooNew { .. }) => {
                return Err(schema_moved_on(e, &good).await);
            }
            Err(e) => break Err(e),
        }
    };
    metrics::histogram!(m::STORE_SECONDS).record(t.elapsed().as_secs_f64());
    report.store_ms += t.elapsed().as_millis() as u64;
    match outcome {
        Ok(out) => {
            ack_stored(acker, good, &out, report);
            Ok(())
        }
        Err(e) => {
            // Something in the batch is refused: store one by one to find it.
            tracing::warn!(error = %e, "batch refused; storing its articles one by one");
            for i in 0..good.len() {
                let msg = &good[i];
                let delivered = msg.info().map(|i| i.delivered).unwrap_or(1);
                match upsert(store, items.clone(), i..i + 1).await {
                    Ok(out) => ack_stored(acker, vec![msg.clone()], &out, report),
                    Err(e @ whosaid_store::StoreError::TooNew { .. }) => {
                        return Err(schema_moved_on(e, &good[i..]).await);
                    }
                    Err(e) if is_transient(&e) => {
                        let _ = msg
                            .ack_with(AckKind::Nak(Some(Duration::from_secs(1))))
                            .await;
                    }
                    Err(e) => {
                        fail(cfg, store, client, msg, delivered, &e.to_string(), report).await
                    }
                }
            }
            Ok(())
        }
    }
}

/// A newer whosaid migrated the schema: nothing of `unstored` was written, so it goes
/// back at once for the new workers (a NAK, not a failure of the messages), and the
/// worker stops with the reason.
async fn schema_moved_on(e: whosaid_store::StoreError, unstored: &[Message]) -> ScaleError {
    tracing::error!(error = %e, "schema upgraded under this worker; stopping");
    for msg in unstored {
        let _ = msg.ack_with(AckKind::Nak(None)).await;
    }
    e.into()
}

/// Where committed messages go to be acknowledged (the worker's ack task).
type Acker = tokio::sync::mpsc::UnboundedSender<Vec<Message>>;

fn ack_stored(
    acker: &Acker,
    good: Vec<Message>,
    out: &[whosaid_store::UpsertOutcome],
    report: &mut WorkerReport,
) {
    for o in out {
        match o.action {
            UpsertAction::Unchanged => {
                report.unchanged += 1;
                metrics::counter!(m::ARTICLES_UNCHANGED).increment(1);
            }
            _ => {
                report.stored += 1;
                report.statements += o.statements;
                metrics::counter!(m::ARTICLES_STORED).increment(1);
                metrics::counter!(m::STATEMENTS_STORED).increment(o.statements as u64);
            }
        }
    }
    // Committed: now acknowledge. A lost ack only means a redelivery, which the
    // idempotent upsert turns into "unchanged".
    if let Err(e) = acker.send(good) {
        tracing::warn!(error = %e, "ack task gone; the messages will be redelivered (harmless)");
    }
}

async fn fail(
    cfg: &ScaleConfig,
    store: &Arc<PgStore>,
    client: &async_nats::Client,
    msg: &Message,
    delivered: i64,
    error: &str,
    report: &mut WorkerReport,
) {
    report.failures += 1;
    metrics::counter!(m::FAILURES).increment(1);
    tracing::warn!(
        delivered,
        max_deliver = cfg.max_deliver,
        error,
        "message failed"
    );
    if delivered < cfg.max_deliver {
        let delay = Duration::from_millis(500 * delivered.max(1) as u64);
        let _ = msg.ack_with(AckKind::Nak(Some(delay))).await;
        return;
    }
    let msg_id = msg
        .headers
        .as_ref()
        .and_then(|h| h.get(async_nats::header::NATS_MESSAGE_ID))
        .map(|v| v.as_str().to_string());
    let record = failed::NewFailure {
        msg_id,
        subject: msg.subject.to_string(),
        payload: msg.payload.to_vec(),
        error: error.to_string(),
        deliveries: delivered,
    };
    let s = store.clone();
    let saved = tokio::task::spawn_blocking(move || failed::record(&s, &record)).await;
    match saved {
        Ok(Ok(id)) => {
            let _ = client
                .publish(cfg.dead_subject(), id.to_string().into())
                .await;
            let _ = msg.ack_with(AckKind::Term).await;
            report.dead_lettered += 1;
            metrics::counter!(m::DEAD_LETTERED).increment(1);
            tracing::error!(
                failed_id = id,
                error,
                "message dead-lettered after max_deliver"
            );
        }
        other => {
            tracing::error!(
                ?other,
                "cannot record a failed message; leaving it to redelivery"
            );
            let _ = msg
                .ack_with(AckKind::Nak(Some(Duration::from_secs(5))))
                .await;
        }
    }
}
