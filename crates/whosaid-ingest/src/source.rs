//! One entry point for a SOURCE argument: [`open`] classifies it — a folder (walked
//! recursively, in a stable order), a file (by extension, then by sniffing its first
//! bytes), or an `http(s)://` URL (a feed or a page, by content type) — and returns a
//! lazy [`Source`]: an iterator of articles, each with its [`Origin`], where one bad
//! input is one error item and the rest still come. For URLs it also exposes the
//! validators (ETag / Last-Modified) to store for a conditional re-run. It does not
//! store, deduplicate or extract statements.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::fetch::{ContentKind, FetchOutcome, Fetcher, Validators};
use crate::origin::{Ingested, Origin};
use crate::{feed, html, jsonl, text, warc, IngestError, IngestOptions};

/// What kind of input a source spec named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Folder,
    Text,
    Html,
    Feed,
    Warc,
    Jsonl,
    /// An HTML page fetched over HTTP(S).
    WebPage,
    /// A feed fetched over HTTP(S).
    WebFeed,
}

type Items = Box<dyn Iterator<Item = Result<Ingested, IngestError>>>;

/// An opened source: iterate it for articles.
pub struct Source {
    kind: SourceKind,
    validators: Option<Validators>,
    not_modified: bool,
    items: Items,
}

impl Source {
    pub fn kind(&self) -> SourceKind {
        self.kind
    }

    /// For a URL source: the validators the server sent (or, after a 304, the ones that
    /// still hold). Store them under the URL and pass them back in
    /// `IngestOptions::validators` next time.
    pub fn validators(&self) -> Option<&Validators> {
        self.validators.as_ref()
    }

    /// True when the server answered 304 Not Modified: the source yields nothing.
    pub fn not_modified(&self) -> bool {
        self.not_modified
    }
}

impl Iterator for Source {
    type Item = Result<Ingested, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.items.next()
    }
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("kind", &self.kind)
            .field("validators", &self.validators)
            .field("not_modified", &self.not_modified)
            .finish_non_exhaustive()
    }
}

/// Opens a source spec: a folder, a file, or an `http(s)://` URL.
pub fn open(spec: &str, opts: &IngestOptions) -> Result<Source, IngestError> {
    let lower = spec.trim().to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return open_url(spec.trim(), opts);
    }
    let path = Path::new(spec);
    let meta = std::fs::metadata(path).map_err(|e| IngestError::io(path, e))?;
    if meta.is_dir() {
        return Ok(Source {
            kind: SourceKind::Folder,
            validators: None,
            not_modified: false,
            items: walk_folder(path.to_path_buf(), opts.clone()),
        });
    }
    let kind = classify_file(path)
        .map_err(|e| IngestError::io(path, e))?
        .unwrap_or(SourceKind::Text);
    Ok(Source {
        kind,
        validators: None,
        not_modified: false,
        items: open_file(path, kind, opts),
    })
}

fn open_url(url: &str, opts: &IngestOptions) -> Result<Source, IngestError> {
    let fetcher = Fetcher::new(opts.fetch.clone());
    match fetcher.fetch(url, opts.validators.get(url))? {
        FetchOutcome::NotModified { validators, .. } => Ok(Source {
            kind: SourceKind::WebFeed,
            validators: Some(validators),
            not_modified: true,
            items: Box::new(std::iter::empty()),
        }),
        FetchOutcome::Fetched(page) => {
            let validators = Some(page.validators.clone());
            match page.kind {
                ContentKind::Feed => {
                    let parsed = feed::parse(&page.body, url)?;
                    let items = feed::entries(parsed, url.to_string(), Some(fetcher), opts);
                    Ok(Source {
                        kind: SourceKind::WebFeed,
                        validators,
                        not_modified: false,
                        items: Box::new(items),
                    })
                }
                ContentKind::Html => {
                    let (mut article, warnings) = html::article_from_bytes(
                        &page.body,
                        page.content_type.as_deref(),
                        &page.url,
                        &page.url,
                    )?;
                    article.url = Some(page.url.clone());
                    article.source = Some(page.url.clone());
                    let mut item = Ingested::new(article, Origin::Url { url: page.url });
                    item.warnings = warnings;
                    Ok(Source {
                        kind: SourceKind::WebPage,
                        validators,
                        not_modified: false,
                        items: Box::new(std::iter::once(Ok(item))),
                    })
                }
            }
        }
    }
}

/// A file's items; errors opening it become the single item.
fn open_file(path: &Path, kind: SourceKind, opts: &IngestOptions) -> Items {
    let one = |r: Result<Ingested, IngestError>| -> Items { Box::new(std::iter::once(r)) };
    match kind {
        SourceKind::Text => one(text::read(path, opts)),
        SourceKind::Html => one(html::read(path, opts)),
        SourceKind::Jsonl => match jsonl::open(path, opts) {
            Ok(r) => Box::new(r),
            Err(e) => one(Err(e)),
        },
        SourceKind::Warc => match warc::open(path, opts) {
            Ok(r) => Box::new(r),
            Err(e) => one(Err(e)),
        },
        SourceKind::Feed => {
            let input = path.display().to_string();
            let bytes = match text::read_file_limited(path, opts.max_file_bytes) {
                Ok(b) => b,
                Err(e) => return one(Err(e)),
            };
            match feed::parse(&bytes, &input) {
                Ok(parsed) => {
                    let fetcher = opts
                        .fetch_entry_pages
                        .then(|| Fetcher::new(opts.fetch.clone()));
                    Box::new(feed::entries(parsed, input, fetcher, opts))
                }
                Err(e) => one(Err(e)),
            }
        }
        SourceKind::Folder | SourceKind::WebPage | SourceKind::WebFeed => {
            one(Err(IngestError::Unsupported {
                input: path.display().to_string(),
                reason: "not a file".to_string(),
            }))
        }
    }
}

/// Walks a folder lazily in file-name order, skipping hidden entries and files that are
/// none of our formats (by extension and first bytes).
fn walk_folder(root: PathBuf, opts: IngestOptions) -> Items {
    let walk = walkdir::WalkDir::new(&root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    Box::new(walk.flat_map(move |entry| -> Items {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| root.clone());
                let io = e
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("filesystem loop"));
                return Box::new(std::iter::once(Err(IngestError::io(path, io))));
            }
        };
        if !entry.file_type().is_file() {
            return Box::new(std::iter::empty());
        }
        let path = entry.path();
        match classify_file(path) {
            Ok(Some(kind)) => open_file(path, kind, &opts),
            Ok(None) => {
                tracing::debug!(path = %path.display(), "skipping: not a recognised article file");
                Box::new(std::iter::empty())
            }
            Err(e) => Box::new(std::iter::once(Err(IngestError::io(path, e)))),
        }
    }))
}

/// How many articles a source will yield, when that is cheap to know beforehand: one per
/// text or HTML file, one per non-empty JSONL line, summed over a folder. `None` for
/// URLs, feeds and WARC files (only reading them tells) — the progress bar then shows a
/// rate without an ETA.
pub fn estimate_articles(spec: &str) -> Option<u64> {
    let l = spec.trim().to_ascii_lowercase();
    if l.starts_with("http://") || l.starts_with("https://") {
        return None;
    }
    let path = Path::new(spec);
    if path.is_dir() {
        let mut n = 0u64;
        for entry in walkdir::WalkDir::new(path)
            .follow_links(false)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        {
            let entry = entry.ok()?;
            if entry.file_type().is_file() {
                n += estimate_file(entry.path())?;
            }
        }
        return Some(n);
    }
    estimate_file(path)
}

fn estimate_file(path: &Path) -> Option<u64> {
    match classify_file(path).ok()? {
        Some(SourceKind::Text | SourceKind::Html) => Some(1),
        Some(SourceKind::Jsonl) => {
            let mut r = std::io::BufReader::new(std::fs::File::open(path).ok()?);
            let mut n = 0u64;
            let mut blank = true;
            let mut buf = [0u8; 64 * 1024];
            loop {
                let k = r.read(&mut buf).ok()?;
                if k == 0 {
                    break;
                }
                for &b in &buf[..k] {
                    if b == b'\n' {
                        n += u64::from(!blank);
                        blank = true;
                    } else if !b.is_ascii_whitespace() {
                        blank = false;
                    }
                }
            }
            Some(n + u64::from(!blank))
        }
        Some(_) => None,
        None => Some(0),
    }
}

/// Decides a file's format by extension, then by its first bytes. `None`: not ours.
pub fn classify_file(path: &Path) -> std::io::Result<Option<SourceKind>> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let by_ext =
        if name.ends_with(".warc") || name.ends_with(".warc.gz") || name.ends_with(".arc.gz") {
            Some(SourceKind::Warc)
        } else {
            match name.rsplit_once('.').map(|(_, e)| e) {
                Some("txt" | "text") => Some(SourceKind::Text),
                Some("html" | "htm" | "xhtml") => Some(SourceKind::Html),
                Some("xml" | "rss" | "atom") => Some(SourceKind::Feed),
                Some("jsonl" | "ndjson") => Some(SourceKind::Jsonl),
                _ => None,
            }
        };
    if by_ext.is_some() {
        return Ok(by_ext);
    }
    let mut head = Vec::with_capacity(1024);
    std::fs::File::open(path)?
        .take(1024)
        .read_to_end(&mut head)?;
    Ok(sniff(&head))
}

/// Recognises a format from a file's first bytes.
fn sniff(head: &[u8]) -> Option<SourceKind> {
    if head.starts_with(b"WARC/") {
        return Some(SourceKind::Warc);
    }
    if head.starts_with(&[0x1f, 0x8b]) {
        // A gzip file: only a WARC is ours.
        let mut inner = [0u8; 5];
        let mut dec = flate2::read::GzDecoder::new(head);
        return match dec.read_exact(&mut inner) {
            Ok(()) if &inner == b"WARC/" => Some(SourceKind::Warc),
            _ => None,
        };
    }
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.contains("<rss") || t.contains("<feed") || t.contains("<rdf:rdf") {
        Some(SourceKind::Feed)
    } else if t.starts_with("<!doctype html") || t.starts_with("<html") || t.contains("<body") {
        Some(SourceKind::Html)
    } else if t.starts_with('{') {
        Some(SourceKind::Jsonl)
    } else {
        None
    }
}
