//! HTTP behaviour against a tiny server on 127.0.0.1 started inside each test (no outside
//! network): feeds and entry pages, conditional requests, retries, redirects, content
//! types, body limits, gzip bombs and unreachable hosts.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use whosaid_ingest::{
    open, FetchOptions, FetchOutcome, Fetcher, IngestError, IngestOptions, SourceKind, Validators,
};

/// One request as the handler sees it.
struct Request {
    path: String,
    headers: HashMap<String, String>,
}

/// A raw response: status line parts, headers, body.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn resp(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
    Response {
        status,
        headers: vec![("Content-Type".into(), content_type.into())],
        body: body.into(),
    }
}

type Handler = dyn Fn(&Request, usize) -> Response + Send + Sync;

/// A one-thread HTTP/1.1 server; counts hits per path. Stops when dropped.
struct Server {
    base: String,
    hits: Arc<Mutex<HashMap<String, usize>>>,
}

impl Server {
    fn start(handler: impl Fn(&Request, usize) -> Response + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let h = hits.clone();
        let handler: Arc<Handler> = Arc::new(handler);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (h, handler) = (h.clone(), handler.clone());
                std::thread::spawn(move || serve(stream, &h, &*handler));
            }
        });
        Server { base, hits }
    }
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
    fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

fn serve(stream: TcpStream, hits: &Mutex<HashMap<String, usize>>, handler: &Handler) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut l = String::new();
        if reader.read_line(&mut l).unwrap_or(0) == 0 || l.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let n = {
        let mut hits = hits.lock().unwrap();
        let n = hits.entry(path.clone()).or_insert(0);
        *n += 1;
        *n
    };
    let r = handler(&Request { path, headers }, n);
    let mut out = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", r.status).into_bytes();
    let has_len = r
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-length"));
    for (k, v) in &r.headers {
        out.extend(format!("{k}: {v}\r\n").bytes());
    }
    if !has_len {
        out.extend(format!("Content-Length: {}\r\n", r.body.len()).bytes());
    }
    out.extend(b"\r\n");
    out.extend(&r.body);
    let mut stream = stream;
    let _ = stream.write_all(&out);
    let _ = stream.flush();
}

fn quick() -> FetchOptions {
    FetchOptions {
        backoff: Duration::from_millis(20),
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(2),
        ..Default::default()
    }
}

fn opts() -> IngestOptions {
    IngestOptions {
        fetch: quick(),
        ..Default::default()
    }
}

fn page_html(n: usize) -> String {
    format!("<html><head><title>Story {n}</title></head><body><nav>Home</nav><article><p>Paragraph one of story {n}: the minister said on Monday that the bridge would be rebuilt, and that work would begin in the spring if funding allowed it.</p><p>Paragraph two of story {n}: \"We will not wait any longer,\" she told reporters at the site, adding that engineers had already surveyed it.</p></article></body></html>")
}

fn rss(base: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Test feed</title><link>{base}/</link><description>d</description>
<item><title>One</title><link>{base}/story/1</link><pubDate>Wed, 06 Mar 2024 10:00:00 +0000</pubDate><description>Short teaser one.</description></item>
<item><title>Two</title><link>{base}/story/2</link><pubDate>Thu, 07 Mar 2024 10:00:00 +0000</pubDate><description>Short teaser two.</description></item>
</channel></rss>"#
    )
}

#[test]
fn feed_fetched_entry_pages_fetched_then_304_with_etag_on_rerun() {
    let server = Server::start(|req, _| {
        if req.path == "/feed.xml" {
            if req.headers.get("if-none-match").map(String::as_str) == Some("\"v1\"") {
                return Response {
                    status: 304,
                    headers: vec![("ETag".into(), "\"v1\"".into())],
                    body: vec![],
                };
            }
            let base = format!(
                "http://{}",
                req.headers.get("host").cloned().unwrap_or_default()
            );
            let mut r = resp(200, "application/rss+xml", rss(&base));
            r.headers.push(("ETag".into(), "\"v1\"".into()));
            r.headers.push((
                "Last-Modified".into(),
                "Thu, 07 Mar 2024 10:00:00 GMT".into(),
            ));
            return r;
        }
        match req
            .path
            .strip_prefix("/story/")
            .and_then(|n| n.parse::<usize>().ok())
        {
            Some(n) => resp(200, "text/html; charset=utf-8", page_html(n)),
            None => resp(404, "text/plain", "nope"),
        }
    });
    let feed_url = server.url("/feed.xml");
    let source = open(&feed_url, &opts()).unwrap();
    assert_eq!(source.kind(), SourceKind::WebFeed);
    let validators = source.validators().cloned().unwrap();
    assert_eq!(validators.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        validators.last_modified.as_deref(),
        Some("Thu, 07 Mar 2024 10:00:00 GMT")
    );
    let items: Vec<_> = source.collect::<Result<_, _>>().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[0].article.title.as_deref(),
        Some("One"),
        "feed title wins"
    );
    assert!(
        items[0]
            .article
            .text
            .starts_with("Paragraph one of story 1"),
        "{}",
        items[0].article.text
    );
    assert!(items[0]
        .article
        .text
        .contains("\n\nParagraph two of story 1"));
    assert!(!items[0].article.text.contains("Home"));
    assert_eq!(
        items[1].article.url.as_deref(),
        Some(server.url("/story/2").as_str())
    );
    assert_eq!(server.hits("/story/1"), 1);
    assert_eq!(server.hits("/story/2"), 1);

    // Re-run with the stored validators: 304, nothing yielded, validators kept.
    let mut rerun = opts();
    rerun
        .validators
        .insert(feed_url.clone(), validators.clone());
    let source = open(&feed_url, &rerun).unwrap();
    assert!(source.not_modified());
    assert_eq!(source.validators(), Some(&validators));
    assert_eq!(source.count(), 0);
    assert_eq!(server.hits("/feed.xml"), 2);
    assert_eq!(server.hits("/story/1"), 1, "entry pages not refetched");
}

#[test]
fn a_single_page_url_is_extracted() {
    let server = Server::start(|_, _| resp(200, "text/html", page_html(9)));
    let items: Vec<_> = open(&server.url("/p"), &opts())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].article.id, server.url("/p"));
    assert!(items[0].article.text.contains("story 9"));
}

#[test]
fn server_error_is_retried_then_succeeds() {
    let server = Server::start(|_, n| {
        if n < 3 {
            resp(503, "text/plain", "busy")
        } else {
            resp(200, "text/html", page_html(1))
        }
    });
    let fetcher = Fetcher::new(quick());
    match fetcher.fetch(&server.url("/flaky"), None).unwrap() {
        FetchOutcome::Fetched(page) => {
            assert!(String::from_utf8_lossy(&page.body).contains("story 1"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.hits("/flaky"), 3);

    let always = Server::start(|_, _| resp(500, "text/plain", "down"));
    let err = fetcher.fetch(&always.url("/down"), None).unwrap_err();
    assert!(
        matches!(
            err,
            IngestError::HttpStatus {
                status: 500,
                attempts: 4,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("/down: HTTP status 500 after 4 attempts"),
        "{err}"
    );
}

#[test]
fn not_found_is_not_retried() {
    let server = Server::start(|_, _| resp(404, "text/html", "<p>gone</p>"));
    let err = Fetcher::new(quick())
        .fetch(&server.url("/missing"), None)
        .unwrap_err();
    assert!(
        matches!(
            err,
            IngestError::HttpStatus {
                status: 404,
                attempts: 1,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!("{}: HTTP status 404", server.url("/missing"))
    );
    assert_eq!(server.hits("/missing"), 1);
}

#[test]
fn redirects_are_followed_and_loops_named() {
    let server = Server::start(|req, _| {
        let to = |loc: &str| Response {
            status: 302,
            headers: vec![("Location".into(), loc.into())],
            body: vec![],
        };
        match req.path.as_str() {
            "/old" => to("/new"),
            "/new" => resp(200, "text/html", page_html(2)),
            "/a" => to("/b"),
            "/b" => to("/a"),
            _ => resp(404, "text/plain", ""),
        }
    });
    let fetcher = Fetcher::new(quick());
    match fetcher.fetch(&server.url("/old"), None).unwrap() {
        FetchOutcome::Fetched(page) => assert_eq!(page.url, server.url("/new")),
        other => panic!("{other:?}"),
    }
    let err = fetcher.fetch(&server.url("/a"), None).unwrap_err();
    assert!(matches!(err, IngestError::RedirectLoop { .. }), "{err}");
    assert!(err.to_string().contains("redirect loop"), "{err}");
}

#[test]
fn non_html_content_type_is_rejected() {
    let server = Server::start(|_, _| resp(200, "application/pdf", b"%PDF-1.4".to_vec()));
    let err = Fetcher::new(quick())
        .fetch(&server.url("/doc.pdf"), None)
        .unwrap_err();
    assert!(matches!(err, IngestError::ContentType { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("unsupported content type \"application/pdf\""),
        "{err}"
    );
}

#[test]
fn oversized_body_and_gzip_bomb_are_rejected() {
    let limit = 64 * 1024;
    let bomb = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(&vec![b' '; 8 * 1024 * 1024]).unwrap();
        e.finish().unwrap()
    };
    assert!(
        bomb.len() < limit / 2,
        "the compressed bomb itself is under the limit"
    );
    let server = Server::start(move |req, _| match req.path.as_str() {
        "/big" => resp(200, "text/html", vec![b'a'; 200 * 1024]),
        "/big-unannounced" => Response {
            status: 200,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: vec![b'a'; 200 * 1024],
        },
        "/bomb" => Response {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "text/html".into()),
                ("Content-Encoding".into(), "gzip".into()),
            ],
            body: bomb.clone(),
        },
        _ => resp(404, "text/plain", ""),
    });
    let fetcher = Fetcher::new(FetchOptions {
        max_body_bytes: limit as u64,
        ..quick()
    });
    for path in ["/big", "/big-unannounced", "/bomb"] {
        let err = fetcher.fetch(&server.url(path), None).unwrap_err();
        assert!(
            matches!(err, IngestError::BodyTooLarge { .. }),
            "{path}: {err}"
        );
        assert!(
            err.to_string().contains("exceeds the limit of 65536 bytes"),
            "{err}"
        );
    }
}

#[test]
fn unreachable_host_is_a_clear_error() {
    // Bind then drop a listener: its port is now closed.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/feed");
    let err = open(
        &url,
        &IngestOptions {
            fetch: FetchOptions {
                max_retries: 1,
                ..quick()
            },
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(err, IngestError::Fetch { attempts: 2, .. }),
        "{err}"
    );
    let msg = err.to_string();
    assert!(
        msg.starts_with(&url) && msg.contains("failed after 2 attempt"),
        "{msg}"
    );
}

#[test]
fn entry_page_failure_is_an_error_for_that_entry_only() {
    let server = Server::start(|req, _| {
        let base = format!(
            "http://{}",
            req.headers.get("host").cloned().unwrap_or_default()
        );
        match req.path.as_str() {
            "/feed" => resp(200, "application/rss+xml", rss(&base)),
            "/story/1" => resp(404, "text/html", ""),
            _ => resp(200, "text/html", page_html(2)),
        }
    });
    let items: Vec<_> = open(&server.url("/feed"), &opts()).unwrap().collect();
    assert_eq!(items.len(), 2);
    let err = items[0].as_ref().unwrap_err();
    assert!(
        err.to_string().contains("/story/1: HTTP status 404"),
        "{err}"
    );
    assert!(items[1].is_ok());
}

#[test]
fn per_host_limit_serialises_requests() {
    // The server records the most requests it saw in flight at once.
    let in_flight = Arc::new(Mutex::new((0usize, 0usize)));
    let f = in_flight.clone();
    let server = Server::start(move |_, _| {
        {
            let mut g = f.lock().unwrap();
            g.0 += 1;
            g.1 = g.1.max(g.0);
        }
        std::thread::sleep(Duration::from_millis(50));
        f.lock().unwrap().0 -= 1;
        resp(200, "text/html", page_html(3))
    });
    let fetcher = Fetcher::new(FetchOptions {
        per_host_concurrency: 1,
        ..quick()
    });
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let (fetcher, url) = (fetcher.clone(), server.url(&format!("/p{i}")));
            std::thread::spawn(move || fetcher.fetch(&url, None).map(|_| ()))
        })
        .collect();
    for h in handles {
        h.join().unwrap().unwrap();
    }
    assert_eq!(in_flight.lock().unwrap().1, 1);
}

#[test]
fn user_agent_names_whosaid_and_validators_are_sent() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let server = Server::start(move |req, _| {
        s.lock().unwrap().push((
            req.headers.get("user-agent").cloned(),
            req.headers.get("if-modified-since").cloned(),
        ));
        Response {
            status: 304,
            headers: vec![],
            body: vec![],
        }
    });
    let prior = Validators {
        etag: None,
        last_modified: Some("Wed, 06 Mar 2024 10:00:00 GMT".into()),
    };
    match Fetcher::new(quick())
        .fetch(&server.url("/x"), Some(&prior))
        .unwrap()
    {
        FetchOutcome::NotModified { validators, .. } => assert_eq!(validators, prior),
        other => panic!("{other:?}"),
    }
    let seen = seen.lock().unwrap();
    assert!(
        seen[0]
            .0
            .as_deref()
            .is_some_and(|ua| ua.starts_with("whosaid/")),
        "{seen:?}"
    );
    assert_eq!(seen[0].1.as_deref(), Some("Wed, 06 Mar 2024 10:00:00 GMT"));
}
