//! Where an article came from. Every item an ingest source yields carries an [`Origin`]
//! (file, line, WARC record, URL, feed entry) so that errors, logs and the store can name
//! it, plus any warnings raised while reading it. It does not decide identity: the
//! article id is set by each source (see the README for the scheme).

use std::fmt;
use std::path::PathBuf;

use whosaid_core::Article;

/// The place one article was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A whole file (plain text or HTML).
    File { path: PathBuf },
    /// One line of a JSONL file (1-based).
    Line { path: PathBuf, line: u64 },
    /// One record of a WARC file (1-based, counting every record), with its target URI.
    Record {
        path: PathBuf,
        record: u64,
        uri: Option<String>,
    },
    /// A page fetched over HTTP(S) (the final URL after redirects).
    Url { url: String },
    /// One entry of a feed (0-based position in the feed), with its link if any.
    FeedEntry {
        feed: String,
        entry: usize,
        link: Option<String>,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { path } => write!(f, "{}", path.display()),
            Origin::Line { path, line } => write!(f, "{}:{line}", path.display()),
            Origin::Record { path, record, uri } => {
                write!(f, "{} record {record}", path.display())?;
                if let Some(uri) = uri {
                    write!(f, " ({uri})")?;
                }
                Ok(())
            }
            Origin::Url { url } => write!(f, "{url}"),
            Origin::FeedEntry { feed, entry, link } => {
                write!(f, "{feed} entry {entry}")?;
                if let Some(link) = link {
                    write!(f, " ({link})")?;
                }
                Ok(())
            }
        }
    }
}

/// One article produced by a source, with where it came from and what was odd about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ingested {
    pub article: Article,
    pub origin: Origin,
    /// Non-fatal problems (lossy decoding, a date that did not parse, ...).
    pub warnings: Vec<String>,
}

impl Ingested {
    pub fn new(article: Article, origin: Origin) -> Self {
        Ingested {
            article,
            origin,
            warnings: Vec::new(),
        }
    }
}
