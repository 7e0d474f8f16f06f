//! The domain types that cross the core's boundary: an [`Article`] goes in, an
//! [`Extraction`] comes out. Offsets in an `Extraction` count Unicode code points (what
//! Python's `str` indexes), never bytes, so any annotation can be highlighted in the source
//! by any client. Inside the pipeline, steps work in byte offsets; `crate::extract`
//! converts once at the end.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One news report: text plus what we know about it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Article {
    pub id: String,
    pub text: String,
    /// Publication date: relative dates ("on Thursday") are resolved against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Article {
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        Article {
            id: id.into(),
            text: text.into(),
            ..Default::default()
        }
    }

    pub fn with_published(mut self, date: NaiveDate) -> Self {
        self.published = Some(date);
        self
    }
}

/// Everything the core found in one article.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Extraction {
    pub id: String,
    pub statements: Vec<Statement>,
    pub entities: Vec<Entity>,
    pub dates: Vec<DateMention>,
    pub quantities: Vec<Quantity>,
    /// The wire service credited by the article ("Reuters", "AFP"), if any.
    pub credit: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum StatementKind {
    /// Words inside quotation marks.
    Direct,
    /// Reported speech: a paraphrase with no quotation marks.
    Indirect,
    /// A paraphrase that holds a quoted phrase.
    Mixed,
}

impl StatementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StatementKind::Direct => "direct",
            StatementKind::Indirect => "indirect",
            StatementKind::Mixed => "mixed",
        }
    }
}

/// One attributed statement: content, the cue that attributes it, and who said it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Statement {
    pub kind: StatementKind,
    /// Content span, without outer quotation marks.
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub cue: Option<Cue>,
    pub speaker: Option<Speaker>,
    /// The day the statement was made, when the article says ("on Thursday").
    pub said_on: Option<NaiveDate>,
    /// How sure the extractor is, 0..1 (heuristic, ordered: higher is surer).
    pub confidence: f32,
}

/// The words that attribute a statement: "said", "according to", "told reporters".
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Cue {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Organization,
    Place,
    /// Unnamed collectives: "sources", "officials", "analysts".
    Group,
    Unknown,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Organization => "organization",
            EntityKind::Place => "place",
            EntityKind::Group => "group",
            EntityKind::Unknown => "unknown",
        }
    }
}

/// Who said it: the canonical name and the mention this attribution used ("he", "Okafor").
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Speaker {
    pub name: String,
    pub kind: EntityKind,
    pub role: Option<String>,
    /// Index into `Extraction::entities`.
    pub entity: Option<usize>,
    /// The mention used by this attribution.
    pub start: usize,
    pub end: usize,
}

/// A person, organisation or place, merged over all its mentions in the article.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Entity {
    pub name: String,
    pub kind: EntityKind,
    pub roles: Vec<String>,
    pub mentions: Vec<Mention>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
}

/// A date expression and, where it can be resolved, the calendar day it names.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DateMention {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub value: Option<NaiveDate>,
}

/// A number with what it counts: "roughly 40,000 refugees" → 40000, "refugees".
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Quantity {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub value: f64,
    pub unit: Option<String>,
}
