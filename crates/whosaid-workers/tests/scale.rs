//! Scale-out proofs against the real local servers (PostgreSQL on 127.0.0.1:5432, NATS
//! with JetStream on 127.0.0.1:4222; override with WHOSAID_TEST_PG_URL /
//! WHOSAID_TEST_NATS_URL). Each test uses its own stream and schema with a random suffix
//! and removes them at the end.
//!
//! - the PostgreSQL store gives the same statements as SQLite, and a redelivery changes
//!   nothing;
//! - kill test: 3 worker processes, two of them `kill -9`ed mid-stream and restarted;
//!   every article stored exactly once, statements equal to a single-process SQLite
//!   ingest (N = 300 here; the full run: `WHOSAID_KILL_N=5000 cargo test -p
//!   whosaid-workers --test scale --release kill_test -- --nocapture`);
//! - database fault: the worker's PostgreSQL connection goes through a proxy the test
//!   cuts for a few seconds: retries, no loss, no duplicate;
//! - poison input is dead-lettered after max_deliver and never blocks the others;
//! - two writers updating the same speaker lose no update, and two writers storing
//!   repeated quotes at once leave every statement's quote and speaker link sound;
//! - scheduler takeover: the scheduler process holding the lease is `kill -9`ed and a
//!   standing-by one takes over;
//! - SIGTERM: the worker stores and acknowledges the batches in hand, then exits;
//! - search folds words as the SQLite backend does, and a schema of an older version is
//!   migrated with its rows re-tokenised.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream;
use whosaid_core::Article;
use whosaid_store::postgres::{PgOptions, PgStore};
use whosaid_store::{SearchQuery, SqliteStore, Store, UpsertAction};
use whosaid_workers::submit::{message_for, Publisher};
use whosaid_workers::{config, failed, gen, schedule, worker, ScaleConfig};

fn pg_url() -> String {
    std::env::var("WHOSAID_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

fn nats_url() -> String {
    std::env::var("WHOSAID_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

fn suffix() -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{:x}", (t as u64) ^ (u64::from(std::process::id()) << 32))
}

/// A test's own stream and schema, removed on drop.
struct Scope {
    cfg: ScaleConfig,
}

impl Scope {
    fn new(name: &str) -> Scope {
        let s = suffix();
        let mut cfg = ScaleConfig::new(nats_url(), pg_url());
        cfg.stream = format!("t_{name}_{s}");
        cfg.schema = format!("t_{name}_{s}");
        cfg.connect_patience = Some(Duration::from_secs(20));
        Scope { cfg }
    }

    fn store(&self) -> PgStore {
        PgStore::open(&PgOptions::new(pg_url(), self.cfg.schema.clone())).expect("open pg store")
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        let _ = PgStore::drop_schema(&pg_url(), &self.cfg.schema);
        let stream = self.cfg.stream.clone();
        let url = nats_url();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                if let Ok(c) = async_nats::connect(url).await {
                    let _ = jetstream::new(c).delete_stream(&stream).await;
                }
            });
        })
        .join();
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

async fn publish_all(
    cfg: &ScaleConfig,
    articles: &[Article],
) -> whosaid_workers::submit::SubmitReport {
    let client = config::connect_nats(cfg).await.expect("nats");
    let js = jetstream::new(client);
    config::ensure_consumer(&js, cfg).await.expect("consumer");
    let mut p = Publisher::new(js, cfg);
    for a in articles {
        let origin = whosaid_ingest::Origin::Url {
            url: a.url.clone().unwrap_or_default(),
        };
        let (id, bytes, _) = message_for(a.clone(), &origin).expect("message");
        p.publish(&id, bytes).await.expect("publish");
    }
    p.finish().await.expect("acks")
}

/// Statement fingerprints that do not depend on ingest order: article, span, kind, text,
/// cue, dates, confidence (not corpus speaker ids, which depend on order).
fn fingerprints(store: &dyn Store) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    store
        .for_each_statement(&SearchQuery::default(), &mut |h| {
            let key = format!(
                "{}|{}|{}|{}|{}|{:?}|{:?}|{:?}|{:.4}",
                h.article_ext_id,
                h.start,
                h.end,
                h.kind.as_str(),
                h.text,
                h.cue,
                h.said_on,
                h.date,
                h.confidence
            );
            *out.entry(blake3::hash(key.as_bytes()).to_hex().to_string())
                .or_insert(0) += 1;
            Ok(())
        })
        .expect("read statements");
    out
}

fn sqlite_reference(articles: &[Article]) -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path().join("ref.db")).expect("sqlite");
    for chunk in articles.chunks(100) {
        let items: Vec<_> = chunk
            .iter()
            .map(|a| (a.clone(), whosaid_core::extract(a)))
            .collect();
        store.upsert_batch(&items).expect("sqlite upsert");
    }
    (dir, store)
}

fn assert_same_as_sqlite(pg: &PgStore, articles: &[Article]) {
    let (_dir, reference) = sqlite_reference(articles);
    let (a, b) = (
        pg.stats().expect("stats"),
        reference.stats().expect("stats"),
    );
    assert_eq!(a.articles, b.articles, "article count");
    assert_eq!(a.statements, b.statements, "statement count");
    assert_eq!(
        fingerprints(pg),
        fingerprints(&reference),
        "statement content"
    );
}

/// Repeated quotes as the statements (ext id, start) that share each, with the number of
/// outlets every hit reports for its quote and the quote record's occurrence count:
/// independent of quote ids.
/// One repeated quote: its statements, the outlets its hits report, its record's
/// occurrence count.
type QuoteGroup = (Vec<(String, usize)>, usize, usize);

fn quote_groups(store: &dyn Store) -> BTreeSet<QuoteGroup> {
    let mut by_quote: BTreeMap<i64, (Vec<(String, usize)>, usize)> = BTreeMap::new();
    store
        .for_each_statement(&SearchQuery::default(), &mut |h| {
            if let Some(q) = h.quote_id {
                let e = by_quote.entry(q).or_default();
                e.0.push((h.article_ext_id.clone(), h.start));
                e.1 = h.outlets_with_quote;
            }
            Ok(())
        })
        .expect("read statements");
    by_quote
        .into_iter()
        .map(|(id, (mut members, outlets))| {
            members.sort();
            let record = store
                .quote(id)
                .expect("quote")
                .expect("a hit's quote exists");
            (members, outlets, record.occurrences.len())
        })
        .collect()
}

/// Syndication groups as their members' ext ids (earliest first) with the group's credit
/// and size: independent of group ids.
fn groups(store: &dyn Store, articles: &[Article]) -> BTreeSet<(Option<String>, Vec<String>)> {
    let mut out = BTreeSet::new();
    for a in articles {
        let view = store.article(&a.id).expect("article").expect("stored");
        if let Some(g) = view.syndication_group {
            let g = store
                .syndication_group(g)
                .expect("group")
                .expect("group exists");
            out.insert((g.credit, g.articles.into_iter().map(|h| h.ext_id).collect()));
        }
    }
    out
}

#[test]
fn pg_store_matches_sqlite_and_is_idempotent() {
    let scope = Scope::new("parity");
    let store = scope.store();
    let articles: Vec<Article> = gen::corpus(
        7,
        std::env::var("WHOSAID_PARITY_N")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(80),
    )
    .collect();
    let items: Vec<_> = articles
        .iter()
        .map(|a| (a.clone(), whosaid_core::extract(a)))
        .collect();
    for chunk in items.chunks(25) {
        store.upsert_batch(chunk).expect("upsert");
    }
    assert_same_as_sqlite(&store, &articles);
    // Ingested in the same order, the cross-article results are the SQLite backend's too.
    let (_dir, reference) = sqlite_reference(&articles);
    let (mut a, mut b) = (
        store.stats().expect("stats"),
        reference.stats().expect("stats"),
    );
    (a.schema_version, b.schema_version) = (0, 0);
    assert_eq!(a, b, "stats");
    assert!(a.syndication_groups > 0);
    assert_eq!(
        groups(&store, &articles),
        groups(&reference, &articles),
        "groups"
    );
    // Repeated quotes (excerpts merged into their full quote included) group the same
    // statements, and hits and quote records agree on them.
    let (qa, qb) = (quote_groups(&store), quote_groups(&reference));
    assert!(qb.iter().any(|(m, _, _)| m.len() > 1), "no repeated quote");
    assert_eq!(qa, qb, "quote groups");
    // A redelivery changes nothing.
    let again = store.upsert_batch(&items[..10]).expect("upsert again");
    assert!(again.iter().all(|o| o.action == UpsertAction::Unchanged));
    assert_same_as_sqlite(&store, &articles);
    // Search: the same syntax as SQLite's finds the same statements on these texts.
    for q in [
        "budget",
        "\"tram line\"",
        "budget OR harbour",
        "costs -unions",
        "interes*",
    ] {
        let (a, b) = (search_keys(&store, q), search_keys(&reference, q));
        assert!(!b.is_empty(), "{q}: reference found nothing");
        assert_eq!(a, b, "search {q}");
    }
    // Pagination walks every statement once.
    let total = store.stats().expect("stats").statements;
    let mut seen = 0;
    let mut q = SearchQuery {
        limit: Some(37),
        ..Default::default()
    };
    loop {
        let page = store.search(&q).expect("page");
        seen += page.hits.len();
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen, total);
    assert!(store.stats().expect("stats").syndication_groups > 0);
}

/// Hand-written articles whose words need folding: diacritics, capitals, decimals,
/// hyphens, curly quotes and apostrophes.
fn folding_articles() -> Vec<Article> {
    let mut first = Article::new(
        "fold-0",
        "ÉCOLE closures were ordered across the city, the education office said on Monday.",
    );
    first.title = Some("Schools shut in São Paulo".into());
    let mut second = Article::new(
        "fold-2",
        "Officials said the MULLER inquiry would report by March. “We don’t know yet,” \
         a spokeswoman for the ministry said, adding that 3,000 jobs were at risk.",
    );
    second.url = Some("https://news.example.org/muller-inquiry".into());
    vec![
        first,
        Article::new(
            "fold-1",
            "“The Müller report on São Paulo is well-known and it is wrong,” said Zoë Ågren, \
             the mayor. Inflation reached 3.5 percent in October, the central bank said on \
             Tuesday, and it would rise again, according to economists.",
        ),
        second,
    ]
}

/// Extracts the articles and stores them in one batch.
fn store_extracted(store: &dyn Store, articles: &[Article]) {
    let items: Vec<_> = articles
        .iter()
        .map(|a| (a.clone(), whosaid_core::extract(a)))
        .collect();
    store.upsert_batch(&items).expect("upsert");
}

fn search_keys(store: &dyn Store, q: &str) -> Vec<(String, usize)> {
    let query = SearchQuery {
        text: Some(q.into()),
        limit: Some(1000),
        ..Default::default()
    };
    let mut out: Vec<_> = store
        .search(&query)
        .unwrap_or_else(|e| panic!("search {q}: {e}"))
        .hits
        .into_iter()
        .map(|h| (h.article_ext_id, h.start))
        .collect();
    out.sort();
    out
}

fn article_keys(store: &dyn Store, q: &str) -> Vec<String> {
    let mut out: Vec<String> = store
        .search_articles(q, 100)
        .unwrap_or_else(|e| panic!("search articles {q}: {e}"))
        .into_iter()
        .map(|h| h.ext_id)
        .collect();
    out.sort();
    out
}

const FOLDING_QUERIES: [&str; 7] = [
    "muller",
    "Müller",
    "\"3.5 percent\"",
    "well-known",
    "\"SAO paulo\" OR zoe",
    "\"don't know\"",
    "\"3,000 jobs\"",
];

#[test]
fn search_folds_words_as_sqlite_does() {
    let scope = Scope::new("fold");
    let store = scope.store();
    let articles = folding_articles();
    store_extracted(&store, &articles);
    let (_dir, reference) = sqlite_reference(&articles);
    for q in FOLDING_QUERIES {
        let (a, b) = (search_keys(&store, q), search_keys(&reference, q));
        assert!(!b.is_empty(), "{q}: reference found nothing");
        assert_eq!(a, b, "search {q}");
    }
    for q in ["sao paulo", "ecole", "MÜLLER", "\"3 5\""] {
        let (a, b) = (article_keys(&store, q), article_keys(&reference, q));
        assert!(!b.is_empty(), "{q}: reference found no article");
        assert_eq!(a, b, "articles {q}");
    }
    // The sequential path (a replaced article) writes its vectors too.
    let mut changed = articles[2].clone();
    changed.text = changed.text.replace("March", "Février");
    store
        .upsert_batch(&[(changed.clone(), whosaid_core::extract(&changed))])
        .expect("replace");
    assert_eq!(article_keys(&store, "fevrier"), ["fold-2"]);
    // …and its statement rows, with their vectors.
    let replaced = search_keys(&store, "fevrier");
    assert!(
        !replaced.is_empty() && replaced.iter().all(|(id, _)| id == "fold-2"),
        "{replaced:?}"
    );
    assert!(article_keys(&store, "march").is_empty());
}

/// Statement search finds the articles through the words of their statements
/// (`said_tsv`) and decides on each statement's own words: a phrase whose words sit in
/// two statements of one article, an excluded word in another statement, and a word
/// only outside the statements find what SQLite finds.
#[test]
fn statement_search_decides_on_each_statements_words() {
    let scope = Scope::new("said");
    let store = scope.store();
    let articles = vec![
        Article::new(
            "said-1",
            "“The tram line will cost far too much,” said Maria Okafor, the council leader. \
             The unions said that the project would bring jobs to the tram depot and the line.",
        ),
        Article::new(
            "said-2",
            "Economists said the budget would cost jobs in the regions, the newspaper reported.",
        ),
    ];
    store_extracted(&store, &articles);
    let (_dir, reference) = sqlite_reference(&articles);
    let found = |q: &str| {
        let (a, b) = (search_keys(&store, q), search_keys(&reference, q));
        assert_eq!(a, b, "search {q}");
        a
    };
    // The first article's two statements, by their own words.
    assert_eq!(found("\"tram line\"").len(), 1);
    assert_eq!(found("\"tram depot\"").len(), 1);
    assert_ne!(found("\"tram line\""), found("\"tram depot\""));
    // Both words in both statements, in this order in neither of them.
    assert!(found("\"line tram\"").is_empty());
    assert!(found("\"much the\"").is_empty());
    // "jobs" is in the other statement of the same article: excluded there only.
    assert_eq!(found("cost").len(), 3);
    assert_eq!(found("cost -jobs"), found("\"far too much\""));
    // Words of each statement, not of the article: "project jobs" is one statement's,
    // "okafor" and "unions" are outside every statement.
    assert_eq!(found("project jobs").len(), 1);
    assert_eq!(found("tram jobs"), found("\"tram depot\""));
    assert!(found("okafor").is_empty());
    assert!(found("unions OR newspaper").is_empty());
    assert!(!article_keys(&store, "okafor").is_empty());
    // Prefixes and alternatives across articles.
    assert_eq!(found("econ* OR regio*").len(), 2);
    assert_eq!(found("budget OR depot").len(), 3);
}

/// A replaced article's buckets are its new version's only: the old ones are removed by
/// the stored signature's buckets (there is no index by article since schema 10).
#[test]
fn a_replaced_article_keeps_only_its_new_buckets() {
    use whosaid_store::syndication;
    let scope = Scope::new("buckets");
    let store = scope.store();
    let articles: Vec<Article> = gen::corpus(11, 3).collect();
    store_extracted(&store, &articles);
    let mut changed = articles[1].clone();
    changed.text = format!(
        "{}\n\nIn a separate development, the harbour authority said on Friday that the \
         old pier would close for repairs until the spring, and ferries would use the \
         northern quay meanwhile.",
        changed.text
    );
    store_extracted(&store, std::slice::from_ref(&changed));
    let mut client = postgres::Client::connect(&pg_url(), postgres::NoTls).expect("connect");
    let schema = &scope.cfg.schema;
    client
        .batch_execute(&format!("SET search_path TO \"{schema}\""))
        .expect("schema");
    let stored = |client: &mut postgres::Client, ext: &str| -> Vec<i64> {
        let mut b: Vec<i64> = client
            .query(
                "SELECT l.bucket FROM lsh_buckets l JOIN articles a ON a.id = l.article_id
                 WHERE a.ext_id = $1",
                &[&ext],
            )
            .expect("buckets")
            .iter()
            .map(|r| r.get(0))
            .collect();
        b.sort_unstable();
        b
    };
    let want = |text: &str| {
        let mut b = syndication::buckets(&syndication::signature(text).expect("signature"));
        b.sort_unstable();
        b.dedup();
        b
    };
    let (old, new) = (want(&articles[1].text), want(&changed.text));
    assert_ne!(old, new, "the change must move some buckets");
    assert_eq!(stored(&mut client, &changed.id), new);
    // The other articles keep theirs.
    for a in [&articles[0], &articles[2]] {
        assert_eq!(stored(&mut client, &a.id), want(&a.text));
    }
}

/// A schema written by an older binary (version 4: vectors generated by the server's
/// parser, with diacritics kept) is brought to the current version at open, and its rows
/// are found by the folded words afterwards.
#[test]
fn an_old_schema_is_migrated_and_its_rows_retokenised() {
    let scope = Scope::new("migrate");
    let mut client = postgres::Client::connect(&pg_url(), postgres::NoTls).expect("connect");
    let schema = &scope.cfg.schema;
    client
        .batch_execute(&format!(
            "CREATE SCHEMA \"{schema}\"; SET search_path TO \"{schema}\";
             CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY,
               applied_at TIMESTAMPTZ NOT NULL DEFAULT now());"
        ))
        .expect("schema");
    for (i, sql) in [
        include_str!("../../whosaid-store/src/postgres/migrations/0001_initial.sql"),
        include_str!("../../whosaid-store/src/postgres/migrations/0002_failed_messages.sql"),
        include_str!("../../whosaid-store/src/postgres/migrations/0003_write_path_indexes.sql"),
        include_str!("../../whosaid-store/src/postgres/migrations/0004_drop_constructed_fkeys.sql"),
    ]
    .into_iter()
    .enumerate()
    {
        client.batch_execute(sql).expect("old migration");
        client
            .execute(
                "INSERT INTO schema_migrations (version) VALUES ($1)",
                &[&(i as i64 + 1)],
            )
            .expect("record");
    }
    client
        .batch_execute(
            "INSERT INTO articles (id, key, ext_id, text, text_hash, ingested_at, updated_at, title)
             VALUES (1, 'text:x', 'old-1', 'Zoë Ågren said the Müller report was wrong.', 'x',
                     '2026-01-01', '2026-01-01', 'São Paulo');
             INSERT INTO statements (article_id, idx, kind, text, start, \"end\", sort_date,
                                     confidence, speaker_name)
             VALUES (1, 0, 'indirect', 'the Müller report was wrong', 15, 42, '2026-01-01', 0.9,
                     'Zoë Ågren');",
        )
        .expect("old rows");
    // The server's own parser kept the diacritics.
    let old: String = client
        .query_one("SELECT tsv::text FROM statements", &[])
        .expect("old tsv")
        .get(0);
    assert!(old.contains("müller"), "{old}");
    let store = scope.store();
    assert_eq!(
        store.stats().expect("stats").schema_version,
        whosaid_store::postgres::SCHEMA_VERSION
    );
    let hits = search_keys(&store, "muller report");
    assert_eq!(hits, [("old-1".to_string(), 15)]);
    // Schema 9 gave the old article the words of its statement, which that search used.
    let said: String = client
        .query_one("SELECT said_tsv::text FROM articles WHERE id = 1", &[])
        .expect("said_tsv")
        .get(0);
    assert_eq!(said, "'muller' 'report' 'the' 'was' 'wrong'");
    assert_eq!(article_keys(&store, "sao"), ["old-1"]);
    // New rows are written by the store with the same tokens.
    store_extracted(&store, &folding_articles());
    assert_eq!(article_keys(&store, "muller").len(), 3);
    // Schema 8: new article texts are compressed with lz4 where the server has it; the
    // old row keeps its pglz value and stays readable (the searches above found it).
    let lz4: bool = client
        .query_one(
            "SELECT 'lz4' = ANY (SELECT unnest(enumvals) FROM pg_settings
               WHERE name = 'default_toast_compression')",
            &[],
        )
        .expect("settings")
        .get(0);
    let methods: Vec<String> = client
        .query(
            "SELECT attname || '=' || attcompression::text FROM pg_attribute
             WHERE attrelid = 'articles'::regclass AND attname IN ('said_tsv', 'text', 'tsv')
             ORDER BY attname",
            &[],
        )
        .expect("columns")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let want = if lz4 {
        ["said_tsv=l", "text=l", "tsv=l"]
    } else {
        ["said_tsv=", "text=", "tsv="]
    };
    assert_eq!(methods, want);
}

fn worker_bin() -> String {
    std::env::var("WHOSAID_WORKER_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_whosaid-worker").to_string())
}

fn spawn_worker(cfg: &ScaleConfig, pg: &str, batch: usize) -> Child {
    Command::new(worker_bin())
        .args([
            "--nats",
            &cfg.nats_url,
            "--pg",
            pg,
            "--stream",
            &cfg.stream,
            "--schema",
            &cfg.schema,
            "--batch",
            &batch.to_string(),
            "--exit-when-idle",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn worker")
}

fn stored(store: &PgStore) -> usize {
    store.stats().map(|s| s.articles).unwrap_or(0)
}

fn wait_all_exit(children: &mut [Child], limit: Duration) {
    let start = Instant::now();
    for c in children.iter_mut() {
        loop {
            if let Ok(Some(_)) = c.try_wait() {
                break;
            }
            if start.elapsed() > limit {
                let _ = c.kill();
                let _ = c.wait();
                panic!("a worker did not finish within {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[test]
fn kill_test() {
    let n: u64 = std::env::var("WHOSAID_KILL_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let scope = Scope::new("kill");
    let store = scope.store();
    let articles: Vec<Article> = gen::corpus(11, n).collect();
    let report = rt().block_on(publish_all(&scope.cfg, &articles));
    assert_eq!(report.published, n as usize);
    // Resubmitting inside the duplicate window is dropped by the server.
    let again = rt().block_on(publish_all(&scope.cfg, &articles[..20]));
    assert_eq!((again.published, again.duplicates), (0, 20));

    let batch = 16;
    let mut workers: Vec<Child> = (0..3)
        .map(|_| spawn_worker(&scope.cfg, &pg_url(), batch))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(600);
    let wait_for = |target: usize| {
        while stored(&store) < target && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_for((n as usize) / 5);
    let _ = workers[0].kill(); // SIGKILL
    let _ = workers[0].wait();
    wait_for((n as usize) / 2);
    let _ = workers[1].kill();
    let _ = workers[1].wait();
    eprintln!("killed two workers at {} stored", stored(&store));
    std::thread::sleep(Duration::from_millis(500));
    workers[0] = spawn_worker(&scope.cfg, &pg_url(), batch);
    workers[1] = spawn_worker(&scope.cfg, &pg_url(), batch);
    // Messages the killed workers held come back after ack_wait; the workers only exit
    // once nothing is pending or awaiting an ack.
    wait_all_exit(&mut workers, Duration::from_secs(900));
    let stats = store.stats().expect("stats");
    assert_eq!(
        stats.articles, n as usize,
        "every article stored exactly once"
    );
    assert_same_as_sqlite(&store, &articles);
}

#[test]
fn sigterm_drains_the_batches_in_hand() {
    let n: u64 = 400;
    let scope = Scope::new("term");
    let store = scope.store();
    let articles: Vec<Article> = gen::corpus(13, n).collect();
    rt().block_on(publish_all(&scope.cfg, &articles));
    let mut worker = spawn_worker(&scope.cfg, &pg_url(), 16);
    let deadline = Instant::now() + Duration::from_secs(120);
    while stored(&store) < 48 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let term = Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(term.success());
    let t = Instant::now();
    let status = loop {
        if let Ok(Some(s)) = worker.try_wait() {
            break s;
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "worker ignored SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "exit status {status:?}");
    let at_exit = stored(&store);
    assert!(
        at_exit < n as usize,
        "stopped early enough to test: {at_exit}"
    );
    // Whatever it had fetched was stored and acknowledged before it exited.
    let st = rt()
        .block_on(whosaid_workers::status::status(&scope.cfg, false))
        .expect("status");
    assert_eq!(st.ack_pending, 0, "messages left unacknowledged");
    assert_eq!(st.pending as usize, n as usize - at_exit);
    let mut rest = [spawn_worker(&scope.cfg, &pg_url(), 16)];
    wait_all_exit(&mut rest, Duration::from_secs(300));
    assert_eq!(stored(&store), n as usize);
    assert_same_as_sqlite(&store, &articles);
}

/// A newer whosaid migrates the schema while an older worker runs: the worker's next batch
/// sees the newer version before writing anything, hands its messages back and exits with
/// the reason; nothing of that batch is stored or dead-lettered.
#[test]
fn a_worker_stops_when_the_schema_is_migrated_past_it() {
    let scope = Scope::new("newer");
    let store = scope.store();
    let articles: Vec<Article> = gen::corpus(21, 30).collect();
    rt().block_on(publish_all(&scope.cfg, &articles[..20]));
    let mut worker = Command::new(worker_bin())
        .args([
            "--nats",
            &scope.cfg.nats_url,
            "--pg",
            &pg_url(),
            "--stream",
            &scope.cfg.stream,
            "--schema",
            &scope.cfg.schema,
            "--batch",
            "8",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn worker");
    let deadline = Instant::now() + Duration::from_secs(120);
    while stored(&store) < 20 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(stored(&store), 20);
    let newer = whosaid_store::postgres::SCHEMA_VERSION + 1;
    let mut client = postgres::Client::connect(&pg_url(), postgres::NoTls).expect("connect");
    client
        .execute(
            &format!(
                "INSERT INTO \"{}\".schema_migrations (version) VALUES ($1)",
                scope.cfg.schema
            ),
            &[&newer],
        )
        .expect("newer version");
    rt().block_on(publish_all(&scope.cfg, &articles[20..]));
    let t = Instant::now();
    let status = loop {
        if let Ok(Some(s)) = worker.try_wait() {
            break s;
        }
        if t.elapsed() > Duration::from_secs(60) {
            let _ = worker.kill();
            panic!("the worker kept running on a newer schema");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    if let Some(mut e) = worker.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut err);
    }
    assert!(!status.success(), "exit status {status:?}");
    assert!(
        err.contains(&format!(
            "schema version {newer}, newer than this whosaid knows"
        )),
        "{err}"
    );
    assert_eq!(stored(&store), 20);
    let st = rt()
        .block_on(whosaid_workers::status::status(&scope.cfg, false))
        .expect("status");
    assert_eq!(st.stream_messages, 10, "the batch was handed back");
    let failed: i64 = client
        .query_one(
            &format!(
                "SELECT count(*) FROM \"{}\".failed_messages",
                scope.cfg.schema
            ),
            &[],
        )
        .expect("failed")
        .get(0);
    assert_eq!(failed, 0);
}

/// A TCP proxy that can be cut: while cut, it refuses connections and drops the open ones.
struct Proxy {
    port: u16,
    cut: Arc<AtomicBool>,
}

fn start_proxy(target: &str) -> Proxy {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind proxy");
    let port = listener.local_addr().expect("addr").port();
    let cut = Arc::new(AtomicBool::new(false));
    let target = target.to_string();
    let flag = cut.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(client) = conn else { continue };
            if flag.load(Ordering::SeqCst) {
                drop(client);
                continue;
            }
            let Ok(server) = std::net::TcpStream::connect(&target) else {
                continue;
            };
            for (mut from, mut to) in [
                (
                    client.try_clone().expect("clone"),
                    server.try_clone().expect("clone"),
                ),
                (server, client),
            ] {
                let flag = flag.clone();
                std::thread::spawn(move || {
                    let _ = from.set_read_timeout(Some(Duration::from_millis(100)));
                    let mut buf = [0u8; 16384];
                    loop {
                        if flag.load(Ordering::SeqCst) {
                            let _ = from.shutdown(std::net::Shutdown::Both);
                            let _ = to.shutdown(std::net::Shutdown::Both);
                            return;
                        }
                        match std::io::Read::read(&mut from, &mut buf) {
                            Ok(0) => {
                                let _ = to.shutdown(std::net::Shutdown::Both);
                                return;
                            }
                            Ok(k) => {
                                if std::io::Write::write_all(&mut to, &buf[..k]).is_err() {
                                    return;
                                }
                            }
                            Err(e)
                                if e.kind() == std::io::ErrorKind::WouldBlock
                                    || e.kind() == std::io::ErrorKind::TimedOut => {}
                            Err(_) => {
                                let _ = to.shutdown(std::net::Shutdown::Both);
                                return;
                            }
                        }
                    }
                });
            }
        }
    });
    Proxy { port, cut }
}

#[test]
fn database_fault_is_retried_without_loss() {
    let scope = Scope::new("fault");
    let store = scope.store(); // migrates directly
    let n = 150u64;
    let articles: Vec<Article> = gen::corpus(23, n).collect();
    rt().block_on(publish_all(&scope.cfg, &articles));
    let proxy = start_proxy("127.0.0.1:5432");
    let proxied = pg_url().replace("127.0.0.1:5432", &format!("127.0.0.1:{}", proxy.port));
    let mut w = vec![spawn_worker(&scope.cfg, &proxied, 8)];
    let deadline = Instant::now() + Duration::from_secs(120);
    while stored(&store) < 20 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    proxy.cut.store(true, Ordering::SeqCst);
    let during = stored(&store);
    std::thread::sleep(Duration::from_secs(4));
    assert!(stored(&store) <= during + 8, "nothing written while cut");
    proxy.cut.store(false, Ordering::SeqCst);
    wait_all_exit(&mut w, Duration::from_secs(300));
    assert_eq!(stored(&store), n as usize);
    assert_same_as_sqlite(&store, &articles);
}

#[test]
fn poison_is_dead_lettered_and_does_not_block() {
    let mut scope = Scope::new("poison");
    scope.cfg.max_deliver = 2;
    let store = Arc::new(scope.store());
    let articles: Vec<Article> = gen::corpus(31, 30).collect();
    let rt = rt();
    rt.block_on(async {
        let client = config::connect_nats(&scope.cfg).await.expect("nats");
        let js = jetstream::new(client);
        config::ensure_consumer(&js, &scope.cfg)
            .await
            .expect("consumer");
        let mut p = Publisher::new(js, &scope.cfg);
        p.publish("poison-1", b"{not json".to_vec())
            .await
            .expect("publish");
        p.publish(
            "poison-2",
            br#"{"body":"file","path":"/nonexistent/x.txt","origin":"x"}"#.to_vec(),
        )
        .await
        .expect("publish");
        p.finish().await.expect("acks");
    });
    rt.block_on(publish_all(&scope.cfg, &articles));
    let opts = worker::WorkerOptions {
        batch: 8,
        exit_when_idle: true,
        ..Default::default()
    };
    let report = rt
        .block_on(worker::run(
            &scope.cfg,
            &opts,
            Arc::new(AtomicBool::new(false)),
        ))
        .expect("worker");
    assert_eq!(report.dead_lettered, 2);
    assert_eq!(store.stats().expect("stats").articles, 30);
    let list = failed::list(&store, false).expect("failed list");
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|f| f.deliveries == 2));
    assert!(list.iter().any(|f| f.msg_id.as_deref() == Some("poison-1")));
    // Retry resubmits it (it fails again, but the listing shows it was retried).
    rt.block_on(failed::retry(&scope.cfg, &store, list[0].id))
        .expect("retry");
    assert_eq!(failed::list(&store, false).expect("list").len(), 1);
}

#[test]
fn concurrent_writers_lose_no_speaker_update() {
    let scope = Scope::new("speaker");
    let _migrated = scope.store();
    let per_thread = 40;
    let handles: Vec<_> = (0..2)
        .map(|t| {
            let schema = scope.cfg.schema.clone();
            std::thread::spawn(move || {
                let store = PgStore::open(&PgOptions::new(pg_url(), schema)).expect("open");
                for i in 0..per_thread {
                    let a = Article {
                        url: Some(format!("https://example.org/{t}/{i}")),
                        published: chrono::NaiveDate::from_ymd_opt(2024, 3, 1 + (i % 28) as u32),
                        ..Article::new(
                            format!("{t}-{i}"),
                            format!("\u{201c}We will finish the bridge {t} {i} on time,\u{201d} Finance Minister Maria Lopez said."),
                        )
                    };
                    let e = whosaid_core::extract(&a);
                    assert_eq!(e.statements.len(), 1, "{e:?}");
                    store.upsert(&a, &e).expect("upsert");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("writer thread");
    }
    let store = scope.store();
    let speakers = store.speakers(&Default::default()).expect("speakers");
    assert_eq!(speakers.len(), 1, "{speakers:?}");
    assert_eq!(speakers[0].statements, 2 * per_thread);
    let count: i64 = store
        .with_client(|c| {
            Ok(c.query_one(
                "SELECT sum(count)::bigint FROM speaker_aliases WHERE lower(alias) = 'maria lopez'",
                &[],
            )?
            .get(0))
        })
        .expect("alias count");
    assert_eq!(count, 2 * per_thread as i64, "every alias increment kept");
    let roles: i64 = store
        .with_client(|c| {
            Ok(c.query_one("SELECT max(count) FROM speaker_roles", &[])?
                .get(0))
        })
        .expect("role count");
    assert_eq!(roles, 2 * per_thread as i64, "every role increment kept");
}

/// Two writers storing generated stories (every statement a repeated quote or an
/// excerpt of one) at once: their tentative links meet each other's new quotes and
/// merges, and the confirming pass must leave every link sound.
#[test]
fn concurrent_writers_leave_quote_links_sound() {
    let scope = Scope::new("links");
    let _migrated = scope.store();
    let articles: Vec<Article> = gen::corpus(17, 480).collect();
    let halves: Vec<Vec<Article>> = (0..2)
        .map(|t| articles.iter().skip(t).step_by(2).cloned().collect())
        .collect();
    let barrier = Arc::new(std::sync::Barrier::new(2));
    let handles: Vec<_> = halves
        .into_iter()
        .map(|half| {
            let (schema, barrier) = (scope.cfg.schema.clone(), barrier.clone());
            std::thread::spawn(move || {
                let store = PgStore::open(&PgOptions::new(pg_url(), schema)).expect("open");
                let items: Vec<_> = half
                    .iter()
                    .map(|a| (a.clone(), whosaid_core::extract(a)))
                    .collect();
                barrier.wait();
                for chunk in items.chunks(20) {
                    store.upsert_batch(chunk).expect("upsert");
                }
                store.corrected_links()
            })
        })
        .collect();
    let corrected: u64 = handles
        .into_iter()
        .map(|h| h.join().expect("writer thread"))
        .sum();
    eprintln!("links corrected by the confirming passes: {corrected}");
    let store = scope.store();
    let (dangling, split, unlinked): (i64, i64, i64) = store
        .with_client(|c| {
            let r = c.query_one(
                "SELECT
                   (SELECT count(*) FROM statements s LEFT JOIN quotes q ON q.id = s.quote_id
                    WHERE s.quote_id IS NOT NULL AND q.id IS NULL),
                   (SELECT count(*) FROM (SELECT s.text FROM statements s
                    JOIN quotes q ON q.id = s.quote_id
                    GROUP BY s.text HAVING count(DISTINCT COALESCE(q.merged_into, q.id)) > 1) AS t),
                   (SELECT count(*) FROM statements s LEFT JOIN speakers sp ON sp.id = s.speaker_id
                    WHERE s.speaker_id IS NOT NULL AND sp.id IS NULL)",
                &[],
            )?;
            Ok((r.get(0), r.get(1), r.get(2)))
        })
        .expect("link checks");
    assert_eq!(
        dangling, 0,
        "statements linked to a quote that does not exist"
    );
    assert_eq!(split, 0, "one text linked to two quotes");
    assert_eq!(
        unlinked, 0,
        "statements linked to a speaker that does not exist"
    );
    // Same statements as one SQLite writer, and as many distinct quotes and speakers.
    assert_same_as_sqlite(&store, &articles);
    let (_dir, reference) = sqlite_reference(&articles);
    let (a, b) = (
        store.stats().expect("stats"),
        reference.stats().expect("stats"),
    );
    assert_eq!(a.speakers, b.speakers, "speakers");
    assert_eq!(a.quotes, b.quotes, "quotes");
}

/// A local HTTP server that answers every request with a small page and counts the
/// requests per path (which scheduler polled is told by which feed it was given).
fn start_feed_server() -> (String, Arc<std::sync::Mutex<BTreeMap<String, usize>>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let hits: Arc<std::sync::Mutex<BTreeMap<String, usize>>> = Arc::default();
    let seen = hits.clone();
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match conn.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let head = String::from_utf8_lossy(&head);
            let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
            *seen
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(path.clone())
                .or_insert(0) += 1;
            let body = format!(
                "<html><head><title>Bridge {path}</title></head><body><article><p>\u{201c}We will \
                 finish the bridge on time,\u{201d} Finance Minister Maria Lopez said on \
                 Monday in a statement about {path}.</p></article></body></html>"
            );
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (base, hits)
}

fn hits_of(hits: &std::sync::Mutex<BTreeMap<String, usize>>, path: &str) -> usize {
    hits.lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(path)
        .copied()
        .unwrap_or(0)
}

/// Kills the child process when the test ends, passed or not.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The scheduler process of `scheduler_takeover` (this test binary run again with
/// `WHOSAID_SCHEDULER_CHILD` = stream, schema and feed URL, tab-separated); does nothing
/// when run on its own.
#[test]
#[ignore = "started by scheduler_takeover as a child process"]
fn scheduler_child() {
    let Ok(spec) = std::env::var("WHOSAID_SCHEDULER_CHILD") else {
        return;
    };
    let parts: Vec<&str> = spec.split('\t').collect();
    let [stream, schema, feed] = parts[..] else {
        panic!("bad WHOSAID_SCHEDULER_CHILD: {spec:?}");
    };
    let mut cfg = ScaleConfig::new(nats_url(), pg_url());
    cfg.stream = stream.to_string();
    cfg.schema = schema.to_string();
    let opts = schedule::ScheduleOptions {
        every: Duration::from_secs(1),
        once: false,
    };
    rt().block_on(schedule::run(
        &cfg,
        vec![feed.to_string()],
        &opts,
        Arc::new(AtomicBool::new(false)),
    ))
    .expect("scheduler");
}

#[test]
fn scheduler_takeover() {
    let scope = Scope::new("sched");
    let _migrated = scope.store();
    let (base, hits) = start_feed_server();
    let wait_for = |path: &str, limit: Duration| {
        let deadline = Instant::now() + limit;
        while hits_of(&hits, path) == 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        hits_of(&hits, path)
    };
    let exe = std::env::current_exe().expect("test binary");
    let child = Command::new(exe)
        .args(["scheduler_child", "--exact", "--ignored", "--nocapture"])
        .env(
            "WHOSAID_SCHEDULER_CHILD",
            format!("{}\t{}\t{base}/a", scope.cfg.stream, scope.cfg.schema),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn scheduler");
    let mut child = KillOnDrop(child);
    assert!(
        wait_for("/a", Duration::from_secs(60)) > 0,
        "the first scheduler took the lease and polled"
    );

    // A second scheduler (in this process) stands by while the first holds the lease.
    let rt = rt();
    let stop = Arc::new(AtomicBool::new(false));
    let standby = {
        let (cfg, stop) = (scope.cfg.clone(), stop.clone());
        let feeds = vec![format!("{base}/b")];
        rt.spawn(async move {
            let opts = schedule::ScheduleOptions {
                every: Duration::from_secs(1),
                once: false,
            };
            schedule::run(&cfg, feeds, &opts, stop).await
        })
    };
    let before = hits_of(&hits, "/a");
    std::thread::sleep(schedule::STANDBY_POLL * 3);
    assert_eq!(hits_of(&hits, "/b"), 0, "the stand-by does not poll");
    assert!(hits_of(&hits, "/a") > before, "the first keeps polling");

    let _ = child.0.kill(); // SIGKILL: its connection closes, PostgreSQL frees the lock
    let _ = child.0.wait();
    let killed = Instant::now();
    assert!(
        wait_for("/b", Duration::from_secs(30)) > 0,
        "the stand-by took over"
    );
    let took = killed.elapsed();
    eprintln!("takeover {:.1} s after kill -9", took.as_secs_f64());
    assert!(
        took < schedule::STANDBY_POLL * 5,
        "takeover within a few polls"
    );
    stop.store(true, Ordering::SeqCst);
    rt.block_on(standby)
        .expect("scheduler task")
        .expect("scheduler");
}
