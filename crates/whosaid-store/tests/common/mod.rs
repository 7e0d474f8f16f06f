//! Builds small articles and their extractions by hand, so the store's tests do not
//! depend on the extractor's accuracy. Offsets are code points, as the core's are.
#![allow(dead_code)]

use chrono::NaiveDate;
use whosaid_core::{
    Article, Cue, Entity, EntityKind, Extraction, Mention, Speaker, Statement, StatementKind,
};

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

#[derive(Default)]
pub struct Doc {
    text: String,
    statements: Vec<Statement>,
    entities: Vec<Entity>,
    credit: Option<String>,
}

fn cp(s: &str) -> usize {
    s.chars().count()
}

impl Doc {
    pub fn new() -> Self {
        Doc::default()
    }

    pub fn para(mut self, s: &str) -> Self {
        self.text.push_str(s);
        self.text.push_str("\n\n");
        self
    }

    pub fn credit(mut self, c: &str) -> Self {
        self.credit = Some(c.to_string());
        self
    }

    /// Appends `“QUOTE,” said SPEAKER.` and its statement.
    pub fn quote(self, quote: &str, speaker: &str) -> Self {
        self.statement(
            StatementKind::Direct,
            quote,
            speaker,
            EntityKind::Person,
            None,
            None,
        )
    }

    pub fn statement(
        mut self,
        kind: StatementKind,
        content: &str,
        speaker: &str,
        speaker_kind: EntityKind,
        role: Option<&str>,
        said_on: Option<NaiveDate>,
    ) -> Self {
        let (open, close) = if kind == StatementKind::Indirect {
            ("", "")
        } else {
            ("\u{201C}", ",\u{201D}")
        };
        self.text.push_str(open);
        let start = cp(&self.text);
        self.text.push_str(content);
        let end = cp(&self.text);
        self.text.push_str(close);
        self.text.push(' ');
        let cue_start = cp(&self.text);
        self.text.push_str("said");
        let cue_end = cp(&self.text);
        self.text.push(' ');
        let sp_start = cp(&self.text);
        self.text.push_str(speaker);
        let sp_end = cp(&self.text);
        self.text.push_str(".\n\n");
        let entity = self.entities.iter().position(|e| e.name == speaker);
        let entity = match entity {
            Some(i) => {
                self.entities[i].mentions.push(Mention {
                    start: sp_start,
                    end: sp_end,
                });
                i
            }
            None => {
                self.entities.push(Entity {
                    name: speaker.to_string(),
                    kind: speaker_kind,
                    roles: role.map(|r| vec![r.to_string()]).unwrap_or_default(),
                    mentions: vec![Mention {
                        start: sp_start,
                        end: sp_end,
                    }],
                });
                self.entities.len() - 1
            }
        };
        self.statements.push(Statement {
            kind,
            start,
            end,
            text: content.to_string(),
            cue: Some(Cue {
                text: "said".into(),
                start: cue_start,
                end: cue_end,
            }),
            speaker: Some(Speaker {
                name: speaker.to_string(),
                kind: speaker_kind,
                role: role.map(str::to_string),
                entity: Some(entity),
                start: sp_start,
                end: sp_end,
            }),
            said_on,
            confidence: 0.9,
        });
        self
    }

    pub fn build(
        self,
        id: &str,
        url: Option<&str>,
        source: Option<&str>,
        published: Option<&str>,
    ) -> (Article, Extraction) {
        let article = Article {
            id: id.to_string(),
            text: self.text,
            published: published.map(day),
            title: Some(format!("Title of {id}")),
            url: url.map(str::to_string),
            source: source.map(str::to_string),
        };
        let extraction = Extraction {
            id: id.to_string(),
            statements: self.statements,
            entities: self.entities,
            dates: vec![],
            quantities: vec![],
            credit: self.credit,
        };
        (article, extraction)
    }
}

/// A temporary database.
pub fn temp_store() -> (tempfile::TempDir, whosaid_store::SqliteStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store =
        whosaid_store::SqliteStore::open(dir.path().join("whosaid.db")).expect("open store");
    (dir, store)
}

/// A long filler paragraph that makes each story distinct.
pub fn story(topic: &str) -> String {
    format!(
        "Officials in the region met on Monday to discuss {topic}, a matter that has divided \
         residents for months. The talks, held behind closed doors at the town hall, lasted \
         more than six hours and ended without a joint statement on {topic}. Several local \
         groups staged small protests outside, and police closed two streets nearby while \
         the meeting went on late into the evening."
    )
}
