//! The API's wire types: what goes in and out of `/api/v1`, each with its OpenAPI schema.
//! They mirror the store's and the core's types field for field (converted with `From`),
//! so the API stays stable, and documented, even as those crates change inside. No logic
//! beyond conversion lives here.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use whosaid_core as core;
use whosaid_store as store;

/// Direct (in quotation marks), indirect (reported speech) or mixed.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Direct,
    Indirect,
    Mixed,
}

impl From<core::StatementKind> for Kind {
    fn from(k: core::StatementKind) -> Self {
        match k {
            core::StatementKind::Direct => Kind::Direct,
            core::StatementKind::Indirect => Kind::Indirect,
            core::StatementKind::Mixed => Kind::Mixed,
        }
    }
}

impl From<Kind> for core::StatementKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Direct => core::StatementKind::Direct,
            Kind::Indirect => core::StatementKind::Indirect,
            Kind::Mixed => core::StatementKind::Mixed,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// Always "ok" when the server answers and the database can be read.
    pub status: String,
    pub version: String,
    /// Whether `POST /api/v1/articles` is enabled (a token is configured).
    pub writes_enabled: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Stats {
    pub articles: usize,
    pub statements: usize,
    pub speakers: usize,
    pub quotes: usize,
    pub repeated_quotes: usize,
    pub syndication_groups: usize,
    pub feeds: usize,
    pub schema_version: i64,
}

impl From<store::Stats> for Stats {
    fn from(s: store::Stats) -> Self {
        Stats {
            articles: s.articles,
            statements: s.statements,
            speakers: s.speakers,
            quotes: s.quotes,
            repeated_quotes: s.repeated_quotes,
            syndication_groups: s.syndication_groups,
            feeds: s.feeds,
            schema_version: s.schema_version,
        }
    }
}

/// Statement search parameters. All optional; none lists every statement, newest first.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Topic: words, "quoted phrases", OR, -exclusion, prefix*.
    pub q: Option<String>,
    /// Speaker name, alias or numeric id.
    pub speaker: Option<String>,
    /// On or after this day (YYYY-MM-DD).
    pub since: Option<String>,
    /// On or before this day (YYYY-MM-DD).
    pub until: Option<String>,
    /// direct, indirect or mixed.
    pub kind: Option<String>,
    /// Outlet name (case-insensitive).
    pub outlet: Option<String>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// One statement found by a search.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StatementHit {
    pub statement_id: i64,
    pub kind: Kind,
    pub text: String,
    /// Content span in the article text, in Unicode code points.
    pub start: usize,
    pub end: usize,
    pub cue: Option<String>,
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
    /// How many distinct outlets carried this quote.
    pub outlets_with_quote: usize,
}

impl From<store::StatementHit> for StatementHit {
    fn from(h: store::StatementHit) -> Self {
        StatementHit {
            statement_id: h.statement_id,
            kind: h.kind.into(),
            text: h.text,
            start: h.start,
            end: h.end,
            cue: h.cue,
            speaker: h.speaker,
            speaker_id: h.speaker_id,
            speaker_role: h.speaker_role,
            said_on: h.said_on,
            date: h.date,
            confidence: h.confidence,
            article_id: h.article_id,
            article_ext_id: h.article_ext_id,
            url: h.url,
            title: h.title,
            outlet: h.outlet,
            published: h.published,
            quote_id: h.quote_id,
            outlets_with_quote: h.outlets_with_quote,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SearchPage {
    pub hits: Vec<StatementHit>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SpeakersParams {
    /// How many speakers, by number of statements (1 to 500, default 50).
    pub top: Option<String>,
    /// Only speakers whose name or a role mentions this organisation.
    pub org: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SpeakerSummary {
    pub speaker_id: i64,
    pub name: String,
    /// person, organization, group, …
    pub kind: String,
    pub statements: usize,
    /// The role seen most often.
    pub role: Option<String>,
    pub first_seen: Option<NaiveDate>,
    pub last_seen: Option<NaiveDate>,
}

impl From<store::SpeakerSummary> for SpeakerSummary {
    fn from(s: store::SpeakerSummary) -> Self {
        SpeakerSummary {
            speaker_id: s.speaker_id,
            name: s.name,
            kind: s.kind,
            statements: s.statements,
            role: s.role,
            first_seen: s.first_seen,
            last_seen: s.last_seen,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SpeakerList {
    pub speakers: Vec<SpeakerSummary>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SpeakerParams {
    /// How many of the latest statements to include (1 to 200, default 20).
    pub statements: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SpeakerRole {
    pub role: String,
    pub first_seen: Option<NaiveDate>,
    pub last_seen: Option<NaiveDate>,
    pub count: usize,
}

/// Statements in one week (weeks start on Monday).
#[derive(Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct WeekCount {
    pub week: NaiveDate,
    pub count: usize,
}

#[derive(Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct TermCount {
    pub term: String,
    pub count: usize,
}

/// A speaker's record with what the speaker page draws.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SpeakerDetail {
    pub summary: SpeakerSummary,
    pub aliases: Vec<String>,
    pub roles: Vec<SpeakerRole>,
    /// The latest statements, newest first.
    pub statements: Vec<StatementHit>,
    /// Statements per week, oldest first; weeks with none are left out.
    pub weekly: Vec<WeekCount>,
    /// Statements with no known date (not in `weekly`).
    pub undated: usize,
    /// The words that recur most in the speaker's statements.
    pub top_terms: Vec<TermCount>,
    /// True when `weekly` and `top_terms` were computed on the newest statements only.
    pub profile_truncated: bool,
}

/// A name that several speakers answer to.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Ambiguous {
    pub error: String,
    pub candidates: Vec<SpeakerSummary>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
pub struct Span {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

impl From<store::Span> for Span {
    fn from(s: store::Span) -> Self {
        Span {
            text: s.text,
            start: s.start,
            end: s.end,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ArticleStatement {
    pub statement_id: i64,
    pub kind: Kind,
    pub text: String,
    /// Content span in the article text, in Unicode code points.
    pub start: usize,
    pub end: usize,
    pub cue: Option<Span>,
    pub speaker: Option<String>,
    pub speaker_id: Option<i64>,
    pub speaker_role: Option<String>,
    /// The mention of the speaker this attribution used.
    pub speaker_span: Option<Span>,
    pub said_on: Option<NaiveDate>,
    pub confidence: f32,
    pub quote_id: Option<i64>,
}

impl From<store::ArticleStatement> for ArticleStatement {
    fn from(s: store::ArticleStatement) -> Self {
        ArticleStatement {
            statement_id: s.statement_id,
            kind: s.kind.into(),
            text: s.text,
            start: s.start,
            end: s.end,
            cue: s.cue.map(Into::into),
            speaker: s.speaker,
            speaker_id: s.speaker_id,
            speaker_role: s.speaker_role,
            speaker_span: s.speaker_span.map(Into::into),
            said_on: s.said_on,
            confidence: s.confidence,
            quote_id: s.quote_id,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Clone, Copy)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
}

/// A person, organisation or place, merged over its mentions in one article.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Entity {
    pub name: String,
    /// person, organization, place, group or unknown.
    pub kind: String,
    pub roles: Vec<String>,
    pub mentions: Vec<Mention>,
}

impl From<core::Entity> for Entity {
    fn from(e: core::Entity) -> Self {
        Entity {
            name: e.name,
            kind: e.kind.as_str().to_string(),
            roles: e.roles,
            mentions: e
                .mentions
                .into_iter()
                .map(|m| Mention {
                    start: m.start,
                    end: m.end,
                })
                .collect(),
        }
    }
}

/// A stored article with its statements (spans in code points) and entities.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ArticleDetail {
    pub article_id: i64,
    pub ext_id: String,
    pub url: Option<String>,
    pub source: Option<String>,
    pub outlet: Option<String>,
    pub title: Option<String>,
    pub published: Option<NaiveDate>,
    /// Wire service credited by the article.
    pub credit: Option<String>,
    pub text: String,
    pub ingested_at: String,
    pub syndication_group: Option<i64>,
    pub statements: Vec<ArticleStatement>,
    pub entities: Vec<Entity>,
}

/// An article posted for extraction or storage.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    /// Your id for the article (required to store it; optional for extraction).
    pub id: Option<String>,
    pub text: String,
    pub title: Option<String>,
    /// Publication day (YYYY-MM-DD): relative dates in the text resolve against it.
    pub published: Option<NaiveDate>,
    pub url: Option<String>,
    /// Outlet name.
    pub source: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Cue {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Speaker {
    pub name: String,
    pub kind: String,
    pub role: Option<String>,
    /// Index into `entities`.
    pub entity: Option<usize>,
    /// The mention this attribution used.
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Statement {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub cue: Option<Cue>,
    pub speaker: Option<Speaker>,
    pub said_on: Option<NaiveDate>,
    pub confidence: f32,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DateMention {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub value: Option<NaiveDate>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Quantity {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub value: f64,
    pub unit: Option<String>,
}

/// What extraction found in a posted text (spans in code points). Nothing is stored.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Extraction {
    pub statements: Vec<Statement>,
    pub entities: Vec<Entity>,
    pub dates: Vec<DateMention>,
    pub quantities: Vec<Quantity>,
    pub credit: Option<String>,
}

impl From<core::Extraction> for Extraction {
    fn from(e: core::Extraction) -> Self {
        Extraction {
            statements: e
                .statements
                .into_iter()
                .map(|s| Statement {
                    kind: s.kind.into(),
                    start: s.start,
                    end: s.end,
                    text: s.text,
                    cue: s.cue.map(|c| Cue {
                        text: c.text,
                        start: c.start,
                        end: c.end,
                    }),
                    speaker: s.speaker.map(|p| Speaker {
                        name: p.name,
                        kind: p.kind.as_str().to_string(),
                        role: p.role,
                        entity: p.entity,
                        start: p.start,
                        end: p.end,
                    }),
                    said_on: s.said_on,
                    confidence: s.confidence,
                })
                .collect(),
            entities: e.entities.into_iter().map(Into::into).collect(),
            dates: e
                .dates
                .into_iter()
                .map(|d| DateMention {
                    text: d.text,
                    start: d.start,
                    end: d.end,
                    value: d.value,
                })
                .collect(),
            quantities: e
                .quantities
                .into_iter()
                .map(|q| Quantity {
                    text: q.text,
                    start: q.start,
                    end: q.end,
                    value: q.value,
                    unit: q.unit,
                })
                .collect(),
            credit: e.credit,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UpsertOutcome {
    pub article_id: i64,
    /// inserted, unchanged or replaced.
    pub action: String,
    pub statements: usize,
    pub syndication_group: Option<i64>,
}

impl From<store::UpsertOutcome> for UpsertOutcome {
    fn from(o: store::UpsertOutcome) -> Self {
        let action = match o.action {
            store::UpsertAction::Inserted => "inserted",
            store::UpsertAction::Unchanged => "unchanged",
            store::UpsertAction::Replaced => "replaced",
        };
        UpsertOutcome {
            article_id: o.article_id,
            action: action.to_string(),
            statements: o.statements,
            syndication_group: o.syndication_group,
        }
    }
}
