//! Polite HTTP(S) fetching of pages and feeds with a blocking client (ureq, rustls).
//! Sends a user agent naming whosaid; connect/read timeouts; retries with exponential
//! backoff on 5xx, timeouts and dropped connections (never on 4xx); a per-host
//! concurrency limit shared by clones of one [`Fetcher`]; a cap on the body *after*
//! decompression (so a gzip bomb is cut off); a content-type check (HTML, XML, feeds);
//! redirects followed by hand so a loop is named as one; conditional requests with
//! ETag / Last-Modified, where 304 is its own outcome and the new validators are returned
//! for the caller to store. It does not parse what it fetches, cache, or read robots.txt.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::IngestError;

/// How pages are fetched. Defaults suit a polite crawl of news sites.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub user_agent: String,
    pub connect_timeout: Duration,
    /// Limit for receiving the response headers, and again for the body.
    pub read_timeout: Duration,
    /// Retries after the first attempt (on 5xx, timeouts, connection failures).
    pub max_retries: u32,
    /// First backoff delay; doubled after each failed attempt.
    pub backoff: Duration,
    /// Largest body accepted, counted after decompression.
    pub max_body_bytes: u64,
    pub max_redirects: u32,
    /// Requests in flight at once to one host (across clones of a `Fetcher`).
    pub per_host_concurrency: usize,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            user_agent: format!(
                "whosaid/{} (news quotation indexer; +https://crates.io/crates/whosaid)",
                env!("CARGO_PKG_VERSION")
            ),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            max_retries: 3,
            backoff: Duration::from_millis(500),
            max_body_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            per_host_concurrency: 2,
        }
    }
}

/// Validators of a fetched resource: store them and pass them back next time to make
/// the request conditional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// What a fetched body is, judged from its content type (and its first bytes when the
/// type is generic XML or missing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    Html,
    Feed,
}

/// A successfully fetched body.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The final URL, after redirects.
    pub url: String,
    pub content_type: Option<String>,
    pub kind: ContentKind,
    pub body: Vec<u8>,
    pub validators: Validators,
}

/// The outcome of a fetch that did not fail.
#[derive(Debug, Clone)]
pub enum FetchOutcome {
    Fetched(Fetched),
    /// 304: unchanged since the validators the caller sent.
    NotModified {
        url: String,
        validators: Validators,
    },
}

/// A blocking HTTP client with the politeness rules above. Cheap to clone; clones share
/// the per-host limit.
#[derive(Clone)]
pub struct Fetcher {
    agent: ureq::Agent,
    opts: FetchOptions,
    hosts: Arc<HostLimiter>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher").field("opts", &self.opts).finish()
    }
}

impl Fetcher {
    pub fn new(opts: FetchOptions) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // Redirects are followed by `fetch` itself, to detect loops and re-check
            // each hop.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(opts.user_agent.as_str())
            .timeout_connect(Some(opts.connect_timeout))
            .timeout_recv_response(Some(opts.read_timeout))
            .timeout_recv_body(Some(opts.read_timeout))
            .build()
            .new_agent();
        let hosts = Arc::new(HostLimiter {
            max: opts.per_host_concurrency.max(1),
            active: Mutex::new(HashMap::new()),
            freed: Condvar::new(),
        });
        Fetcher { agent, opts, hosts }
    }

    pub fn options(&self) -> &FetchOptions {
        &self.opts
    }

    /// Fetches `url`, conditionally when `prior` validators are given.
    pub fn fetch(
        &self,
        url: &str,
        prior: Option<&Validators>,
    ) -> Result<FetchOutcome, IngestError> {
        let mut current = url.to_string();
        let mut visited = vec![current.clone()];
        let mut hops = 0;
        loop {
            let _slot = self.hosts.acquire(&host_of(&current));
            let (response, attempts) = self.request_with_retries(&current, prior)?;
            let status = response.status().as_u16();
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let validators = Validators {
                etag: header("etag"),
                last_modified: header("last-modified"),
            };
            match status {
                301 | 302 | 303 | 307 | 308 => {
                    let target = header("location")
                        .and_then(|loc| resolve(&current, &loc))
                        .ok_or_else(|| IngestError::BadRedirect {
                            url: current.clone(),
                        })?;
                    if visited.contains(&target) {
                        return Err(IngestError::RedirectLoop {
                            url: url.to_string(),
                            target,
                        });
                    }
                    hops += 1;
                    if hops > self.opts.max_redirects {
                        return Err(IngestError::TooManyRedirects {
                            url: url.to_string(),
                            limit: self.opts.max_redirects,
                        });
                    }
                    tracing::debug!(from = %current, to = %target, "following redirect");
                    visited.push(target.clone());
                    current = target;
                }
                304 => {
                    // A 304 may repeat only some validators; the others still hold.
                    let prior = prior.cloned().unwrap_or_default();
                    let validators = Validators {
                        etag: validators.etag.or(prior.etag),
                        last_modified: validators.last_modified.or(prior.last_modified),
                    };
                    tracing::info!(url = %current, "not modified");
                    return Ok(FetchOutcome::NotModified {
                        url: current,
                        validators,
                    });
                }
                200..=299 => {
                    let content_type = header("content-type");
                    let limit = self.opts.max_body_bytes;
                    if let Some(len) = header("content-length").and_then(|l| l.parse::<u64>().ok())
                    {
                        if len > limit {
                            return Err(IngestError::BodyTooLarge {
                                url: current,
                                limit,
                            });
                        }
                    }
                    let declared_kind = match content_type.as_deref() {
                        Some(ct) => {
                            Some(kind_of_type(ct).ok_or_else(|| IngestError::ContentType {
                                url: current.clone(),
                                content_type: ct.to_string(),
                            })?)
                        }
                        None => None,
                    };
                    let body = response
                        .into_body()
                        .into_with_config()
                        .limit(limit)
                        .read_to_vec()
                        .map_err(|e| match e {
                            ureq::Error::BodyExceedsLimit(_) => IngestError::BodyTooLarge {
                                url: current.clone(),
                                limit,
                            },
                            other => IngestError::Fetch {
                                url: current.clone(),
                                attempts,
                                reason: format!("reading the body: {other}"),
                            },
                        })?;
                    let kind = match declared_kind {
                        Some(ContentKind::Feed) | None => sniff_kind(&body),
                        Some(k) => Some(k),
                    }
                    .ok_or_else(|| IngestError::ContentType {
                        url: current.clone(),
                        content_type: content_type.clone().unwrap_or_else(|| {
                            "(none, and the body is neither HTML nor a feed)".into()
                        }),
                    })?;
                    tracing::info!(url = %current, bytes = body.len(), "fetched");
                    return Ok(FetchOutcome::Fetched(Fetched {
                        url: current,
                        content_type,
                        kind,
                        body,
                        validators,
                    }));
                }
                _ => {
                    return Err(IngestError::HttpStatus {
                        url: current,
                        status,
                        attempts,
                    });
                }
            }
        }
    }

    /// One request, retried with exponential backoff on 5xx and transport failures.
    fn request_with_retries(
        &self,
        url: &str,
        prior: Option<&Validators>,
    ) -> Result<(ureq::http::Response<ureq::Body>, u32), IngestError> {
        let mut delay = self.opts.backoff;
        let max_attempts = self.opts.max_retries + 1;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = self.agent.get(url).header(
                "Accept",
                "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.1",
            );
            if let Some(v) = prior {
                if let Some(etag) = &v.etag {
                    request = request.header("If-None-Match", etag);
                }
                if let Some(lm) = &v.last_modified {
                    request = request.header("If-Modified-Since", lm);
                }
            }
            let retry_reason = match request.call() {
                Ok(resp) if resp.status().is_server_error() => {
                    if attempt >= max_attempts {
                        return Err(IngestError::HttpStatus {
                            url: url.to_string(),
                            status: resp.status().as_u16(),
                            attempts: attempt,
                        });
                    }
                    format!("HTTP status {}", resp.status().as_u16())
                }
                Ok(resp) => return Ok((resp, attempt)),
                Err(e) => {
                    let transient = matches!(
                        e,
                        ureq::Error::Timeout(_)
                            | ureq::Error::Io(_)
                            | ureq::Error::ConnectionFailed
                    );
                    if !transient || attempt >= max_attempts {
                        return Err(IngestError::Fetch {
                            url: url.to_string(),
                            attempts: attempt,
                            reason: describe(&e),
                        });
                    }
                    describe(&e)
                }
            };
            tracing::warn!(url, attempt, reason = %retry_reason, ?delay, "retrying");
            std::thread::sleep(delay);
            delay = delay.saturating_mul(2);
        }
    }
}

fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused (is the host up?)".to_string()
        }
        ureq::Error::Timeout(t) => format!("timed out ({t})"),
        other => other.to_string(),
    }
}

/// The kind of body a content type announces; `None` for types we refuse.
fn kind_of_type(content_type: &str) -> Option<ContentKind> {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match mime.as_str() {
        "text/html" | "application/xhtml+xml" => Some(ContentKind::Html),
        "application/rss+xml"
        | "application/atom+xml"
        | "application/rdf+xml"
        | "application/feed+json"
        | "application/xml"
        | "text/xml" => Some(ContentKind::Feed),
        _ => None,
    }
}

/// Tells HTML from a feed by the first bytes (for generic XML types and missing types).
fn sniff_kind(body: &[u8]) -> Option<ContentKind> {
    let head = String::from_utf8_lossy(&body[..body.len().min(1024)]).to_ascii_lowercase();
    if head.contains("<rss") || head.contains("<feed") || head.contains("<rdf:rdf") {
        Some(ContentKind::Feed)
    } else if head.contains("<html") || head.contains("<!doctype html") || head.contains("<body") {
        Some(ContentKind::Html)
    } else if head.trim_start().starts_with("<?xml") || head.trim_start().starts_with('{') {
        // Some other XML (or JSON Feed): let the feed parser give a precise error.
        Some(ContentKind::Feed)
    } else {
        None
    }
}

/// Resolves a Location header against the URL it came from.
fn resolve(base: &str, location: &str) -> Option<String> {
    let base = url::Url::parse(base).ok()?;
    base.join(location.trim()).ok().map(String::from)
}

/// The host (with port) a URL points at; the key of the per-host limit.
fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| format!("{h}:{}", u.port_or_known_default().unwrap_or(0)))
        })
        .unwrap_or_default()
}

/// Counts requests in flight per host and makes callers wait for a free slot.
#[derive(Debug)]
struct HostLimiter {
    max: usize,
    active: Mutex<HashMap<String, usize>>,
    freed: Condvar,
}

struct Slot<'a> {
    limiter: &'a HostLimiter,
    host: String,
}

impl HostLimiter {
    fn acquire(&self, host: &str) -> Slot<'_> {
        // A poisoned lock only means another thread panicked mid-count; the map is
        // still usable, so recover it rather than propagate the panic.
        let mut active = self.active.lock().unwrap_or_else(|e| e.into_inner());
        while active.get(host).copied().unwrap_or(0) >= self.max {
            active = self.freed.wait(active).unwrap_or_else(|e| e.into_inner());
        }
        *active.entry(host.to_string()).or_insert(0) += 1;
        Slot {
            limiter: self,
            host: host.to_string(),
        }
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut active = self
            .limiter
            .active
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(n) = active.get_mut(&self.host) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                active.remove(&self.host);
            }
        }
        self.limiter.freed.notify_all();
    }
}
