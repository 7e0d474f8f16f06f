//! Bounded load test of the search endpoint over loopback.
//!
//!     cargo run --release -p whosaid-server --example loadtest -- \
//!         [--articles 100000] [--db PATH] [--requests 20000] [--clients 8] [--seconds 60]
//!
//! Builds a store of N synthetic articles in a temp dir (or uses `--db PATH` as it is),
//! starts the server in process on 127.0.0.1:0, then C client threads with keep-alive
//! connections send search requests (topic words, phrases, prefixes, speaker and date
//! filters, second pages) until R requests are done or the time limit passes, and
//! prints requests/s and latency percentiles. Loopback only; stops by itself.
//!
//! The synthetic articles follow the store benchmark's generator (speakers with titles
//! and spelling variants, outlets, repeated quotes, wire copies) with hand-made
//! extractions, so building the store does not time the extractor.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use whosaid_core::{
    Article, Cue, Entity, EntityKind, Extraction, Mention, Speaker, Statement, StatementKind,
};
use whosaid_store::{prepare, SqliteStore, Store};

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
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const FIRST: &[&str] = &[
    "Maria", "John", "Ahmed", "Li", "Olga", "Pedro", "Amara", "Kenji", "Fatima", "Lars", "Ingrid",
    "Tomas", "Aisha", "Sofia", "Kwame", "Elena", "Raj", "Nadia", "Hugo", "Mei",
];
const LAST: &[&str] = &[
    "Okafor", "Smith", "Novak", "Haddad", "Tanaka", "Petrov", "Silva", "Mensah", "Larsen",
    "Kowalski", "Fischer", "Moreau", "Rossi", "Ivanova", "Osei", "Patel", "Herrera", "Dubois",
    "Nguyen", "Schmidt",
];
const TITLES: &[&str] = &[
    "",
    "",
    "President",
    "Finance Minister",
    "Senator",
    "Mayor",
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
];
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
    "border",
    "trade",
    "talks",
    "storm",
    "flood",
    "peace",
    "reform",
    "housing",
    "rail",
    "airport",
    "union",
    "strike",
    "market",
    "inflation",
    "climate",
    "water",
    "fuel",
    "grain",
    "exports",
    "debt",
    "pension",
    "doctors",
    "teachers",
    "parliament",
    "treaty",
    "sanctions",
    "ceasefire",
    "aid",
];
const GLUE: &[&str] = &[
    "the", "a", "we", "will", "not", "must", "our", "this", "is", "are", "for", "and", "to", "of",
    "in", "on", "with", "every", "no", "more", "than", "never", "again", "now",
];

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
    s
}

fn article(i: usize, rng: &mut Rng, quotes: &mut Vec<String>) -> (Article, Extraction) {
    let outlet = rng.pick(OUTLETS);
    let day = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default()
        + chrono::Duration::days((i % 1500) as i64);
    let cp = |s: &str| s.chars().count();
    let mut text = String::new();
    let mut statements = Vec::new();
    let mut entities: Vec<Entity> = Vec::new();
    for _ in 0..(3 + rng.below(6)) {
        let len = 10 + rng.below(20);
        text.push_str(&sentence(rng, len));
        text.push_str(".\n\n");
        if rng.below(2) == 0 {
            continue;
        }
        let (first, last) = (rng.pick(FIRST), rng.pick(LAST));
        let title = rng.pick(TITLES);
        let name = if title.is_empty() {
            format!("{first} {last}")
        } else {
            format!("{title} {first} {last}")
        };
        let quote = if !quotes.is_empty() && rng.below(20) == 0 {
            quotes[rng.below(quotes.len())].clone()
        } else {
            let len = 6 + rng.below(25);
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
        text.push_str("said ");
        let ss = cp(&text);
        text.push_str(&name);
        let se = cp(&text);
        text.push_str(".\n\n");
        let ent = entities
            .iter()
            .position(|e| e.name == name)
            .unwrap_or_else(|| {
                entities.push(Entity {
                    name: name.clone(),
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
                end: cs + 4,
            }),
            speaker: Some(Speaker {
                name,
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
    let a = Article {
        id: format!("load-{i}"),
        text,
        published: Some(day),
        title: Some(format!("Story {i}")),
        url: Some(format!(
            "https://{}.example/story/{i}",
            outlet.replace(' ', "").to_lowercase()
        )),
        source: Some(outlet.to_string()),
    };
    let e = Extraction {
        id: a.id.clone(),
        statements,
        entities,
        ..Default::default()
    };
    (a, e)
}

fn build_store(path: &std::path::Path, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let store = SqliteStore::open(path)?;
    let mut rng = Rng(0x5EED_0000_1234_ABCD);
    let mut quotes = Vec::new();
    let t = Instant::now();
    let mut i = 0;
    while i < n {
        let batch: Vec<_> = (i..(i + 1000).min(n))
            .map(|j| {
                let (a, e) = article(j, &mut rng, &mut quotes);
                prepare(a, e)
            })
            .collect();
        i += batch.len();
        store.upsert_prepared(batch)?;
    }
    let stats = store.stats()?;
    eprintln!(
        "built store: {} articles, {} statements, {} speakers in {:.1} s",
        stats.articles,
        stats.statements,
        stats.speakers,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx].as_secs_f64() * 1e3
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = arg(&args, "--articles", 100_000);
    let requests: usize = arg(&args, "--requests", 20_000);
    let clients: usize = arg(&args, "--clients", 8);
    let seconds: u64 = arg(&args, "--seconds", 60);
    let dir = tempfile::tempdir()?;
    // `--db PATH`: use that store, building it first if it does not exist (so a second
    // run skips the build).
    let db = match args
        .iter()
        .position(|a| a == "--db")
        .and_then(|i| args.get(i + 1))
    {
        Some(p) => std::path::PathBuf::from(p),
        None => dir.path().join("load.db"),
    };
    if !db.exists() {
        build_store(&db, n)?;
    }

    // Baseline: the same kind of queries straight on the store, one at a time, so the
    // server's own overhead can be told apart from the query's cost.
    {
        let store = SqliteStore::open(&db)?;
        let mut rng = Rng(7);
        let mut times = Vec::new();
        for i in 0..200 {
            let q = whosaid_store::SearchQuery {
                text: Some(match i % 4 {
                    0 => rng.pick(WORDS).to_string(),
                    1 => format!("{} {}", rng.pick(WORDS), rng.pick(WORDS)),
                    2 => format!("\"{} {}\"", rng.pick(GLUE), rng.pick(WORDS)),
                    _ => format!("{}*", &rng.pick(WORDS)[..3]),
                }),
                limit: Some(20),
                ..Default::default()
            };
            let t = Instant::now();
            store.search(&q)?;
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "store.search direct (1 thread, 200 queries): p50 {:.2} ms  p99 {:.2} ms",
            percentile(&times, 0.5),
            percentile(&times, 0.99)
        );
    }

    let state = whosaid_server::AppState::open(&db, whosaid_server::Config::default())?;
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::spawn(move || -> std::io::Result<()> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let _ = addr_tx.send(listener.local_addr()?);
            let config = (*state.config).clone();
            whosaid_server::serve(listener, whosaid_server::router(state), &config, async {
                let _ = stop_rx.await;
            })
            .await
        })
    });
    let addr = addr_rx.recv_timeout(Duration::from_secs(30))?;

    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let t0 = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|c| {
            let next = Arc::clone(&next);
            std::thread::spawn(move || {
                let agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(Duration::from_secs(10)))
                    .build()
                    .new_agent();
                let mut rng = Rng(0xC0FFEE + c as u64);
                let mut times = Vec::new();
                let mut errors = 0usize;
                while next.fetch_add(1, Ordering::Relaxed) < requests && Instant::now() < deadline {
                    let i = rng.below(1000);
                    let mut q: Vec<(&str, String)> = vec![(
                        "q",
                        match i % 4 {
                            0 => rng.pick(WORDS).to_string(),
                            1 => format!("{} {}", rng.pick(WORDS), rng.pick(WORDS)),
                            2 => format!("\"{} {}\"", rng.pick(GLUE), rng.pick(WORDS)),
                            _ => format!("{}*", &rng.pick(WORDS)[..3]),
                        },
                    )];
                    if i % 5 == 0 {
                        q.push(("speaker", rng.pick(LAST).to_string()));
                    }
                    if i % 7 == 0 {
                        q.push(("since", "2021-01-01".into()));
                    }
                    let url = format!("http://{addr}/api/v1/statements");
                    let t = Instant::now();
                    let mut req = agent.get(&url);
                    for (k, v) in &q {
                        req = req.query(k, v);
                    }
                    match req.call() {
                        Ok(mut res) if res.status() == 200 => {
                            // Read the whole page, and follow it once in ten to a second page.
                            let body: serde_json::Value =
                                res.body_mut().read_json().unwrap_or_default();
                            times.push(t.elapsed());
                            if i % 10 == 0 {
                                if let Some(c) = body["next_cursor"].as_str() {
                                    let t = Instant::now();
                                    let mut req = agent.get(&url).query("cursor", c);
                                    for (k, v) in &q {
                                        req = req.query(k, v);
                                    }
                                    match req.call() {
                                        Ok(mut r) if r.status() == 200 => {
                                            let _ = r.body_mut().read_to_string();
                                            times.push(t.elapsed());
                                        }
                                        _ => errors += 1,
                                    }
                                }
                            }
                        }
                        _ => errors += 1,
                    }
                }
                (times, errors)
            })
        })
        .collect();
    let mut times = Vec::new();
    let mut errors = 0;
    for w in workers {
        let (t, e) = w.join().map_err(|_| "client thread panicked")?;
        times.extend(t);
        errors += e;
    }
    let wall = t0.elapsed().as_secs_f64();
    let _ = stop_tx.send(());
    server.join().map_err(|_| "server thread panicked")??;
    times.sort();
    println!(
        "search: {} requests ({} errors) from {clients} clients in {wall:.1} s = {:.0} requests/s",
        times.len(),
        errors,
        times.len() as f64 / wall
    );
    println!(
        "latency ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
        percentile(&times, 0.5),
        percentile(&times, 0.9),
        percentile(&times, 0.99),
        percentile(&times, 1.0)
    );
    Ok(())
}
