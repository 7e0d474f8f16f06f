//! Ingest and query benchmark for the SQLite store.
//!
//!     cargo bench -p whosaid-store --bench store_bench -- [N] [--generated] [--threads T]
//!
//! Generates N synthetic articles (default 100,000) with a deterministic generator —
//! varied speakers (with titles and spelling variants), outlets, quote lengths, wire copies
//! and repeated quotes — then ingests them the way `whosaid ingest` does: extraction and
//! preparation on a rayon pool of T threads (default 2), one writer committing batches of
//! 500. By default statements come from `whosaid_core::extract`; `--generated` uses the
//! generator's own Extractions instead. Then times search, speakers, speaker and show
//! queries and prints p50/p99. Writes its database to a temp dir.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rayon::prelude::*;
use whosaid_core::{
    Article, Cue, Entity, EntityKind, Extraction, Mention, Speaker, Statement, StatementKind,
};
use whosaid_store::{prepare, SearchQuery, SpeakersQuery, SqliteStore, Store};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const FIRST: &[&str] = &[
    "Maria", "John", "Jane", "Ahmed", "Li", "Olga", "Pedro", "Amara", "Kenji", "Fatima", "Lars",
    "Ingrid", "Tomas", "Aisha", "Dmitri", "Chen", "Sofia", "Kwame", "Elena", "Raj", "Nadia",
    "Hugo", "Yusuf", "Mei", "Carlos", "Anya", "Priya", "Jonas", "Leila", "Marek",
];
const LAST: &[&str] = &[
    "Okafor",
    "Smith",
    "Novak",
    "Haddad",
    "Tanaka",
    "Petrov",
    "Silva",
    "Mensah",
    "Larsen",
    "Kowalski",
    "Zelensky",
    "Fischer",
    "Moreau",
    "Rossi",
    "Ivanova",
    "Nakamura",
    "Osei",
    "Patel",
    "Lindqvist",
    "Herrera",
    "Dubois",
    "Kaya",
    "Nguyen",
    "Schmidt",
    "Costa",
    "Yilmaz",
    "Berg",
    "Dahl",
    "Sato",
    "Bauer",
    "Keller",
    "Romero",
    "Varga",
    "Horvat",
    "Jensen",
    "Popescu",
    "Walsh",
    "Byrne",
    "Murphy",
    "Kaplan",
];
const TITLES: &[&str] = &[
    "",
    "",
    "",
    "President",
    "Prime Minister",
    "Finance Minister",
    "Senator",
    "Mayor",
    "spokeswoman",
    "Dr.",
    "Governor",
];
const OUTLETS: &[&str] = &[
    "Daily Ledger",
    "Valley Post",
    "City Herald",
    "Nation Times",
    "Morning Star",
    "Harbour News",
    "Capital Wire",
    "North Gazette",
    "River Tribune",
    "Coast Courier",
    "Metro Journal",
    "Evening Standard",
    "Plains Record",
    "Summit Observer",
    "Lake Sentinel",
];
const WIRES: &[&str] = &["Reuters", "AFP", "AP"];
const WORDS: &[&str] = &[
    "budget",
    "river",
    "election",
    "vote",
    "council",
    "schools",
    "hospital",
    "tax",
    "bridge",
    "harbour",
    "energy",
    "prices",
    "wages",
    "farmers",
    "police",
    "court",
    "ministry",
    "border",
    "trade",
    "talks",
    "storm",
    "flood",
    "army",
    "peace",
    "reform",
    "housing",
    "rail",
    "airport",
    "union",
    "strike",
    "market",
    "bank",
    "inflation",
    "climate",
    "water",
    "fuel",
    "coal",
    "wind",
    "solar",
    "grain",
    "exports",
    "imports",
    "debt",
    "deficit",
    "pension",
    "doctors",
    "nurses",
    "teachers",
    "students",
    "parliament",
    "senate",
    "treaty",
    "sanctions",
    "ceasefire",
    "aid",
];
const GLUE: &[&str] = &[
    "the", "a", "we", "will", "not", "must", "our", "this", "is", "are", "for", "and", "to", "of",
    "in", "on", "with", "every", "no", "more", "than", "never", "again", "now", "people", "time",
];

struct Speakers {
    people: Vec<(String, String)>,
}

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(if rng.below(3) == 0 {
            rng.pick(WORDS)
        } else {
            rng.pick(GLUE)
        });
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => s,
    }
}

/// One article with its hand-made extraction.
fn article(
    i: usize,
    rng: &mut Rng,
    sp: &Speakers,
    quotes: &mut Vec<String>,
) -> (Article, Extraction) {
    let outlet = rng.pick(OUTLETS);
    let day = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default()
        + chrono::Duration::days((i % 1500) as i64);
    let mut text = String::new();
    let mut statements = Vec::new();
    let mut entities: Vec<Entity> = Vec::new();
    let cp = |s: &str| s.chars().count();
    let paragraphs = 4 + rng.below(8);
    for _ in 0..paragraphs {
        let n = 1 + rng.below(3);
        for _ in 0..n {
            let len = 8 + rng.below(20);
            text.push_str(&sentence(rng, len));
            text.push_str(". ");
        }
        text.push_str("\n\n");
        if rng.below(2) == 0 {
            continue;
        }
        let (first, last) = &sp.people[rng.below(sp.people.len())];
        let title = rng.pick(TITLES);
        // Spelling variant now and then, and bare surnames.
        let name = match rng.below(10) {
            0 => last.clone(),
            1 => format!("{first} {last}y"),
            _ => format!("{first} {last}"),
        };
        let shown = if title.is_empty() || title.chars().next().is_some_and(char::is_lowercase) {
            name.clone()
        } else {
            format!("{title} {name}")
        };
        let quote = if !quotes.is_empty() && rng.below(20) == 0 {
            quotes[rng.below(quotes.len())].clone()
        } else {
            let len = 6 + rng.below(30);
            let q = sentence(rng, len);
            if quotes.len() < 5000 {
                quotes.push(q.clone());
            }
            q
        };
        text.push('\u{201C}');
        let start = cp(&text);
        text.push_str(&quote);
        let end = cp(&text);
        text.push_str(",\u{201D} ");
        let cs = cp(&text);
        text.push_str("said");
        let ce = cp(&text);
        text.push(' ');
        let ss = cp(&text);
        text.push_str(&shown);
        let se = cp(&text);
        text.push_str(".\n\n");
        let ent = entities
            .iter()
            .position(|e| e.name == shown)
            .unwrap_or_else(|| {
                entities.push(Entity {
                    name: shown.clone(),
                    kind: EntityKind::Person,
                    roles: vec![],
                    mentions: vec![],
                });
                entities.len() - 1
            });
        entities[ent].mentions.push(Mention { start: ss, end: se });
        statements.push(Statement {
            kind: StatementKind::Direct,
            start,
            end,
            text: quote,
            cue: Some(Cue {
                text: "said".into(),
                start: cs,
                end: ce,
            }),
            speaker: Some(Speaker {
                name: shown,
                kind: EntityKind::Person,
                role: None,
                entity: Some(ent),
                start: ss,
                end: se,
            }),
            said_on: None,
            confidence: 0.9,
        });
    }
    let credit = (rng.below(4) == 0).then(|| rng.pick(WIRES).to_string());
    let article = Article {
        id: format!("bench-{i}"),
        text,
        published: Some(day),
        title: Some(format!("Story {i}")),
        url: Some(format!(
            "https://{}.example.com/story/{i}",
            outlet.replace(' ', "").to_lowercase()
        )),
        source: Some(outlet.to_string()),
    };
    let extraction = Extraction {
        id: article.id.clone(),
        statements,
        entities,
        dates: vec![],
        quantities: vec![],
        credit,
    };
    (article, extraction)
}

fn generate(n: usize) -> Vec<(Article, Extraction)> {
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let mut people = Vec::new();
    for f in FIRST {
        for l in LAST {
            if rng.below(3) == 0 {
                people.push((f.to_string(), l.to_string()));
            }
        }
    }
    let sp = Speakers { people };
    let mut quotes = Vec::new();
    let mut out: Vec<(Article, Extraction)> = Vec::with_capacity(n);
    for i in 0..n {
        // One in ten is a wire copy of a recent article at another outlet.
        if i > 10 && rng.below(10) == 0 {
            let src = out.len() - 1 - rng.below(10.min(out.len()));
            let (mut a, e) = out[src].clone();
            a.id = format!("bench-{i}");
            let outlet = rng.pick(OUTLETS);
            a.source = Some(outlet.to_string());
            a.url = Some(format!(
                "https://{}.example.com/wire/{i}",
                outlet.replace(' ', "").to_lowercase()
            ));
            a.text.push_str("\n\nAdditional reporting by staff.");
            out.push((a, e));
            continue;
        }
        out.push(article(i, &mut rng, &sp, &mut quotes));
    }
    out
}

fn percentile(mut xs: Vec<Duration>, p: f64) -> Duration {
    xs.sort();
    if xs.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((xs.len() as f64 - 1.0) * p).round() as usize;
    xs[idx]
}

fn time<F: FnMut(usize)>(label: &str, runs: usize, mut f: F) {
    let mut ts = Vec::with_capacity(runs);
    for i in 0..runs {
        let t = Instant::now();
        f(i);
        ts.push(t.elapsed());
    }
    println!(
        "{label:<10} p50 {:>8.2} ms   p99 {:>8.2} ms   ({runs} runs)",
        percentile(ts.clone(), 0.5).as_secs_f64() * 1e3,
        percentile(ts, 0.99).as_secs_f64() * 1e3
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let generated = args.iter().any(|a| a == "--generated");
    let threads: usize = args
        .iter()
        .position(|a| a == "--threads")
        .and_then(|i| args.get(i + 1))
        .and_then(|t| t.parse().ok())
        .unwrap_or(2);
    println!("generating {n} articles…");
    let items = generate(n);
    let total_bytes: usize = items.iter().map(|(a, _)| a.text.len()).sum();
    println!(
        "mean article {} bytes; statements from {}; {threads} threads",
        total_bytes / n.max(1),
        if generated {
            "the generator"
        } else {
            "whosaid_core::extract"
        }
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path().join("bench.db")).expect("open");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");

    let t0 = Instant::now();
    let (tx, rx) = mpsc::sync_channel(4);
    let mut statements = 0usize;
    std::thread::scope(|s| {
        let items = &items;
        s.spawn(move || {
            for chunk in items.chunks(500) {
                let prepared: Vec<_> = pool.install(|| {
                    chunk
                        .par_iter()
                        .map(|(a, e)| {
                            let e = if generated {
                                e.clone()
                            } else {
                                whosaid_core::extract(a)
                            };
                            prepare(a.clone(), e)
                        })
                        .collect()
                });
                if tx.send(prepared).is_err() {
                    return;
                }
            }
        });
        for batch in rx {
            for o in store.upsert_prepared(batch).expect("upsert") {
                statements += o.statements;
            }
        }
    });
    let secs = t0.elapsed().as_secs_f64();
    let stats = store.stats().expect("stats");
    println!(
        "ingest: {n} articles, {statements} statements in {secs:.1} s = {:.0} articles/s",
        n as f64 / secs
    );
    println!("{stats:?}");
    let size = std::fs::metadata(dir.path().join("bench.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!("database: {:.1} MiB", size as f64 / 1048576.0);

    let mut rng = Rng(42);
    time("search", 200, |i| {
        let mut q = SearchQuery {
            limit: Some(20),
            ..Default::default()
        };
        q.text = Some(match i % 4 {
            0 => rng.pick(WORDS).to_string(),
            1 => format!("{} {}", rng.pick(WORDS), rng.pick(WORDS)),
            2 => format!("\"{} {}\"", rng.pick(GLUE), rng.pick(WORDS)),
            _ => format!("{}*", &rng.pick(WORDS)[..3]),
        });
        if i % 3 == 0 {
            q.speaker = Some(rng.pick(LAST).to_string());
        }
        store.search(&q).expect("search");
    });
    time("speakers", 50, |_| {
        store
            .speakers(&SpeakersQuery {
                top: Some(20),
                org: None,
            })
            .expect("speakers");
    });
    time("speaker", 200, |_| {
        let name = format!("{} {}", rng.pick(FIRST), rng.pick(LAST));
        store.speaker(&name, 20).expect("speaker");
    });
    time("show", 200, |_| {
        let id = format!("bench-{}", rng.below(n));
        store.article(&id).expect("show");
    });
}
