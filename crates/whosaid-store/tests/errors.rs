//! What a user sees when the database file is not what it should be — read-only,
//! corrupt, not a database, locked by another process, or newer than this binary — and
//! that nothing already stored is lost in each case.

mod common;

use std::time::Duration;

use common::Doc;
use whosaid_store::*;

fn one_article(store: &SqliteStore, id: &str) -> UpsertOutcome {
    let (a, e) = Doc::new()
        .para("A quiet day at the harbour, where the ferries ran on time.")
        .quote(
            &format!("Everything ran on time today, article {id}"),
            "Pia Holm",
        )
        .build(id, None, Some("Harbour News"), Some("2024-04-01"));
    store.upsert(&a, &e).unwrap()
}

#[test]
fn read_only_open_refuses_writes_and_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ro.db");
    {
        let store = SqliteStore::open(&path).unwrap();
        one_article(&store, "r1");
    }
    let ro = SqliteStore::open_with(
        &path,
        &OpenOptions {
            read_only: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(ro.stats().unwrap().articles, 1);
    let (a, e) = Doc::new()
        .para("x")
        .quote("A new quote here", "Pia Holm")
        .build("r2", None, None, None);
    let err = ro.upsert(&a, &e).unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly { .. }), "{err}");
    assert!(err.to_string().contains("ro.db"), "names the file: {err}");
    drop(ro);
    assert_eq!(
        SqliteStore::open(&path).unwrap().stats().unwrap().articles,
        1
    );
}

#[cfg(unix)]
#[test]
fn read_only_file_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("locked-down.db");
    {
        let store = SqliteStore::open(&path).unwrap();
        one_article(&store, "r1");
    }
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    if std::fs::OpenOptions::new().write(true).open(&path).is_ok() {
        eprintln!("running as root: file permissions do not stop writes; covered by read_only_open_refuses_writes_and_keeps_data");
        return;
    }
    let result = SqliteStore::open(&path).and_then(|s| {
        let (a, e) = Doc::new()
            .para("x")
            .quote("Another quote for the file", "Pia Holm")
            .build("r2", None, None, None);
        s.upsert(&a, &e)
    });
    let err = result.unwrap_err();
    assert!(
        matches!(err, StoreError::ReadOnly { .. } | StoreError::Open { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("locked-down.db"));
}

#[test]
fn not_a_database_is_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    let junk = b"These are my notes, not a database. ".repeat(200);
    std::fs::write(&path, &junk).unwrap();
    let err = SqliteStore::open(&path).err().expect("must fail");
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err}");
    assert!(err.to_string().contains("notes.db"));
    assert_eq!(std::fs::read(&path).unwrap(), junk, "file untouched");
}

#[test]
fn corrupt_database_is_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.db");
    {
        let store = SqliteStore::open(&path).unwrap();
        for i in 0..40 {
            one_article(&store, &format!("c{i}"));
        }
        // Fold the WAL into the main file so the damage below hits real pages.
        drop(store);
    }
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 8192);
    // Keep the header, trash every page after the first.
    for b in bytes.iter_mut().skip(4096) {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let result = SqliteStore::open(&path).and_then(|s| {
        s.integrity_check()?;
        s.stats()
    });
    let err = result.expect_err("corruption must be reported");
    assert!(
        matches!(
            err,
            StoreError::Corrupt { .. } | StoreError::NotADatabase { .. }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("broken.db"));
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "file untouched");
}

#[test]
fn locked_database_times_out_with_a_clear_error_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("busy.db");
    let store = SqliteStore::open_with(
        &path,
        &OpenOptions {
            busy_timeout: Duration::from_millis(200),
            ..Default::default()
        },
    )
    .unwrap();
    one_article(&store, "l1");
    // Another process holds the write lock.
    let other = rusqlite::Connection::open(&path).unwrap();
    other
        .execute_batch("BEGIN IMMEDIATE; INSERT INTO feeds (url) VALUES ('x');")
        .unwrap();
    let (a, e) = Doc::new()
        .para("y")
        .quote("Waiting for the lock to clear", "Pia Holm")
        .build("l2", None, None, None);
    let err = store.upsert(&a, &e).unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err}");
    assert!(err.to_string().contains("busy.db") && err.to_string().contains("locked"));
    // Readers are not blocked by the writer (WAL).
    assert_eq!(store.stats().unwrap().articles, 1);
    other.execute_batch("ROLLBACK").unwrap();
    assert_eq!(store.upsert(&a, &e).unwrap().action, UpsertAction::Inserted);
    assert_eq!(store.stats().unwrap().articles, 2);
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.db");
    {
        let store = SqliteStore::open(&path).unwrap();
        one_article(&store, "n1");
    }
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let err = SqliteStore::open(&path).err().expect("must refuse");
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
    assert!(err.to_string().contains("future.db"));
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", migrate::SCHEMA_VERSION)
        .unwrap();
    assert_eq!(
        SqliteStore::open(&path).unwrap().stats().unwrap().articles,
        1
    );
}

#[test]
fn a_failed_batch_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("batch.db");
    let store = SqliteStore::open_with(
        &path,
        &OpenOptions {
            busy_timeout: Duration::from_millis(100),
            ..Default::default()
        },
    )
    .unwrap();
    one_article(&store, "b0");
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE;").unwrap();
    let batch: Vec<_> = (1..5)
        .map(|i| {
            Doc::new()
                .para("z")
                .quote(&format!("Batch quote number {i}"), "Pia Holm")
                .build(&format!("b{i}"), None, None, None)
        })
        .collect();
    assert!(store.upsert_batch(&batch).is_err());
    other.execute_batch("ROLLBACK").unwrap();
    assert_eq!(store.stats().unwrap().articles, 1);
}
