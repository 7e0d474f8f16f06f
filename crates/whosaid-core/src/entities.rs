//! Entity mentions, roles and in-article merging.
use crate::model::Entity;
use crate::text::Document;

pub struct EntityTable {
    entities: Vec<Entity>,
}

impl EntityTable {
    pub fn new(_doc: &Document) -> Self {
        EntityTable { entities: Vec::new() }
    }
    pub fn into_entities(self) -> Vec<Entity> {
        self.entities
    }
}
