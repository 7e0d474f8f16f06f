//! whosaid-core: who said what, about whom, when — from one article.
//!
//! A pure library: [`extract`] takes an [`Article`] (text plus optional metadata) and
//! returns an [`Extraction`]. It does no I/O, holds no globals that change, and gives the
//! same output for the same input. The steps run in pipeline order, one module each:
//! `text` (paragraphs, sentences, tokens), `lexicon` (word lists, from data files),
//! `quotes` (quotation-mark pairing), `entities` (names, roles, in-article merging),
//! `attribution` (cues, speakers, pronouns), `bounds` (where reported content ends,
//! learned), `time` (dates), `numbers` (quantities) and
//! `credit` (wire credits).
//!
//! All offsets in the output count Unicode code points, not bytes.

pub mod attribution;
pub mod bounds;
pub mod credit;
pub mod entities;
pub mod gate;
mod hash;
pub mod lexicon;
pub mod model;
pub mod numbers;
pub mod quotes;
pub mod score;
pub mod text;
pub mod time;

pub use model::*;

/// Extract every attributed statement, entity, date and quantity from one article.
pub fn extract(article: &Article) -> Extraction {
    run(article, false).0
}

/// Every candidate statement the rules propose, before the learned gate (see [`gate`])
/// drops any, each with the gate's features (in the order of `statements`): the input
/// of `whosaid train-gate`.
pub fn extract_candidates(article: &Article) -> (Extraction, Vec<Vec<String>>) {
    run(article, true)
}

fn run(article: &Article, candidates: bool) -> (Extraction, Vec<Vec<String>>) {
    let text = article.text.as_str();
    // Dates and quantities start at the same kind of word, and the tokenizer passes
    // every word start: its one pass over the text finds the candidates of both.
    let mut starts = time::BothStarts::new(time::starts(), numbers::starts());
    let doc = text::Document::with_starts(text, &mut starts);
    let (date_starts, quantity_starts) = (starts.a_starts, starts.b_starts);
    let dates = time::find_dates_at(text, article.published, &date_starts);
    let quantities = numbers::find_quantities_at(text, &quantity_starts);
    let credit = credit::find_credit(text);
    let mut entities = entities::EntityTable::new(&doc);
    let (mut statements, features) = if candidates {
        attribution::attribute_with_features(&doc, &mut entities)
    } else {
        (attribution::attribute(&doc, &mut entities), Vec::new())
    };
    attribution::assign_dates(&doc, &mut statements, &dates);
    let entities = entities.into_entities();

    let mut out = Extraction {
        id: article.id.clone(),
        statements,
        entities,
        dates,
        quantities,
        credit,
    };
    to_code_points(text, &mut out);
    (out, features)
}

/// Rewrites every byte offset in `out` as a code-point offset, in one pass over the text.
fn to_code_points(text: &str, out: &mut Extraction) {
    let map = text::CodePoints::new(text);
    let cp = |b: &mut usize| *b = map.of_byte(*b);
    for s in &mut out.statements {
        cp(&mut s.start);
        cp(&mut s.end);
        if let Some(c) = &mut s.cue {
            cp(&mut c.start);
            cp(&mut c.end);
        }
        if let Some(sp) = &mut s.speaker {
            cp(&mut sp.start);
            cp(&mut sp.end);
        }
    }
    for e in &mut out.entities {
        for m in &mut e.mentions {
            cp(&mut m.start);
            cp(&mut m.end);
        }
    }
    for d in &mut out.dates {
        cp(&mut d.start);
        cp(&mut d.end);
    }
    for q in &mut out.quantities {
        cp(&mut q.start);
        cp(&mut q.end);
    }
}

/// Random strings for the tests that check a fast path against the plain one.
#[cfg(test)]
pub(crate) mod test_strings {
    /// `count` strings of 1 to 2^`len_bits` chars drawn from `alphabet`, the same for the
    /// same seed (a linear congruential generator: no dependency, no clock).
    pub fn random(alphabet: &str, mut seed: u64, count: usize, len_bits: u32) -> Vec<String> {
        let alphabet: Vec<char> = alphabet.chars().collect();
        (0..count)
            .map(|_| {
                let len = (seed >> (64 - len_bits)) as usize + 1;
                (0..len)
                    .map(|_| {
                        seed = seed
                            .wrapping_mul(6_364_136_223_846_793_005)
                            .wrapping_add(1_442_695_040_888_963_407);
                        alphabet[(seed >> 33) as usize % alphabet.len()]
                    })
                    .collect()
            })
            .collect()
    }
}
