//! Schema migrations: numbered SQL files under `migrations/`, compiled in with
//! `include_str!`, applied in order inside one transaction each, with SQLite's
//! `PRAGMA user_version` recording the last one applied. A database whose version is
//! newer than this binary knows is refused rather than touched.
//!
//! Why not `rusqlite_migration`: it pins an exact `rusqlite` release, coupling our SQLite
//! upgrades to its release cadence, and what we need is this one loop.

use rusqlite::Connection;

/// The migrations, in order; migration `i` brings the schema to version `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_ingest_speed.sql"),
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Applies the pending migrations. Returns the version found before.
pub fn run(conn: &mut Connection) -> rusqlite::Result<i64> {
    let found = version(conn)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the lock.
        if version(&tx)? > i as i64 {
            tx.commit()?;
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(found)
}
