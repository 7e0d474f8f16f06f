//! RSS 2.0 / Atom (and RSS 1.0, JSON Feed: whatever `feed-rs` reads) → one article per
//! entry: title, link, published date, and text from the entry's full content. An entry
//! that carries only a summary (or a content too short to be the article) gets its page
//! fetched through [`crate::fetch`] and extracted by [`crate::html`]; a fetch that fails
//! is an error for that entry alone. A malformed feed is an error naming the feed. It
//! does not follow pagination or WebSub, and keeps no state between runs (the caller
//! stores validators).

use feed_rs::model::{Entry, Feed};
use whosaid_core::Article;

use crate::fetch::{FetchOutcome, Fetcher};
use crate::html;
use crate::origin::{Ingested, Origin};
use crate::{IngestError, IngestOptions};

/// Parses feed bytes; `input` (path or URL) names the feed in errors.
pub fn parse(bytes: &[u8], input: &str) -> Result<Feed, IngestError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(IngestError::Empty {
            input: input.to_string(),
        });
    }
    // feed-rs is a parser of hostile input we cannot audit for panics; contain them.
    let parsed = std::panic::catch_unwind(|| feed_rs::parser::parse(bytes)).map_err(|_| {
        IngestError::Feed {
            input: input.to_string(),
            reason: "the feed parser crashed on this input".to_string(),
        }
    })?;
    parsed.map_err(|e| IngestError::Feed {
        input: input.to_string(),
        reason: e.to_string(),
    })
}

/// The entries of a parsed feed as articles. `fetcher` is used for summary-only entries
/// when `opts.fetch_entry_pages` is set; without one, summaries are used as they are.
pub fn entries(
    feed: Feed,
    input: String,
    fetcher: Option<Fetcher>,
    opts: &IngestOptions,
) -> impl Iterator<Item = Result<Ingested, IngestError>> {
    let fetch_pages = opts.fetch_entry_pages;
    let min_chars = opts.min_article_chars;
    let validators = opts.validators.clone();
    let feed_title = feed.title.as_ref().map(|t| html_to_text(&t.content));
    feed.entries
        .into_iter()
        .enumerate()
        .filter_map(move |(index, entry)| {
            let link = entry_link(&entry);
            let origin = Origin::FeedEntry {
                feed: input.clone(),
                entry: index,
                link: link.clone(),
            };
            let ctx = EntryContext {
                origin,
                link,
                feed_title: feed_title.clone(),
                fetcher: if fetch_pages { fetcher.as_ref() } else { None },
                min_chars,
                validators: &validators,
            };
            entry_article(entry, ctx).transpose()
        })
}

struct EntryContext<'a> {
    origin: Origin,
    link: Option<String>,
    feed_title: Option<String>,
    fetcher: Option<&'a Fetcher>,
    min_chars: usize,
    validators: &'a std::collections::HashMap<String, crate::fetch::Validators>,
}

/// The entry's article page: the `alternate` link if marked, else the first.
fn entry_link(entry: &Entry) -> Option<String> {
    entry
        .links
        .iter()
        .find(|l| l.rel.as_deref() == Some("alternate"))
        .or_else(|| entry.links.first())
        .map(|l| l.href.trim().to_string())
        .filter(|h| !h.is_empty())
}

/// `Ok(None)`: the entry's page was unchanged since last time (304), nothing to yield.
fn entry_article(entry: Entry, ctx: EntryContext) -> Result<Option<Ingested>, IngestError> {
    let title = entry
        .title
        .as_ref()
        .map(|t| html_to_text(&t.content))
        .filter(|t| !t.is_empty());
    let published = entry.published.or(entry.updated).map(|d| d.date_naive());
    let id = ctx.link.clone().unwrap_or_else(|| entry.id.clone());
    let content = entry
        .content
        .as_ref()
        .and_then(|c| c.body.as_deref())
        .map(html_to_text)
        .unwrap_or_default();
    let summary = entry
        .summary
        .as_ref()
        .map(|s| html_to_text(&s.content))
        .unwrap_or_default();
    let mut warnings = Vec::new();

    let mut text = content;
    if text.chars().count() < ctx.min_chars {
        if let (Some(fetcher), Some(link)) = (ctx.fetcher, &ctx.link) {
            match fetcher.fetch(link, ctx.validators.get(link))? {
                FetchOutcome::NotModified { .. } => return Ok(None),
                FetchOutcome::Fetched(page) => {
                    let (mut article, w) = html::article_from_bytes(
                        &page.body,
                        page.content_type.as_deref(),
                        &id,
                        &page.url,
                    )?;
                    warnings.extend(w);
                    article.title = title.or(article.title);
                    article.published = published.or(article.published);
                    article.url = Some(page.url);
                    article.source = ctx.feed_title.clone().or(Some(ctx.origin.to_string()));
                    let mut item = Ingested::new(article, ctx.origin);
                    item.warnings = warnings;
                    return Ok(Some(item));
                }
            }
        }
        if text.is_empty() {
            text = summary;
            if !text.is_empty() {
                warnings.push(format!("{}: only a summary is available", ctx.origin));
            }
        }
    }
    if text.trim().is_empty() {
        return Err(IngestError::NoContent {
            input: ctx.origin.to_string(),
        });
    }
    let mut article = Article::new(id, text);
    article.title = title;
    article.published = published;
    article.url = ctx.link;
    article.source = ctx.feed_title.or(Some(ctx.origin.to_string()));
    let mut item = Ingested::new(article, ctx.origin);
    item.warnings = warnings;
    Ok(Some(item))
}

/// Feed text fields may hold HTML (escaped or not): render paragraphs as text.
fn html_to_text(s: &str) -> String {
    if !s.contains('<') && !s.contains('&') {
        return s.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    html::fragment_text(s)
}
