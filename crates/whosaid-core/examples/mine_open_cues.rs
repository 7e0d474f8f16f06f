//! Lists the verbs outside the reporting lexicon that PolNeAR's annotators often took as
//! a cue, for `lexicon/open_cues.txt`:
//! `cargo run --release -p whosaid-core --example mine_open_cues -- train.jsonl > lexicon/open_cues.txt`.
//! A word qualifies when it heads at least `MIN_CUES` gold cue spans and at least
//! `MIN_RATE` of its occurrences in the text are cues: frequent enough to learn a weight
//! for, and a cue often enough that proposing it costs the gate little.

use std::collections::HashMap;
use whosaid_core::lexicon::{classes, Lex};
use whosaid_core::score::parse_gold;

const MIN_CUES: usize = 3;
const MIN_RATE: f64 = 0.08;
/// Read through and left out: verbs of doing or moving ("walked", "took", "watched"),
/// nouns, adjectives of degree and contraction stubs ("didn"). PolNeAR's annotators took
/// them as cues in their contexts, but after a subject they far more often report an act
/// than a statement, and a reader looking for who said what would not want them.
const LEFT_OUT: &[&str] = &[
    "according",
    "accusations",
    "advice",
    "allegations",
    "aren",
    "assumption",
    "attempted",
    "attempting",
    "attempts",
    "began",
    "brought",
    "chose",
    "chosen",
    "complaints",
    "concerns",
    "consensus",
    "contention",
    "counted",
    "counting",
    "covered",
    "criticism",
    "dedicated",
    "deep",
    "designed",
    "devoted",
    "didn",
    "divided",
    "doesn",
    "drawing",
    "drawn",
    "drew",
    "emerged",
    "endorsement",
    "engaged",
    "enjoyed",
    "enjoys",
    "expanded",
    "experienced",
    "featured",
    "fired",
    "follows",
    "gave",
    "goes",
    "hasn",
    "haven",
    "hired",
    "hit",
    "hitting",
    "holds",
    "hostility",
    "huffpost",
    "imposed",
    "included",
    "includes",
    "intense",
    "joined",
    "knocked",
    "laid",
    "laying",
    "lays",
    "lining",
    "looked",
    "looking",
    "looks",
    "made",
    "main",
    "makes",
    "mounting",
    "opened",
    "opposition",
    "overwhelming",
    "passed",
    "passing",
    "picked",
    "placed",
    "played",
    "put",
    "puts",
    "quick",
    "ran",
    "reached",
    "reference",
    "refusal",
    "remain",
    "remained",
    "returned",
    "rolled",
    "rumors",
    "sent",
    "sentenced",
    "sentiment",
    "shot",
    "spent",
    "split",
    "spotted",
    "started",
    "starting",
    "starts",
    "stood",
    "stopped",
    "struck",
    "struggled",
    "struggling",
    "stuck",
    "suggestion",
    "taken",
    "tend",
    "ticked",
    "titled",
    "took",
    "touched",
    "traded",
    "tried",
    "tries",
    "turned",
    "turns",
    "used",
    "walked",
    "watched",
    "watching",
    "went",
    "widespread",
    "wouldn",
];

fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !(c.is_alphabetic() || c == '-'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let Some(gold) = args.get(1) else {
        return Err("usage: mine_open_cues GOLD.jsonl".into());
    };
    let docs = parse_gold(&std::fs::read_to_string(gold)?, gold)?;
    let mut cues: HashMap<String, usize> = HashMap::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for d in &docs {
        for w in words(&d.text) {
            *seen.entry(w).or_default() += 1;
        }
        let chars: Vec<char> = d.text.chars().collect();
        let mut spans: Vec<(usize, usize)> = d
            .quotes
            .iter()
            .filter_map(|q| {
                Some((
                    usize::try_from(q.cue_start?).ok()?,
                    usize::try_from(q.cue_end?).ok()?,
                ))
            })
            .filter(|&(a, b)| a < b && b <= chars.len())
            .collect();
        spans.sort_unstable();
        spans.dedup();
        for (a, b) in spans {
            let cue: String = chars[a..b].iter().collect();
            // the head: the first word that is no auxiliary, adverb or function word
            let head = words(&cue).find(|w| {
                !classes(w).intersects(Lex::AUX | Lex::ADVERB | Lex::FUNC | Lex::DET | Lex::PRONOUN)
                    && !w.ends_with("ly")
            });
            if let Some(h) = head {
                *cues.entry(h).or_default() += 1;
            }
        }
    }
    let mut out: Vec<(&String, usize, usize)> = cues
        .iter()
        .filter(|(w, _)| w.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        .filter(|(w, _)| {
            let c = classes(w);
            // a word of another class (or a reporting verb) is no open verb
            c == Lex::empty() || c == Lex::OPEN_CUE
        })
        .filter(|(w, _)| !LEFT_OUT.contains(&w.as_str()))
        .map(|(w, &n)| (w, n, seen.get(w).copied().unwrap_or(n)))
        .filter(|&(_, n, total)| n >= MIN_CUES && n as f64 >= MIN_RATE * total as f64)
        .collect();
    out.sort();
    println!("# Verbs outside reporting_verbs.txt that head gold cues in PolNeAR train (at least");
    println!(
        "# {MIN_CUES} cues, and a cue in at least {:.0} % of their occurrences); written by",
        MIN_RATE * 100.0
    );
    println!("# `cargo run --release -p whosaid-core --example mine_open_cues -- train.jsonl`.");
    println!("# Words read through and left out: LEFT_OUT in the example. Proposed only right");
    println!("# after a sentence's subject; the gate weighs each by word.");
    for (w, n, total) in out {
        println!("{w}\t# {n} of {total}");
    }
    Ok(())
}
