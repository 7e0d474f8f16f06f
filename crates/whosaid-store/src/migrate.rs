//! Schema migrations: numbered SQL files under `migrations/`, compiled in with
//! `include_str!`, applied in order inside one transaction each, with SQLite's
//! `PRAGMA user_version` recording the last one applied. A database whose version is
//! newer than this binary knows is refused rather than touched. A migration may add a
//! Rust step, run in the same transaction after its SQL, for data SQL cannot compute
//! (hashes).
//!
//! Why not `rusqlite_migration`: it pins an exact `rusqlite` release, coupling our SQLite
//! upgrades to its release cadence, and what we need is this one loop.

use rusqlite::{params, Connection, Transaction};

use crate::{memindex, quotes, syndication};

type Step = fn(&Transaction<'_>) -> rusqlite::Result<()>;

/// The migrations, in order; migration `i` brings the schema to version `i + 1`.
const MIGRATIONS: &[(&str, Option<Step>)] = &[
    (include_str!("../migrations/0001_initial.sql"), None),
    (include_str!("../migrations/0002_ingest_speed.sql"), None),
    (
        include_str!("../migrations/0003_memory_index.sql"),
        Some(fill_appended_indexes),
    ),
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Applies the pending migrations. Returns the version found before.
pub fn run(conn: &mut Connection) -> rusqlite::Result<i64> {
    let found = version(conn)?;
    for (i, (sql, step)) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the lock.
        if version(&tx)? > i as i64 {
            tx.commit()?;
            continue;
        }
        tx.execute_batch(sql)?;
        if let Some(step) = step {
            step(&tx)?;
        }
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(found)
}

/// Version 3: each article's LSH buckets from its stored signature, each quote's
/// fingerprints from its normal form (what versions 1–2 stored as one row per key).
fn fill_appended_indexes(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    {
        let mut read = tx.prepare("SELECT id, minhash FROM articles WHERE minhash IS NOT NULL")?;
        let mut write =
            tx.prepare("INSERT INTO lsh_bands (article_id, buckets) VALUES (?1, ?2)")?;
        let mut rows = read.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let blob: Vec<u8> = r.get(1)?;
            let buckets = syndication::buckets(&syndication::from_blob(&blob));
            write.execute(params![id, memindex::to_blob(&buckets)])?;
        }
    }
    let mut read = tx.prepare("SELECT id, norm FROM quotes")?;
    let mut write = tx.prepare("INSERT INTO quote_prints (quote_id, prints) VALUES (?1, ?2)")?;
    let mut rows = read.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let norm: String = r.get(1)?;
        if let Some(k) = quotes::key(&norm).filter(|k| !k.prints.is_empty()) {
            write.execute(params![id, memindex::to_blob(&k.prints)])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_3_fills_the_appended_tables_from_what_version_2_stored() {
        let mut conn = Connection::open_in_memory().unwrap();
        for (sql, _) in &MIGRATIONS[..2] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 2).unwrap();
        let text = "The city council voted on Tuesday to expand the tram network to the \
                    northern suburbs, a plan that will cost about 400 million.";
        let sig = syndication::signature(text).unwrap();
        conn.execute(
            "INSERT INTO articles (id, key, ext_id, text, text_hash, minhash, ingested_at, updated_at)
             VALUES (7, 'k', 'a', ?1, 'h', ?2, '', '')",
            params![text, syndication::to_blob(&sig)],
        )
        .unwrap();
        let long =
            quotes::key("We will keep the schools open this winter, whatever it takes").unwrap();
        let short = quotes::key("Yes").unwrap();
        conn.execute_batch(&format!(
            "INSERT INTO quotes (id, norm, text) VALUES (3, '{}', 'x'), (4, '{}', 'y');
             INSERT INTO quote_keys (hash, quote_id) VALUES ({}, 3), (99, 3), ({}, 4);",
            long.norm, short.norm, long.hash, short.hash
        ))
        .unwrap();
        run(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), SCHEMA_VERSION);
        let bands: Vec<u8> = conn
            .query_row(
                "SELECT buckets FROM lsh_bands WHERE article_id = 7",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            memindex::from_blob(&bands).collect::<Vec<_>>(),
            syndication::buckets(&sig)
        );
        let prints: Vec<(i64, Vec<u8>)> = conn
            .prepare("SELECT quote_id, prints FROM quote_prints")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(prints.len(), 1, "short quotes have no fingerprints");
        assert_eq!(prints[0].0, 3);
        assert_eq!(
            memindex::from_blob(&prints[0].1).collect::<Vec<_>>(),
            long.prints
        );
        let keys: Vec<(i64, i64)> = conn
            .prepare("SELECT quote_id, hash FROM quote_keys ORDER BY quote_id, hash")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let mut want = vec![(3, long.hash), (3, 99), (4, short.hash)];
        want.sort_unstable();
        assert_eq!(keys, want);
    }
}
