//! `whosaid-worker`: the worker alone, as a small binary of this crate, so the crate's
//! process-level tests (kill, fault) run without building the full `whosaid` binary
//! with its `scale` feature. Same flags as `whosaid worker`.

use std::net::SocketAddr;

use clap::Parser;
use whosaid_workers::{config, worker, ScaleConfig};

#[derive(Parser, Debug)]
#[command(
    name = "whosaid-worker",
    about = "Extract and store articles from the NATS work stream"
)]
struct Cli {
    #[arg(
        long,
        env = "WHOSAID_NATS_URL",
        default_value = "nats://127.0.0.1:4222"
    )]
    nats: String,
    #[arg(long, env = "WHOSAID_PG_URL")]
    pg: String,
    #[arg(long, default_value = config::DEFAULT_STREAM)]
    stream: String,
    #[arg(long, default_value = whosaid_store::postgres::DEFAULT_SCHEMA)]
    schema: String,
    #[arg(long, default_value_t = 64)]
    batch: usize,
    #[arg(long)]
    exit_when_idle: bool,
    #[arg(long)]
    metrics_addr: Option<SocketAddr>,
    #[arg(long, default_value_t = config::DEFAULT_MAX_DELIVER)]
    max_deliver: i64,
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WHOSAID_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let mut cfg = ScaleConfig::new(cli.nats, cli.pg);
    cfg.stream = cli.stream;
    cfg.schema = cli.schema;
    cfg.max_deliver = cli.max_deliver;
    cfg.connect_patience = None;
    let opts = worker::WorkerOptions {
        batch: cli.batch,
        exit_when_idle: cli.exit_when_idle,
        metrics_addr: cli.metrics_addr,
        ..Default::default()
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("whosaid-worker: error: cannot start the async runtime: {e}");
            std::process::exit(2);
        }
    };
    let result = rt.block_on(async {
        let stop = worker::stop_on_signals();
        worker::run(&cfg, &opts, stop).await
    });
    match result {
        Ok(r) => {
            eprintln!(
                "worker done: {} stored, {} statements, {} unchanged, {} failures, {} dead-lettered",
                r.stored, r.statements, r.unchanged, r.failures, r.dead_lettered
            );
        }
        Err(e) => {
            eprintln!("whosaid-worker: error: {e}");
            std::process::exit(2);
        }
    }
}
