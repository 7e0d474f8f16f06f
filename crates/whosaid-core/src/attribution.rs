//! Cues, speakers and pronouns: which statements exist and who made them.
use crate::entities::EntityTable;
use crate::model::{DateMention, Statement};
use crate::text::Document;

pub fn attribute(_doc: &Document, _entities: &mut EntityTable) -> Vec<Statement> {
    Vec::new()
}

pub fn assign_dates(_doc: &Document, _statements: &mut [Statement], _dates: &[DateMention]) {}
