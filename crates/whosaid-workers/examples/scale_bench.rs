//! End-to-end throughput of the scale-out path on this machine: N generated articles are
//! submitted to a fresh stream while K workers (in this process, each with its own
//! PostgreSQL connection, started once the first batch of each is in the stream) drain
//! it; reports articles/s from the start of submit to the last commit, and where the
//! workers' time went (extraction vs store transactions). Runs on a busy machine drift:
//! compare binaries by alternating them, after a `CHECKPOINT` and a pause (a run just
//! after another still pays for its predecessor's writes).
//!
//! `cargo run --release -p whosaid-workers --example scale_bench -- [N] [K…]`
//! (defaults: 2000 articles, workers 1 and 2). K = 0 is the reference: the same articles
//! ingested by one process into SQLite as the CLI does it (extraction and `prepare` on two
//! threads, one writer, batches of 500). Needs the local PostgreSQL and NATS.
//! `WHOSAID_BENCH_BATCH=n` sets the workers' batch (default: the worker's default);
//! `WHOSAID_BENCH_KEEP=1` keeps each run's schema and stream for inspection.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use async_nats::jetstream;
use whosaid_store::postgres::{PgOptions, PgStore};
use whosaid_store::Store;
use whosaid_workers::submit::{message_for, Publisher};
use whosaid_workers::{config, gen, worker, ScaleConfig};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: u64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(2000);
    let ks: Vec<usize> = if args.len() > 1 {
        args[1..].iter().filter_map(|s| s.parse().ok()).collect()
    } else {
        vec![1, 2]
    };
    let pg = std::env::var("WHOSAID_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let nats = std::env::var("WHOSAID_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
    // Messages per store transaction (the worker's --batch, default its default).
    let batch: usize = std::env::var("WHOSAID_BENCH_BATCH")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(worker::DEFAULT_BATCH);
    let articles: Vec<_> = gen::corpus(42, n).collect();
    let bytes: usize = articles.iter().map(|a| a.text.len()).sum();
    println!("{n} articles, {:.1} MB of text", bytes as f64 / 1e6);
    for k in ks {
        if k == 0 {
            sqlite_reference(&articles);
            continue;
        }
        let tag = format!("bench_{k}_{}", std::process::id());
        let mut cfg = ScaleConfig::new(nats.clone(), pg.clone());
        cfg.stream = tag.clone();
        cfg.schema = tag.clone();
        let store = PgStore::open(&PgOptions::new(pg.clone(), tag.clone())).expect("pg");
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let start = Instant::now();
        // Submit and workers overlap, as in a deployment where the workers are running
        // when a submit starts: the first batch per worker is in the stream before they
        // start (so `--exit-when-idle` does not find it empty), the rest is published
        // while they work. (Until stop 18 the whole submit ran first.)
        let lead = (batch * k).min(articles.len());
        let (submit_s, reports) = rt.block_on(async {
            let js = jetstream::new(config::connect_nats(&cfg).await.expect("nats"));
            config::ensure_consumer(&js, &cfg).await.expect("consumer");
            publish(&js, &cfg, &articles[..lead]).await;
            let opts = worker::WorkerOptions {
                batch,
                exit_when_idle: true,
                ..Default::default()
            };
            let tasks: Vec<_> = (0..k)
                .map(|_| {
                    let (cfg, opts) = (cfg.clone(), opts.clone());
                    tokio::spawn(async move {
                        worker::run(&cfg, &opts, Arc::new(AtomicBool::new(false))).await
                    })
                })
                .collect();
            publish(&js, &cfg, &articles[lead..]).await;
            let submit_s = start.elapsed().as_secs_f64();
            let mut out = Vec::new();
            for t in tasks {
                out.push(t.await.expect("task").expect("worker"));
            }
            (submit_s, out)
        });
        let total = start.elapsed().as_secs_f64();
        let stats = store.stats().expect("stats");
        let extract: u64 = reports.iter().map(|r| r.extract_ms).sum();
        let stored: u64 = reports.iter().map(|r| r.store_ms).sum();
        println!(
            "workers={k}: {} articles, {} statements in {total:.1} s = {:.0} articles/s, {:.0} statements/s end to end (submit {submit_s:.1} s, overlapping the workers after the first {lead}); worker time: extract {:.1} s, store {:.1} s ({:.0} statements/s in store transactions)",
            stats.articles,
            stats.statements,
            stats.articles as f64 / total,
            stats.statements as f64 / total,
            extract as f64 / 1000.0,
            stored as f64 / 1000.0,
            stats.statements as f64 / (stored as f64 / 1000.0 / k as f64).max(1e-9),
        );
        if std::env::var_os("WHOSAID_BENCH_KEEP").is_some() {
            println!("kept schema {tag}");
            continue;
        }
        let _ = PgStore::drop_schema(&pg, &tag);
        rt.block_on(async {
            if let Ok(c) = async_nats::connect(nats.clone()).await {
                let _ = jetstream::new(c).delete_stream(&tag).await;
            }
        });
    }
}

/// Publishes the articles as `submit` does and waits for the server's acks.
async fn publish(js: &jetstream::Context, cfg: &ScaleConfig, part: &[whosaid_core::Article]) {
    let mut p = Publisher::new(js.clone(), cfg);
    for a in part {
        let origin = whosaid_ingest::Origin::Url {
            url: a.url.clone().unwrap_or_default(),
        };
        let (id, b, _) = message_for(a.clone(), &origin).expect("message");
        p.publish(&id, b).await.expect("publish");
    }
    p.finish().await.expect("acks");
}

/// Single-process SQLite ingest of the same articles: two threads extract and prepare
/// batches of 500 while the main thread writes the previous ones.
fn sqlite_reference(articles: &[whosaid_core::Article]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = whosaid_store::SqliteStore::open(dir.path().join("bench.db")).expect("sqlite");
    let start = Instant::now();
    let chunks: Vec<&[whosaid_core::Article]> = articles.chunks(500).collect();
    let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<whosaid_store::PreparedArticle>)>(4);
    let mut write_s = 0.0;
    std::thread::scope(|s| {
        for t in 0..2 {
            let (tx, chunks) = (tx.clone(), &chunks);
            s.spawn(move || {
                for (i, chunk) in chunks.iter().enumerate().skip(t).step_by(2) {
                    let prepared = chunk
                        .iter()
                        .map(|a| whosaid_store::prepare(a.clone(), whosaid_core::extract(a)))
                        .collect();
                    if tx.send((i, prepared)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        // Written in submission order, as the CLI does.
        let mut pending = std::collections::BTreeMap::new();
        let mut next = 0;
        for (i, batch) in rx {
            pending.insert(i, batch);
            while let Some(batch) = pending.remove(&next) {
                let t = Instant::now();
                store.upsert_prepared(batch).expect("sqlite upsert");
                write_s += t.elapsed().as_secs_f64();
                next += 1;
            }
        }
    });
    let total = start.elapsed().as_secs_f64();
    let stats = store.stats().expect("stats");
    println!(
        "sqlite (one process): {} articles, {} statements in {total:.1} s = {:.0} articles/s, {:.0} statements/s; writer {write_s:.1} s",
        stats.articles,
        stats.statements,
        stats.articles as f64 / total,
        stats.statements as f64 / total,
    );
}
