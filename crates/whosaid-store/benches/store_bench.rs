//! Ingest and query benchmark for the SQLite store.
//!
//!     cargo bench -p whosaid-store --bench store_bench -- [N] [--generated] [--threads T]
//!         [--batch B] [--no-profile] [--queries-only-at-end]
//!
//! Generates N synthetic news articles (default 100,000) with a deterministic generator
//! built to repeat the way news does: a vocabulary of ~20,000 content words made from
//! syllables and drawn with a Zipf law (plus function words), a few thousand speakers with
//! Zipf popularity (titles, spelling variants, bare surnames), varied attribution forms,
//! quotes that are mostly new but sometimes repeated whole or as excerpts by other
//! outlets, and wire copies. Then ingests them the way `whosaid ingest` does: extraction
//! and preparation on a rayon pool of T threads (default 2), one writer committing batches
//! of B (default 500). By default statements come from `whosaid_core::extract` on the
//! generated text ("with extraction"); `--generated` uses the generator's own Extractions.
//!
//! While ingesting it prints, every tenth of N, the rate over that interval and where the
//! writer's time went per article (`SqliteStore::set_profiling`), with the CPU time spent
//! extracting and preparing, and the machine's load average. Then it times search,
//! speakers, speaker and show queries and prints p50/p99. Writes its database to a temp
//! dir (under $BENCH_DIR when set; kept when $BENCH_KEEP is set).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rayon::prelude::*;
use whosaid_core::{
    Article, Cue, Entity, EntityKind, Extraction, Mention, Speaker, Statement, StatementKind,
};
use whosaid_store::sqlite::IngestProfile;
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
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T: ?Sized>(&mut self, xs: &'a [&'a T]) -> &'a T {
        xs[self.below(xs.len())]
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Zipf sampler over ranks 0..n (weight 1 / (rank + 1)^s).
struct Zipf(Vec<f64>);
impl Zipf {
    fn new(n: usize, s: f64) -> Zipf {
        let mut acc = 0.0;
        Zipf(
            (0..n)
                .map(|r| {
                    acc += 1.0 / ((r + 1) as f64).powf(s);
                    acc
                })
                .collect(),
        )
    }
    fn sample(&self, rng: &mut Rng) -> usize {
        let x = rng.unit() * self.0.last().copied().unwrap_or(0.0);
        self.0.partition_point(|c| *c < x).min(self.0.len() - 1)
    }
}

const ONSETS: &[&str] = &[
    "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br",
    "cl", "dr", "fr", "gr", "pl", "pr", "sh", "st", "str", "th", "tr", "ch", "sp",
];
const NUCLEI: &[&str] = &["a", "e", "i", "o", "u", "ai", "ea", "ou", "io", "y"];
const CODAS: &[&str] = &[
    "", "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ck", "ng",
];

fn syllable(rng: &mut Rng) -> String {
    format!(
        "{}{}{}",
        rng.pick(ONSETS),
        rng.pick(NUCLEI),
        rng.pick(CODAS)
    )
}

/// `n` distinct made-up words of 1–4 syllables (shorter ones more often).
fn vocabulary(rng: &mut Rng, n: usize, min_syllables: usize) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let k = min_syllables + [0, 0, 1, 1, 1, 2, 2, 3][rng.below(8)];
        let w: String = (0..k).map(|_| syllable(rng)).collect();
        if w.len() >= 3 && seen.insert(w.clone()) {
            out.push(w);
        }
    }
    out
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Function words, most frequent first (drawn with their own Zipf law).
const GLUE: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "that",
    "is",
    "for",
    "it",
    "on",
    "with",
    "as",
    "was",
    "be",
    "at",
    "by",
    "this",
    "have",
    "from",
    "not",
    "but",
    "are",
    "we",
    "they",
    "will",
    "an",
    "or",
    "has",
    "more",
    "their",
    "our",
    "been",
    "would",
    "there",
    "which",
    "about",
    "than",
    "can",
    "all",
    "its",
    "new",
    "also",
    "after",
    "over",
    "into",
    "two",
    "must",
    "no",
    "every",
    "now",
    "again",
    "never",
    "people",
    "time",
    "year",
    "government",
    "country",
    "week",
];
const FIRST: &[&str] = &[
    "Maria", "John", "Jane", "Ahmed", "Li", "Olga", "Pedro", "Amara", "Kenji", "Fatima", "Lars",
    "Ingrid", "Tomas", "Aisha", "Dmitri", "Chen", "Sofia", "Kwame", "Elena", "Raj", "Nadia",
    "Hugo", "Yusuf", "Mei", "Carlos", "Anya", "Priya", "Jonas", "Leila", "Marek", "Peter", "Anna",
    "David", "Sarah", "Michael", "Laura", "James", "Emma", "Robert", "Julia", "Paul", "Clara",
    "Daniel", "Helen", "Mark", "Irene", "Thomas", "Lucia", "Adam", "Nora",
];
const TITLES: &[&str] = &[
    "",
    "",
    "",
    "",
    "President",
    "Prime Minister",
    "Finance Minister",
    "Senator",
    "Mayor",
    "Dr.",
    "Governor",
    "General",
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
    "Border Chronicle",
    "Island Times",
    "Western Voice",
    "Eastern Mail",
    "Central Daily",
];
const WIRES: &[&str] = &["Reuters", "AFP", "AP"];

struct Corpus {
    content: Vec<String>,
    content_zipf: Zipf,
    glue_zipf: Zipf,
    /// (first name, surname), most quoted first.
    people: Vec<(String, String)>,
    people_zipf: Zipf,
    /// Recent quotes that other outlets may repeat, whole or in part.
    quotes: Vec<String>,
}

impl Corpus {
    fn new(rng: &mut Rng) -> Corpus {
        let content = vocabulary(rng, 20_000, 1);
        let surnames: Vec<String> = vocabulary(rng, 4_000, 2)
            .iter()
            .map(|w| capitalise(w))
            .collect();
        let mut people = Vec::new();
        for (i, s) in surnames.iter().enumerate() {
            // Some surnames shared by two people (the "John Smith" / "Jane Smith" case).
            people.push((FIRST[rng.below(FIRST.len())].to_string(), s.clone()));
            if i % 25 == 0 {
                people.push((FIRST[rng.below(FIRST.len())].to_string(), s.clone()));
            }
        }
        Corpus {
            content_zipf: Zipf::new(content.len(), 1.05),
            glue_zipf: Zipf::new(GLUE.len(), 0.9),
            people_zipf: Zipf::new(people.len(), 1.0),
            content,
            people,
            quotes: Vec::new(),
        }
    }

    fn word(&self, rng: &mut Rng, topic: &[usize]) -> String {
        match rng.below(20) {
            0..=8 => GLUE[self.glue_zipf.sample(rng)].to_string(),
            9..=12 => self.content[topic[rng.below(topic.len())]].clone(),
            _ => self.content[self.content_zipf.sample(rng)].clone(),
        }
    }

    fn words(&self, rng: &mut Rng, n: usize, topic: &[usize]) -> String {
        let ws: Vec<String> = (0..n).map(|_| self.word(rng, topic)).collect();
        ws.join(" ")
    }

    fn sentence(&self, rng: &mut Rng, n: usize, topic: &[usize]) -> String {
        capitalise(&self.words(rng, n, topic))
    }
}

/// Appends `s` to `text`, returning its code-point span.
fn push(text: &mut String, s: &str) -> (usize, usize) {
    let a = text.chars().count();
    text.push_str(s);
    (a, a + s.chars().count())
}

/// One article with its hand-made extraction.
fn article(i: usize, rng: &mut Rng, c: &mut Corpus) -> (Article, Extraction) {
    let outlet = rng.pick(OUTLETS);
    let day = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default()
        + chrono::Duration::days((i * 1500 / 100_000) as i64 + rng.below(3) as i64);
    let topic: Vec<usize> = (0..30)
        .map(|_| c.content_zipf.sample(rng) + rng.below(2000))
        .map(|r| r.min(c.content.len() - 1))
        .collect();
    let mut text = String::new();
    let mut statements = Vec::new();
    let mut entities: Vec<Entity> = Vec::new();
    let paragraphs = 4 + rng.below(8);
    for _ in 0..paragraphs {
        for _ in 0..1 + rng.below(3) {
            let len = 8 + rng.below(20);
            text.push_str(&c.sentence(rng, len, &topic));
            text.push_str(". ");
        }
        text.push_str("\n\n");
        if rng.below(2) == 0 {
            continue;
        }
        let (first, last) = c.people[c.people_zipf.sample(rng)].clone();
        let title = rng.pick(TITLES);
        // A spelling variant now and then, and bare surnames.
        let name = match rng.below(12) {
            0 => last.clone(),
            1 => format!("{first} {last}h"),
            _ => format!("{first} {last}"),
        };
        let shown = if title.is_empty() {
            name.clone()
        } else {
            format!("{title} {name}")
        };
        let quote = match rng.below(100) {
            // A quote another outlet carried, whole.
            0..=3 if !c.quotes.is_empty() => {
                c.quotes[c.quotes.len() - 1 - rng.below(c.quotes.len())].clone()
            }
            // An excerpt of one (at least seven words).
            4..=5 if !c.quotes.is_empty() => {
                let q = &c.quotes[c.quotes.len() - 1 - rng.below(c.quotes.len())];
                let ws: Vec<&str> = q.split(' ').collect();
                if ws.len() >= 12 {
                    let len = 7 + rng.below(ws.len() - 8);
                    let from = rng.below(ws.len() - len + 1);
                    capitalise(&ws[from..from + len].join(" "))
                } else {
                    q.clone()
                }
            }
            _ => {
                let len = 6 + rng.below(30);
                let q = c.sentence(rng, len, &topic);
                c.quotes.push(q.clone());
                if c.quotes.len() > 20_000 {
                    c.quotes.drain(..10_000);
                }
                q
            }
        };
        let (kind, span, cue, speaker) = match rng.below(10) {
            // “…,” said NAME.
            0..=4 => {
                text.push('\u{201C}');
                let span = push(&mut text, &quote);
                text.push_str(",\u{201D} ");
                let cue = push(&mut text, "said");
                text.push(' ');
                let sp = push(&mut text, &shown);
                text.push_str(".\n\n");
                (StatementKind::Direct, span, cue, sp)
            }
            // “…,” NAME said.
            5..=7 => {
                text.push('\u{201C}');
                let span = push(&mut text, &quote);
                text.push_str(",\u{201D} ");
                let sp = push(&mut text, &shown);
                text.push(' ');
                let cue = push(&mut text, "said");
                text.push_str(".\n\n");
                (StatementKind::Direct, span, cue, sp)
            }
            // NAME said that … (indirect).
            _ => {
                let sp = push(&mut text, &shown);
                text.push(' ');
                let cue = push(&mut text, "said");
                text.push_str(" that ");
                let lower = quote.to_lowercase();
                let span = push(&mut text, &lower);
                text.push_str(".\n\n");
                (StatementKind::Indirect, span, cue, sp)
            }
        };
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
        entities[ent].mentions.push(Mention {
            start: speaker.0,
            end: speaker.1,
        });
        statements.push(Statement {
            kind,
            start: span.0,
            end: span.1,
            text: if kind == StatementKind::Indirect {
                quote.to_lowercase()
            } else {
                quote
            },
            cue: Some(Cue {
                text: "said".into(),
                start: cue.0,
                end: cue.1,
            }),
            speaker: Some(Speaker {
                name: shown,
                kind: EntityKind::Person,
                role: None,
                entity: Some(ent),
                start: speaker.0,
                end: speaker.1,
            }),
            said_on: None,
            confidence: 0.9,
        });
    }
    let credit = (rng.below(4) == 0).then(|| rng.pick(WIRES).to_string());
    let headline_len = 5 + rng.below(6);
    let headline = c.sentence(rng, headline_len, &topic);
    let article = Article {
        id: format!("bench-{i}"),
        text,
        published: Some(day),
        title: Some(headline),
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

fn generate(n: usize, c: &mut Corpus, rng: &mut Rng) -> Vec<(Article, Extraction)> {
    let mut out: Vec<(Article, Extraction)> = Vec::with_capacity(n);
    for i in 0..n {
        // One in ten is a wire copy of a recent article at another outlet.
        if i > 10 && rng.below(10) == 0 {
            let src = out.len() - 1 - rng.below(20.min(out.len()));
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
        out.push(article(i, rng, c));
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

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn write_jsonl(path: &str, items: &[(Article, Extraction)]) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for (a, _) in items {
        let line = serde_json::json!({
            "id": a.id,
            "text": a.text,
            "published": a.published.map(|d| d.to_string()),
            "title": a.title,
            "url": a.url,
            "source": a.source,
        });
        serde_json::to_writer(&mut out, &line)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

fn arg<T: std::str::FromStr>(args: &[String], flag: &str) -> Option<T> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .and_then(|t| t.parse().ok())
}

/// CPU time of the calling thread (wall time elsewhere than Linux): on a shared machine
/// wall time also counts the time other processes held the core.
#[cfg(target_os = "linux")]
fn cpu_now() -> Duration {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut t = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    if unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut t) } != 0 {
        return Duration::ZERO;
    }
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

#[cfg(not(target_os = "linux"))]
fn cpu_now() -> Duration {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

/// CPU time outside the store (extraction, preparation) and the writer's CPU time.
#[derive(Default, Clone, Copy)]
struct Cpu {
    extract: Duration,
    prepare: Duration,
    writer: Duration,
}

impl std::ops::Sub for Cpu {
    type Output = Cpu;
    fn sub(self, o: Cpu) -> Cpu {
        Cpu {
            extract: self.extract - o.extract,
            prepare: self.prepare - o.prepare,
            writer: self.writer - o.writer,
        }
    }
}

/// Prints one line of the per-step profile: µs per article over an interval.
fn print_profile(label: &str, now: &IngestProfile, before: &IngestProfile, cpu: Cpu) {
    let n = (now.articles - before.articles).max(1) as f64;
    let us = |d: Duration| d.as_secs_f64() * 1e6 / n;
    let mut line = format!("{label:>8}");
    let mut total = 0.0;
    for ((name, d), (_, b)) in now.steps().iter().zip(before.steps().iter()) {
        let v = us(*d - *b);
        total += v;
        line.push_str(&format!(" {name} {v:.0}"));
    }
    println!(
        "{line} | writer {total:.0} wall, {:.0} CPU; extract {:.0} CPU; prepare {:.0} CPU (µs/article)",
        us(cpu.writer),
        us(cpu.extract),
        us(cpu.prepare)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let generated = args.iter().any(|a| a == "--generated");
    let profiling = !args.iter().any(|a| a == "--no-profile");
    let threads: usize = arg(&args, "--threads").unwrap_or(2);
    let batch: usize = arg(&args, "--batch").unwrap_or(500).max(1);
    println!("load average at start: {}", loadavg());
    println!("generating {n} articles…");
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let mut corpus = Corpus::new(&mut rng);
    let items = generate(n, &mut corpus, &mut rng);
    if let Some(path) = args
        .iter()
        .position(|a| a == "--write-jsonl")
        .and_then(|i| args.get(i + 1))
    {
        // The same articles as `whosaid ingest` reads them, so the CLI path (JSONL parsing,
        // progress, batching) can be timed against this bench's figures.
        write_jsonl(path, &items).expect("write JSONL");
        println!("wrote {n} articles to {path}");
        return;
    }
    let total_bytes: usize = items.iter().map(|(a, _)| a.text.len()).sum();
    let gen_statements: usize = items.iter().map(|(_, e)| e.statements.len()).sum();
    println!(
        "mean article {} bytes, {:.1} generated statements; statements from {}; {threads} threads, batches of {batch}",
        total_bytes / n.max(1),
        gen_statements as f64 / n.max(1) as f64,
        if generated {
            "the generator"
        } else {
            "whosaid_core::extract"
        }
    );
    let dir = match std::env::var_os("BENCH_DIR") {
        Some(d) => tempfile::tempdir_in(d),
        None => tempfile::tempdir(),
    }
    .expect("temp dir");
    let store = SqliteStore::open(dir.path().join("bench.db")).expect("open");
    store.set_profiling(profiling);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");

    let t0 = Instant::now();
    let (tx, rx) = mpsc::sync_channel(4);
    let mut statements = 0usize;
    let mut totals = Cpu::default();
    let every = (n / 10).max(batch);
    std::thread::scope(|s| {
        let items = &items;
        s.spawn(move || {
            for chunk in items.chunks(batch) {
                let (ex, pr) = (AtomicU64::new(0), AtomicU64::new(0));
                let prepared: Vec<_> = pool.install(|| {
                    chunk
                        .par_iter()
                        .map(|(a, e)| {
                            let t0 = cpu_now();
                            let e = if generated {
                                e.clone()
                            } else {
                                whosaid_core::extract(a)
                            };
                            let t1 = cpu_now();
                            let p = prepare(a.clone(), e);
                            let t2 = cpu_now();
                            ex.fetch_add((t1 - t0).as_nanos() as u64, Ordering::Relaxed);
                            pr.fetch_add((t2 - t1).as_nanos() as u64, Ordering::Relaxed);
                            p
                        })
                        .collect()
                });
                let cpu = Cpu {
                    extract: Duration::from_nanos(ex.into_inner()),
                    prepare: Duration::from_nanos(pr.into_inner()),
                    writer: Duration::ZERO,
                };
                if tx.send((prepared, cpu)).is_err() {
                    return;
                }
            }
        });
        let mut done = 0usize;
        let mut mark = (
            Instant::now(),
            0usize,
            IngestProfile::default(),
            Cpu::default(),
        );
        println!("     at  writer steps in µs/article (wall) over the interval");
        for (batch, cpu) in rx {
            done += batch.len();
            let c0 = cpu_now();
            for o in store.upsert_prepared(batch).expect("upsert") {
                statements += o.statements;
            }
            totals.writer += cpu_now() - c0;
            totals.extract += cpu.extract;
            totals.prepare += cpu.prepare;
            if done / every != mark.1 / every || done == n {
                let secs = mark.0.elapsed().as_secs_f64();
                let rate = (done - mark.1) as f64 / secs;
                println!(
                    "{done:>7}: {rate:.0} articles/s (overall {:.0}), load {}",
                    done as f64 / t0.elapsed().as_secs_f64(),
                    loadavg()
                );
                let prof = store.profile().unwrap_or_default();
                if profiling {
                    print_profile("", &prof, &mark.2, totals - mark.3);
                }
                mark = (Instant::now(), done, prof, totals);
            }
        }
    });
    let secs = t0.elapsed().as_secs_f64();
    let stats = store.stats().expect("stats");
    println!(
        "ingest: {n} articles, {statements} statements in {secs:.1} s = {:.0} articles/s; load {}",
        n as f64 / secs,
        loadavg()
    );
    if let Some(p) = store.profile() {
        print_profile("overall", &p, &IngestProfile::default(), totals);
    }
    println!("{stats:?}");
    let size: u64 = ["bench.db", "bench.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.path().join(f)).ok())
        .map(|m| m.len())
        .sum();
    println!("database (with WAL): {:.1} MiB", size as f64 / 1048576.0);

    let mut rng = Rng(42);
    let c = &corpus;
    let topic: Vec<usize> = (0..50).collect();
    time("search", 200, |i| {
        let mut q = SearchQuery {
            limit: Some(20),
            ..Default::default()
        };
        let w = |rng: &mut Rng| c.content[c.content_zipf.sample(rng)].clone();
        q.text = Some(match i % 5 {
            0 => w(&mut rng),
            1 => format!("{} {}", w(&mut rng), w(&mut rng)),
            2 => format!("\"{} {}\"", c.word(&mut rng, &topic), w(&mut rng)),
            3 => format!("{}*", &w(&mut rng)[..3]),
            // The most common content word (the slowest kind of query).
            _ => c.content[rng.below(3)].clone(),
        });
        if i % 3 == 0 {
            q.speaker = Some(c.people[c.people_zipf.sample(&mut rng)].1.clone());
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
        let (f, l) = &c.people[c.people_zipf.sample(&mut rng)];
        store.speaker(&format!("{f} {l}"), 20).expect("speaker");
    });
    time("show", 200, |_| {
        let id = format!("bench-{}", rng.below(n));
        store.article(&id).expect("show");
    });
    // What a new process pays before its first batch: the writer loads its in-memory
    // lookups (LSH buckets, quote fingerprints and keys, speakers) from the store.
    let anon_kib = || -> Option<u64> {
        let s = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = s.lines().find(|l| l.starts_with("RssAnon:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    let reopened = SqliteStore::open(dir.path().join("bench.db")).expect("reopen");
    let before = anon_kib();
    let t = Instant::now();
    let (a, e) = &items[0];
    reopened
        .upsert_prepared(vec![prepare(a.clone(), e.clone())])
        .expect("upsert after reopen");
    let load = t.elapsed();
    let grew = match (before, anon_kib()) {
        (Some(b), Some(a)) => format!("{:.0} MiB", a.saturating_sub(b) as f64 / 1024.0),
        _ => "?".into(),
    };
    println!(
        "first batch after reopening (loads the writer's lookups): {:.0} ms, anonymous memory +{grew}",
        load.as_secs_f64() * 1e3
    );
    drop(reopened);
    println!("load average at end: {}", loadavg());
    // To compare stores written by two versions of the code.
    if std::env::var_os("BENCH_KEEP").is_some() {
        drop(store);
        println!("kept {}", dir.keep().join("bench.db").display());
    }
}
