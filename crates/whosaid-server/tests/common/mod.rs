//! Shared test setup: a real SQLite file in a temp dir, seeded from the small articles in
//! tests/e2e/fixtures (written for these tests), and helpers to call the router in
//! process (tower's `oneshot`) or a real server on 127.0.0.1:0.
#![allow(dead_code)]

pub mod schema;

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use serde_json::Value;
use tower::ServiceExt;
use whosaid_core::Article;
use whosaid_server::{AppState, Config};
use whosaid_store::{SqliteStore, Store};

pub const FIXTURES: &str = include_str!("../../../../tests/e2e/fixtures/articles.jsonl");

pub struct TestApp {
    pub dir: tempfile::TempDir,
    pub state: AppState,
}

/// Fixture articles plus `extra` generated ones (for pagination).
pub fn articles(extra: usize) -> Vec<Article> {
    let mut out: Vec<Article> = FIXTURES
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("fixture line"))
        .collect();
    for i in 0..extra {
        out.push(Article {
            id: format!("gen-{i}"),
            text: format!(
                "The port authority met again.\n\n\u{201C}The harbour needs {i} more cranes,\u{201D} said Harbour Master Lars Dahl.\n\nDahl said the work would take a year."
            ),
            published: chrono::NaiveDate::from_ymd_opt(2023, 1, 1 + (i % 28) as u32),
            title: Some(format!("Harbour cranes {i}")),
            url: Some(format!("https://harbournews.example/cranes/{i}")),
            source: Some("Harbour News".into()),
        });
    }
    out
}

pub fn app_with(config: Config, extra: usize) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("test.db");
    {
        let store = SqliteStore::open(&path).expect("open store");
        let items: Vec<_> = articles(extra)
            .into_iter()
            .map(|a| {
                let e = whosaid_core::extract(&a);
                (a, e)
            })
            .collect();
        store.upsert_batch(&items).expect("seed");
    }
    let state = AppState::open(&path, config).expect("open app");
    TestApp { dir, state }
}

pub fn app() -> TestApp {
    app_with(Config::default(), 0)
}

impl TestApp {
    pub fn router(&self) -> Router {
        whosaid_server::router(self.state.clone())
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.router().oneshot(req).await.expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .expect("body");
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, uri: &str) -> Resp {
        self.send(Request::get(uri).body(Body::empty()).expect("request"))
            .await
    }

    pub async fn post_json(&self, uri: &str, body: &str, token: Option<&str>) -> Resp {
        let mut req = Request::post(uri).header("content-type", "application/json");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        self.send(req.body(Body::from(body.to_string())).expect("request"))
            .await
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// An error answer: the status, JSON content type and an `error` string.
    pub fn assert_error(&self, status: StatusCode) {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert!(
            self.header("content-type").starts_with("application/json"),
            "content-type {:?} for {}",
            self.header("content-type"),
            self.body
        );
        let v = self.json();
        assert!(
            v["error"].as_str().is_some_and(|s| !s.is_empty()),
            "no error message in {}",
            self.body
        );
    }
}

/// A real server on 127.0.0.1:0, on its own thread and runtime; dropped, it shuts down.
pub struct RealServer {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _app: TestApp,
}

impl RealServer {
    pub fn start(app: TestApp) -> RealServer {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let state = app.state.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                addr_tx
                    .send(listener.local_addr().expect("addr"))
                    .expect("send");
                let config = (*state.config).clone();
                whosaid_server::serve(listener, whosaid_server::router(state), &config, async {
                    let _ = stop_rx.await;
                })
                .await
                .expect("serve");
            });
        });
        let addr = addr_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("server started");
        RealServer {
            addr,
            stop: Some(stop_tx),
            thread: Some(thread),
            _app: app,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops the server and waits for it (graceful shutdown completes).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            t.join().expect("server thread");
        }
    }
}

impl Drop for RealServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A blocking HTTP client that returns 4xx/5xx as responses, not errors.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .new_agent()
}
