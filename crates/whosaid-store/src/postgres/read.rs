//! The [`Store`] trait for [`PgStore`]: the batch upsert (driving `write::Writer` in one
//! transaction, retried on a lost race) and every read — search with keyset pagination,
//! speakers, articles, quotes, syndication groups, stats, feed state — with the SQLite
//! backend's semantics and ordering. Values are always bound parameters; the only SQL
//! assembled at run time is the choice of fixed filter clauses and `$n` placeholders.

use ::postgres::types::ToSql;
use ::postgres::{GenericClient, Row};
use chrono::NaiveDate;
use whosaid_core::{EntityKind, StatementKind};

use crate::api::*;
use crate::error::{Result, StoreError};
use crate::prepare::PreparedArticle;
use crate::speakers;

use super::write::{WriteError, Writer};
use super::{is_race, migrate, pg_err, tsquery, PgStore};

type Param = Box<dyn ToSql + Sync>;

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

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn refs(args: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    args.iter().map(|b| b.as_ref()).collect()
}

/// A statement's quote is the one its row names or, once that quote was merged into a
/// longer one (an excerpt met before its full quote), the quote it was merged into
/// (`quotes.merged_into`, kept pointing at the live quote). Queries that select
/// `HIT_COLUMNS` join `QUOTE_JOIN`.
const HIT_COLUMNS: &str = "s.id, s.kind, s.text, s.start, s.\"end\", s.cue_text,
    COALESCE(sp.name, s.speaker_name), s.speaker_id, s.speaker_role, s.said_on, s.sort_date,
    s.confidence, a.id, a.ext_id, a.url, a.title, a.outlet, a.published,
    COALESCE(q.merged_into, s.quote_id),
    CASE WHEN s.quote_id IS NULL THEN 1 ELSE
      (SELECT count(DISTINCT COALESCE(a2.outlet, a2.id::text)) FROM statements s2
       JOIN articles a2 ON a2.id = s2.article_id
       WHERE s2.quote_id = ANY(ARRAY(SELECT m.id FROM quotes m
                                     WHERE m.id = COALESCE(q.merged_into, s.quote_id)
                                        OR m.merged_into = COALESCE(q.merged_into, s.quote_id)))) END";

const QUOTE_JOIN: &str = "LEFT JOIN quotes q ON q.id = s.quote_id";

fn hit_from_row(r: &Row) -> StatementHit {
    let kind: String = r.get(1);
    StatementHit {
        statement_id: r.get(0),
        kind: parse_kind(&kind),
        text: r.get(2),
        start: r.get::<_, i64>(3) as usize,
        end: r.get::<_, i64>(4) as usize,
        cue: r.get(5),
        speaker: r.get(6),
        speaker_id: r.get(7),
        speaker_role: r.get(8),
        said_on: parse_date(r.get(9)),
        date: parse_date(r.get(10)),
        confidence: r.get(11),
        article_id: r.get(12),
        article_ext_id: r.get(13),
        url: r.get(14),
        title: r.get(15),
        outlet: r.get(16),
        published: parse_date(r.get(17)),
        quote_id: r.get(18),
        outlets_with_quote: r.get::<_, i64>(19).max(1) as usize,
    }
}

fn article_hit_from_row(r: &Row) -> ArticleHit {
    ArticleHit {
        article_id: r.get(0),
        ext_id: r.get(1),
        title: r.get(2),
        url: r.get(3),
        outlet: r.get(4),
        published: parse_date(r.get(5)),
    }
}

fn summary_from_row(r: &Row) -> SpeakerSummary {
    SpeakerSummary {
        speaker_id: r.get(0),
        name: r.get(1),
        kind: r.get(2),
        statements: r.get::<_, i64>(3) as usize,
        role: r.get(4),
        first_seen: parse_date(r.get(5)),
        last_seen: parse_date(r.get(6)),
    }
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

const SUMMARY_SQL: &str = "SELECT sp.id, sp.name, sp.kind,
       (SELECT count(*) FROM statements WHERE speaker_id = sp.id),
       (SELECT role FROM speaker_roles WHERE speaker_id = sp.id
          ORDER BY count DESC, last_seen DESC NULLS LAST LIMIT 1),
       sp.first_seen, sp.last_seen
     FROM speakers sp WHERE sp.id = $1";

/// Speaker ids answering to a name: exact name or alias (case-insensitive); failing that,
/// the people whose parsed name matches (a bare surname matches every full-name speaker
/// with that surname).
fn speaker_ids(
    c: &mut impl GenericClient,
    name: &str,
) -> std::result::Result<Vec<i64>, ::postgres::Error> {
    let name = name.trim();
    if let Ok(id) = name.parse::<i64>() {
        return Ok(vec![id]);
    }
    let mut ids: Vec<i64> = c
        .query(
            "SELECT speaker_id FROM speaker_aliases WHERE lower(alias) = lower($1)
             UNION SELECT id FROM speakers WHERE lower(name) = lower($1)",
            &[&name],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    // What a user types may be lower-case; names are parsed capitalised.
    let capitalised: String = name
        .split_whitespace()
        .map(|w| {
            let mut ch = w.chars();
            ch.next()
                .map(|f| f.to_uppercase().chain(ch).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(p) = speakers::parse(&capitalised, EntityKind::Person) {
        let rows = c.query(
            "SELECT id, given, surname FROM speakers WHERE kind = 'person' AND surname3 = $1",
            &[&p.surname3()],
        )?;
        let mut by_name = Vec::new();
        for r in rows {
            let (id, given, surname): (i64, Option<String>, String) =
                (r.get(0), r.get(1), r.get(2));
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

/// Most attempts at a batch that loses a race (deadlock, serialization failure).
const BATCH_ATTEMPTS: usize = 5;

impl PgStore {
    fn err(&self, e: ::postgres::Error) -> StoreError {
        pg_err(self.target(), e)
    }

    fn write_err(&self, e: WriteError) -> StoreError {
        match e {
            WriteError::Pg(e) => self.err(e),
            WriteError::Invariant(detail) | WriteError::Race(detail) => StoreError::Corrupt {
                path: self.target().into(),
                detail: detail.to_string(),
            },
            WriteError::Store(e) => e,
            WriteError::TooNew(found) => StoreError::TooNew {
                path: self.target().into(),
                found,
                known: migrate::SCHEMA_VERSION,
            },
        }
    }

    /// [`Store::upsert_prepared`] on borrowed articles (a caller that keeps them, to
    /// retry or to store them one by one, need not clone them).
    pub fn upsert_slice(&self, items: &[PreparedArticle]) -> Result<Vec<UpsertOutcome>> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.upsert_once(items) {
                Ok(out) => return Ok(out),
                Err(WriteError::Race(why)) if attempt < BATCH_ATTEMPTS => {
                    tracing::debug!(attempt, why, "batch lost a race; retrying");
                    std::thread::sleep(std::time::Duration::from_millis(5 * attempt as u64));
                }
                Err(WriteError::Pg(e)) if is_race(&e) && attempt < BATCH_ATTEMPTS => {
                    tracing::debug!(attempt, error = %e, "batch lost a race; retrying");
                    std::thread::sleep(std::time::Duration::from_millis(
                        5 * attempt as u64 + (std::process::id() % 7) as u64,
                    ));
                }
                Err(e) => return Err(self.write_err(e)),
            }
        }
    }

    fn upsert_once(
        &self,
        items: &[PreparedArticle],
    ) -> std::result::Result<Vec<UpsertOutcome>, WriteError> {
        let class = migrate::lock_class(self.schema());
        let mut guard = self.conn().map_err(WriteError::Store)?;
        let Some(conn) = guard.as_mut() else {
            return Err(WriteError::Invariant("connection closed"));
        };
        let result = (|| -> std::result::Result<Vec<UpsertOutcome>, WriteError> {
            let mut tx = conn.client.transaction()?;
            // A newer binary may have migrated the schema since this one opened it: the
            // migration holds this key exclusively, so a batch waits for it and then sees
            // its version, and refuses to write rows the new schema may not expect (the
            // migration in turn waits for the batches in flight). Non-additive migrations
            // therefore need no hand-stopping of old workers (from schema 8 on).
            tx.execute("SELECT pg_advisory_xact_lock_shared($1, -1)", &[&class])?;
            let found: Option<i64> = tx
                .query_one("SELECT max(version)::bigint FROM schema_migrations", &[])?
                .get(0);
            if let Some(found) = found.filter(|v| *v > migrate::SCHEMA_VERSION) {
                return Err(WriteError::TooNew(found));
            }
            let out;
            let corrected;
            {
                let mut w = Writer::new(&mut tx, &mut conn.stmts);
                out = w.upsert_batch(class, items)?;
                corrected = w.corrected();
            }
            tx.commit()?;
            self.corrected
                .fetch_add(corrected, std::sync::atomic::Ordering::Relaxed);
            Ok(out)
        })();
        if let Err(WriteError::Pg(e)) = &result {
            if e.is_closed() || e.code().is_none() {
                *guard = None;
            }
        }
        result
    }

    fn search_inner(&self, q: &SearchQuery, fixed_ids: Option<&[i64]>) -> Result<SearchPage> {
        let tsq = match &q.text {
            Some(t) => tsquery::to_tsquery(t)?,
            None => None,
        };
        let limit = q.limit.unwrap_or(20).clamp(1, 1000);
        let cursor = q.cursor.as_deref().map(decode_cursor).transpose()?;
        let ids_from_name = match (fixed_ids, &q.speaker) {
            (None, Some(name)) => Some(self.with_conn(|c| speaker_ids(&mut c.client, name))?),
            _ => None,
        };
        let mut sql = format!(
            "SELECT {HIT_COLUMNS} FROM statements s JOIN articles a ON a.id = s.article_id
             LEFT JOIN speakers sp ON sp.id = s.speaker_id {QUOTE_JOIN} "
        );
        let mut args: Vec<Param> = Vec::new();
        let mut wh: Vec<String> = Vec::new();
        let arg = |args: &mut Vec<Param>, v: Param| {
            args.push(v);
            format!("${}", args.len())
        };
        if let Some(t) = tsq {
            // The statements' vectors have no index (schema 9): the index of the words
            // each article's statements hold finds the articles that can have a match,
            // and the statements' own vectors decide.
            if let Some(r) = tsquery::relaxed(&t) {
                let n = arg(&mut args, Box::new(r));
                wh.push(format!("a.said_tsv @@ {n}::text::tsquery"));
            }
            let n = arg(&mut args, Box::new(t));
            wh.push(format!("s.tsv @@ {n}::text::tsquery"));
        }
        match (fixed_ids, ids_from_name) {
            (Some(ids), _) => {
                let n = arg(&mut args, Box::new(ids.to_vec()));
                wh.push(format!("s.speaker_id = ANY({n})"));
            }
            (None, Some(ids)) => {
                let n = arg(&mut args, Box::new(ids));
                let name = q.speaker.as_deref().unwrap_or("").trim().to_string();
                let m = arg(&mut args, Box::new(name));
                wh.push(format!(
                    "(s.speaker_id = ANY({n}) OR (s.speaker_id IS NULL AND lower(s.speaker_name) = lower({m})))"
                ));
            }
            (None, None) => {}
        }
        if let Some(d) = q.since {
            let n = arg(&mut args, Box::new(d.format("%Y-%m-%d").to_string()));
            wh.push(format!("s.sort_date >= {n}"));
        }
        if let Some(d) = q.until {
            let n = arg(&mut args, Box::new(d.format("%Y-%m-%d").to_string()));
            wh.push(format!("s.sort_date <= {n} AND s.sort_date <> ''"));
        }
        if let Some(k) = q.kind {
            let n = arg(&mut args, Box::new(k.as_str().to_string()));
            wh.push(format!("s.kind = {n}"));
        }
        if let Some(o) = &q.outlet {
            let n = arg(&mut args, Box::new(o.trim().to_string()));
            wh.push(format!("lower(a.outlet) = lower({n})"));
        }
        if let Some((date, id)) = cursor {
            let d = arg(&mut args, Box::new(date));
            let i = arg(&mut args, Box::new(id));
            wh.push(format!(
                "(s.sort_date < {d} OR (s.sort_date = {d} AND s.id < {i}))"
            ));
        }
        if !wh.is_empty() {
            sql.push_str("WHERE ");
            sql.push_str(&wh.join(" AND "));
        }
        let n = arg(&mut args, Box::new(limit as i64 + 1));
        sql.push_str(&format!(" ORDER BY s.sort_date DESC, s.id DESC LIMIT {n}"));
        let rows = self.with_conn(|c| c.client.query(sql.as_str(), &refs(&args)))?;
        let mut hits: Vec<StatementHit> = rows.iter().map(hit_from_row).collect();
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
}

impl Store for PgStore {
    fn upsert_prepared(&self, items: Vec<PreparedArticle>) -> Result<Vec<UpsertOutcome>> {
        self.upsert_slice(&items)
    }

    fn search(&self, query: &SearchQuery) -> Result<SearchPage> {
        self.search_inner(query, None)
    }

    fn search_articles(&self, q: &str, limit: usize) -> Result<Vec<ArticleHit>> {
        let Some(tsq) = tsquery::to_tsquery(q)? else {
            return Ok(Vec::new());
        };
        let limit = limit.clamp(1, 1000) as i64;
        let rows = self.with_conn(|c| {
            c.client.query(
                "SELECT a.id, a.ext_id, a.title, a.url, a.outlet, a.published
                 FROM articles a, CAST($1::text AS tsquery) AS q
                 WHERE a.tsv @@ q ORDER BY ts_rank(a.tsv, q) DESC, a.id LIMIT $2",
                &[&tsq, &limit],
            )
        })?;
        Ok(rows.iter().map(article_hit_from_row).collect())
    }

    fn speakers(&self, q: &SpeakersQuery) -> Result<Vec<SpeakerSummary>> {
        let top = q.top.unwrap_or(20).clamp(1, 10_000) as i64;
        let base = "SELECT sp.id, sp.name, sp.kind, n,
               (SELECT role FROM speaker_roles WHERE speaker_id = sp.id
                  ORDER BY count DESC, last_seen DESC NULLS LAST LIMIT 1),
               sp.first_seen, sp.last_seen
             FROM (SELECT speaker_id, count(*) AS n FROM statements WHERE speaker_id IS NOT NULL
                   GROUP BY speaker_id) c
             JOIN speakers sp ON sp.id = c.speaker_id";
        let rows = match &q.org {
            Some(org) => {
                let pat = format!("%{}%", escape_like(org.trim()));
                let sql = format!(
                    "{base} WHERE sp.name ILIKE $1 ESCAPE '\\' OR sp.id IN
                       (SELECT speaker_id FROM speaker_roles WHERE role ILIKE $1 ESCAPE '\\')
                     ORDER BY n DESC, sp.id LIMIT $2"
                );
                self.with_conn(|c| c.client.query(sql.as_str(), &[&pat, &top]))?
            }
            None => {
                let sql = format!("{base} ORDER BY n DESC, sp.id LIMIT $1");
                self.with_conn(|c| c.client.query(sql.as_str(), &[&top]))?
            }
        };
        Ok(rows.iter().map(summary_from_row).collect())
    }

    fn speaker(&self, name: &str, statement_limit: usize) -> Result<SpeakerLookup> {
        let mut summaries: Vec<SpeakerSummary> = self.with_conn(|c| {
            let ids = speaker_ids(&mut c.client, name)?;
            let mut out = Vec::new();
            for id in ids {
                if let Some(r) = c.client.query_opt(SUMMARY_SQL, &[&id])? {
                    out.push(summary_from_row(&r));
                }
            }
            Ok(out)
        })?;
        let summary = match summaries.len() {
            0 => return Ok(SpeakerLookup::NotFound),
            1 => summaries.remove(0),
            _ => {
                summaries.sort_by_key(|c| std::cmp::Reverse(c.statements));
                return Ok(SpeakerLookup::Ambiguous {
                    candidates: summaries,
                });
            }
        };
        let id = summary.speaker_id;
        let (aliases, roles) = self.with_conn(|c| {
            let aliases: Vec<String> = c
                .client
                .query(
                    "SELECT alias FROM speaker_aliases WHERE speaker_id = $1 ORDER BY count DESC, alias",
                    &[&id],
                )?
                .iter()
                .map(|r| r.get(0))
                .collect();
            let roles: Vec<SpeakerRole> = c
                .client
                .query(
                    "SELECT role, first_seen, last_seen, count FROM speaker_roles WHERE speaker_id = $1
                     ORDER BY first_seen IS NULL, first_seen, role",
                    &[&id],
                )?
                .iter()
                .map(|r| SpeakerRole {
                    role: r.get(0),
                    first_seen: parse_date(r.get(1)),
                    last_seen: parse_date(r.get(2)),
                    count: r.get::<_, i64>(3) as usize,
                })
                .collect();
            Ok((aliases, roles))
        })?;
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
        let id = id.trim().to_string();
        self.with_conn(|c| {
            let client = &mut c.client;
            let mut found: Option<i64> = None;
            if let Ok(n) = id.parse::<i64>() {
                found = client
                    .query_opt("SELECT id FROM articles WHERE id = $1", &[&n])?
                    .map(|r| r.get(0));
            }
            if found.is_none() {
                found = client
                    .query_opt(
                        "SELECT id FROM articles WHERE ext_id = $1 ORDER BY id LIMIT 1",
                        &[&id],
                    )?
                    .map(|r| r.get(0));
            }
            if found.is_none() {
                if let Some(u) = crate::normalize::canonical_url(&id) {
                    found = client
                        .query_opt(
                            "SELECT id FROM articles WHERE key = $1",
                            &[&format!("url:{u}")],
                        )?
                        .map(|r| r.get(0));
                }
            }
            let Some(aid) = found else { return Ok(None) };
            let Some(r) = client.query_opt(
                "SELECT id, ext_id, url, source, outlet, title, published, credit, text, text_hash,
                 ingested_at, syndication_group FROM articles WHERE id = $1",
                &[&aid],
            )?
            else {
                return Ok(None);
            };
            let mut view = ArticleView {
                article_id: r.get(0),
                ext_id: r.get(1),
                url: r.get(2),
                source: r.get(3),
                outlet: r.get(4),
                title: r.get(5),
                published: parse_date(r.get(6)),
                credit: r.get(7),
                text: r.get(8),
                text_hash: r.get(9),
                ingested_at: r.get(10),
                syndication_group: r.get(11),
                statements: Vec::new(),
            };
            let rows = client.query(
                "SELECT s.id, s.kind, s.text, s.start, s.\"end\", s.cue_text, s.cue_start, s.cue_end,
                   COALESCE(sp.name, s.speaker_name), s.speaker_id, s.speaker_role, s.speaker_start,
                   s.speaker_end, s.said_on, s.confidence, COALESCE(q.merged_into, s.quote_id),
                   s.speaker_name
                 FROM statements s LEFT JOIN speakers sp ON sp.id = s.speaker_id
                 LEFT JOIN quotes q ON q.id = s.quote_id
                 WHERE s.article_id = $1 ORDER BY s.start, s.idx",
                &[&aid],
            )?;
            view.statements = rows
                .iter()
                .map(|r| {
                    let kind: String = r.get(1);
                    let span = |t: Option<String>, a: Option<i64>, b: Option<i64>| match (t, a, b) {
                        (Some(text), Some(a), Some(b)) => Some(Span {
                            text,
                            start: a as usize,
                            end: b as usize,
                        }),
                        _ => None,
                    };
                    ArticleStatement {
                        statement_id: r.get(0),
                        kind: parse_kind(&kind),
                        text: r.get(2),
                        start: r.get::<_, i64>(3) as usize,
                        end: r.get::<_, i64>(4) as usize,
                        cue: span(r.get(5), r.get(6), r.get(7)),
                        speaker: r.get(8),
                        speaker_id: r.get(9),
                        speaker_role: r.get(10),
                        speaker_span: span(r.get(16), r.get(11), r.get(12)),
                        said_on: parse_date(r.get(13)),
                        confidence: r.get(14),
                        quote_id: r.get(15),
                    }
                })
                .collect();
            Ok(Some(view))
        })
    }

    fn quote(&self, quote_id: i64) -> Result<Option<QuoteRecord>> {
        let sql = format!(
            "SELECT {HIT_COLUMNS} FROM statements s JOIN articles a ON a.id = s.article_id
             LEFT JOIN speakers sp ON sp.id = s.speaker_id {QUOTE_JOIN}
             WHERE s.quote_id = ANY(ARRAY(SELECT m.id FROM quotes m
                                          WHERE m.id = $1 OR m.merged_into = $1))
             ORDER BY s.sort_date = '', s.sort_date, a.ingested_at, s.id"
        );
        self.with_conn(|c| {
            let Some(head) = c.client.query_opt(
                "SELECT text, first_seen FROM quotes WHERE id = $1 AND merged_into IS NULL",
                &[&quote_id],
            )?
            else {
                return Ok(None);
            };
            let occurrences = c
                .client
                .query(sql.as_str(), &[&quote_id])?
                .iter()
                .map(hit_from_row)
                .collect();
            Ok(Some(QuoteRecord {
                quote_id,
                text: head.get(0),
                first_seen: parse_date(head.get(1)),
                occurrences,
            }))
        })
    }

    fn syndication_group(&self, group_id: i64) -> Result<Option<SyndicationGroup>> {
        self.with_conn(|c| {
            let Some(head) = c.client.query_opt(
                "SELECT credit FROM syndication_groups WHERE id = $1",
                &[&group_id],
            )?
            else {
                return Ok(None);
            };
            let articles = c
                .client
                .query(
                    "SELECT id, ext_id, title, url, outlet, published FROM articles
                     WHERE syndication_group = $1 ORDER BY published IS NULL, published, id",
                    &[&group_id],
                )?
                .iter()
                .map(article_hit_from_row)
                .collect();
            Ok(Some(SyndicationGroup {
                group_id,
                credit: head.get(0),
                articles,
            }))
        })
    }

    fn stats(&self) -> Result<Stats> {
        self.with_conn(|c| {
            let r = c.client.query_one(
                "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM statements),
                   (SELECT count(*) FROM speakers),
                   (SELECT count(*) FROM quotes WHERE merged_into IS NULL),
                   (SELECT count(*) FROM (SELECT COALESCE(q.merged_into, s.quote_id)
                      FROM statements s JOIN quotes q ON q.id = s.quote_id
                      GROUP BY 1 HAVING count(*) > 1) AS rq),
                   (SELECT count(*) FROM syndication_groups), (SELECT count(*) FROM feeds)",
                &[],
            )?;
            let n = |i: usize| r.get::<_, i64>(i) as usize;
            Ok(Stats {
                articles: n(0),
                statements: n(1),
                speakers: n(2),
                quotes: n(3),
                repeated_quotes: n(4),
                syndication_groups: n(5),
                feeds: n(6),
                schema_version: migrate::version(&mut c.client)?,
            })
        })
    }

    fn feed_state(&self, url: &str) -> Result<Option<FeedState>> {
        self.with_conn(|c| {
            Ok(c.client
                .query_opt(
                    "SELECT etag, last_modified FROM feeds WHERE url = $1",
                    &[&url],
                )?
                .map(|r| FeedState {
                    etag: r.get(0),
                    last_modified: r.get(1),
                }))
        })
    }

    fn set_feed_state(&self, url: &str, state: &FeedState) -> Result<()> {
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        self.with_conn(|c| {
            c.client.execute(
                "INSERT INTO feeds (url, etag, last_modified, checked_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (url) DO UPDATE SET etag = $2, last_modified = $3, checked_at = $4",
                &[&url, &state.etag, &state.last_modified, &now],
            )
        })?;
        Ok(())
    }
}
