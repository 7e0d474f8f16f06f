//! Writing a batch to PostgreSQL: the SQLite backend's upsert (identity, replacement,
//! syndication, repeated quotes, corpus speakers) with few round trips and safe under
//! concurrent writers. A batch of new or unchanged articles (the usual case) first writes
//! its articles: one statement finds the stored ones and reserves ids for the others, one
//! reads the LSH candidates, the near-duplicates among them are row-locked, syndication is
//! decided in memory ([`super::synd_plan`]) and one statement inserts the articles (with
//! their final group), their buckets and new groups. None of this takes a stripe: the
//! unique key guards identity, row locks guard groups. Then one statement takes the
//! striped advisory locks of the speaker and quote work (sorted, so two batches never
//! deadlock on them), a few set-based queries read everything those decisions depend on —
//! known quote keys, the quotes sharing a fingerprint with the batch's new quotes, the
//! speaker candidates of every surname prefix — and reserve ids for the quotes and
//! speakers the batch may create. Speaker and quote decisions are then taken in memory
//! (the stripes keep other writers off those rows until commit), and every row — new
//! speakers and quotes, statements, entities, alias and role counters, seen dates — is
//! written at the end of the batch with multi-row `unnest` statements. A batch that
//! replaces a stored article (or holds a key twice) runs article by article under the
//! stripes of its article keys too, as before. Decisions come from `speakers`, `quotes`
//! and `syndication`, as in the SQLite backend.

use std::collections::{BTreeSet, VecDeque};

// The writer's maps are keyed by hashes and ids it computes itself, and hashed several
// times per statement in both passes: SipHash was ~3 % of a worker's CPU.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use ::postgres::types::{IsNull, ToSql, Type};
use ::postgres::{Statement, Transaction};
use bytes::{BufMut, BytesMut};

use crate::api::{UpsertAction, UpsertOutcome};
use crate::prepare::PreparedArticle;
use crate::quotes::{self, QuoteKey};
use crate::speakers::{self, Candidate, ParsedName, Resolution};
use crate::syndication;

use super::fts::{ArticleFts, TsVector};
use super::synd_plan::{self, GroupRef, NewArticle, StoredArticle};

/// A failed write: a database error, or a state the locks rule out (reported as a failed
/// batch, never a panic).
#[derive(Debug)]
pub(crate) enum WriteError {
    Pg(::postgres::Error),
    Invariant(&'static str),
    /// Lost a race with another writer that the database did not report as an error
    /// (a quote this batch points at was deleted meanwhile): retry the batch.
    Race(&'static str),
    /// Could not get a connection.
    Store(crate::error::StoreError),
    /// The schema was migrated past this binary's version while it ran.
    TooNew(i64),
}

impl From<::postgres::Error> for WriteError {
    fn from(e: ::postgres::Error) -> Self {
        WriteError::Pg(e)
    }
}

type PgResult<T> = std::result::Result<T, WriteError>;

/// Advisory-lock stripes per schema. Few enough that a batch's locks stay well inside
/// PostgreSQL's shared lock table with many workers.
pub(crate) const LOCK_STRIPES: u64 = 64;
/// Most candidates read from one LSH bucket (as in the SQLite backend).
const MAX_BUCKET_CANDIDATES: i64 = 64;

fn date_str(d: Option<chrono::NaiveDate>) -> Option<String> {
    use chrono::Datelike;
    // Twice per statement: `format` parses its pattern at every call.
    d.map(|d| match d.year() {
        0..=9999 => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        _ => d.format("%Y-%m-%d").to_string(),
    })
}

/// The date a statement sorts by: when it was said, else its article's publication date.
fn sort_date(s: &whosaid_core::Statement, published: &Option<String>) -> String {
    date_str(s.said_on)
        .or_else(|| published.clone())
        .unwrap_or_default()
}

const COPY_STATEMENTS: &str = "COPY statements (article_id, idx, kind, text, start, \"end\",
    cue_text, cue_start, cue_end, speaker_name, speaker_kind, speaker_role, speaker_id,
    speaker_start, speaker_end, entity_idx, said_on, sort_date, confidence, quote_id, tsv)
    FROM STDIN (FORMAT binary)";

/// The column types of `COPY_STATEMENTS`, in its order.
#[rustfmt::skip]
const STATEMENT_TYPES: [Type; 21] = [
    Type::INT8, Type::INT8, Type::TEXT, Type::TEXT, Type::INT8, Type::INT8, Type::TEXT,
    Type::INT8, Type::INT8, Type::TEXT, Type::TEXT, Type::TEXT, Type::INT8, Type::INT8,
    Type::INT8, Type::INT8, Type::TEXT, Type::TEXT, Type::FLOAT4, Type::INT8, Type::TS_VECTOR,
];

/// The column types of the articles COPY in `syndicate_new`, in its order.
#[rustfmt::skip]
const ARTICLE_TYPES: [Type; 18] = [
    Type::INT8, Type::TEXT, Type::TEXT, Type::TEXT, Type::TEXT, Type::TEXT, Type::TEXT,
    Type::TEXT, Type::TEXT, Type::TEXT, Type::TEXT, Type::TEXT, Type::BYTEA, Type::INT8,
    Type::TS_VECTOR, Type::TS_VECTOR, Type::TEXT, Type::TEXT,
];

/// The column types of the entities COPY, in its order.
#[rustfmt::skip]
const ENTITY_TYPES: [Type; 7] = [
    Type::INT8, Type::INT8, Type::TEXT, Type::TEXT, Type::TEXT, Type::TEXT, Type::INT8,
];

const BUCKET_TYPES: [Type; 2] = [Type::INT8, Type::INT8];

/// Rows in `COPY … (FORMAT binary)`'s layout, encoded in memory and sent at once.
struct BinaryRows {
    types: &'static [Type],
    buf: BytesMut,
}

impl BinaryRows {
    fn new(types: &'static [Type], capacity: usize) -> BinaryRows {
        let mut buf = BytesMut::with_capacity(capacity + 32);
        buf.put_slice(b"PGCOPY\n\xff\r\n\0");
        buf.put_i32(0); // flags
        buf.put_i32(0); // header extension
        BinaryRows { types, buf }
    }

    fn row(&mut self, values: &[&(dyn ToSql + Sync)]) -> PgResult<()> {
        if values.len() != self.types.len() {
            return Err(WriteError::Invariant("a COPY row of the wrong width"));
        }
        self.buf.put_i16(values.len() as i16);
        for (v, ty) in values.iter().zip(self.types) {
            let at = self.buf.len();
            self.buf.put_i32(0);
            let len = match v.to_sql_checked(ty, &mut self.buf) {
                Ok(IsNull::Yes) => -1,
                Ok(IsNull::No) => i32::try_from(self.buf.len() - at - 4)
                    .map_err(|_| WriteError::Invariant("a COPY value over 2 GiB"))?,
                Err(_) => return Err(WriteError::Invariant("a COPY value of the wrong type")),
            };
            self.buf[at..at + 4].copy_from_slice(&len.to_be_bytes());
        }
        Ok(())
    }

    fn finish(mut self) -> BytesMut {
        self.buf.put_i16(-1);
        self.buf
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn min_date(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y < x { y } else { x }),
        (x, None) => x,
        (None, y) => y,
    }
}

fn max_date(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y > x { y } else { x }),
        (x, None) => x,
        (None, y) => y,
    }
}

/// The lock stripes a batch needs: article identities (when the batch decides on their
/// absence itself rather than through the unique key), speaker surname prefixes, quote
/// keys and fingerprints (everything whose absence leads to an insert).
pub(crate) fn lock_stripes(items: &[&PreparedArticle], article_keys: bool) -> Vec<i32> {
    let mut keys: BTreeSet<i32> = BTreeSet::new();
    let mut add = |s: &str| {
        keys.insert((xxhash_rust::xxh3::xxh3_64(s.as_bytes()) % LOCK_STRIPES) as i32);
    };
    for p in items {
        if article_keys {
            add(&format!("a:{}", p.key));
        }
        for n in p.speakers.iter().flatten() {
            add(&format!("s:{}:{}", n.class.as_str(), n.surname3()));
        }
        for k in p.quote_keys.iter().flatten() {
            add(&format!("q:{}", k.hash));
            for pr in &k.prints {
                add(&format!("p:{pr}"));
            }
        }
    }
    keys.into_iter().collect()
}

/// What the sequential path keeps of a statement until its row is written: the
/// statement, its article's publication date and its full-text vector.
struct StatementBody {
    statement: whosaid_core::Statement,
    published: Option<String>,
    tsv: TsVector,
}

/// One statement row for `COPY_STATEMENTS`, borrowed from wherever it is kept.
struct StatementRow<'r> {
    article_id: i64,
    idx: i64,
    speaker_id: Option<i64>,
    quote_id: Option<i64>,
    s: &'r whosaid_core::Statement,
    published: &'r Option<String>,
    tsv: &'r TsVector,
}

#[derive(Default)]
struct EntityRows {
    article_id: Vec<i64>,
    idx: Vec<i64>,
    name: Vec<String>,
    kind: Vec<String>,
    roles: Vec<String>,
    mentions: Vec<String>,
    speaker_id: Vec<Option<i64>>,
}

/// Role counters: (speaker, lower-case role) → (role as first written, count, first, last).
type RoleCounts = HashMap<(i64, String), (String, i64, Option<String>, Option<String>)>;

/// Speakers stored per (class, surname prefix): the candidates a name is resolved
/// against, as the table holds them (first [`MAX_SPEAKER_CANDIDATES`] by id).
type SpeakerGroups = HashMap<(String, String), Vec<Candidate>>;

/// Most speakers considered per (class, surname prefix), oldest first.
const MAX_SPEAKER_CANDIDATES: usize = 200;
/// Most quotes considered per fingerprint, oldest first.
const MAX_PRINT_QUOTES: usize = 50;
/// Quotes read per fingerprint: more than are considered, so that dropping a few (merged
/// excerpts, replaced articles) still leaves the table's first [`MAX_PRINT_QUOTES`] in
/// memory.
const FETCH_PRINT_QUOTES: i64 = 64;

/// The quotes holding one fingerprint, by id.
struct PrintQuotes {
    ids: Vec<i64>,
    /// Whether `ids` is every quote with the fingerprint (else its first ones).
    complete: bool,
}

/// Speakers created in this batch, inserted at flush.
#[derive(Default)]
struct SpeakerRows {
    id: Vec<i64>,
    name: Vec<String>,
    kind: Vec<String>,
    given: Vec<Option<String>>,
    surname: Vec<String>,
    surname3: Vec<String>,
}

/// Quotes created in this batch, with their fingerprints, inserted at flush.
#[derive(Default)]
struct QuoteRows {
    id: Vec<i64>,
    norm: Vec<String>,
    text: Vec<String>,
    print: Vec<i64>,
    print_quote: Vec<i64>,
}

/// The sequences this writer reserves ids from.
#[derive(Clone, Copy)]
enum Seq {
    Speakers,
    Quotes,
}

/// Ids reserved beyond the batch's estimate when it runs out (a replaced article's
/// dropped quote met again, a full surname group).
const RESERVE_MORE: i64 = 8;

/// How the writer treats the rows it decides.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// Write everything at each flush.
    Normal,
    /// Decide without writing anything (flush is a no-op): the first, unlocked pass of
    /// the set-based path, whose statement rows are written with these links.
    Tentative,
    /// Write everything but the statement rows (already written by the tentative pass):
    /// only their links are kept, to correct the rows whose link changed.
    Confirm,
}

/// Each written statement's links, by (article, index), in write order.
#[derive(Default)]
struct Links {
    article_id: Vec<i64>,
    idx: Vec<i64>,
    speaker_id: Vec<Option<i64>>,
    quote_id: Vec<Option<i64>>,
}

pub(crate) struct Writer<'a, 't> {
    tx: &'a mut Transaction<'t>,
    stmts: &'a mut std::collections::HashMap<&'static str, Statement>,
    mode: Mode,
    /// Links of the statement rows flushed so far, kept in step with quote merges.
    links: Links,
    /// Ids the tentative pass gave the speakers (class, name) and quotes (normal form) it
    /// made; the confirming pass gives the same ids to the same new rows, so the links
    /// written with them stand.
    made_speakers: HashMap<(String, String), i64>,
    made_quotes: HashMap<String, i64>,
    /// Stored quotes merged away by this transaction's flushes, in order (excerpt, quote):
    /// a statement row linked to the excerpt now resolves to the quote.
    done_merges: Vec<(i64, i64)>,
    /// Statement rows whose link the confirming pass corrected.
    corrected: u64,
    /// Per-article cache of speaker resolutions, keyed by (display, title).
    speaker_cache: HashMap<(String, Option<String>), Option<i64>>,
    /// Quote keys known in this transaction: normal-form hash → quote.
    quote_keys: HashMap<i64, i64>,
    /// Links of the statements decided and not flushed yet, in write order.
    statements: Links,
    /// Their rows, in the sequential path (the set-based path writes them from the
    /// articles): one per entry of `statements`.
    bodies: Vec<StatementBody>,
    entities: EntityRows,
    /// (speaker, lower-case alias) → (alias as first written, count to add).
    aliases: HashMap<(i64, String), (String, i64)>,
    roles: RoleCounts,
    /// Speaker → (earliest, latest) date seen in this batch.
    seen: HashMap<i64, (Option<String>, Option<String>)>,
    /// Quote → earliest date seen in this batch.
    quote_seen: HashMap<i64, String>,
    /// Speaker candidates of the batch's surname prefixes, kept in step with this
    /// transaction's writes (read under the stripes, so no other writer changes them).
    speaker_groups: SpeakerGroups,
    /// Every role given to a speaker in this batch (flushed or not): candidates' roles
    /// include them, as they would reading the table after each write.
    batch_roles: HashMap<i64, Vec<String>>,
    new_speakers: SpeakerRows,
    /// Absorbed placeholders stored before this batch: id → (full name, first name).
    absorbed: HashMap<i64, (String, Option<String>)>,
    /// Ids reserved for new speakers, ascending (ids order speakers by age).
    speaker_ids: VecDeque<i64>,
    /// Fingerprint → the quotes holding it, as the table has them with this batch's writes.
    print_quotes: HashMap<i64, PrintQuotes>,
    /// Normal forms of the quotes in `print_quotes`.
    quote_norms: HashMap<i64, String>,
    new_quotes: QuoteRows,
    /// Quote keys to point at a quote at flush: hash → quote.
    key_updates: HashMap<i64, i64>,
    /// Ids reserved for new quotes, ascending.
    quote_ids: VecDeque<i64>,
    /// Stored quotes merged into another (excerpt → quote), made pointers at flush.
    quote_merges: Vec<(i64, i64)>,
}

impl<'a, 't> Writer<'a, 't> {
    pub(crate) fn new(
        tx: &'a mut Transaction<'t>,
        stmts: &'a mut std::collections::HashMap<&'static str, Statement>,
    ) -> Self {
        Writer {
            tx,
            stmts,
            mode: Mode::Normal,
            links: Links::default(),
            made_speakers: HashMap::new(),
            made_quotes: HashMap::new(),
            done_merges: Vec::new(),
            corrected: 0,
            speaker_cache: HashMap::new(),
            quote_keys: HashMap::new(),
            statements: Links::default(),
            bodies: Vec::new(),
            entities: EntityRows::default(),
            aliases: HashMap::new(),
            roles: HashMap::new(),
            seen: HashMap::new(),
            quote_seen: HashMap::new(),
            speaker_groups: HashMap::new(),
            batch_roles: HashMap::new(),
            new_speakers: SpeakerRows::default(),
            absorbed: HashMap::new(),
            speaker_ids: VecDeque::new(),
            print_quotes: HashMap::new(),
            quote_norms: HashMap::new(),
            new_quotes: QuoteRows::default(),
            key_updates: HashMap::new(),
            quote_ids: VecDeque::new(),
            quote_merges: Vec::new(),
        }
    }

    pub(crate) fn corrected(&self) -> u64 {
        self.corrected
    }

    /// Forgets every decision and buffered row (after the tentative pass), but not the
    /// ids it gave new speakers and quotes.
    fn reset(&mut self) {
        self.links = Links::default();
        self.done_merges.clear();
        self.speaker_cache.clear();
        self.quote_keys.clear();
        self.statements = Links::default();
        self.bodies.clear();
        self.entities = EntityRows::default();
        self.aliases.clear();
        self.roles.clear();
        self.seen.clear();
        self.quote_seen.clear();
        self.speaker_groups.clear();
        self.batch_roles.clear();
        self.new_speakers = SpeakerRows::default();
        self.absorbed.clear();
        self.speaker_ids.clear();
        self.print_quotes.clear();
        self.quote_norms.clear();
        self.new_quotes = QuoteRows::default();
        self.key_updates.clear();
        self.quote_ids.clear();
        self.quote_merges.clear();
    }

    fn st(&mut self, sql: &'static str) -> PgResult<Statement> {
        if let Some(s) = self.stmts.get(sql) {
            return Ok(s.clone());
        }
        let s = self.tx.prepare(sql)?;
        self.stmts.insert(sql, s.clone());
        Ok(s)
    }

    fn exec(&mut self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> PgResult<u64> {
        let s = self.st(sql)?;
        Ok(self.tx.execute(&s, params)?)
    }

    fn query(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> PgResult<Vec<::postgres::Row>> {
        let s = self.st(sql)?;
        Ok(self.tx.query(&s, params)?)
    }

    /// Runs a statement as an unnamed one, planned with its parameter values each time
    /// (a second round trip, worth it where a generic plan goes wrong as tables grow).
    fn query_planned(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> PgResult<Vec<::postgres::Row>> {
        Ok(self.tx.query(sql, params)?)
    }

    /// Takes the batch's lock stripes, then reads what its speaker and quote decisions
    /// depend on and reserves ids for the rows it may create. The reads come after the
    /// locks (each statement sees what committed before it began), so they hold for the
    /// whole transaction: any writer that could change these rows needs a stripe we hold.
    fn begin(
        &mut self,
        class: i32,
        items: &[&PreparedArticle],
        article_keys: bool,
    ) -> PgResult<()> {
        let stripes = lock_stripes(items, article_keys);
        self.exec(
            "SELECT count(pg_advisory_xact_lock($1, s)) FROM
               (SELECT s FROM unnest($2::int4[]) AS s ORDER BY s) AS ordered",
            &[&class, &stripes],
        )?;
        self.read_state(items)
    }

    /// The reads `begin` makes under the stripes (and the tentative pass makes without).
    fn read_state(&mut self, items: &[&PreparedArticle]) -> PgResult<()> {
        let mut hashes: Vec<i64> = items
            .iter()
            .flat_map(|p| p.quote_keys.iter().flatten().map(|k| k.hash))
            .collect();
        hashes.sort_unstable();
        hashes.dedup();
        if !hashes.is_empty() {
            for r in self.query(
                "SELECT hash, quote_id FROM quote_keys WHERE hash = ANY($1)",
                &[&hashes],
            )? {
                self.quote_keys.insert(r.get(0), r.get(1));
            }
        }
        // Quotes not found by their key are matched to stored ones by fingerprint, and
        // each may become a new quote.
        let mut unknown: HashSet<i64> = HashSet::new();
        let mut prints: Vec<i64> = Vec::new();
        for k in items.iter().flat_map(|p| p.quote_keys.iter().flatten()) {
            if !self.quote_keys.contains_key(&k.hash) && unknown.insert(k.hash) {
                prints.extend_from_slice(&k.prints);
            }
        }
        prints.sort_unstable();
        prints.dedup();
        self.load_prints(&prints)?;
        let names: HashSet<(&str, &str, Option<&str>)> = items
            .iter()
            .flat_map(|p| p.speakers.iter().flatten())
            .map(|n| (n.class.as_str(), n.display.as_str(), n.title.as_deref()))
            .collect();
        let groups: BTreeSet<(String, String)> = items
            .iter()
            .flat_map(|p| p.speakers.iter().flatten())
            .map(|n| (n.class.as_str().to_string(), n.surname3()))
            .collect();
        self.load_speakers(groups.into_iter().collect())?;
        // Estimates: a name met twice in a batch finds the speaker made the first time.
        self.reserve(names.len() as i64, unknown.len() as i64)?;
        Ok(())
    }

    /// Reserves ids for new speakers and quotes, ascending, so that rows made in this
    /// batch are younger than every row it read (resolution prefers the oldest speaker).
    fn reserve(&mut self, speakers: i64, quotes: i64) -> PgResult<()> {
        if speakers == 0 && quotes == 0 {
            return Ok(());
        }
        let rows = self.query(
            "SELECT ARRAY(SELECT nextval('speakers_id_seq') FROM generate_series(1, $1::int8) ORDER BY 1),
                    ARRAY(SELECT nextval('quotes_id_seq') FROM generate_series(1, $2::int8) ORDER BY 1)",
            &[&speakers, &quotes],
        )?;
        let Some(r) = rows.first() else {
            return Err(WriteError::Invariant("id reservation returned no row"));
        };
        let (s, q): (Vec<i64>, Vec<i64>) = (r.get(0), r.get(1));
        self.speaker_ids.extend(s);
        self.quote_ids.extend(q);
        Ok(())
    }

    fn next_id(&mut self, seq: Seq) -> PgResult<i64> {
        let pool = |w: &mut Self| match seq {
            Seq::Speakers => w.speaker_ids.pop_front(),
            Seq::Quotes => w.quote_ids.pop_front(),
        };
        if let Some(id) = pool(self) {
            return Ok(id);
        }
        match seq {
            Seq::Speakers => self.reserve(RESERVE_MORE, 0)?,
            Seq::Quotes => self.reserve(0, RESERVE_MORE)?,
        }
        pool(self).ok_or(WriteError::Invariant("no id reserved"))
    }

    /// Reads the quotes holding these fingerprints (first ones by id) with their normal
    /// forms. Callers flush first when this batch has quotes not yet written.
    fn load_prints(&mut self, prints: &[i64]) -> PgResult<()> {
        if prints.is_empty() {
            return Ok(());
        }
        // The (print, quote) pairs, then each quote's text once: a repeated quote shares
        // all its prints with the batch's copy of it, and joining the texts to the pairs
        // sent each one once per print.
        let rows = self.query(
            "WITH l AS MATERIALIZED (SELECT p.print, x.quote_id FROM unnest($1::bigint[]) AS p(print)
               CROSS JOIN LATERAL (SELECT quote_id FROM quote_prints WHERE print = p.print
                                   ORDER BY quote_id LIMIT $2) AS x)
             SELECT print, quote_id, NULL::text FROM l
             UNION ALL
             SELECT NULL, q.id, q.norm FROM quotes q
             WHERE q.id IN (SELECT DISTINCT quote_id FROM l)",
            &[&prints, &FETCH_PRINT_QUOTES],
        )?;
        let mut lists: HashMap<i64, Vec<i64>> = prints.iter().map(|p| (*p, Vec::new())).collect();
        for r in rows {
            let (print, id, norm): (Option<i64>, i64, Option<String>) =
                (r.get(0), r.get(1), r.get(2));
            match (print, norm) {
                (Some(print), _) => lists.entry(print).or_default().push(id),
                (None, Some(norm)) => {
                    self.quote_norms.insert(id, norm);
                }
                (None, None) => return Err(WriteError::Invariant("a quote without its text")),
            }
        }
        for (print, mut ids) in lists {
            // As the join did: a pair whose quote is gone (deleted in the snapshot) is not
            // a candidate.
            ids.retain(|id| self.quote_norms.contains_key(id));
            ids.sort_unstable();
            let complete = (ids.len() as i64) < FETCH_PRINT_QUOTES;
            self.print_quotes
                .insert(print, PrintQuotes { ids, complete });
        }
        Ok(())
    }

    /// Reads the stored speakers of these (class, surname prefix) groups with their roles.
    fn load_speakers(&mut self, groups: Vec<(String, String)>) -> PgResult<()> {
        if groups.is_empty() {
            return Ok(());
        }
        let kinds: Vec<&str> = groups.iter().map(|(k, _)| k.as_str()).collect();
        let prefixes: Vec<&str> = groups.iter().map(|(_, s)| s.as_str()).collect();
        let rows = self.query(
            "SELECT g.k, g.s3, s.id, s.given, s.surname,
               COALESCE(array_agg(r.role) FILTER (WHERE r.role IS NOT NULL), '{}')
             FROM unnest($1::text[], $2::text[]) AS g(k, s3)
             CROSS JOIN LATERAL (SELECT id, given, surname FROM speakers
                                 WHERE kind = g.k AND surname3 = g.s3
                                 ORDER BY id LIMIT $3) AS s
             LEFT JOIN speaker_roles r ON r.speaker_id = s.id
             GROUP BY g.k, g.s3, s.id, s.given, s.surname",
            &[&kinds, &prefixes, &(MAX_SPEAKER_CANDIDATES as i64)],
        )?;
        let mut loaded: SpeakerGroups = groups.into_iter().map(|g| (g, Vec::new())).collect();
        for r in rows {
            let group: (String, String) = (r.get(0), r.get(1));
            loaded.entry(group).or_default().push(Candidate {
                id: r.get(2),
                given: r.get(3),
                surname: r.get(4),
                roles: r.get(5),
            });
        }
        for (group, mut cands) in loaded {
            cands.sort_by_key(|c| c.id);
            self.speaker_groups.insert(group, cands);
        }
        Ok(())
    }

    /// Stores a batch. A batch of articles that are new or unchanged (the usual case)
    /// takes the set-based path: its articles, LSH buckets and syndication groups are
    /// written by a few statements before any stripe is taken (the unique key guards
    /// identity; candidate articles and groups are row-locked), so the serial section under
    /// the stripes is only the speaker and quote work. A batch that replaces a stored
    /// article or holds one key twice runs article by article, as the SQLite backend does.
    pub(crate) fn upsert_batch(
        &mut self,
        class: i32,
        items: &[PreparedArticle],
    ) -> PgResult<Vec<UpsertOutcome>> {
        if let Some(out) = self.upsert_new(class, items)? {
            return Ok(out);
        }
        let all: Vec<&PreparedArticle> = items.iter().collect();
        self.begin(class, &all, true)?;
        let mut out = Vec::with_capacity(items.len());
        for p in items {
            out.push(self.upsert(p)?);
        }
        self.flush()?;
        self.check_quotes()?;
        Ok(out)
    }

    /// The set-based path; `None` (having written nothing) when the batch needs the
    /// sequential one.
    fn upsert_new(
        &mut self,
        class: i32,
        items: &[PreparedArticle],
    ) -> PgResult<Option<Vec<UpsertOutcome>>> {
        let mut keys: HashSet<&str> = HashSet::with_capacity(items.len());
        if !items.iter().all(|p| keys.insert(p.key.as_str())) {
            return Ok(None);
        }
        let keys: Vec<&str> = items.iter().map(|p| p.key.as_str()).collect();
        // Which articles are stored, and ids for the others (ascending in batch order, as
        // sequential inserts would number them). Planned with its values: the generic
        // plan cached while `articles` was small joins it by a full scan (6 ms a batch at
        // 5k articles, growing with the table).
        let rows = self.query_planned(
            "SELECT k.key, a.id, a.text_hash, a.syndication_group,
                    CASE WHEN a.id IS NULL THEN nextval('articles_id_seq') END
             FROM unnest($1::text[]) AS k(key) LEFT JOIN articles a ON a.key = k.key",
            &[&keys],
        )?;
        let mut stored: HashMap<String, (i64, String, Option<i64>)> = HashMap::new();
        let mut ids: Vec<i64> = Vec::new();
        for r in rows {
            match r.get::<_, Option<i64>>(1) {
                Some(id) => {
                    stored.insert(r.get(0), (id, r.get(2), r.get(3)));
                }
                None => ids.push(
                    r.get::<_, Option<i64>>(4)
                        .ok_or(WriteError::Invariant("no id reserved"))?,
                ),
            }
        }
        if items.iter().any(|p| {
            stored
                .get(&p.key)
                .is_some_and(|(_, h, _)| *h != p.text_hash)
        }) {
            return Ok(None);
        }
        ids.sort_unstable();
        let new: Vec<&PreparedArticle> = items
            .iter()
            .filter(|p| !stored.contains_key(&p.key))
            .collect();
        if new.len() != ids.len() {
            return Err(WriteError::Invariant(
                "article ids reserved for another batch",
            ));
        }
        let mut article_tsv = Vec::with_capacity(new.len());
        let mut statement_tsv = Vec::with_capacity(new.len());
        for p in &new {
            let f = ArticleFts::of(p);
            article_tsv.push((f.article, f.said));
            statement_tsv.push(f.statements);
        }
        let groups = self.syndicate_new(&new, &ids, &article_tsv)?;
        // Speakers and quotes, in two passes. The first decides them from what is
        // committed now, without the stripes, and writes the statement rows with those
        // links: the statements INSERT, the batch's biggest statement, leaves the serial
        // section. The second takes the stripes and decides again from reads that hold
        // until commit (the decisions of record), writes everything else, and corrects
        // the rows whose link changed (another writer committed in between: usually a
        // handful of rows, or none).
        self.mode = Mode::Tentative;
        self.read_state(&new)?;
        for (p, id) in new.iter().zip(&ids) {
            self.write_statements(*id, p, Vec::new())?;
        }
        let tentative = std::mem::take(&mut self.statements);
        self.reset();
        self.mode = Mode::Normal;
        self.copy_new_statements(&new, &statement_tsv, &tentative)?;
        self.mode = Mode::Confirm;
        self.begin(class, &new, false)?;
        for (p, id) in new.iter().zip(&ids) {
            self.write_statements(*id, p, Vec::new())?;
        }
        self.flush()?;
        self.mode = Mode::Normal;
        self.correct_links(&tentative)?;
        self.check_quotes()?;
        let mut fresh = ids.iter().zip(&groups);
        let mut out = Vec::with_capacity(items.len());
        for p in items {
            out.push(match stored.get(&p.key) {
                Some((id, _, group)) => UpsertOutcome {
                    article_id: *id,
                    action: UpsertAction::Unchanged,
                    statements: 0,
                    syndication_group: *group,
                },
                None => {
                    let Some((id, group)) = fresh.next() else {
                        return Err(WriteError::Invariant("more new articles than ids"));
                    };
                    UpsertOutcome {
                        article_id: *id,
                        action: UpsertAction::Inserted,
                        statements: p.extraction.statements.len(),
                        syndication_group: *group,
                    }
                }
            });
        }
        Ok(Some(out))
    }

    /// Inserts the batch's new articles with their buckets and groups: one read of the
    /// stored candidates, a row lock on the near-duplicates among them, the decisions in memory
    /// ([`synd_plan`]), then the new groups, the rows and their buckets (by COPY), and one
    /// statement to refresh the groups.
    /// Returns each new article's group.
    fn syndicate_new(
        &mut self,
        new: &[&PreparedArticle],
        ids: &[i64],
        tsv: &[(TsVector, TsVector)],
    ) -> PgResult<Vec<Option<i64>>> {
        let mut buckets: Vec<i64> = new.iter().flat_map(|p| p.buckets.iter().copied()).collect();
        buckets.sort_unstable();
        buckets.dedup();
        let mut stored_buckets: HashMap<i64, Vec<i64>> = HashMap::new();
        let mut stored: HashMap<i64, StoredArticle> = HashMap::new();
        if !buckets.is_empty() {
            // Read without locks: most candidates share a bucket by chance and are not
            // near-duplicates, and locking them all would make concurrent batches wait on
            // each other for nothing. Planned with its values each time: a plan cached
            // while `articles` was small scans it whole.
            let rows = self.query_planned(
                "WITH c AS (SELECT b.bucket, l.article_id FROM unnest($1::bigint[]) AS b(bucket)
                   CROSS JOIN LATERAL (SELECT article_id FROM lsh_buckets WHERE bucket = b.bucket
                     ORDER BY article_id LIMIT $2) AS l)
                 SELECT a.id, a.minhash, a.syndication_group, c.buckets FROM articles a
                 JOIN (SELECT article_id, array_agg(bucket) AS buckets FROM c
                       GROUP BY article_id) AS c ON c.article_id = a.id",
                &[&buckets, &MAX_BUCKET_CANDIDATES],
            )?;
            for r in rows {
                let (id, blob, group, in_buckets): (i64, Option<Vec<u8>>, Option<i64>, Vec<i64>) =
                    (r.get(0), r.get(1), r.get(2), r.get(3));
                for b in in_buckets {
                    stored_buckets.entry(b).or_default().push(id);
                }
                stored.insert(
                    id,
                    StoredArticle {
                        sig: blob.as_deref().map(syndication::from_blob),
                        group,
                    },
                );
            }
            for list in stored_buckets.values_mut() {
                list.sort_unstable();
            }
            // The stored near-duplicates are row-locked (in id order) and read again, so
            // their group is current and cannot change before commit.
            let mut similar: BTreeSet<i64> = BTreeSet::new();
            for p in new {
                let Some(sig) = p.signature.as_deref() else {
                    continue;
                };
                for id in p
                    .buckets
                    .iter()
                    .filter_map(|b| stored_buckets.get(b))
                    .flatten()
                {
                    if stored
                        .get(id)
                        .and_then(|a| a.sig.as_deref())
                        .is_some_and(|other| {
                            syndication::similarity(sig, other) >= syndication::SAME_STORY
                        })
                    {
                        similar.insert(*id);
                    }
                }
            }
            if !similar.is_empty() {
                let similar: Vec<i64> = similar.into_iter().collect();
                let rows = self.query(
                    "SELECT id, minhash, syndication_group FROM articles WHERE id = ANY($1)
                     ORDER BY id FOR UPDATE",
                    &[&similar],
                )?;
                for id in &similar {
                    stored.remove(id);
                }
                for r in rows {
                    let blob: Option<Vec<u8>> = r.get(1);
                    stored.insert(
                        r.get(0),
                        StoredArticle {
                            sig: blob.as_deref().map(syndication::from_blob),
                            group: r.get(2),
                        },
                    );
                }
            }
        }
        let articles: Vec<NewArticle> = new
            .iter()
            .zip(ids)
            .map(|(p, id)| NewArticle {
                id: *id,
                sig: p.signature.as_deref(),
                buckets: &p.buckets,
            })
            .collect();
        let plan = synd_plan::plan(
            &articles,
            &stored_buckets,
            &stored,
            MAX_BUCKET_CANDIDATES as usize,
        );
        // Stored groups are locked before any member is written (the foreign key check
        // of a new member takes a share lock on its group), then new groups get ids.
        let mut new_group_ids: HashMap<usize, i64> = HashMap::new();
        if !plan.stored_groups.is_empty() || !plan.new_groups.is_empty() {
            let locked: Vec<i64> = plan.stored_groups.iter().copied().collect();
            let rows = self.query(
                "SELECT l.n, ARRAY(SELECT nextval('syndication_groups_id_seq')
                                   FROM generate_series(1, $2::int8) ORDER BY 1)
                 FROM (SELECT count(*) AS n FROM (SELECT id FROM syndication_groups
                       WHERE id = ANY($1) ORDER BY id FOR UPDATE) AS x) AS l",
                &[&locked, &(plan.new_groups.len() as i64)],
            )?;
            let Some(r) = rows.first() else {
                return Err(WriteError::Invariant("group lock returned no row"));
            };
            let reserved: Vec<i64> = r.get(1);
            new_group_ids = plan.new_groups.iter().copied().zip(reserved).collect();
        }
        let group_id = |g: GroupRef| -> PgResult<i64> {
            match g {
                GroupRef::Stored(id) => Ok(id),
                GroupRef::New(k) => new_group_ids
                    .get(&k)
                    .copied()
                    .ok_or(WriteError::Invariant("new group without an id")),
            }
        };
        let groups: Vec<Option<i64>> = plan
            .groups
            .iter()
            .map(|g| g.map(group_id).transpose())
            .collect::<PgResult<_>>()?;
        let created: Vec<i64> = new_group_ids.values().copied().collect();
        let (mut moved, mut moved_to) = (Vec::new(), Vec::new());
        for (id, g) in &plan.stored_updates {
            moved.push(*id);
            moved_to.push(group_id(*g)?);
        }
        let published: Vec<Option<String>> =
            new.iter().map(|p| date_str(p.article.published)).collect();
        let sigs: Vec<Option<Vec<u8>>> = new
            .iter()
            .map(|p| p.signature.as_deref().map(syndication::to_blob))
            .collect();
        let now = now();
        if !created.is_empty() {
            self.exec(
                "INSERT INTO syndication_groups (id, size) SELECT unnest($1::bigint[]), 0",
                &[&created],
            )?;
        }
        // The rows by binary COPY: the INSERT over unnest() of 17 arrays (the texts and
        // vectors among them) with the buckets in the same statement was a quarter of the
        // server's time. A key another writer inserted since the read above fails the
        // COPY (unique violation), and the batch is retried; buckets have no key to check
        // since schema 4 (they belong to articles written here), and each article's are
        // distinct, so neither needs ON CONFLICT.
        let size: usize = new.iter().map(|p| p.article.text.len() + 512).sum();
        let mut w = BinaryRows::new(&ARTICLE_TYPES, size);
        for (k, p) in new.iter().enumerate() {
            let (Some(id), Some(group), Some((vector, said))) =
                (ids.get(k), groups.get(k), tsv.get(k))
            else {
                return Err(WriteError::Invariant(
                    "an article without its id, group or vector",
                ));
            };
            w.row(&[
                id,
                &p.key.as_str(),
                &p.article.id.as_str(),
                &p.article.url.as_deref(),
                &p.canonical_url.as_deref(),
                &p.article.source.as_deref(),
                &p.outlet.as_deref(),
                &p.article.title.as_deref(),
                &published[k],
                &p.extraction.credit.as_deref(),
                &p.article.text.as_str(),
                &p.text_hash.as_str(),
                &sigs[k],
                group,
                vector,
                said,
                &now,
                &now,
            ])?;
        }
        self.send_copy(
            "COPY articles (id, key, ext_id, url, canonical_url, source, outlet, title,
               published, credit, text, text_hash, minhash, syndication_group, tsv,
               said_tsv, ingested_at, updated_at) FROM STDIN (FORMAT binary)",
            w,
        )?;
        let mut pairs: Vec<(i64, i64)> = new
            .iter()
            .zip(ids)
            .flat_map(|(p, id)| p.buckets.iter().map(move |b| (*b, *id)))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        if !pairs.is_empty() {
            let mut w = BinaryRows::new(&BUCKET_TYPES, pairs.len() * 26);
            for (bucket, article) in &pairs {
                w.row(&[bucket, article])?;
            }
            self.send_copy(
                "COPY lsh_buckets (bucket, article_id) FROM STDIN (FORMAT binary)",
                w,
            )?;
        }
        if !moved.is_empty() {
            // Planned with its values: a generic plan cached while `articles` was small
            // scans the whole table for these few rows (1.5 ms a batch at 2k articles,
            // growing with the table).
            self.query_planned(
                "UPDATE articles SET syndication_group = v.g
                 FROM unnest($1::bigint[], $2::bigint[]) AS v(id, g) WHERE articles.id = v.id",
                &[&moved, &moved_to],
            )?;
        }
        for (from, into) in &plan.merges {
            let into = group_id(*into)?;
            self.exec(
                "UPDATE articles SET syndication_group = $1 WHERE syndication_group = $2",
                &[&into, from],
            )?;
            self.exec("DELETE FROM syndication_groups WHERE id = $1", &[from])?;
        }
        let touched: Vec<i64> = plan
            .touched
            .iter()
            .map(|g| group_id(*g))
            .collect::<PgResult<_>>()?;
        if !touched.is_empty() {
            // Every touched group has at least two members (the article and a match).
            self.exec(
                "UPDATE syndication_groups g SET size = s.n, first_published = s.fp,
                   credit = (SELECT credit FROM articles WHERE syndication_group = g.id
                             AND credit IS NOT NULL ORDER BY published IS NULL, published, id LIMIT 1),
                   first_article = (SELECT id FROM articles WHERE syndication_group = g.id
                                    ORDER BY published IS NULL, published, id LIMIT 1)
                 FROM (SELECT syndication_group AS id, count(*) AS n, min(published) AS fp
                       FROM articles WHERE syndication_group = ANY($1) GROUP BY 1) AS s
                 WHERE g.id = s.id",
                &[&touched],
            )?;
        }
        Ok(groups)
    }

    fn upsert(&mut self, p: &PreparedArticle) -> PgResult<UpsertOutcome> {
        let a = &p.article;
        let now = now();
        let published = date_str(a.published);
        let sig_blob = p.signature.as_deref().map(syndication::to_blob);
        let fts = ArticleFts::of(p);
        let inserted = self.query(
            "INSERT INTO articles (key, ext_id, url, canonical_url, source, outlet, title,
               published, credit, text, text_hash, minhash, ingested_at, updated_at, tsv,
               said_tsv)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15)
             ON CONFLICT (key) DO NOTHING RETURNING id",
            &[
                &p.key,
                &a.id,
                &a.url,
                &p.canonical_url,
                &a.source,
                &p.outlet,
                &a.title,
                &published,
                &p.extraction.credit,
                &a.text,
                &p.text_hash,
                &sig_blob,
                &now,
                &fts.article,
                &fts.said,
            ],
        )?;
        let (article_id, action) = match inserted.first() {
            Some(r) => (r.get::<_, i64>(0), UpsertAction::Inserted),
            None => {
                let r = self.query(
                    "SELECT id, text_hash, syndication_group FROM articles WHERE key = $1",
                    &[&p.key],
                )?;
                let Some(r) = r.first() else {
                    return Err(WriteError::Invariant("article vanished under its lock"));
                };
                let (id, hash, group): (i64, String, Option<i64>) = (r.get(0), r.get(1), r.get(2));
                if hash == p.text_hash {
                    return Ok(UpsertOutcome {
                        article_id: id,
                        action: UpsertAction::Unchanged,
                        statements: 0,
                        syndication_group: group,
                    });
                }
                self.clear_article(id)?;
                self.exec(
                    "UPDATE articles SET ext_id=$2, url=$3, canonical_url=$4, source=$5, outlet=$6,
                     title=$7, published=$8, credit=$9, text=$10, text_hash=$11, minhash=$12,
                     updated_at=$13, tsv=$14, said_tsv=$15 WHERE id=$1",
                    &[
                        &id,
                        &a.id,
                        &a.url,
                        &p.canonical_url,
                        &a.source,
                        &p.outlet,
                        &a.title,
                        &published,
                        &p.extraction.credit,
                        &a.text,
                        &p.text_hash,
                        &sig_blob,
                        &now,
                        &fts.article,
                        &fts.said,
                    ],
                )?;
                (id, UpsertAction::Replaced)
            }
        };
        let group = self.syndicate(article_id, p)?;
        let statements = self.write_statements(article_id, p, fts.statements)?;
        Ok(UpsertOutcome {
            article_id,
            action,
            statements,
            syndication_group: group,
        })
    }

    /// Removes what an article's previous version contributed.
    fn clear_article(&mut self, id: i64) -> PgResult<()> {
        // Rows of this batch not written yet must be in the tables for the queries below.
        self.flush()?;
        let quote_ids: Vec<i64> = self
            .query(
                "SELECT DISTINCT COALESCE(q.merged_into, s.quote_id) FROM statements s
                 JOIN quotes q ON q.id = s.quote_id WHERE s.article_id = $1",
                &[&id],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect();
        self.exec("DELETE FROM statements WHERE article_id = $1", &[&id])?;
        self.exec("DELETE FROM entities WHERE article_id = $1", &[&id])?;
        let (group, minhash): (Option<i64>, Option<Vec<u8>>) = self
            .query(
                "SELECT syndication_group, minhash FROM articles WHERE id = $1",
                &[&id],
            )?
            .first()
            .map_or((None, None), |r| (r.get(0), r.get(1)));
        // By the old version's buckets, recomputed from its signature, through the
        // primary key: an index on lsh_buckets(article_id) for this rare path was a third
        // of the cost of every bucket insert (dropped in schema 10).
        if let Some(blob) = minhash {
            let buckets = syndication::buckets(&syndication::from_blob(&blob));
            self.exec(
                "DELETE FROM lsh_buckets WHERE bucket = ANY($1) AND article_id = $2",
                &[&buckets, &id],
            )?;
        }
        if let Some(g) = group {
            self.lock_groups(&[g])?;
            self.exec(
                "UPDATE articles SET syndication_group = NULL WHERE id = $1",
                &[&id],
            )?;
            self.refresh_group(g)?;
        }
        // Quotes left with no occurrence are dropped (with the quotes merged into them,
        // their keys and fingerprints).
        let dropped: HashSet<i64> = self
            .query(
                "DELETE FROM quotes d USING unnest($1::bigint[]) AS g(id)
                 WHERE (d.id = g.id OR d.merged_into = g.id)
                   AND NOT EXISTS (SELECT 1 FROM statements s WHERE s.quote_id = ANY(ARRAY(
                         SELECT m.id FROM quotes m WHERE m.id = g.id OR m.merged_into = g.id)))
                 RETURNING d.id",
                &[&quote_ids],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect();
        self.quote_keys.retain(|_, q| !dropped.contains(q));
        self.forget_quotes(&dropped);
        Ok(())
    }

    /// Drops deleted quotes from the fingerprint lists. A list that held only the first
    /// quotes of its fingerprint may now lack one the table would show: it is read again
    /// when next needed.
    fn forget_quotes(&mut self, gone: &HashSet<i64>) {
        if gone.is_empty() {
            return;
        }
        self.print_quotes.retain(|_, l| {
            let before = l.ids.len();
            l.ids.retain(|id| !gone.contains(id));
            l.complete || l.ids.len() == before || l.ids.len() >= MAX_PRINT_QUOTES
        });
        self.quote_norms.retain(|id, _| !gone.contains(id));
    }

    fn lock_groups(&mut self, groups: &[i64]) -> PgResult<()> {
        self.exec(
            "SELECT count(*) FROM (SELECT id FROM syndication_groups WHERE id = ANY($1)
               ORDER BY id FOR UPDATE) AS locked",
            &[&groups],
        )?;
        Ok(())
    }

    /// Recomputes a group's size, earliest member and credit; deletes it when it has
    /// fewer than two members.
    fn refresh_group(&mut self, g: i64) -> PgResult<()> {
        let size: i64 = self
            .query(
                "SELECT count(*) FROM articles WHERE syndication_group = $1",
                &[&g],
            )?
            .first()
            .map_or(0, |r| r.get(0));
        if size < 2 {
            self.exec(
                "UPDATE articles SET syndication_group = NULL WHERE syndication_group = $1",
                &[&g],
            )?;
            self.exec("DELETE FROM syndication_groups WHERE id = $1", &[&g])?;
            return Ok(());
        }
        self.exec(
            "UPDATE syndication_groups SET size = $2,
               credit = (SELECT credit FROM articles WHERE syndication_group = $1 AND credit IS NOT NULL
                         ORDER BY published IS NULL, published, id LIMIT 1),
               first_article = (SELECT id FROM articles WHERE syndication_group = $1
                                ORDER BY published IS NULL, published, id LIMIT 1),
               first_published = (SELECT min(published) FROM articles WHERE syndication_group = $1)
             WHERE id = $1",
            &[&g, &size],
        )?;
        Ok(())
    }

    /// Finds near-duplicates through the LSH buckets and puts the article in their group.
    fn syndicate(&mut self, id: i64, p: &PreparedArticle) -> PgResult<Option<i64>> {
        let Some(sig) = p.signature.as_deref() else {
            return Ok(None);
        };
        // One statement: the SELECTs see the buckets as they were before the INSERT in the
        // same statement, so the article never finds itself; the candidates are row-locked
        // (in id order), so their group is read fresh and cannot change under us. Planned
        // at each call with its values: a plan cached while `articles` was small scans it
        // whole (5x slower at 10k articles).
        let rows = self.query_planned(
            "WITH ins AS (INSERT INTO lsh_buckets (bucket, article_id)
               SELECT b, $2 FROM unnest($1::bigint[]) AS b ON CONFLICT DO NOTHING),
             c AS (SELECT DISTINCT l.article_id FROM unnest($1::bigint[]) AS b(bucket)
               CROSS JOIN LATERAL (SELECT article_id FROM lsh_buckets
                 WHERE bucket = b.bucket AND article_id <> $2 ORDER BY article_id LIMIT $3) AS l)
             SELECT a.id, a.minhash, a.syndication_group FROM articles a
             WHERE a.id IN (SELECT article_id FROM c) ORDER BY a.id FOR UPDATE OF a",
            &[&p.buckets, &id, &MAX_BUCKET_CANDIDATES],
        )?;
        let mut matches = Vec::new();
        for r in rows {
            let (c, blob, group): (i64, Option<Vec<u8>>, Option<i64>) =
                (r.get(0), r.get(1), r.get(2));
            let Some(blob) = blob else { continue };
            if syndication::similarity(sig, &syndication::from_blob(&blob))
                >= syndication::SAME_STORY
            {
                matches.push((c, group));
            }
        }
        if matches.is_empty() {
            return Ok(None);
        }
        let groups: BTreeSet<i64> = matches.iter().filter_map(|(_, g)| *g).collect();
        let group_list: Vec<i64> = groups.iter().copied().collect();
        if !group_list.is_empty() {
            self.lock_groups(&group_list)?;
        }
        let target = match groups.first() {
            Some(g) => *g,
            None => self
                .query(
                    "INSERT INTO syndication_groups (size) VALUES (0) RETURNING id",
                    &[],
                )?
                .first()
                .map(|r| r.get(0))
                .ok_or(WriteError::Invariant("INSERT … RETURNING returned no row"))?,
        };
        for other in groups.iter().filter(|g| **g != target) {
            self.exec(
                "UPDATE articles SET syndication_group = $1 WHERE syndication_group = $2",
                &[&target, other],
            )?;
            self.exec("DELETE FROM syndication_groups WHERE id = $1", &[other])?;
        }
        let mut members = vec![id];
        members.extend(matches.iter().filter(|(_, g)| g.is_none()).map(|(c, _)| *c));
        self.exec(
            "UPDATE articles SET syndication_group = $1 WHERE id = ANY($2)",
            &[&target, &members],
        )?;
        self.refresh_group(target)?;
        Ok(Some(target))
    }

    fn write_statements(
        &mut self,
        article_id: i64,
        p: &PreparedArticle,
        tsv: Vec<TsVector>,
    ) -> PgResult<usize> {
        let mut tsv = tsv.into_iter();
        self.speaker_cache.clear();
        let published = date_str(p.article.published);
        let mut entity_speakers: HashMap<usize, i64> = HashMap::new();
        for (i, s) in p.extraction.statements.iter().enumerate() {
            let sort_date = sort_date(s, &published);
            let seen = (!sort_date.is_empty()).then(|| sort_date.clone());
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
                    let id = self.resolve_speaker(parsed, &sp.name, &roles, seen.clone())?;
                    if let (Some(id), Some(e)) = (id, sp.entity) {
                        entity_speakers.insert(e, id);
                    }
                    id
                }
                _ => None,
            };
            let quote_id = match p.quote_keys.get(i).and_then(Option::as_ref) {
                Some(k) => Some(self.resolve_quote(k, &s.text, seen.clone())?),
                None => None,
            };
            let r = &mut self.statements;
            r.article_id.push(article_id);
            r.idx.push(i as i64);
            r.speaker_id.push(speaker_id);
            r.quote_id.push(quote_id);
            // Both passes keep only the links: the tentative pass's rows are written from
            // the articles themselves, the confirming pass's are compared. Row by row:
            // resolving a quote may flush the rows pushed so far.
            if self.mode == Mode::Normal {
                self.bodies.push(StatementBody {
                    statement: s.clone(),
                    published: published.clone(),
                    tsv: tsv.next().unwrap_or_default(),
                });
            }
        }
        if self.mode == Mode::Tentative {
            // Entities carry final speaker links: the confirming pass writes them.
            return Ok(p.extraction.statements.len());
        }
        for (i, e) in p.extraction.entities.iter().enumerate() {
            let roles = serde_json::to_string(&e.roles).unwrap_or_else(|_| "[]".into());
            let mentions: Vec<[usize; 2]> = e.mentions.iter().map(|m| [m.start, m.end]).collect();
            let mentions = serde_json::to_string(&mentions).unwrap_or_else(|_| "[]".into());
            let r = &mut self.entities;
            r.article_id.push(article_id);
            r.idx.push(i as i64);
            r.name.push(e.name.clone());
            r.kind.push(e.kind.as_str().to_string());
            r.roles.push(roles);
            r.mentions.push(mentions);
            r.speaker_id.push(entity_speakers.get(&i).copied());
        }
        Ok(p.extraction.statements.len())
    }

    fn candidates(&mut self, name: &ParsedName) -> PgResult<Vec<Candidate>> {
        let group = (name.class.as_str().to_string(), name.surname3());
        if !self.speaker_groups.contains_key(&group) {
            self.load_speakers(vec![group.clone()])?;
        }
        let Some(stored) = self.speaker_groups.get(&group) else {
            return Err(WriteError::Invariant("speaker group not loaded"));
        };
        let mut out: Vec<Candidate> = stored
            .iter()
            .take(MAX_SPEAKER_CANDIDATES)
            .filter(|c| speakers::surname_matches(&c.surname, &name.surname))
            .cloned()
            .collect();
        for c in &mut out {
            for role in self.batch_roles.get(&c.id).into_iter().flatten() {
                if !c.roles.iter().any(|r| r.eq_ignore_ascii_case(role)) {
                    c.roles.push(role.clone());
                }
            }
        }
        Ok(out)
    }

    fn resolve_speaker(
        &mut self,
        name: &ParsedName,
        raw: &str,
        roles: &[&str],
        seen: Option<String>,
    ) -> PgResult<Option<i64>> {
        let key = (name.display.clone(), name.title.clone());
        let id = match self.speaker_cache.get(&key) {
            Some(id) => *id,
            None => {
                let cands = self.candidates(name)?;
                let id = match speakers::resolve(name, roles, &cands) {
                    Resolution::Join(id) => Some(id),
                    Resolution::Absorb(id) => {
                        self.absorb(id, name);
                        Some(id)
                    }
                    Resolution::New => Some(self.new_speaker(name)?),
                    Resolution::Unresolved => None,
                };
                if let (Some(id), false) = (id, self.mode == Mode::Tentative) {
                    self.aliases
                        .entry((id, name.display.to_lowercase()))
                        .or_insert_with(|| (name.display.clone(), 0));
                    let raw = raw.trim();
                    if raw != name.display {
                        self.aliases
                            .entry((id, raw.to_lowercase()))
                            .or_insert_with(|| (raw.to_string(), 0));
                    }
                }
                self.speaker_cache.insert(key, id);
                id
            }
        };
        let Some(id) = id else { return Ok(None) };
        let tentative = self.mode == Mode::Tentative;
        if tentative && roles.is_empty() {
            return Ok(Some(id));
        }
        // Dates, aliases and role counts are only written by the confirming pass's flush;
        // the roles a batch gives its speakers also steer its later resolutions (both
        // passes).
        if !tentative {
            let e = self.seen.entry(id).or_default();
            *e = (
                min_date(e.0.take(), seen.clone()),
                max_date(e.1.take(), seen.clone()),
            );
            self.aliases
                .entry((id, name.display.to_lowercase()))
                .or_insert_with(|| (name.display.clone(), 0))
                .1 += 1;
        }
        let mut done: Vec<&str> = Vec::new();
        for r in roles {
            let r = r.trim();
            if r.is_empty() || done.iter().any(|d| d.eq_ignore_ascii_case(r)) {
                continue;
            }
            if !tentative {
                let e = self
                    .roles
                    .entry((id, r.to_lowercase()))
                    .or_insert_with(|| (r.to_string(), 0, None, None));
                e.1 += 1;
                e.2 = min_date(e.2.take(), seen.clone());
                e.3 = max_date(e.3.take(), seen.clone());
            }
            let known = self.batch_roles.entry(id).or_default();
            if !known.iter().any(|k| k.eq_ignore_ascii_case(r)) {
                known.push(r.to_string());
            }
            done.push(r);
        }
        Ok(Some(id))
    }

    /// A surname-only speaker gets the full name (written at flush).
    fn absorb(&mut self, id: i64, name: &ParsedName) {
        let group = (name.class.as_str().to_string(), name.surname3());
        if let Some(c) = self
            .speaker_groups
            .get_mut(&group)
            .and_then(|g| g.iter_mut().find(|c| c.id == id))
        {
            c.given.clone_from(&name.given);
        }
        let rows = &mut self.new_speakers;
        match rows.id.iter().position(|x| *x == id) {
            Some(i) => {
                rows.name[i].clone_from(&name.display);
                rows.given[i].clone_from(&name.given);
            }
            None => {
                self.absorbed
                    .insert(id, (name.display.clone(), name.given.clone()));
            }
        }
    }

    /// A new speaker (written at flush), a candidate for the rest of the batch.
    fn new_speaker(&mut self, name: &ParsedName) -> PgResult<i64> {
        let key = (name.class.as_str().to_string(), name.display.clone());
        let group = (name.class.as_str().to_string(), name.surname3());
        // The first pass's id only if it is still the youngest of its group: ids order
        // speakers by age, and another writer may have committed a younger one since.
        let youngest = self
            .speaker_groups
            .get(&group)
            .and_then(|g| g.last())
            .map(|c| c.id);
        let id = match self.mode {
            Mode::Confirm => match self.made_speakers.remove(&key) {
                Some(id) if youngest.is_none_or(|y| id > y) => id,
                _ => self.next_id(Seq::Speakers)?,
            },
            Mode::Tentative => {
                let id = self.next_id(Seq::Speakers)?;
                self.made_speakers.insert(key, id);
                id
            }
            Mode::Normal => self.next_id(Seq::Speakers)?,
        };
        let rows = &mut self.new_speakers;
        rows.id.push(id);
        rows.name.push(name.display.clone());
        rows.kind.push(name.class.as_str().to_string());
        rows.given.push(name.given.clone());
        rows.surname.push(name.surname.clone());
        rows.surname3.push(name.surname3());
        let group = self.speaker_groups.entry(group).or_default();
        let at = group.partition_point(|c| c.id < id);
        group.insert(
            at,
            Candidate {
                id,
                given: name.given.clone(),
                surname: name.surname.clone(),
                roles: Vec::new(),
            },
        );
        Ok(id)
    }

    /// The stored quotes sharing a fingerprint with a new quote (the first ones of each
    /// fingerprint, by id), in id order.
    fn print_candidates(&mut self, prints: &[i64]) -> PgResult<Vec<i64>> {
        let missing: Vec<i64> = prints
            .iter()
            .filter(|p| !self.print_quotes.contains_key(p))
            .copied()
            .collect();
        if !missing.is_empty() {
            // The table must hold this batch's quotes before it is read.
            self.flush()?;
            self.load_prints(&missing)?;
        }
        let mut ids: Vec<i64> = prints
            .iter()
            .filter_map(|p| self.print_quotes.get(p))
            .flat_map(|l| l.ids.iter().take(MAX_PRINT_QUOTES).copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    fn note_quote_seen(&mut self, id: i64, seen: Option<String>) {
        if self.mode == Mode::Tentative {
            return; // written by the confirming pass's flush only
        }
        if let Some(d) = seen {
            let e = self.quote_seen.entry(id).or_insert_with(|| d.clone());
            if d < *e {
                *e = d;
            }
        }
    }

    fn resolve_quote(&mut self, k: &QuoteKey, text: &str, seen: Option<String>) -> PgResult<i64> {
        if let Some(id) = self.quote_keys.get(&k.hash).copied() {
            self.note_quote_seen(id, seen);
            return Ok(id);
        }
        // Quotes sharing a fingerprint: longer ones may contain this one, shorter ones
        // may be excerpts of it.
        let mut containers = Vec::new();
        let mut contained = Vec::new();
        if !k.prints.is_empty() {
            for c in self.print_candidates(&k.prints)? {
                let Some(norm) = self.quote_norms.get(&c) else {
                    return Err(WriteError::Invariant(
                        "fingerprinted quote without its text",
                    ));
                };
                if quotes::contains(norm, &k.norm) {
                    containers.push(c);
                } else if quotes::contains(&k.norm, norm) {
                    contained.push(c);
                }
            }
        }
        let target = match containers.first() {
            Some(c) => *c,
            None => {
                // The first pass's id only if it is younger than every quote sharing a
                // fingerprint (ids order them: the oldest container wins).
                let youngest = k
                    .prints
                    .iter()
                    .filter_map(|p| self.print_quotes.get(p))
                    .filter_map(|l| l.ids.last())
                    .max()
                    .copied();
                let id = match self.mode {
                    Mode::Confirm => match self.made_quotes.remove(&k.norm) {
                        Some(id) if youngest.is_none_or(|y| id > y) => id,
                        _ => self.next_id(Seq::Quotes)?,
                    },
                    Mode::Tentative => {
                        let id = self.next_id(Seq::Quotes)?;
                        self.made_quotes.insert(k.norm.clone(), id);
                        id
                    }
                    Mode::Normal => self.next_id(Seq::Quotes)?,
                };
                let rows = &mut self.new_quotes;
                rows.id.push(id);
                rows.norm.push(k.norm.clone());
                rows.text.push(text.trim().to_string());
                let mut prints = k.prints.clone();
                prints.sort_unstable();
                prints.dedup();
                for pr in prints {
                    rows.print.push(pr);
                    rows.print_quote.push(id);
                    // Lists not read yet will read this quote from the table (after a
                    // flush), so only the loaded ones need it.
                    if let Some(l) = self.print_quotes.get_mut(&pr) {
                        let at = l.ids.partition_point(|x| *x < id);
                        l.ids.insert(at, id);
                    }
                }
                self.quote_norms.insert(id, k.norm.clone());
                id
            }
        };
        self.key_updates.insert(k.hash, target);
        self.quote_keys.insert(k.hash, target);
        let contained: HashSet<i64> = contained.into_iter().filter(|c| *c != target).collect();
        // Excerpts of this quote met before it are merged into it: in memory, and for the
        // rows already in the tables, at the next flush (set-based, once per batch).
        let mut ordered: Vec<i64> = contained.into_iter().collect();
        ordered.sort_unstable();
        for c in ordered {
            self.merge_quote(c, target);
        }
        self.note_quote_seen(target, seen);
        Ok(target)
    }

    /// Merges quote `c` into `target`: the batch's pending statements, keys and first
    /// date of `c` go to `target` here; if `c` was created in this batch and not written
    /// yet its rows are dropped, else its merge in the table (keys re-pointed, the row
    /// made a pointer to `target`) is queued for the next flush. (Excerpts stored before
    /// their quote are common: deferring the merges saves a flush and four statements per
    /// merge.)
    fn merge_quote(&mut self, c: i64, target: i64) {
        for q in self
            .quote_keys
            .values_mut()
            .chain(self.key_updates.values_mut())
        {
            if *q == c {
                *q = target;
            }
        }
        for q in self
            .statements
            .quote_id
            .iter_mut()
            .chain(self.links.quote_id.iter_mut())
        {
            if *q == Some(c) {
                *q = Some(target);
            }
        }
        // A queued move into `c` now goes to `target`, so queued targets always exist.
        for m in &mut self.quote_merges {
            if m.1 == c {
                m.1 = target;
            }
        }
        let rows = &mut self.new_quotes;
        match rows.id.iter().position(|x| *x == c) {
            Some(i) => {
                rows.id.remove(i);
                rows.norm.remove(i);
                rows.text.remove(i);
                let mut j = 0;
                while j < rows.print_quote.len() {
                    if rows.print_quote[j] == c {
                        rows.print.remove(j);
                        rows.print_quote.remove(j);
                    } else {
                        j += 1;
                    }
                }
            }
            None => self.quote_merges.push((c, target)),
        }
        if let Some(d) = self.quote_seen.remove(&c) {
            self.note_quote_seen(target, Some(d));
        }
        self.forget_quotes(&[c].into_iter().collect());
    }

    /// Writes the set-based path's statement rows straight from the articles (nothing of
    /// theirs copied), linked as the tentative pass decided.
    fn copy_new_statements(
        &mut self,
        new: &[&PreparedArticle],
        tsv: &[Vec<TsVector>],
        links: &Links,
    ) -> PgResult<()> {
        let published: Vec<Option<String>> =
            new.iter().map(|p| date_str(p.article.published)).collect();
        let empty = TsVector::default();
        let mut rows = Vec::with_capacity(links.article_id.len());
        for ((p, vectors), published) in new.iter().zip(tsv).zip(&published) {
            for (i, s) in p.extraction.statements.iter().enumerate() {
                let k = rows.len();
                let (Some(article_id), Some(idx), Some(speaker_id), Some(quote_id)) = (
                    links.article_id.get(k),
                    links.idx.get(k),
                    links.speaker_id.get(k),
                    links.quote_id.get(k),
                ) else {
                    return Err(WriteError::Invariant("fewer links than statements"));
                };
                if *idx != i as i64 {
                    return Err(WriteError::Invariant("links out of step with statements"));
                }
                rows.push(StatementRow {
                    article_id: *article_id,
                    idx: *idx,
                    speaker_id: *speaker_id,
                    quote_id: *quote_id,
                    s,
                    published,
                    tsv: vectors.get(i).unwrap_or(&empty),
                });
            }
        }
        if rows.len() != links.article_id.len() {
            return Err(WriteError::Invariant("more links than statements"));
        }
        self.copy_statements(rows)
    }

    /// Writes statement rows with COPY (binary): rows go to the table in order (ids
    /// ascend with them) without the unnest, ordinality and sort an INSERT … SELECT needs.
    fn copy_statements(&mut self, rows: Vec<StatementRow<'_>>) -> PgResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut w = BinaryRows::new(&STATEMENT_TYPES, rows.len() * 512);
        for r in rows {
            let (s, sp, cue) = (r.s, r.s.speaker.as_ref(), r.s.cue.as_ref());
            w.row(&[
                &r.article_id,
                &r.idx,
                &s.kind.as_str(),
                &s.text.as_str(),
                &(s.start as i64),
                &(s.end as i64),
                &cue.map(|c| c.text.as_str()),
                &cue.map(|c| c.start as i64),
                &cue.map(|c| c.end as i64),
                &sp.map(|x| x.name.as_str()),
                &sp.map(|x| x.kind.as_str()),
                &sp.and_then(|x| x.role.as_deref()),
                &r.speaker_id,
                &sp.map(|x| x.start as i64),
                &sp.map(|x| x.end as i64),
                &sp.and_then(|x| x.entity).map(|e| e as i64),
                &date_str(s.said_on),
                &sort_date(s, r.published),
                &s.confidence,
                &r.quote_id,
                r.tsv,
            ])?;
        }
        self.send_copy(COPY_STATEMENTS, w)
    }

    /// Sends rows encoded by [`BinaryRows`] in one write: the driver's row writer entered
    /// its runtime for every row (~4 % of a worker's CPU).
    fn send_copy(&mut self, sql: &str, rows: BinaryRows) -> PgResult<()> {
        let mut sink = self.tx.copy_in(sql)?;
        if let Err(e) = std::io::Write::write_all(&mut sink, &rows.finish()) {
            // The driver's error inside, so that a lost connection is retried as one.
            return Err(
                match e.into_inner().map(|b| b.downcast::<::postgres::Error>()) {
                    Some(Ok(pg)) => WriteError::Pg(*pg),
                    _ => WriteError::Invariant("a COPY was interrupted"),
                },
            );
        }
        sink.finish()?;
        Ok(())
    }

    /// Points the statement rows written by the tentative pass at the speakers and
    /// quotes decided under the stripes, where they differ.
    fn correct_links(&mut self, tentative: &Links) -> PgResult<()> {
        // What the rows resolve to now: a link to a stored excerpt merged away is a link
        // to its quote.
        let moved: HashMap<i64, i64> = self.done_merges.iter().copied().collect();
        let now: Vec<Option<i64>> = tentative
            .quote_id
            .iter()
            .map(|q| {
                let mut q = *q;
                for _ in 0..=moved.len() {
                    match q.and_then(|c| moved.get(&c)) {
                        Some(t) => q = Some(*t),
                        None => break,
                    }
                }
                q
            })
            .collect();
        let done = &self.links;
        if done.article_id != tentative.article_id || done.idx != tentative.idx {
            return Err(WriteError::Invariant(
                "the two passes wrote different statements",
            ));
        }
        let mut fix = Links::default();
        let rows = done
            .article_id
            .iter()
            .zip(&done.idx)
            .zip(done.speaker_id.iter().zip(&done.quote_id))
            .zip(tentative.speaker_id.iter().zip(&now));
        for (((a, i), (sp, q)), (was_sp, was_q)) in rows {
            if (sp, q) != (was_sp, was_q) {
                fix.article_id.push(*a);
                fix.idx.push(*i);
                fix.speaker_id.push(*sp);
                fix.quote_id.push(*q);
            }
        }
        if fix.article_id.is_empty() {
            return Ok(());
        }
        self.corrected += fix.article_id.len() as u64;
        tracing::debug!(rows = fix.article_id.len(), "statement links corrected");
        // Planned with its values: found by the article index, whatever the table's size.
        self.query_planned(
            "UPDATE statements s SET speaker_id = v.sp, quote_id = v.q
             FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[]) AS v(a, i, sp, q)
             WHERE s.article_id = v.a AND s.idx = v.i",
            &[&fix.article_id, &fix.idx, &fix.speaker_id, &fix.quote_id],
        )?;
        Ok(())
    }

    /// Every quote the batch's statements point at exists, and stays until commit (key
    /// share locks). This is the check the statements' foreign key made before schema 6;
    /// the key could not stay, as the tentative pass writes links to quotes that are not
    /// (yet) rows.
    fn check_quotes(&mut self) -> PgResult<()> {
        let mut ids: Vec<i64> = self.links.quote_id.iter().flatten().copied().collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(());
        }
        let found = self
            .query(
                "SELECT count(*) FROM (SELECT id FROM quotes WHERE id = ANY($1) FOR KEY SHARE) AS q",
                &[&ids],
            )?
            .first()
            .map(|r| r.get::<_, i64>(0))
            .unwrap_or(0);
        if found as usize != ids.len() {
            return Err(WriteError::Race(
                "a quote this batch points at was deleted by another writer",
            ));
        }
        Ok(())
    }

    /// Writes the rows collected so far: statements, entities, counters, dates.
    pub(crate) fn flush(&mut self) -> PgResult<()> {
        if self.mode == Mode::Tentative {
            return Ok(());
        }
        let sp = std::mem::take(&mut self.new_speakers);
        if !sp.id.is_empty() {
            self.exec(
                "INSERT INTO speakers (id, name, kind, given, surname, surname3)
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[],
                   $5::text[], $6::text[])",
                &[
                    &sp.id,
                    &sp.name,
                    &sp.kind,
                    &sp.given,
                    &sp.surname,
                    &sp.surname3,
                ],
            )?;
        }
        let absorbed = std::mem::take(&mut self.absorbed);
        if !absorbed.is_empty() {
            let mut ids = Vec::new();
            let mut names = Vec::new();
            let mut givens = Vec::new();
            for (id, (name, given)) in absorbed {
                ids.push(id);
                names.push(name);
                givens.push(given);
            }
            self.exec(
                "UPDATE speakers s SET name = v.n, given = v.g
                 FROM unnest($1::bigint[], $2::text[], $3::text[]) AS v(id, n, g) WHERE s.id = v.id",
                &[&ids, &names, &givens],
            )?;
        }
        let q = std::mem::take(&mut self.new_quotes);
        let keys = std::mem::take(&mut self.key_updates);
        if !q.id.is_empty() || !keys.is_empty() {
            let (hashes, key_quotes): (Vec<i64>, Vec<i64>) = keys.into_iter().unzip();
            // Keys may point at quotes inserted by the same statement: foreign keys are
            // checked at its end.
            self.exec(
                "WITH q AS (INSERT INTO quotes (id, norm, text)
                            SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])),
                   p AS (INSERT INTO quote_prints (print, quote_id)
                         SELECT * FROM unnest($4::bigint[], $5::bigint[]) ON CONFLICT DO NOTHING)
                 INSERT INTO quote_keys (hash, quote_id)
                 SELECT * FROM unnest($6::bigint[], $7::bigint[])
                 ON CONFLICT (hash) DO UPDATE SET quote_id = EXCLUDED.quote_id",
                &[
                    &q.id,
                    &q.norm,
                    &q.text,
                    &q.print,
                    &q.print_quote,
                    &hashes,
                    &key_quotes,
                ],
            )?;
        }
        let s = std::mem::take(&mut self.statements);
        let bodies = std::mem::take(&mut self.bodies);
        if self.mode == Mode::Normal {
            if bodies.len() != s.article_id.len() {
                return Err(WriteError::Invariant(
                    "statement rows out of step with links",
                ));
            }
            let rows = bodies
                .iter()
                .zip(s.article_id.iter().zip(&s.idx))
                .zip(s.speaker_id.iter().zip(&s.quote_id))
                .map(|((b, (a, i)), (sp, q))| StatementRow {
                    article_id: *a,
                    idx: *i,
                    speaker_id: *sp,
                    quote_id: *q,
                    s: &b.statement,
                    published: &b.published,
                    tsv: &b.tsv,
                })
                .collect();
            self.copy_statements(rows)?;
        }
        self.links.article_id.extend_from_slice(&s.article_id);
        self.links.idx.extend_from_slice(&s.idx);
        self.links.speaker_id.extend_from_slice(&s.speaker_id);
        self.links.quote_id.extend_from_slice(&s.quote_id);
        let e = std::mem::take(&mut self.entities);
        if !e.article_id.is_empty() {
            // By COPY: the multi-row INSERT over unnest() was 5.5 % of the server's time.
            let mut w = BinaryRows::new(&ENTITY_TYPES, e.article_id.len() * 128);
            for k in 0..e.article_id.len() {
                w.row(&[
                    &e.article_id[k],
                    &e.idx[k],
                    &e.name[k],
                    &e.kind[k],
                    &e.roles[k],
                    &e.mentions[k],
                    &e.speaker_id[k],
                ])?;
            }
            self.send_copy(
                "COPY entities (article_id, idx, name, kind, roles, mentions, speaker_id)
                 FROM STDIN (FORMAT binary)",
                w,
            )?;
        }
        let aliases = std::mem::take(&mut self.aliases);
        if !aliases.is_empty() {
            let mut ids = Vec::new();
            let mut names = Vec::new();
            let mut counts = Vec::new();
            for ((id, _), (name, n)) in aliases {
                ids.push(id);
                names.push(name);
                counts.push(n);
            }
            self.exec(
                "INSERT INTO speaker_aliases AS sa (speaker_id, alias, count)
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[])
                 ON CONFLICT (speaker_id, lower(alias)) DO UPDATE SET count = sa.count + EXCLUDED.count",
                &[&ids, &names, &counts],
            )?;
        }
        let roles = std::mem::take(&mut self.roles);
        if !roles.is_empty() {
            let (mut ids, mut names, mut counts, mut firsts, mut lasts) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for ((id, _), (role, n, first, last)) in roles {
                ids.push(id);
                names.push(role);
                counts.push(n);
                firsts.push(first);
                lasts.push(last);
            }
            self.exec(
                "INSERT INTO speaker_roles AS r (speaker_id, role, count, first_seen, last_seen)
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[])
                 ON CONFLICT (speaker_id, lower(role)) DO UPDATE SET count = r.count + EXCLUDED.count,
                   first_seen = CASE WHEN EXCLUDED.first_seen IS NULL THEN r.first_seen
                     WHEN r.first_seen IS NULL OR EXCLUDED.first_seen < r.first_seen THEN EXCLUDED.first_seen
                     ELSE r.first_seen END,
                   last_seen = CASE WHEN EXCLUDED.last_seen IS NULL THEN r.last_seen
                     WHEN r.last_seen IS NULL OR EXCLUDED.last_seen > r.last_seen THEN EXCLUDED.last_seen
                     ELSE r.last_seen END",
                &[&ids, &names, &counts, &firsts, &lasts],
            )?;
        }
        let seen = std::mem::take(&mut self.seen);
        let seen: Vec<_> = seen
            .into_iter()
            .filter(|(_, (f, l))| f.is_some() || l.is_some())
            .collect();
        if !seen.is_empty() {
            let ids: Vec<i64> = seen.iter().map(|(id, _)| *id).collect();
            let firsts: Vec<Option<String>> = seen.iter().map(|(_, (f, _))| f.clone()).collect();
            let lasts: Vec<Option<String>> = seen.iter().map(|(_, (_, l))| l.clone()).collect();
            // Planned with its values (as the updates below): generic plans cached while
            // the tables were small scan them whole.
            self.query_planned(
                "UPDATE speakers s SET
                   first_seen = CASE WHEN v.f IS NULL THEN s.first_seen
                     WHEN s.first_seen IS NULL OR v.f < s.first_seen THEN v.f ELSE s.first_seen END,
                   last_seen = CASE WHEN v.l IS NULL THEN s.last_seen
                     WHEN s.last_seen IS NULL OR v.l > s.last_seen THEN v.l ELSE s.last_seen END
                 FROM unnest($1::bigint[], $2::text[], $3::text[]) AS v(id, f, l) WHERE s.id = v.id",
                &[&ids, &firsts, &lasts],
            )?;
        }
        let merges = std::mem::take(&mut self.quote_merges);
        if !merges.is_empty() {
            let (from, into): (Vec<i64>, Vec<i64>) = merges.into_iter().unzip();
            // The stored rows of merged quotes move to their targets (inserted above when
            // new); the targets keep the earliest first date.
            // Planned with its values: the generic plan cached while `statements` was
            // small scans it whole (23 ms a merge at 34k statements, growing with the
            // table; ~3 s per 10k articles).
            self.query_planned(
                "WITH m AS (SELECT * FROM unnest($1::bigint[], $2::bigint[]) AS m(c, t)),
                   k AS (UPDATE quote_keys SET quote_id = m.t FROM m WHERE quote_keys.quote_id = m.c),
                   p AS (DELETE FROM quote_prints USING m WHERE quote_prints.quote_id = m.c)
                 UPDATE quotes t SET first_seen = x.fs
                 FROM (SELECT m.t, min(q.first_seen) AS fs FROM m JOIN quotes q ON q.id = m.c
                       GROUP BY m.t) AS x
                 WHERE t.id = x.t AND x.fs IS NOT NULL AND (t.first_seen IS NULL OR x.fs < t.first_seen)",
                &[&from, &into],
            )?;
            // The merged quote stays as a pointer to its target (and so do the quotes
            // merged into it before): its statements are not moved, reads resolve them.
            // Moving them was 14 % of the server's time on the write path (non-HOT updates
            // of every statement of a stored excerpt).
            self.query_planned(
                "UPDATE quotes SET merged_into = m.t
                 FROM unnest($1::bigint[], $2::bigint[]) AS m(c, t)
                 WHERE quotes.id = m.c OR quotes.merged_into = m.c",
                &[&from, &into],
            )?;
            self.done_merges.extend(from.into_iter().zip(into));
        }
        let qs = std::mem::take(&mut self.quote_seen);
        if !qs.is_empty() {
            let ids: Vec<i64> = qs.keys().copied().collect();
            let dates: Vec<String> = qs.values().cloned().collect();
            self.query_planned(
                "UPDATE quotes q SET first_seen = v.d
                 FROM unnest($1::bigint[], $2::text[]) AS v(id, d)
                 WHERE q.id = v.id AND (q.first_seen IS NULL OR v.d < q.first_seen)",
                &[&ids, &dates],
            )?;
        }
        Ok(())
    }
}
