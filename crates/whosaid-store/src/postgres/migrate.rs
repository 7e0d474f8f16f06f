//! PostgreSQL schema migrations: numbered SQL files under `postgres/migrations/`, compiled
//! in, applied in order, one transaction each, recorded in `schema_migrations`. Whichever
//! process opens the store first applies them; the others wait on a session-level
//! `pg_advisory_lock` keyed by the schema name and then find nothing left to do. A schema
//! newer than this binary knows is refused rather than touched. Migrations must stay
//! additive while older workers run (see docs/scale-out.md).

use ::postgres::{Client, Transaction};

use crate::error::{Result, StoreError};

use super::fts::TsVector;
use super::pg_err;

/// The migrations, in order; migration `i` brings the schema to version `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_failed_messages.sql"),
    include_str!("migrations/0003_write_path_indexes.sql"),
    include_str!("migrations/0004_drop_constructed_fkeys.sql"),
    include_str!("migrations/0005_client_tsvector.sql"),
    include_str!("migrations/0006_statement_quote_links_checked_by_writer.sql"),
    include_str!("migrations/0007_merged_quotes_point_at_their_target.sql"),
    include_str!("migrations/0008_lz4_compression.sql"),
    include_str!("migrations/0009_said_words_per_article.sql"),
    include_str!("migrations/0010_no_bucket_article_index.sql"),
];

/// The version whose rows must be re-tokenised by the writer's own code after its SQL.
const CLIENT_TSVECTOR: i64 = 5;

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The advisory-lock class for this schema (its hash), shared by the migration lock and
/// the write stripes; different schemas never contend.
pub(crate) fn lock_class(schema: &str) -> i32 {
    xxhash_rust::xxh3::xxh3_64(format!("whosaid:{schema}").as_bytes()) as i32
}

/// The schema's version (0 when it has no whosaid tables yet).
pub(crate) fn version(client: &mut Client) -> std::result::Result<i64, ::postgres::Error> {
    let exists: bool = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables
               WHERE schemaname = current_schema() AND tablename = 'schema_migrations')",
            &[],
        )?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let v: Option<i64> = client
        .query_one("SELECT max(version)::bigint FROM schema_migrations", &[])?
        .get(0);
    Ok(v.unwrap_or(0))
}

pub(crate) fn run(client: &mut Client, schema: &str, target: &str) -> Result<i64> {
    let err = |e| pg_err(target, e);
    // Already current (the usual start of a worker): no lock, since taking it waits for
    // every batch in flight in this schema (they hold it shared, see `upsert_once`).
    if version(client).map_err(err)? == SCHEMA_VERSION {
        return Ok(SCHEMA_VERSION);
    }
    let class = lock_class(schema);
    client
        .execute("SELECT pg_advisory_lock($1, -1)", &[&class])
        .map_err(err)?;
    let result = apply(client, target);
    // Unlock even when a migration failed (the session may be reused).
    let unlock = client.execute("SELECT pg_advisory_unlock($1, -1)", &[&class]);
    let found = result?;
    unlock.map_err(err)?;
    Ok(found)
}

fn apply(client: &mut Client, target: &str) -> Result<i64> {
    let err = |e| pg_err(target, e);
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version    BIGINT PRIMARY KEY,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        )
        .map_err(err)?;
    let found = version(client).map_err(err)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: target.into(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let mut tx = client.transaction().map_err(err)?;
        tx.batch_execute(sql).map_err(err)?;
        if i as i64 + 1 == CLIENT_TSVECTOR {
            retokenise(&mut tx).map_err(err)?;
        }
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[&(i as i64 + 1)],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        tracing::info!(target = target, version = i + 1, "applied migration");
    }
    Ok(found)
}

/// Rewrites the full-text vectors of every stored article and statement with the writer's
/// tokens, in chunks of ids (one transaction with the migration: a failure leaves schema 4).
fn retokenise(tx: &mut Transaction<'_>) -> std::result::Result<(), ::postgres::Error> {
    retokenise_table(
        tx,
        "SELECT id, coalesce(title, ''), text FROM articles WHERE id > $1 ORDER BY id LIMIT $2",
        "UPDATE articles a SET tsv = v.t FROM unnest($1::bigint[], $2::tsvector[]) AS v(id, t)
         WHERE a.id = v.id",
    )?;
    retokenise_table(
        tx,
        "SELECT id, text FROM statements WHERE id > $1 ORDER BY id LIMIT $2",
        "UPDATE statements s SET tsv = v.t FROM unnest($1::bigint[], $2::tsvector[]) AS v(id, t)
         WHERE s.id = v.id",
    )
}

/// One table's rows: `select` reads (id, texts…) after an id, `update` writes the vectors
/// of the texts read one after the other.
fn retokenise_table(
    tx: &mut Transaction<'_>,
    select: &str,
    update: &str,
) -> std::result::Result<(), ::postgres::Error> {
    const CHUNK: i64 = 2000;
    let mut after = 0i64;
    loop {
        let rows = tx.query(select, &[&after, &CHUNK])?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.get(0);
        let ids: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
        let tsv: Vec<TsVector> = rows
            .iter()
            .map(|r| {
                let texts: Vec<&str> = (1..r.len()).map(|i| r.get::<_, &str>(i)).collect();
                TsVector::of(&texts)
            })
            .collect();
        tx.execute(update, &[&ids, &tsv])?;
    }
}
