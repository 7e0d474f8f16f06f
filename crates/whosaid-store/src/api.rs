//! The store's public interface: the [`Store`] trait and the plain data types that cross
//! it (queries in, records out). Backend-neutral: nothing here knows about SQLite. All
//! types serialise with serde so a server can return them as JSON unchanged.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use whosaid_core::{Article, Extraction, StatementKind};

use crate::error::Result;

/// What an upsert did with one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UpsertAction {
    /// A new article.
    Inserted,
    /// Same identity, same text: nothing was written.
    Unchanged,
    /// Same URL, different text: its statements and entities were replaced.
    Replaced,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpsertOutcome {
    /// The store's id for the article.
    pub article_id: i64,
    pub action: UpsertAction,
    /// Statements stored for it (0 when unchanged).
    pub statements: usize,
    /// Syndication group it joined, if it has near-duplicates.
    pub syndication_group: Option<i64>,
}

/// A statement search. Every field is optional; an empty query with no filters lists all
/// statements, newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SearchQuery {
    /// User query: words, "quoted phrases", OR, -exclusion, prefix*.
    pub text: Option<String>,
    /// Speaker name or alias, case-insensitive.
    pub speaker: Option<String>,
    /// On or after this day (statement's said_on, else the article's published date).
    pub since: Option<NaiveDate>,
    /// On or before this day.
    pub until: Option<NaiveDate>,
    pub kind: Option<StatementKind>,
    /// Outlet (the article's source, else its URL host), case-insensitive.
    pub outlet: Option<String>,
    /// Page size (default 20, at most 1000).
    pub limit: Option<usize>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// One statement found by a search or export, with everything needed to show or cite it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementHit {
    pub statement_id: i64,
    pub kind: StatementKind,
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub cue: Option<String>,
    /// Corpus speaker's display name when resolved, else the name as extracted.
    pub speaker: Option<String>,
    pub speaker_id: Option<i64>,
    pub speaker_role: Option<String>,
    pub said_on: Option<NaiveDate>,
    /// said_on, else the article's published date.
    pub date: Option<NaiveDate>,
    pub confidence: f32,
    pub article_id: i64,
    pub article_ext_id: String,
    pub url: Option<String>,
    pub title: Option<String>,
    pub outlet: Option<String>,
    pub published: Option<NaiveDate>,
    pub quote_id: Option<i64>,
    /// How many distinct outlets carried this quote (1 when it appeared once).
    pub outlets_with_quote: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchPage {
    pub hits: Vec<StatementHit>,
    /// Pass as `SearchQuery::cursor` to get the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleHit {
    pub article_id: i64,
    pub ext_id: String,
    pub title: Option<String>,
    pub url: Option<String>,
    pub outlet: Option<String>,
    pub published: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SpeakersQuery {
    /// How many speakers, by statement count (default 20).
    pub top: Option<usize>,
    /// Only speakers with a role or name mentioning this organisation (case-insensitive).
    pub org: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeakerSummary {
    pub speaker_id: i64,
    pub name: String,
    pub kind: String,
    pub statements: usize,
    /// The role seen most often.
    pub role: Option<String>,
    pub first_seen: Option<NaiveDate>,
    pub last_seen: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeakerRole {
    pub role: String,
    pub first_seen: Option<NaiveDate>,
    pub last_seen: Option<NaiveDate>,
    pub count: usize,
}

/// A speaker's corpus record: names, roles over time, statements newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeakerRecord {
    pub summary: SpeakerSummary,
    pub aliases: Vec<String>,
    pub roles: Vec<SpeakerRole>,
    pub statements: Vec<StatementHit>,
}

/// The answer to "who is NAME?".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum SpeakerLookup {
    Found(Box<SpeakerRecord>),
    /// Several speakers answer to the name (a bare surname shared by different people).
    Ambiguous {
        candidates: Vec<SpeakerSummary>,
    },
    NotFound,
}

/// A stored article with its statements, for display with highlights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleView {
    pub article_id: i64,
    pub ext_id: String,
    pub url: Option<String>,
    pub source: Option<String>,
    pub outlet: Option<String>,
    pub title: Option<String>,
    pub published: Option<NaiveDate>,
    pub credit: Option<String>,
    pub text: String,
    pub text_hash: String,
    pub ingested_at: String,
    pub syndication_group: Option<i64>,
    pub statements: Vec<ArticleStatement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleStatement {
    pub statement_id: i64,
    pub kind: StatementKind,
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub cue: Option<Span>,
    pub speaker: Option<String>,
    pub speaker_id: Option<i64>,
    pub speaker_role: Option<String>,
    /// The speaker mention this attribution used.
    pub speaker_span: Option<Span>,
    pub said_on: Option<NaiveDate>,
    pub confidence: f32,
    pub quote_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// One quote and every place it appeared, earliest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteRecord {
    pub quote_id: i64,
    /// The longest form seen.
    pub text: String,
    pub first_seen: Option<NaiveDate>,
    pub occurrences: Vec<StatementHit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyndicationGroup {
    pub group_id: i64,
    pub credit: Option<String>,
    /// Members, earliest published first.
    pub articles: Vec<ArticleHit>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub articles: usize,
    pub statements: usize,
    pub speakers: usize,
    pub quotes: usize,
    /// Quotes that appeared in more than one statement.
    pub repeated_quotes: usize,
    pub syndication_groups: usize,
    pub feeds: usize,
    pub schema_version: i64,
}

/// Conditional-GET state of one feed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedState {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// Everything the command line and a server need from a store. Synchronous; a backend
/// must be shareable across threads (`Send + Sync`), serialising writes itself.
pub trait Store: Send + Sync {
    /// Stores a batch of articles with their extractions in one transaction: all or none.
    /// Re-ingesting an unchanged article is a no-op; a changed one (same URL, new text) has
    /// its statements and entities replaced.
    fn upsert_batch(&self, items: &[(Article, Extraction)]) -> Result<Vec<UpsertOutcome>> {
        let prepared = items
            .iter()
            .map(|(a, e)| crate::prepare(a.clone(), e.clone()))
            .collect();
        self.upsert_prepared(prepared)
    }

    /// Like `upsert_batch`, for articles already run through [`crate::prepare`] (which
    /// callers may do in parallel).
    fn upsert_prepared(&self, items: Vec<crate::PreparedArticle>) -> Result<Vec<UpsertOutcome>>;

    fn upsert(&self, article: &Article, extraction: &Extraction) -> Result<UpsertOutcome> {
        let mut out = self.upsert_batch(&[(article.clone(), extraction.clone())])?;
        Ok(out.remove(0))
    }

    /// Statements matching the query, newest first, one page at a time (keyset cursor).
    fn search(&self, query: &SearchQuery) -> Result<SearchPage>;

    /// Articles whose title or text match a user query (same syntax as `search`).
    fn search_articles(&self, query: &str, limit: usize) -> Result<Vec<ArticleHit>>;

    /// Speakers by number of statements.
    fn speakers(&self, query: &SpeakersQuery) -> Result<Vec<SpeakerSummary>>;

    /// A speaker's record by name or alias (case-insensitive), or by numeric id.
    fn speaker(&self, name: &str, statement_limit: usize) -> Result<SpeakerLookup>;

    /// An article by store id, source id, or URL.
    fn article(&self, id: &str) -> Result<Option<ArticleView>>;

    /// A quote with all its occurrences, earliest first.
    fn quote(&self, quote_id: i64) -> Result<Option<QuoteRecord>>;

    /// A syndication group with its members.
    fn syndication_group(&self, group_id: i64) -> Result<Option<SyndicationGroup>>;

    fn stats(&self) -> Result<Stats>;

    fn feed_state(&self, url: &str) -> Result<Option<FeedState>>;

    fn set_feed_state(&self, url: &str, state: &FeedState) -> Result<()>;

    /// Calls `visit` for every statement matching `query` (ignoring its limit and cursor),
    /// newest first, reading page by page so memory stays flat.
    fn for_each_statement(
        &self,
        query: &SearchQuery,
        visit: &mut dyn FnMut(StatementHit) -> Result<()>,
    ) -> Result<()> {
        let mut q = query.clone();
        q.limit = Some(1000);
        q.cursor = None;
        loop {
            let page = self.search(&q)?;
            for hit in page.hits {
                visit(hit)?;
            }
            match page.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => return Ok(()),
            }
        }
    }
}
