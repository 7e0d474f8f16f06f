//! Scale-out commands: `submit`, `worker`, `schedule`, `failed`, `status` and
//! `pg-search`. They turn flags into a `whosaid_workers::ScaleConfig` and call the
//! `whosaid-workers` crate (NATS JetStream + PostgreSQL); no queueing, extraction or
//! storage logic lives here. Compiled only with the `scale` feature.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use whosaid_store::{SearchQuery, Store};
use whosaid_workers::{config, failed, schedule, status, submit, worker, ScaleConfig};

/// Where NATS is, and the stream's name.
#[derive(Args, Debug, Clone)]
pub struct NatsArgs {
    /// NATS server URL.
    #[arg(
        long,
        env = "WHOSAID_NATS_URL",
        default_value = "nats://127.0.0.1:4222"
    )]
    pub nats: String,
    /// JetStream stream name (lets deployments and tests share one server).
    #[arg(long, default_value = config::DEFAULT_STREAM)]
    pub stream: String,
}

/// Where PostgreSQL is, and the schema.
#[derive(Args, Debug, Clone)]
pub struct PgArgs {
    /// PostgreSQL URL, e.g. postgres://postgres@127.0.0.1:5432/test
    #[arg(long, env = "WHOSAID_PG_URL")]
    pub pg: String,
    /// PostgreSQL schema for whosaid's tables.
    #[arg(long, default_value = whosaid_store::postgres::DEFAULT_SCHEMA)]
    pub schema: String,
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn cfg(nats: &NatsArgs, pg: Option<&PgArgs>) -> ScaleConfig {
    let mut c = ScaleConfig::new(
        nats.nats.clone(),
        pg.map(|p| p.pg.clone()).unwrap_or_default(),
    );
    c.stream = nats.stream.clone();
    if let Some(p) = pg {
        c.schema = p.schema.clone();
    }
    c
}

#[derive(Args, Debug)]
pub struct SubmitArgs {
    /// Files, folders, feeds, WARC or JSONL files, URLs.
    #[arg(required = true)]
    pub sources: Vec<String>,
    #[command(flatten)]
    pub nats: NatsArgs,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run_submit(args: SubmitArgs) -> Result<i32> {
    let c = cfg(&args.nats, None);
    let report = runtime()?
        .block_on(submit::submit(&c, &args.sources, Default::default()))
        .context("submit failed")?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        eprintln!(
            "submitted {} articles ({} by reference), {} duplicates dropped, {} inputs skipped",
            report.published,
            report.by_reference,
            report.duplicates,
            report.errors.len()
        );
    }
    Ok(i32::from(!report.errors.is_empty()))
}

#[derive(Args, Debug)]
pub struct WorkerArgs {
    #[command(flatten)]
    pub nats: NatsArgs,
    #[command(flatten)]
    pub pg: PgArgs,
    /// Messages stored per transaction.
    #[arg(long, default_value_t = worker::DEFAULT_BATCH)]
    pub batch: usize,
    /// Exit when the stream has nothing pending or in flight.
    #[arg(long)]
    pub exit_when_idle: bool,
    /// Serve Prometheus metrics on this address (e.g. 127.0.0.1:9464).
    #[arg(long)]
    pub metrics_addr: Option<SocketAddr>,
    /// Deliveries before a message is dead-lettered (applies when the consumer is created).
    #[arg(long, default_value_t = config::DEFAULT_MAX_DELIVER)]
    pub max_deliver: i64,
}

pub fn run_worker(args: WorkerArgs) -> Result<i32> {
    let mut c = cfg(&args.nats, Some(&args.pg));
    c.max_deliver = args.max_deliver;
    // A long-running worker waits for its servers instead of giving up.
    c.connect_patience = None;
    let opts = worker::WorkerOptions {
        batch: args.batch,
        exit_when_idle: args.exit_when_idle,
        metrics_addr: args.metrics_addr,
        ..Default::default()
    };
    let report = runtime()?.block_on(async {
        let stop = worker::stop_on_signals();
        worker::run(&c, &opts, stop).await
    })?;
    eprintln!(
        "worker done: {} articles stored ({} statements), {} unchanged, {} failures, {} dead-lettered, {} redeliveries",
        report.stored, report.statements, report.unchanged, report.failures, report.dead_lettered, report.redeliveries
    );
    Ok(0)
}

#[derive(Args, Debug)]
pub struct ScheduleArgs {
    /// A file with one feed URL per line (# comments allowed).
    pub feeds: PathBuf,
    /// Poll interval: 30s, 15m, 2h …
    #[arg(long, default_value = "15m", value_parser = schedule::parse_interval)]
    pub every: std::time::Duration,
    /// Poll once (if this scheduler is the active one) and exit.
    #[arg(long)]
    pub once: bool,
    #[command(flatten)]
    pub nats: NatsArgs,
    #[command(flatten)]
    pub pg: PgArgs,
}

pub fn run_schedule(args: ScheduleArgs) -> Result<i32> {
    let mut c = cfg(&args.nats, Some(&args.pg));
    c.connect_patience = None;
    let feeds = schedule::read_feeds(&args.feeds)
        .with_context(|| format!("cannot read feeds file {}", args.feeds.display()))?;
    let opts = schedule::ScheduleOptions {
        every: args.every,
        once: args.once,
    };
    let n = runtime()?.block_on(async {
        let stop = worker::stop_on_signals();
        schedule::run(&c, feeds, &opts, stop).await
    })?;
    eprintln!("scheduler done: {n} entries submitted");
    Ok(0)
}

#[derive(Args, Debug)]
pub struct FailedArgs {
    #[command(flatten)]
    pub pg: PgArgs,
    #[command(flatten)]
    pub nats: NatsArgs,
    /// Resubmit this failed message to the stream.
    #[arg(long)]
    pub retry: Option<i64>,
    /// Also list messages already retried.
    #[arg(long)]
    pub all: bool,
    #[arg(long)]
    pub json: bool,
}

pub fn run_failed(args: FailedArgs) -> Result<i32> {
    let c = cfg(&args.nats, Some(&args.pg));
    let rt = runtime()?;
    let store = rt.block_on(config::open_store(&c))?;
    if let Some(id) = args.retry {
        rt.block_on(failed::retry(&c, &store, id))?;
        eprintln!("resubmitted failed message {id}");
        return Ok(0);
    }
    let list = failed::list(&store, args.all)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &list)?;
        writeln!(out)?;
        return Ok(0);
    }
    if list.is_empty() {
        eprintln!("no failed messages");
    }
    for f in &list {
        writeln!(
            out,
            "{}\t{}\tdeliveries={}\t{}\t{}",
            f.id,
            f.failed_at,
            f.deliveries,
            f.error,
            f.retried_at.as_deref().map_or("", |_| "(retried)")
        )?;
    }
    Ok(0)
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    #[command(flatten)]
    pub nats: NatsArgs,
    /// Also report store counts (needs --pg or WHOSAID_PG_URL).
    #[arg(long, env = "WHOSAID_PG_URL")]
    pub pg: Option<String>,
    #[arg(long, default_value = whosaid_store::postgres::DEFAULT_SCHEMA)]
    pub schema: String,
    #[arg(long)]
    pub json: bool,
}

pub fn run_status(args: StatusArgs) -> Result<i32> {
    let pg = args.pg.clone().map(|pg| PgArgs {
        pg,
        schema: args.schema.clone(),
    });
    let c = cfg(&args.nats, pg.as_ref());
    let r = runtime()?.block_on(status::status(&c, pg.is_some()))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(0);
    }
    println!(
        "stream {}: {} messages ({} bytes), {} consumer(s)",
        r.stream, r.stream_messages, r.stream_bytes, r.consumers
    );
    println!(
        "consumer {}: {} pending, {} awaiting ack, {} redelivered, {} waiting pulls",
        config::CONSUMER,
        r.pending,
        r.ack_pending,
        r.redelivered,
        r.waiting
    );
    if let Some(s) = &r.store {
        println!(
            "store: {} articles, {} statements, {} speakers, {} quotes ({} repeated), {} syndication groups, schema v{}",
            s.articles, s.statements, s.speakers, s.quotes, s.repeated_quotes, s.syndication_groups, s.schema_version
        );
    }
    if let Some(f) = r.failed_open {
        println!("failed messages awaiting retry: {f}");
    }
    Ok(0)
}

#[derive(Args, Debug)]
pub struct PgSearchArgs {
    /// Words, "quoted phrases", OR, -excluded, prefix*.
    pub query: String,
    /// Speaker name or alias.
    #[arg(long)]
    pub speaker: Option<String>,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[arg(long)]
    pub cursor: Option<String>,
    #[command(flatten)]
    pub pg: PgArgs,
}

/// `search` against the PostgreSQL store, printed as JSON.
pub fn run_pg_search(args: PgSearchArgs) -> Result<i32> {
    let store = whosaid_store::postgres::PgStore::open(&whosaid_store::postgres::PgOptions::new(
        args.pg.pg.clone(),
        args.pg.schema.clone(),
    ))?;
    let page = store.search(&SearchQuery {
        text: Some(args.query.clone()),
        speaker: args.speaker.clone(),
        limit: Some(args.limit),
        cursor: args.cursor.clone(),
        ..Default::default()
    })?;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &page)?;
    writeln!(out)?;
    Ok(0)
}
