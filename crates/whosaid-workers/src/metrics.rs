//! Prometheus metrics for workers: names and a tiny HTTP endpoint serving the text
//! exposition (`metrics-exporter-prometheus` without its HTTP server feature, so no
//! hyper is compiled in). Counters and histograms are recorded with the `metrics` macros
//! where the work happens.

use std::net::SocketAddr;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const ARTICLES_STORED: &str = "whosaid_articles_stored_total";
pub const ARTICLES_UNCHANGED: &str = "whosaid_articles_unchanged_total";
pub const STATEMENTS_STORED: &str = "whosaid_statements_stored_total";
pub const FAILURES: &str = "whosaid_failures_total";
pub const DEAD_LETTERED: &str = "whosaid_dead_lettered_total";
pub const REDELIVERIES: &str = "whosaid_redeliveries_total";
pub const STORE_RETRIES: &str = "whosaid_store_retries_total";
pub const BATCH_SECONDS: &str = "whosaid_batch_seconds";
pub const EXTRACT_SECONDS: &str = "whosaid_extract_seconds";
pub const STORE_SECONDS: &str = "whosaid_store_seconds";
pub const CONSUMER_LAG: &str = "whosaid_consumer_pending";

/// Installs the recorder and serves `/metrics` on `addr` until the process ends.
pub async fn serve(addr: SocketAddr) -> std::io::Result<()> {
    let handle = PrometheusBuilder::new()
        .set_buckets(&[
            0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ])
        .map_err(std::io::Error::other)?
        .install_recorder()
        .map_err(std::io::Error::other)?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "serving metrics");
    tokio::spawn(accept_loop(listener, handle));
    Ok(())
}

async fn accept_loop(listener: tokio::net::TcpListener, handle: PrometheusHandle) {
    loop {
        let Ok((mut sock, _)) = listener.accept().await else {
            continue;
        };
        let body = handle.render();
        tokio::spawn(async move {
            let mut buf = [0u8; 1024];
            // Read the request head (whatever it asks, the answer is the metrics).
            let _ =
                tokio::time::timeout(std::time::Duration::from_secs(2), sock.read(&mut buf)).await;
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = sock.write_all(head.as_bytes()).await;
            let _ = sock.write_all(body.as_bytes()).await;
            let _ = sock.shutdown().await;
        });
    }
}
