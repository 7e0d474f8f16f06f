//! The SQLite backend: one database file in WAL mode (readers never block the writer),
//! foreign keys on, a busy timeout, `synchronous=NORMAL` (a killed process loses nothing
//! committed; only a power cut can lose the last commits). Cross-article work —
//! syndication groups, repeated quotes, corpus speakers — is done incrementally inside
//! each upsert's transaction, so the database is always consistent and there is no
//! separate refresh step. Does not parse queries (see `query`) or decide speaker
//! identity (see `speakers`); it fetches candidates and applies those decisions.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OpenFlags, OptionalExtension, Transaction};
use whosaid_core::{EntityKind, StatementKind};

use crate::api::*;
use crate::error::{Result, StoreError};
use crate::memindex::{self, MemIndex, SpeakerRow};
use crate::prepare::PreparedArticle;
use crate::quotes::{self, QuoteKey};
use crate::speakers::{self, Candidate, ParsedName, Resolution};
use crate::{migrate, query, syndication};

/// How to open a database.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Open without writing (no migrations; writes fail with `ReadOnly`).
    pub read_only: bool,
    /// How long to wait for another process's lock before failing with `Locked`.
    pub busy_timeout: Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            read_only: false,
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// A whosaid database in one SQLite file.
pub struct SqliteStore {
    path: PathBuf,
    busy_ms: u64,
    conn: Mutex<Connection>,
    /// The writer's in-memory LSH, fingerprint, quote-key and speaker lookups
    /// (`memindex`): loaded
    /// at the first batch, and again whenever `PRAGMA data_version` shows that another
    /// connection committed since. Taken out for the length of a batch and put back
    /// only after its commit, so a failed batch leaves none (the next one reloads).
    /// Locked only while holding `conn`.
    index: Mutex<Option<MemIndex>>,
    /// Per-step ingest timings, collected only while profiling is on.
    profile: Mutex<Option<IngestProfile>>,
}

/// Where ingest time went, summed over the upserts since profiling was turned on (see
/// [`SqliteStore::set_profiling`]). For benchmarks; off by default, and then the writer
/// reads no clock at all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IngestProfile {
    /// Articles upserted.
    pub articles: u64,
    /// Identity lookup and the article row (insert or update, clearing an old version).
    pub article_row: Duration,
    /// LSH bucket lookups and inserts, signature comparisons, group updates.
    pub syndication: Duration,
    /// Corpus speaker resolution (candidates, aliases, roles, first/last seen).
    pub speakers: Duration,
    /// Repeated quotes: exact key, excerpt fingerprint candidates, merges.
    pub quotes: Duration,
    /// Statement rows.
    pub statements: Duration,
    /// Entity rows.
    pub entities: Duration,
    /// Full-text index rows (articles and statements), written at the end of each batch.
    pub fts: Duration,
    /// Transaction begin and commit (page writes to the WAL).
    pub commit: Duration,
}

impl IngestProfile {
    /// (step, time) pairs in ingest order.
    pub fn steps(&self) -> [(&'static str, Duration); 8] {
        [
            ("article_row", self.article_row),
            ("syndication", self.syndication),
            ("speakers", self.speakers),
            ("quotes", self.quotes),
            ("statements", self.statements),
            ("entities", self.entities),
            ("fts", self.fts),
            ("commit", self.commit),
        ]
    }

    fn add(&mut self, o: &IngestProfile) {
        self.articles += o.articles;
        self.article_row += o.article_row;
        self.syndication += o.syndication;
        self.speakers += o.speakers;
        self.quotes += o.quotes;
        self.statements += o.statements;
        self.entities += o.entities;
        self.fts += o.fts;
        self.commit += o.commit;
    }
}

/// A stopwatch that reads the clock only when on.
struct Lap(Option<Instant>);

impl Lap {
    /// Time since the previous lap (zero when off).
    fn lap(&mut self) -> Duration {
        match &mut self.0 {
            Some(t) => {
                let now = Instant::now();
                let d = now - *t;
                *t = now;
                d
            }
            None => Duration::ZERO,
        }
    }
}

/// Most candidates read from one LSH bucket (guards against boilerplate texts).
const MAX_BUCKET_CANDIDATES: usize = 64;
/// Most candidates read for one quote fingerprint (a fingerprint shared by more quotes
/// is a stock phrase, not evidence of an excerpt).
const MAX_PRINT_CANDIDATES: usize = 50;

/// Reads the writer's lookups from the appended tables (one sequential pass each).
fn load_index(tx: &Transaction<'_>, data_version: i64) -> rusqlite::Result<MemIndex> {
    use rusqlite::types::ValueRef;
    let mut idx = MemIndex {
        data_version,
        ..MemIndex::default()
    };
    let sized = |sql: &str| -> rusqlite::Result<usize> {
        let n: Option<i64> = tx.query_row(sql, [], |r| r.get(0))?;
        Ok(n.unwrap_or(0).max(0) as usize)
    };
    idx.bands
        .reserve(sized("SELECT max(article_id) FROM lsh_bands")? * syndication::BANDS);
    let mut stmt = tx.prepare("SELECT article_id, buckets FROM lsh_bands")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        if let ValueRef::Blob(b) = r.get_ref(1)? {
            for bucket in memindex::from_blob(b) {
                idx.bands.insert(bucket, id);
            }
        }
    }
    let mut stmt = tx.prepare("SELECT quote_id, prints FROM quote_prints")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        if let ValueRef::Blob(b) = r.get_ref(1)? {
            for print in memindex::from_blob(b) {
                idx.prints.insert(print, id);
            }
        }
    }
    idx.keys.reserve(sized("SELECT max(id) FROM quotes")?);
    let mut stmt = tx.prepare("SELECT quote_id, hash FROM quote_keys")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        idx.keys.insert(r.get(1)?, r.get(0)?);
    }
    let mut stmt =
        tx.prepare("SELECT id, kind, given, surname, surname3 FROM speakers ORDER BY id")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        idx.speakers
            .entry((r.get(1)?, r.get(4)?))
            .or_default()
            .push(SpeakerRow {
                id: r.get(0)?,
                given: r.get(2)?,
                surname: r.get(3)?,
            });
    }
    tracing::debug!(
        buckets = idx.bands.len(),
        prints = idx.prints.len(),
        keys = idx.keys.len(),
        "loaded the writer's lookups"
    );
    Ok(idx)
}

fn date_str(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

fn parse_date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

fn parse_kind(s: &str) -> StatementKind {
    match s {
        "indirect" => StatementKind::Indirect,
        "mixed" => StatementKind::Mixed,
        _ => StatementKind::Direct,
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` read-write, migrating it to the
    /// current schema.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path, &OpenOptions::default())
    }

    pub fn open_with(path: impl AsRef<Path>, opts: &OpenOptions) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let busy_ms = opts.busy_timeout.as_millis() as u64;
        let err = |e: rusqlite::Error| StoreError::from_sqlite(&path, e, busy_ms);
        let flags = if opts.read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
        };
        let mut conn = Connection::open_with_flags(&path, flags).map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::CannotOpen => {
                StoreError::Open {
                    path: path.clone(),
                    source: e,
                }
            }
            e => err(e),
        })?;
        conn.busy_timeout(opts.busy_timeout).map_err(err)?;
        // The writer alone uses ~50 statements; searches add a few shapes each.
        conn.set_prepared_statement_cache_capacity(256);
        // Reading the schema first tells a non-database file apart before anything is
        // written to it.
        let found = migrate::version(&conn).map_err(err)?;
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(err)?;
        if found > migrate::SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path,
                found,
                known: migrate::SCHEMA_VERSION,
            });
        }
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(err)?;
        // Page cache up to 256 MiB (allocated as used): the hash-keyed indexes written
        // on every ingest (LSH buckets, quote keys and fingerprints) stay resident at
        // 100k+ articles. Reads beyond it go through a memory map instead of read().
        conn.pragma_update(None, "cache_size", -262_144)
            .map_err(err)?;
        conn.pragma_update(None, "temp_store", "MEMORY")
            .map_err(err)?;
        conn.query_row("PRAGMA mmap_size = 4294967296", [], |_| Ok(()))
            .optional()
            .map_err(err)?;
        if opts.read_only {
            if found < migrate::SCHEMA_VERSION {
                return Err(StoreError::NeedsUpgrade {
                    path,
                    found,
                    known: migrate::SCHEMA_VERSION,
                });
            }
        } else {
            let mode: String = conn
                .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
                .map_err(err)?;
            if !mode.eq_ignore_ascii_case("wal") {
                tracing::warn!(path = %path.display(), mode, "could not switch to WAL mode");
            }
            conn.pragma_update(None, "synchronous", "NORMAL")
                .map_err(err)?;
            // Checkpoint every ~64 MiB of WAL rather than 4 MiB: a page written by several
            // batches is copied into the database once, and the WAL file is trimmed back
            // to 64 MiB after each checkpoint.
            conn.pragma_update(None, "wal_autocheckpoint", 16_384)
                .map_err(err)?;
            conn.query_row("PRAGMA journal_size_limit = 67108864", [], |_| Ok(()))
                .map_err(err)?;
            migrate::run(&mut conn).map_err(err)?;
        }
        Ok(SqliteStore {
            path,
            busy_ms,
            conn: Mutex::new(conn),
            index: Mutex::new(None),
            profile: Mutex::new(None),
        })
    }

    /// Turns per-step ingest timing on (starting from zero) or off.
    pub fn set_profiling(&self, on: bool) {
        *self.profile.lock().unwrap_or_else(|p| p.into_inner()) = on.then(IngestProfile::default);
    }

    /// The per-step timings summed since profiling was turned on (`None` when off).
    pub fn profile(&self) -> Option<IngestProfile> {
        self.profile
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::from_sqlite(&self.path, e, self.busy_ms)
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves the connection usable (any open
        // transaction was rolled back when it was dropped).
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs SQLite's own integrity check; `Ok(())` when the file is sound.
    pub fn integrity_check(&self) -> Result<()> {
        let conn = self.conn();
        let res: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if res == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt {
                path: self.path.clone(),
                detail: res,
            })
        }
    }
}

// ---------------------------------------------------------------------------------------
// Writing

/// A batch's additions to speaker rows, keyed as the tables' NOCASE keys compare (ASCII
/// case folded); ordered so that the flush walks each table in key order.
#[derive(Default)]
struct SpeakerTallies {
    /// Speaker → earliest and latest date it was quoted on.
    seen: BTreeMap<i64, (String, String)>,
    /// (speaker, folded alias) → (alias as first written, mentions).
    aliases: BTreeMap<(i64, String), (String, i64)>,
    /// (speaker, folded role) → tally.
    roles: BTreeMap<(i64, String), RoleTally>,
}

struct RoleTally {
    role: String,
    count: i64,
    first: Option<String>,
    last: Option<String>,
}

impl SpeakerTallies {
    fn alias(&mut self, id: i64, alias: &str, mentions: i64) {
        self.aliases
            .entry((id, alias.to_ascii_lowercase()))
            .or_insert_with(|| (alias.to_string(), 0))
            .1 += mentions;
    }
}

struct Writer<'a> {
    tx: &'a Transaction<'a>,
    index: MemIndex,
    /// Full-text rows to add at the end of the batch: (statement id, text).
    fts_statements: Vec<(i64, String)>,
    /// (article id, title, text).
    fts_articles: Vec<(i64, Option<String>, String)>,
    /// Per-article cache of speaker resolutions, keyed by (display, title).
    speaker_cache: HashMap<(String, Option<String>), Option<i64>>,
    /// Speaker counts and dates gathered over the batch, written once per speaker at its
    /// end (`flush_speakers`) instead of three or four statements per mention.
    tallies: SpeakerTallies,
    clock: Lap,
    prof: IngestProfile,
}

impl Writer<'_> {
    fn upsert(&mut self, p: &PreparedArticle) -> rusqlite::Result<UpsertOutcome> {
        let tx = self.tx;
        let a = &p.article;
        self.clock.lap();
        self.prof.articles += 1;
        let existing: Option<(i64, String)> = tx
            .prepare_cached("SELECT id, text_hash FROM articles WHERE key = ?1")?
            .query_row([&p.key], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let now = now();
        let published = date_str(a.published);
        let sig_blob = p.signature.as_deref().map(syndication::to_blob);
        let (article_id, action) = match existing {
            Some((id, hash)) if hash == p.text_hash => {
                let group: Option<i64> = tx
                    .prepare_cached("SELECT syndication_group FROM articles WHERE id = ?1")?
                    .query_row([id], |r| r.get(0))?;
                self.prof.article_row += self.clock.lap();
                return Ok(UpsertOutcome {
                    article_id: id,
                    action: UpsertAction::Unchanged,
                    statements: 0,
                    syndication_group: group,
                });
            }
            Some((id, _)) => {
                self.clear_article(id)?;
                tx.prepare_cached(
                    "UPDATE articles SET ext_id=?2, url=?3, canonical_url=?4, source=?5, outlet=?6,
                     title=?7, published=?8, credit=?9, text=?10, text_hash=?11, minhash=?12,
                     updated_at=?13 WHERE id=?1",
                )?
                .execute(params![
                    id,
                    a.id,
                    a.url,
                    p.canonical_url,
                    a.source,
                    p.outlet,
                    a.title,
                    published,
                    p.extraction.credit,
                    a.text,
                    p.text_hash,
                    sig_blob,
                    now
                ])?;
                (id, UpsertAction::Replaced)
            }
            None => {
                tx.prepare_cached(
                    "INSERT INTO articles (key, ext_id, url, canonical_url, source, outlet, title,
                     published, credit, text, text_hash, minhash, ingested_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
                )?
                .execute(params![
                    p.key,
                    a.id,
                    a.url,
                    p.canonical_url,
                    a.source,
                    p.outlet,
                    a.title,
                    published,
                    p.extraction.credit,
                    a.text,
                    p.text_hash,
                    sig_blob,
                    now
                ])?;
                (tx.last_insert_rowid(), UpsertAction::Inserted)
            }
        };
        self.fts_articles
            .push((article_id, a.title.clone(), a.text.clone()));
        self.prof.article_row += self.clock.lap();
        let group = self.syndicate(article_id, p)?;
        self.prof.syndication += self.clock.lap();
        let statements = self.write_statements(article_id, p)?;
        Ok(UpsertOutcome {
            article_id,
            action,
            statements,
            syndication_group: group,
        })
    }

    /// Removes what an article's previous version contributed.
    fn clear_article(&mut self, id: i64) -> rusqlite::Result<()> {
        let tx = self.tx;
        let quote_ids: Vec<i64> = tx
            .prepare_cached("SELECT DISTINCT quote_id FROM statements WHERE article_id = ?1 AND quote_id IS NOT NULL")?
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        // Out of the full-text indexes first (they need the old text), then the rows. An
        // article written earlier in this same batch is not indexed yet: drop its pending
        // rows instead (a 'delete' of unindexed content would corrupt the index).
        if self.fts_articles.iter().any(|(a, _, _)| *a == id) {
            let ids: std::collections::HashSet<i64> = tx
                .prepare_cached("SELECT id FROM statements WHERE article_id = ?1")?
                .query_map([id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            self.fts_statements.retain(|(s, _)| !ids.contains(s));
            self.fts_articles.retain(|(a, _, _)| *a != id);
        } else {
            tx.prepare_cached(
                "INSERT INTO statements_fts (statements_fts, rowid, text)
                 SELECT 'delete', id, text FROM statements WHERE article_id = ?1",
            )?
            .execute([id])?;
            tx.prepare_cached(
                "INSERT INTO articles_fts (articles_fts, rowid, title, text)
                 SELECT 'delete', id, title, text FROM articles WHERE id = ?1",
            )?
            .execute([id])?;
        }
        tx.prepare_cached("DELETE FROM statements WHERE article_id = ?1")?
            .execute([id])?;
        tx.prepare_cached("DELETE FROM entities WHERE article_id = ?1")?
            .execute([id])?;
        let old: Option<Vec<u8>> = tx
            .prepare_cached("SELECT buckets FROM lsh_bands WHERE article_id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        if let Some(blob) = old {
            for b in memindex::from_blob(&blob) {
                self.index.bands.remove(b, id);
            }
            tx.prepare_cached("DELETE FROM lsh_bands WHERE article_id = ?1")?
                .execute([id])?;
        }
        let group: Option<i64> = tx
            .prepare_cached("SELECT syndication_group FROM articles WHERE id = ?1")?
            .query_row([id], |r| r.get(0))?;
        if let Some(g) = group {
            tx.prepare_cached("UPDATE articles SET syndication_group = NULL WHERE id = ?1")?
                .execute([id])?;
            self.refresh_group(g)?;
        }
        // Quotes left with no occurrence are dropped (with their keys and fingerprints).
        for q in quote_ids {
            let orphan: Option<i64> = tx
                .prepare_cached(
                    "SELECT id FROM quotes WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM statements WHERE quote_id = ?1)",
                )?
                .query_row([q], |r| r.get(0))
                .optional()?;
            if orphan.is_some() {
                self.drop_quote(q)?;
            }
        }
        Ok(())
    }

    /// Deletes a quote (its key and fingerprint rows go by cascade) and its entries in
    /// the in-memory lookups.
    fn drop_quote(&mut self, id: i64) -> rusqlite::Result<()> {
        let tx = self.tx;
        let prints: Option<Vec<u8>> = tx
            .prepare_cached("SELECT prints FROM quote_prints WHERE quote_id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        for p in prints.iter().flat_map(|b| memindex::from_blob(b)) {
            self.index.prints.remove(p, id);
        }
        let hashes: Vec<i64> = tx
            .prepare_cached("SELECT hash FROM quote_keys WHERE quote_id = ?1")?
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for h in hashes {
            if self.index.keys.get(&h) == Some(&id) {
                self.index.keys.remove(&h);
            }
        }
        tx.prepare_cached("DELETE FROM quotes WHERE id = ?1")?
            .execute([id])?;
        Ok(())
    }

    /// Recomputes a group's size, earliest member and credit; deletes it when it has
    /// fewer than two members.
    fn refresh_group(&mut self, g: i64) -> rusqlite::Result<()> {
        let tx = self.tx;
        let size: i64 = tx
            .prepare_cached("SELECT count(*) FROM articles WHERE syndication_group = ?1")?
            .query_row([g], |r| r.get(0))?;
        if size < 2 {
            tx.prepare_cached(
                "UPDATE articles SET syndication_group = NULL WHERE syndication_group = ?1",
            )?
            .execute([g])?;
            tx.prepare_cached("DELETE FROM syndication_groups WHERE id = ?1")?
                .execute([g])?;
            return Ok(());
        }
        tx.prepare_cached(
            "UPDATE syndication_groups SET size = ?2,
               credit = (SELECT credit FROM articles WHERE syndication_group = ?1 AND credit IS NOT NULL
                         ORDER BY published IS NULL, published, id LIMIT 1),
               first_article = (SELECT id FROM articles WHERE syndication_group = ?1
                                ORDER BY published IS NULL, published, id LIMIT 1),
               first_published = (SELECT min(published) FROM articles WHERE syndication_group = ?1)
             WHERE id = ?1",
        )?
        .execute(params![g, size])?;
        Ok(())
    }

    /// Finds near-duplicates through the LSH buckets and puts the article in their group.
    fn syndicate(&mut self, id: i64, p: &PreparedArticle) -> rusqlite::Result<Option<i64>> {
        let tx = self.tx;
        let Some(sig) = p.signature.as_deref() else {
            return Ok(None);
        };
        let mut found = Vec::new();
        if !p.buckets.is_empty() {
            for b in &p.buckets {
                self.index
                    .bands
                    .smallest(*b, Some(id), MAX_BUCKET_CANDIDATES, &mut found);
            }
            for b in &p.buckets {
                self.index.bands.insert(*b, id);
            }
            tx.prepare_cached("INSERT INTO lsh_bands (article_id, buckets) VALUES (?1, ?2)")?
                .execute(params![id, memindex::to_blob(&p.buckets)])?;
        }
        let candidates: BTreeSet<i64> = found.into_iter().collect();
        if candidates.is_empty() {
            return Ok(None);
        }
        let mut matches = Vec::new();
        {
            let mut stmt =
                tx.prepare_cached("SELECT minhash, syndication_group FROM articles WHERE id = ?1")?;
            for c in candidates {
                let (blob, group): (Option<Vec<u8>>, Option<i64>) =
                    stmt.query_row([c], |r| Ok((r.get(0)?, r.get(1)?)))?;
                let Some(blob) = blob else { continue };
                if syndication::similarity(sig, &syndication::from_blob(&blob))
                    >= syndication::SAME_STORY
                {
                    matches.push((c, group));
                }
            }
        }
        if matches.is_empty() {
            return Ok(None);
        }
        let groups: BTreeSet<i64> = matches.iter().filter_map(|(_, g)| *g).collect();
        let target = match groups.first() {
            Some(g) => *g,
            None => {
                tx.prepare_cached("INSERT INTO syndication_groups (size) VALUES (0)")?
                    .execute([])?;
                tx.last_insert_rowid()
            }
        };
        for other in groups.iter().filter(|g| **g != target) {
            tx.prepare_cached(
                "UPDATE articles SET syndication_group = ?1 WHERE syndication_group = ?2",
            )?
            .execute(params![target, other])?;
            tx.prepare_cached("DELETE FROM syndication_groups WHERE id = ?1")?
                .execute([other])?;
        }
        {
            let mut set =
                tx.prepare_cached("UPDATE articles SET syndication_group = ?1 WHERE id = ?2")?;
            set.execute(params![target, id])?;
            for (c, g) in &matches {
                if g.is_none() {
                    set.execute(params![target, c])?;
                }
            }
        }
        self.refresh_group(target)?;
        Ok(Some(target))
    }

    fn write_statements(
        &mut self,
        article_id: i64,
        p: &PreparedArticle,
    ) -> rusqlite::Result<usize> {
        let tx = self.tx;
        self.speaker_cache.clear();
        let published = date_str(p.article.published);
        let mut entity_speakers: HashMap<usize, i64> = HashMap::new();
        for (i, s) in p.extraction.statements.iter().enumerate() {
            self.prof.statements += self.clock.lap();
            let sort_date = date_str(s.said_on)
                .or_else(|| published.clone())
                .unwrap_or_default();
            let seen = (!sort_date.is_empty()).then_some(sort_date.as_str());
            let speaker_id = match (p.speakers.get(i).and_then(Option::as_ref), &s.speaker) {
                (Some(parsed), Some(sp)) => {
                    let mut roles: Vec<&str> = Vec::new();
                    if let Some(r) = sp.role.as_deref() {
                        roles.push(r);
                    }
                    if let Some(ent) = sp.entity.and_then(|e| p.extraction.entities.get(e)) {
                        roles.extend(ent.roles.iter().map(String::as_str));
                    }
                    if let Some(t) = parsed.title.as_deref() {
                        roles.push(t);
                    }
                    let id = self.resolve_speaker(parsed, &sp.name, &roles, seen)?;
                    if let (Some(id), Some(e)) = (id, sp.entity) {
                        entity_speakers.insert(e, id);
                    }
                    id
                }
                _ => None,
            };
            self.prof.speakers += self.clock.lap();
            let quote_id = match p.quote_keys.get(i).and_then(Option::as_ref) {
                Some(k) => Some(self.resolve_quote(k, &s.text, seen)?),
                None => None,
            };
            self.prof.quotes += self.clock.lap();
            let sp = s.speaker.as_ref();
            tx.prepare_cached(
                "INSERT INTO statements (article_id, idx, kind, text, start, \"end\", cue_text,
                 cue_start, cue_end, speaker_name, speaker_kind, speaker_role, speaker_id,
                 speaker_start, speaker_end, entity_idx, said_on, sort_date, confidence, quote_id)
                 VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20)",
            )?
            .execute(params![
                article_id,
                i as i64,
                s.kind.as_str(),
                s.text,
                s.start as i64,
                s.end as i64,
                s.cue.as_ref().map(|c| c.text.as_str()),
                s.cue.as_ref().map(|c| c.start as i64),
                s.cue.as_ref().map(|c| c.end as i64),
                sp.map(|x| x.name.as_str()),
                sp.map(|x| x.kind.as_str()),
                sp.and_then(|x| x.role.as_deref()),
                speaker_id,
                sp.map(|x| x.start as i64),
                sp.map(|x| x.end as i64),
                sp.and_then(|x| x.entity).map(|e| e as i64),
                date_str(s.said_on),
                sort_date,
                f64::from(s.confidence),
                quote_id
            ])?;
            self.fts_statements
                .push((tx.last_insert_rowid(), s.text.clone()));
        }
        self.prof.statements += self.clock.lap();
        for (i, e) in p.extraction.entities.iter().enumerate() {
            let roles = serde_json::to_string(&e.roles).unwrap_or_else(|_| "[]".into());
            let mentions: Vec<[usize; 2]> = e.mentions.iter().map(|m| [m.start, m.end]).collect();
            let mentions = serde_json::to_string(&mentions).unwrap_or_else(|_| "[]".into());
            tx.prepare_cached(
                "INSERT INTO entities (article_id, idx, name, kind, roles, mentions, speaker_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                article_id,
                i as i64,
                e.name,
                e.kind.as_str(),
                roles,
                mentions,
                entity_speakers.get(&i)
            ])?;
        }
        self.prof.entities += self.clock.lap();
        Ok(p.extraction.statements.len())
    }

    /// Writes the batch's speaker tallies: the same rows the per-mention statements
    /// would have left.
    fn flush_speakers(&mut self) -> rusqlite::Result<()> {
        let tx = self.tx;
        let t = std::mem::take(&mut self.tallies);
        let mut stmt = tx.prepare_cached(
            "UPDATE speakers SET
               first_seen = CASE WHEN first_seen IS NULL OR ?2 < first_seen THEN ?2 ELSE first_seen END,
               last_seen  = CASE WHEN last_seen  IS NULL OR ?3 > last_seen  THEN ?3 ELSE last_seen END
             WHERE id = ?1
               AND (first_seen IS NULL OR ?2 < first_seen OR last_seen IS NULL OR ?3 > last_seen)",
        )?;
        for (id, (first, last)) in &t.seen {
            stmt.execute(params![id, first, last])?;
        }
        let mut stmt = tx.prepare_cached(
            "INSERT INTO speaker_aliases (speaker_id, alias, count) VALUES (?1, ?2, ?3)
             ON CONFLICT (speaker_id, alias) DO UPDATE SET count = count + excluded.count",
        )?;
        for ((id, _), (alias, n)) in &t.aliases {
            stmt.execute(params![id, alias, n])?;
        }
        let mut stmt = tx.prepare_cached(
            "INSERT INTO speaker_roles (speaker_id, role, first_seen, last_seen, count) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (speaker_id, role) DO UPDATE SET count = count + excluded.count,
               first_seen = CASE WHEN excluded.first_seen IS NULL THEN first_seen
                 WHEN first_seen IS NULL OR excluded.first_seen < first_seen THEN excluded.first_seen ELSE first_seen END,
               last_seen  = CASE WHEN excluded.last_seen IS NULL THEN last_seen
                 WHEN last_seen IS NULL OR excluded.last_seen > last_seen THEN excluded.last_seen ELSE last_seen END",
        )?;
        for ((id, _), r) in &t.roles {
            stmt.execute(params![id, r.role, r.first, r.last, r.count])?;
        }
        Ok(())
    }

    /// Adds the batch's rows to the full-text indexes (one FTS5 flush at commit).
    fn flush_fts(&mut self) -> rusqlite::Result<()> {
        let tx = self.tx;
        let mut ins =
            tx.prepare_cached("INSERT INTO articles_fts (rowid, title, text) VALUES (?1, ?2, ?3)")?;
        for (id, title, text) in self.fts_articles.drain(..) {
            ins.execute(params![id, title, text])?;
        }
        let mut ins =
            tx.prepare_cached("INSERT INTO statements_fts (rowid, text) VALUES (?1, ?2)")?;
        for (id, text) in self.fts_statements.drain(..) {
            ins.execute(params![id, text])?;
        }
        Ok(())
    }

    fn candidates(&self, name: &ParsedName) -> rusqlite::Result<Vec<Candidate>> {
        let tx = self.tx;
        // The first 200 by id, as `LIMIT 200` over the (kind, surname3) index read them.
        let mut out: Vec<Candidate> = self
            .index
            .speakers
            .get(&(name.class.as_str().to_string(), name.surname3()))
            .map(|rows| {
                rows.iter()
                    .take(200)
                    .filter(|r| speakers::surname_matches(&r.surname, &name.surname))
                    .map(|r| Candidate {
                        id: r.id,
                        given: r.given.clone(),
                        surname: r.surname.clone(),
                        roles: Vec::new(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        // Roles only break ties between several candidates (`speakers::resolve`).
        if out.len() < 2 {
            return Ok(out);
        }
        let mut roles =
            tx.prepare_cached("SELECT role FROM speaker_roles WHERE speaker_id = ?1")?;
        for c in &mut out {
            let rows = roles.query_map([c.id], |r| r.get::<_, String>(0))?;
            for r in rows {
                c.roles.push(r?);
            }
            // Roles seen earlier in this batch are not written yet.
            c.roles.extend(
                self.tallies
                    .roles
                    .range((c.id, String::new())..)
                    .take_while(|((id, _), _)| *id == c.id)
                    .map(|(_, t)| t.role.clone()),
            );
        }
        Ok(out)
    }

    fn resolve_speaker(
        &mut self,
        name: &ParsedName,
        raw: &str,
        roles: &[&str],
        seen: Option<&str>,
    ) -> rusqlite::Result<Option<i64>> {
        let key = (name.display.clone(), name.title.clone());
        let id = match self.speaker_cache.get(&key) {
            Some(id) => *id,
            None => {
                let tx = self.tx;
                let cands = self.candidates(name)?;
                let id = match speakers::resolve(name, roles, &cands) {
                    Resolution::Join(id) => Some(id),
                    Resolution::Absorb(id) => {
                        tx.prepare_cached(
                            "UPDATE speakers SET name = ?2, given = ?3 WHERE id = ?1",
                        )?
                        .execute(params![id, name.display, name.given])?;
                        let row = self
                            .index
                            .speakers
                            .get_mut(&(name.class.as_str().to_string(), name.surname3()))
                            .and_then(|rows| rows.iter_mut().find(|r| r.id == id));
                        if let Some(row) = row {
                            row.given.clone_from(&name.given);
                        }
                        Some(id)
                    }
                    Resolution::New => {
                        tx.prepare_cached(
                            "INSERT INTO speakers (name, kind, given, surname, surname3) VALUES (?1, ?2, ?3, ?4, ?5)",
                        )?
                        .execute(params![
                            name.display,
                            name.class.as_str(),
                            name.given,
                            name.surname,
                            name.surname3()
                        ])?;
                        let id = tx.last_insert_rowid();
                        // The largest id so far: the list stays in id order.
                        self.index
                            .speakers
                            .entry((name.class.as_str().to_string(), name.surname3()))
                            .or_default()
                            .push(SpeakerRow {
                                id,
                                given: name.given.clone(),
                                surname: name.surname.clone(),
                            });
                        Some(id)
                    }
                    Resolution::Unresolved => None,
                };
                if let Some(id) = id {
                    self.tallies.alias(id, &name.display, 0);
                    if raw.trim() != name.display {
                        self.tallies.alias(id, raw.trim(), 0);
                    }
                }
                self.speaker_cache.insert(key, id);
                id
            }
        };
        let Some(id) = id else { return Ok(None) };
        let t = &mut self.tallies;
        if let Some(d) = seen {
            let e = t
                .seen
                .entry(id)
                .or_insert_with(|| (d.to_string(), d.to_string()));
            if d < e.0.as_str() {
                e.0 = d.to_string();
            }
            if d > e.1.as_str() {
                e.1 = d.to_string();
            }
        }
        t.alias(id, &name.display, 1);
        let mut done: Vec<&str> = Vec::new();
        for r in roles {
            let r = r.trim();
            if r.is_empty() || done.iter().any(|d| d.eq_ignore_ascii_case(r)) {
                continue;
            }
            done.push(r);
            let e = t
                .roles
                .entry((id, r.to_ascii_lowercase()))
                .or_insert_with(|| RoleTally {
                    role: r.to_string(),
                    count: 0,
                    first: None,
                    last: None,
                });
            e.count += 1;
            if let Some(d) = seen {
                if e.first.as_deref().is_none_or(|f| d < f) {
                    e.first = Some(d.to_string());
                }
                if e.last.as_deref().is_none_or(|l| d > l) {
                    e.last = Some(d.to_string());
                }
            }
        }
        Ok(Some(id))
    }

    fn resolve_quote(
        &mut self,
        k: &QuoteKey,
        text: &str,
        seen: Option<&str>,
    ) -> rusqlite::Result<i64> {
        let tx = self.tx;
        let mut new_quote = false;
        let exact = self.index.keys.get(&k.hash).copied();
        let id = match exact {
            Some(id) => id,
            None => {
                // Quotes sharing a fingerprint: longer ones may contain this one, shorter
                // ones may be excerpts of it.
                let mut found = Vec::new();
                for p in &k.prints {
                    self.index
                        .prints
                        .smallest(*p, None, MAX_PRINT_CANDIDATES, &mut found);
                }
                let cands: BTreeSet<i64> = found.into_iter().collect();
                let mut containers = Vec::new();
                let mut contained = Vec::new();
                {
                    let mut stmt = tx.prepare_cached("SELECT norm FROM quotes WHERE id = ?1")?;
                    for c in cands {
                        let Some(norm): Option<String> =
                            stmt.query_row([c], |r| r.get(0)).optional()?
                        else {
                            continue;
                        };
                        if quotes::contains(&norm, &k.norm) {
                            containers.push(c);
                        } else if quotes::contains(&k.norm, &norm) {
                            contained.push((c, norm));
                        }
                    }
                }
                let target = match containers.first() {
                    Some(c) => *c,
                    None => {
                        // A new quote is first seen now (no update needed below).
                        tx.prepare_cached(
                            "INSERT INTO quotes (norm, text, first_seen) VALUES (?1, ?2, ?3)",
                        )?
                        .execute(params![k.norm, text.trim(), seen])?;
                        new_quote = true;
                        let id = tx.last_insert_rowid();
                        if !k.prints.is_empty() {
                            tx.prepare_cached(
                                "INSERT INTO quote_prints (quote_id, prints) VALUES (?1, ?2)",
                            )?
                            .execute(params![id, memindex::to_blob(&k.prints)])?;
                            for p in &k.prints {
                                self.index.prints.insert(*p, id);
                            }
                        }
                        id
                    }
                };
                for (c, _) in contained.into_iter().filter(|(c, _)| *c != target) {
                    tx.prepare_cached("UPDATE statements SET quote_id = ?1 WHERE quote_id = ?2")?
                        .execute(params![target, c])?;
                    let hashes: Vec<i64> = tx
                        .prepare_cached("SELECT hash FROM quote_keys WHERE quote_id = ?1")?
                        .query_map([c], |r| r.get(0))?
                        .collect::<rusqlite::Result<_>>()?;
                    for h in hashes {
                        self.index.keys.insert(h, target);
                    }
                    tx.prepare_cached("UPDATE quote_keys SET quote_id = ?1 WHERE quote_id = ?2")?
                        .execute(params![target, c])?;
                    tx.prepare_cached(
                        "UPDATE quotes SET first_seen = (SELECT CASE WHEN q.first_seen IS NULL THEN quotes.first_seen
                           WHEN quotes.first_seen IS NULL OR q.first_seen < quotes.first_seen THEN q.first_seen
                           ELSE quotes.first_seen END FROM quotes q WHERE q.id = ?2) WHERE id = ?1",
                    )?
                    .execute(params![target, c])?;
                    self.drop_quote(c)?;
                }
                // The hash had no quote (`exact`), so this is its only row.
                tx.prepare_cached("INSERT INTO quote_keys (quote_id, hash) VALUES (?1, ?2)")?
                    .execute(params![target, k.hash])?;
                self.index.keys.insert(k.hash, target);
                target
            }
        };
        if !new_quote && seen.is_some() {
            tx.prepare_cached(
                "UPDATE quotes SET first_seen = ?2 WHERE id = ?1 AND ?2 IS NOT NULL AND (first_seen IS NULL OR ?2 < first_seen)",
            )?
            .execute(params![id, seen])?;
        }
        Ok(id)
    }
}

// ---------------------------------------------------------------------------------------
// Reading

/// From this many matches on, a full-text search walks the date index newest first
/// instead of reading and sorting every match.
const COMMON_MATCHES: i64 = 2000;

/// How a full-text search finds its page (the results are the same whichever is used).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextPlan {
    /// Read every match, look each up, sort them by date: cheapest for rare terms.
    Matches,
    /// Collect the matching ids, then walk the date index newest first and stop at the
    /// page's end: for terms in thousands of statements.
    DateIndexMatchSet,
    /// Walk the date index and ask the full-text index about each statement: for terms in
    /// a quarter or more of the statements, where the page ends after a few dozen.
    DateIndexProbe,
}

const HIT_COLUMNS: &str = "s.id, s.kind, s.text, s.start, s.\"end\", s.cue_text,
    COALESCE(sp.name, s.speaker_name), s.speaker_id, s.speaker_role, s.said_on, s.sort_date,
    s.confidence, a.id, a.ext_id, a.url, a.title, a.outlet, a.published, s.quote_id,
    CASE WHEN s.quote_id IS NULL THEN 1 ELSE
      (SELECT count(DISTINCT COALESCE(a2.outlet, a2.id)) FROM statements s2
       JOIN articles a2 ON a2.id = s2.article_id WHERE s2.quote_id = s.quote_id) END";

fn hit_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StatementHit> {
    let kind: String = r.get(1)?;
    Ok(StatementHit {
        statement_id: r.get(0)?,
        kind: parse_kind(&kind),
        text: r.get(2)?,
        start: r.get::<_, i64>(3)? as usize,
        end: r.get::<_, i64>(4)? as usize,
        cue: r.get(5)?,
        speaker: r.get(6)?,
        speaker_id: r.get(7)?,
        speaker_role: r.get(8)?,
        said_on: parse_date(r.get(9)?),
        date: parse_date(r.get(10)?),
        confidence: r.get::<_, f64>(11)? as f32,
        article_id: r.get(12)?,
        article_ext_id: r.get(13)?,
        url: r.get(14)?,
        title: r.get(15)?,
        outlet: r.get(16)?,
        published: parse_date(r.get(17)?),
        quote_id: r.get(18)?,
        outlets_with_quote: r.get::<_, i64>(19)?.max(1) as usize,
    })
}

fn encode_cursor(date: &str, id: i64) -> String {
    format!("{date}~{id}")
}

fn decode_cursor(c: &str) -> Result<(String, i64)> {
    let bad = || StoreError::InvalidCursor {
        cursor: c.to_string(),
    };
    let (date, id) = c.rsplit_once('~').ok_or_else(bad)?;
    let id: i64 = id.parse().map_err(|_| bad())?;
    if !date.is_empty() && NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err() {
        return Err(bad());
    }
    Ok((date.to_string(), id))
}

impl SqliteStore {
    /// Speaker ids answering to a name: exact name or alias (case-insensitive); failing
    /// that, the people whose parsed name matches (a bare surname matches every full-name
    /// speaker with that surname).
    fn speaker_ids(conn: &Connection, name: &str) -> rusqlite::Result<Vec<i64>> {
        let name = name.trim();
        if let Ok(id) = name.parse::<i64>() {
            return Ok(vec![id]);
        }
        let mut ids: Vec<i64> = conn
            .prepare_cached(
                "SELECT speaker_id FROM speaker_aliases WHERE alias = ?1
                 UNION SELECT id FROM speakers WHERE name = ?1 COLLATE NOCASE",
            )?
            .query_map([name], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        // What a user types may be lower-case; names are parsed capitalised.
        let capitalised: String = name
            .split_whitespace()
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect::<String>())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(" ");
        let parsed = speakers::parse(&capitalised, EntityKind::Person);
        if let Some(p) = parsed {
            let mut stmt = conn.prepare_cached(
                "SELECT id, given, surname FROM speakers WHERE kind = 'person' AND surname3 = ?1",
            )?;
            let rows = stmt.query_map([p.surname3()], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            let mut by_name = Vec::new();
            for r in rows {
                let (id, given, surname) = r?;
                if p.answers(given.as_deref(), &surname) {
                    by_name.push(id);
                }
            }
            // A bare surname shared by several people lists them all (ambiguous).
            if p.given.is_none() || ids.is_empty() {
                ids.extend(by_name);
            }
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    /// How to find the newest statements matching the full-text query `fts` when no
    /// speaker or outlet narrows them (see [`TextPlan`]). Counts the matches only up to
    /// a quarter of the statements, which costs a fraction of what it decides.
    fn text_plan(conn: &Connection, fts: &str, only_text: bool) -> rusqlite::Result<TextPlan> {
        let statements: i64 = conn
            .prepare_cached("SELECT COALESCE(max(id), 0) FROM statements")?
            .query_row([], |r| r.get(0))?;
        let cap = (statements / 4).max(COMMON_MATCHES);
        let matches: i64 = conn
            .prepare_cached(
                "SELECT count(*) FROM (SELECT rowid FROM statements_fts
                 WHERE statements_fts MATCH ?1 LIMIT ?2)",
            )?
            .query_row(params![fts, cap], |r| r.get(0))?;
        Ok(if matches < COMMON_MATCHES {
            TextPlan::Matches
        } else if matches < cap || !only_text {
            TextPlan::DateIndexMatchSet
        } else {
            TextPlan::DateIndexProbe
        })
    }

    fn search_inner(&self, q: &SearchQuery, speaker_ids: Option<&[i64]>) -> Result<SearchPage> {
        let fts = match &q.text {
            Some(t) => query::to_fts(t)?,
            None => None,
        };
        let limit = q.limit.unwrap_or(20).clamp(1, 1000);
        let conn = self.conn();
        let ids_owned;
        let ids = match (speaker_ids, &q.speaker) {
            (Some(ids), _) => Some(ids),
            (None, Some(name)) => {
                ids_owned = Self::speaker_ids(&conn, name).map_err(|e| self.err(e))?;
                Some(ids_owned.as_slice())
            }
            (None, None) => None,
        };
        let plan = match &fts {
            Some(f) if ids.is_none() && q.outlet.is_none() => {
                let only_text = q.since.is_none() && q.until.is_none() && q.kind.is_none();
                Self::text_plan(&conn, f, only_text).map_err(|e| self.err(e))?
            }
            _ => TextPlan::Matches,
        };
        // The page's ids are chosen first (only what the filters need), then its rows are
        // read: otherwise SQLite computes every column — the outlet count subquery
        // included — for every match before sorting, which for a common word is most of
        // the corpus.
        let mut sql = String::from("SELECT s.id AS sid FROM ");
        let mut args: Vec<Value> = Vec::new();
        let mut wh: Vec<String> = Vec::new();
        match (fts, plan) {
            (Some(f), TextPlan::Matches) => {
                sql.push_str("statements_fts f JOIN statements s ON s.id = f.rowid ");
                wh.push("statements_fts MATCH ?".into());
                args.push(Value::Text(f));
            }
            (Some(f), TextPlan::DateIndexMatchSet) => {
                sql.push_str("statements s INDEXED BY statements_sort ");
                wh.push(
                    "s.id IN (SELECT rowid FROM statements_fts WHERE statements_fts MATCH ?)"
                        .into(),
                );
                args.push(Value::Text(f));
            }
            (Some(f), TextPlan::DateIndexProbe) => {
                sql.push_str("statements s INDEXED BY statements_sort ");
                wh.push(
                    "EXISTS (SELECT 1 FROM statements_fts WHERE statements_fts MATCH ? AND rowid = s.id)"
                        .into(),
                );
                args.push(Value::Text(f));
            }
            (None, _) => sql.push_str("statements s "),
        }
        if q.outlet.is_some() {
            sql.push_str("JOIN articles a ON a.id = s.article_id ");
        }
        if let Some(ids) = ids {
            let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            match &q.speaker {
                Some(name) if speaker_ids.is_none() => {
                    wh.push(format!(
                        "(s.speaker_id IN ({list}) OR (s.speaker_id IS NULL AND s.speaker_name = ? COLLATE NOCASE))"
                    ));
                    args.push(Value::Text(name.trim().to_string()));
                }
                _ => wh.push(format!("s.speaker_id IN ({list})")),
            }
        }
        if let Some(d) = q.since {
            wh.push("s.sort_date >= ?".into());
            args.push(Value::Text(d.format("%Y-%m-%d").to_string()));
        }
        if let Some(d) = q.until {
            wh.push("s.sort_date <= ? AND s.sort_date != ''".into());
            args.push(Value::Text(d.format("%Y-%m-%d").to_string()));
        }
        if let Some(k) = q.kind {
            wh.push("s.kind = ?".into());
            args.push(Value::Text(k.as_str().into()));
        }
        if let Some(o) = &q.outlet {
            wh.push("a.outlet = ? COLLATE NOCASE".into());
            args.push(Value::Text(o.trim().to_string()));
        }
        if let Some(c) = &q.cursor {
            let (date, id) = decode_cursor(c)?;
            // (date < D OR (date = D AND id < I)), written so that the first term bounds a
            // range of the date index
            wh.push("s.sort_date <= ? AND (s.sort_date < ? OR s.id < ?)".into());
            args.push(Value::Text(date.clone()));
            args.push(Value::Text(date));
            args.push(Value::Integer(id));
        }
        if !wh.is_empty() {
            sql.push_str("WHERE ");
            sql.push_str(&wh.join(" AND "));
        }
        sql.push_str(" ORDER BY s.sort_date DESC, s.id DESC LIMIT ?");
        args.push(Value::Integer(limit as i64 + 1));
        let sql = format!(
            "SELECT {HIT_COLUMNS} FROM ({sql}) page JOIN statements s ON s.id = page.sid
             JOIN articles a ON a.id = s.article_id LEFT JOIN speakers sp ON sp.id = s.speaker_id
             ORDER BY s.sort_date DESC, s.id DESC"
        );
        let mut stmt = conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let mut hits: Vec<StatementHit> = stmt
            .query_map(params_from_iter(args), hit_from_row)
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))?;
        let next_cursor = if hits.len() > limit {
            hits.truncate(limit);
            hits.last().map(|h| {
                encode_cursor(
                    &h.date
                        .map(|d| d.format("%Y-%m-%d").to_string())
                        .unwrap_or_default(),
                    h.statement_id,
                )
            })
        } else {
            None
        };
        Ok(SearchPage { hits, next_cursor })
    }

    fn summary(conn: &Connection, id: i64) -> rusqlite::Result<Option<SpeakerSummary>> {
        conn.prepare_cached(
            "SELECT sp.id, sp.name, sp.kind, (SELECT count(*) FROM statements WHERE speaker_id = sp.id),
               (SELECT role FROM speaker_roles WHERE speaker_id = sp.id ORDER BY count DESC, last_seen DESC LIMIT 1),
               sp.first_seen, sp.last_seen
             FROM speakers sp WHERE sp.id = ?1",
        )?
        .query_row([id], summary_from_row)
        .optional()
    }
}

fn summary_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SpeakerSummary> {
    Ok(SpeakerSummary {
        speaker_id: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        statements: r.get::<_, i64>(3)? as usize,
        role: r.get(4)?,
        first_seen: parse_date(r.get(5)?),
        last_seen: parse_date(r.get(6)?),
    })
}

impl Store for SqliteStore {
    fn upsert_prepared(&self, items: Vec<PreparedArticle>) -> Result<Vec<UpsertOutcome>> {
        let profiling = self
            .profile
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some();
        let mut clock = Lap(profiling.then(Instant::now));
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| self.err(e))?;
        // Holding the write lock, so nobody can commit between this check and ours.
        let data_version: i64 = tx
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        let cached = self
            .index
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .filter(|i| i.data_version == data_version);
        let loaded = match cached {
            Some(i) => i,
            None => load_index(&tx, data_version).map_err(|e| self.err(e))?,
        };
        let mut out = Vec::with_capacity(items.len());
        let mut prof;
        let index;
        {
            let mut w = Writer {
                tx: &tx,
                index: loaded,
                fts_statements: Vec::new(),
                fts_articles: Vec::new(),
                speaker_cache: HashMap::new(),
                tallies: SpeakerTallies::default(),
                clock: Lap(None),
                prof: IngestProfile::default(),
            };
            let begin = clock.lap();
            w.clock = Lap(profiling.then(Instant::now));
            for p in &items {
                out.push(w.upsert(p).map_err(|e| self.err(e))?);
            }
            w.clock.lap();
            w.flush_speakers().map_err(|e| self.err(e))?;
            w.prof.speakers += w.clock.lap();
            w.flush_fts().map_err(|e| self.err(e))?;
            w.prof.fts += w.clock.lap();
            w.prof.commit += begin;
            prof = w.prof;
            index = w.index;
        }
        clock.lap();
        tx.commit().map_err(|e| self.err(e))?;
        // Our own commits leave this connection's data_version as it was.
        *self.index.lock().unwrap_or_else(|p| p.into_inner()) = Some(index);
        prof.commit += clock.lap();
        if profiling {
            if let Some(total) = self
                .profile
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .as_mut()
            {
                total.add(&prof);
            }
        }
        Ok(out)
    }

    fn search(&self, query: &SearchQuery) -> Result<SearchPage> {
        self.search_inner(query, None)
    }

    fn search_articles(&self, q: &str, limit: usize) -> Result<Vec<ArticleHit>> {
        let Some(fts) = query::to_fts(q)? else {
            return Ok(Vec::new());
        };
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT a.id, a.ext_id, a.title, a.url, a.outlet, a.published FROM articles_fts f
                 JOIN articles a ON a.id = f.rowid WHERE articles_fts MATCH ?1 ORDER BY f.rank LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(
                params![fts, limit.clamp(1, 1000) as i64],
                article_hit_from_row,
            )
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    fn speakers(&self, q: &SpeakersQuery) -> Result<Vec<SpeakerSummary>> {
        let conn = self.conn();
        let top = q.top.unwrap_or(20).clamp(1, 10_000) as i64;
        let mut sql = String::from(
            "SELECT sp.id, sp.name, sp.kind, n,
               (SELECT role FROM speaker_roles WHERE speaker_id = sp.id ORDER BY count DESC, last_seen DESC LIMIT 1),
               sp.first_seen, sp.last_seen
             FROM (SELECT speaker_id, count(*) AS n FROM statements WHERE speaker_id IS NOT NULL GROUP BY speaker_id) c
             JOIN speakers sp ON sp.id = c.speaker_id",
        );
        let mut args: Vec<Value> = Vec::new();
        if let Some(org) = &q.org {
            sql.push_str(
                " WHERE sp.name LIKE ?1 ESCAPE '\\' OR sp.id IN
                  (SELECT speaker_id FROM speaker_roles WHERE role LIKE ?1 ESCAPE '\\')",
            );
            args.push(Value::Text(format!("%{}%", escape_like(org.trim()))));
        }
        sql.push_str(&format!(" ORDER BY n DESC, sp.id LIMIT {top}"));
        let mut stmt = conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params_from_iter(args), summary_from_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    fn speaker(&self, name: &str, statement_limit: usize) -> Result<SpeakerLookup> {
        let (ids, mut summaries) = {
            let conn = self.conn();
            let ids = Self::speaker_ids(&conn, name).map_err(|e| self.err(e))?;
            let mut summaries = Vec::new();
            for id in &ids {
                if let Some(s) = Self::summary(&conn, *id).map_err(|e| self.err(e))? {
                    summaries.push(s);
                }
            }
            (ids, summaries)
        };
        let summary = match summaries.len() {
            0 => return Ok(SpeakerLookup::NotFound),
            1 => summaries.remove(0),
            _ => {
                let mut candidates = summaries;
                candidates.sort_by_key(|c| std::cmp::Reverse(c.statements));
                return Ok(SpeakerLookup::Ambiguous { candidates });
            }
        };
        let id = summary.speaker_id;
        let (aliases, roles) = {
            let conn = self.conn();
            let aliases: Vec<String> = conn
                .prepare_cached(
                    "SELECT alias FROM speaker_aliases WHERE speaker_id = ?1 ORDER BY count DESC, alias",
                )
                .and_then(|mut s| s.query_map([id], |r| r.get(0))?.collect())
                .map_err(|e| self.err(e))?;
            let roles: Vec<SpeakerRole> = conn
                .prepare_cached(
                    "SELECT role, first_seen, last_seen, count FROM speaker_roles WHERE speaker_id = ?1
                     ORDER BY first_seen IS NULL, first_seen, role",
                )
                .and_then(|mut s| {
                    s.query_map([id], |r| {
                        Ok(SpeakerRole {
                            role: r.get(0)?,
                            first_seen: parse_date(r.get(1)?),
                            last_seen: parse_date(r.get(2)?),
                            count: r.get::<_, i64>(3)? as usize,
                        })
                    })?
                    .collect()
                })
                .map_err(|e| self.err(e))?;
            (aliases, roles)
        };
        let _ = ids;
        let page = self.search_inner(
            &SearchQuery {
                limit: Some(statement_limit.max(1)),
                ..Default::default()
            },
            Some(&[id]),
        )?;
        Ok(SpeakerLookup::Found(Box::new(SpeakerRecord {
            summary,
            aliases,
            roles,
            statements: page.hits,
        })))
    }

    fn article(&self, id: &str) -> Result<Option<ArticleView>> {
        let conn = self.conn();
        let id = id.trim();
        let lookup = |sql: &str, v: Value| -> rusqlite::Result<Option<i64>> {
            conn.prepare_cached(sql)?
                .query_row([v], |r| r.get(0))
                .optional()
        };
        let mut found = None;
        if let Ok(n) = id.parse::<i64>() {
            found = lookup("SELECT id FROM articles WHERE id = ?1", Value::Integer(n))
                .map_err(|e| self.err(e))?;
        }
        if found.is_none() {
            found = lookup(
                "SELECT id FROM articles WHERE ext_id = ?1 ORDER BY id LIMIT 1",
                Value::Text(id.to_string()),
            )
            .map_err(|e| self.err(e))?;
        }
        if found.is_none() {
            if let Some(u) = crate::normalize::canonical_url(id) {
                found = lookup(
                    "SELECT id FROM articles WHERE key = ?1",
                    Value::Text(format!("url:{u}")),
                )
                .map_err(|e| self.err(e))?;
            }
        }
        let Some(aid) = found else { return Ok(None) };
        let mut view = conn
            .prepare_cached(
                "SELECT id, ext_id, url, source, outlet, title, published, credit, text, text_hash,
                 ingested_at, syndication_group FROM articles WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([aid], |r| {
                    Ok(ArticleView {
                        article_id: r.get(0)?,
                        ext_id: r.get(1)?,
                        url: r.get(2)?,
                        source: r.get(3)?,
                        outlet: r.get(4)?,
                        title: r.get(5)?,
                        published: parse_date(r.get(6)?),
                        credit: r.get(7)?,
                        text: r.get(8)?,
                        text_hash: r.get(9)?,
                        ingested_at: r.get(10)?,
                        syndication_group: r.get(11)?,
                        statements: Vec::new(),
                    })
                })
            })
            .map_err(|e| self.err(e))?;
        view.statements = conn
            .prepare_cached(
                "SELECT s.id, s.kind, s.text, s.start, s.\"end\", s.cue_text, s.cue_start, s.cue_end,
                   COALESCE(sp.name, s.speaker_name), s.speaker_id, s.speaker_role, s.speaker_start,
                   s.speaker_end, s.said_on, s.confidence, s.quote_id, s.speaker_name
                 FROM statements s LEFT JOIN speakers sp ON sp.id = s.speaker_id
                 WHERE s.article_id = ?1 ORDER BY s.start, s.idx",
            )
            .and_then(|mut s| {
                s.query_map([aid], |r| {
                    let kind: String = r.get(1)?;
                    let cue = match (r.get::<_, Option<String>>(5)?, r.get::<_, Option<i64>>(6)?, r.get::<_, Option<i64>>(7)?) {
                        (Some(text), Some(a), Some(b)) => Some(Span { text, start: a as usize, end: b as usize }),
                        _ => None,
                    };
                    let speaker_span = match (r.get::<_, Option<String>>(16)?, r.get::<_, Option<i64>>(11)?, r.get::<_, Option<i64>>(12)?) {
                        (Some(text), Some(a), Some(b)) => Some(Span { text, start: a as usize, end: b as usize }),
                        _ => None,
                    };
                    Ok(ArticleStatement {
                        statement_id: r.get(0)?,
                        kind: parse_kind(&kind),
                        text: r.get(2)?,
                        start: r.get::<_, i64>(3)? as usize,
                        end: r.get::<_, i64>(4)? as usize,
                        cue,
                        speaker: r.get(8)?,
                        speaker_id: r.get(9)?,
                        speaker_role: r.get(10)?,
                        speaker_span,
                        said_on: parse_date(r.get(13)?),
                        confidence: r.get::<_, f64>(14)? as f32,
                        quote_id: r.get(15)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))?;
        Ok(Some(view))
    }

    fn quote(&self, quote_id: i64) -> Result<Option<QuoteRecord>> {
        let conn = self.conn();
        let head: Option<(String, Option<String>)> = conn
            .prepare_cached("SELECT text, first_seen FROM quotes WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row([quote_id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(|e| self.err(e))?;
        let Some((text, first_seen)) = head else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT {HIT_COLUMNS} FROM statements s JOIN articles a ON a.id = s.article_id
             LEFT JOIN speakers sp ON sp.id = s.speaker_id WHERE s.quote_id = ?1
             ORDER BY s.sort_date = '', s.sort_date, a.ingested_at, s.id"
        );
        let occurrences = conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_map([quote_id], hit_from_row)?.collect())
            .map_err(|e| self.err(e))?;
        Ok(Some(QuoteRecord {
            quote_id,
            text,
            first_seen: parse_date(first_seen),
            occurrences,
        }))
    }

    fn syndication_group(&self, group_id: i64) -> Result<Option<SyndicationGroup>> {
        let conn = self.conn();
        let credit: Option<Option<String>> = conn
            .prepare_cached("SELECT credit FROM syndication_groups WHERE id = ?1")
            .and_then(|mut s| s.query_row([group_id], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))?;
        let Some(credit) = credit else {
            return Ok(None);
        };
        let articles = conn
            .prepare_cached(
                "SELECT id, ext_id, title, url, outlet, published FROM articles
                 WHERE syndication_group = ?1 ORDER BY published IS NULL, published, id",
            )
            .and_then(|mut s| s.query_map([group_id], article_hit_from_row)?.collect())
            .map_err(|e| self.err(e))?;
        Ok(Some(SyndicationGroup {
            group_id,
            credit,
            articles,
        }))
    }

    fn stats(&self) -> Result<Stats> {
        let conn = self.conn();
        let count = |sql: &str| -> Result<usize> {
            conn.query_row(sql, [], |r| r.get::<_, i64>(0))
                .map(|n| n as usize)
                .map_err(|e| self.err(e))
        };
        Ok(Stats {
            articles: count("SELECT count(*) FROM articles")?,
            statements: count("SELECT count(*) FROM statements")?,
            speakers: count("SELECT count(*) FROM speakers")?,
            quotes: count("SELECT count(*) FROM quotes")?,
            repeated_quotes: count(
                "SELECT count(*) FROM (SELECT quote_id FROM statements WHERE quote_id IS NOT NULL
                 GROUP BY quote_id HAVING count(*) > 1)",
            )?,
            syndication_groups: count("SELECT count(*) FROM syndication_groups")?,
            feeds: count("SELECT count(*) FROM feeds")?,
            schema_version: migrate::version(&conn).map_err(|e| self.err(e))?,
        })
    }

    fn feed_state(&self, url: &str) -> Result<Option<FeedState>> {
        let conn = self.conn();
        conn.prepare_cached("SELECT etag, last_modified FROM feeds WHERE url = ?1")
            .and_then(|mut s| {
                s.query_row([url], |r| {
                    Ok(FeedState {
                        etag: r.get(0)?,
                        last_modified: r.get(1)?,
                    })
                })
                .optional()
            })
            .map_err(|e| self.err(e))
    }

    fn set_feed_state(&self, url: &str, state: &FeedState) -> Result<()> {
        let conn = self.conn();
        conn.prepare_cached(
            "INSERT INTO feeds (url, etag, last_modified, checked_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (url) DO UPDATE SET etag = ?2, last_modified = ?3, checked_at = ?4",
        )
        .and_then(|mut s| s.execute(params![url, state.etag, state.last_modified, now()]))
        .map_err(|e| self.err(e))?;
        Ok(())
    }
}

fn article_hit_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ArticleHit> {
    Ok(ArticleHit {
        article_id: r.get(0)?,
        ext_id: r.get(1)?,
        title: r.get(2)?,
        url: r.get(3)?,
        outlet: r.get(4)?,
        published: parse_date(r.get(5)?),
    })
}
