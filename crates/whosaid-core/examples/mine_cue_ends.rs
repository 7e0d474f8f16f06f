//! Lists the words, and pairs of words, that often end a gold cue whose content follows
//! it, for `lexicon/cue_ends.txt`:
//! `cargo run --release -p whosaid-core --example mine_cue_ends -- train.jsonl > lexicon/cue_ends.txt`.
//! A word qualifies when at least `MIN_CUES` gold cues before their content end with it
//! and at least `MIN_RATE` of its occurrences do; a pair ("called for") when its second
//! word alone does not. Counted over the extractor's own tokens, lower-cased, so that
//! the list names words as the extractor sees them. `MIN_RATE` was chosen by the gate's
//! 5-fold cross-validation on train (0.1–0.5 tried; 0.3 scored best).

use std::collections::{BTreeMap, HashMap, HashSet};
use whosaid_core::score::parse_gold;
use whosaid_core::text::{Document, TokKind};

const MIN_CUES: usize = 3;
const MIN_RATE: f64 = 0.3;

#[derive(Default)]
struct Counts {
    seen: usize,
    cues: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let Some(gold) = args.get(1) else {
        return Err("usage: mine_cue_ends GOLD.jsonl".into());
    };
    let docs = parse_gold(&std::fs::read_to_string(gold)?, gold)?;
    let mut words: HashMap<String, Counts> = HashMap::new();
    let mut pairs: HashMap<String, Counts> = HashMap::new();
    for d in &docs {
        // gold offsets count code points; tokens count bytes
        let byte_of: Vec<usize> = d
            .text
            .char_indices()
            .map(|(b, _)| b)
            .chain(std::iter::once(d.text.len()))
            .collect();
        let at = |cp: Option<i64>| {
            cp.and_then(|c| usize::try_from(c).ok())
                .and_then(|c| byte_of.get(c).copied())
        };
        let ends: HashSet<usize> = d
            .quotes
            .iter()
            .filter_map(|q| Some((at(q.cue_end)?, at(q.start)?)))
            .filter(|&(cue_end, start)| cue_end <= start)
            .map(|(cue_end, _)| cue_end)
            .collect();
        let doc = Document::new(&d.text);
        let mut prev: Option<String> = None;
        for (i, t) in doc.tokens.iter().enumerate() {
            if t.kind != TokKind::Word {
                prev = None;
                continue;
            }
            let w = doc.tok_text(i).to_lowercase();
            let cue = ends.contains(&t.end);
            let c = words.entry(w.clone()).or_default();
            c.seen += 1;
            c.cues += usize::from(cue);
            if let Some(p) = &prev {
                let c = pairs.entry(format!("{p} {w}")).or_default();
                c.seen += 1;
                c.cues += usize::from(cue);
            }
            prev = Some(w);
        }
    }
    let often = |c: &Counts| c.cues >= MIN_CUES && c.cues as f64 >= MIN_RATE * c.seen as f64;
    let kept: BTreeMap<&String, &Counts> = words.iter().filter(|(_, c)| often(c)).collect();
    let kept_pairs: BTreeMap<&String, &Counts> = pairs
        .iter()
        .filter(|(p, c)| {
            often(c)
                && p.split_once(' ')
                    .is_some_and(|(_, second)| !kept.contains_key(&second.to_string()))
        })
        .collect();
    println!("# Words and pairs of words that end PolNeAR train's gold cues before their content");
    println!(
        "# (at least {MIN_CUES} such cues, and one in at least {:.0} % of their occurrences), with",
        MIN_RATE * 100.0
    );
    println!("# cues/occurrences; written by");
    println!("# `cargo run --release -p whosaid-core --example mine_cue_ends -- train.jsonl`.");
    println!("# Where no rule used such a word, the clause after it is proposed as content; the");
    println!("# gate weighs each by word and by its rate.");
    for (w, c) in kept.iter().chain(kept_pairs.iter()) {
        println!("{w}\t{}/{}", c.cues, c.seen);
    }
    Ok(())
}
