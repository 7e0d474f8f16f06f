//! The pure part of storing an article: identity, text hash, MinHash signature, quote
//! keys and parsed speaker names, computed without touching the database so that callers
//! can run it in parallel (e.g. on rayon threads beside extraction) and hand the writer
//! only what it must do under its lock.

use whosaid_core::{Article, Extraction};

use crate::{normalize, quotes, speakers, syndication};

/// An article with everything a backend needs to store it.
#[derive(Debug, Clone)]
pub struct PreparedArticle {
    pub article: Article,
    pub extraction: Extraction,
    /// 'url:' + canonical URL, else 'text:' + text hash.
    pub key: String,
    pub canonical_url: Option<String>,
    /// The article's source, else its URL's host.
    pub outlet: Option<String>,
    pub text_hash: String,
    pub signature: Option<Vec<u32>>,
    pub buckets: Vec<i64>,
    /// Per statement.
    pub quote_keys: Vec<Option<quotes::QuoteKey>>,
    /// Per statement: the speaker in normal form, if it is a corpus speaker.
    pub speakers: Vec<Option<speakers::ParsedName>>,
}

pub fn prepare(article: Article, extraction: Extraction) -> PreparedArticle {
    let text_hash = normalize::text_hash(&article.text);
    let canonical_url = article.url.as_deref().and_then(normalize::canonical_url);
    let key = match &canonical_url {
        Some(u) => format!("url:{u}"),
        None => format!("text:{text_hash}"),
    };
    let outlet = article
        .source
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .or_else(|| article.url.as_deref().and_then(normalize::url_host));
    let signature = syndication::signature(&article.text);
    let buckets = signature
        .as_deref()
        .map(syndication::buckets)
        .unwrap_or_default();
    let quote_keys = extraction
        .statements
        .iter()
        .map(|s| quotes::key(&s.text))
        .collect();
    let speakers = extraction
        .statements
        .iter()
        .map(|s| {
            s.speaker
                .as_ref()
                .and_then(|sp| speakers::parse(&sp.name, sp.kind))
        })
        .collect();
    PreparedArticle {
        key,
        canonical_url,
        outlet,
        text_hash,
        signature,
        buckets,
        quote_keys,
        speakers,
        article,
        extraction,
    }
}
