-- whosaid-store schema, version 3: the hash-keyed lookup tables become rows appended in
-- id order, and the writer keeps the lookups in memory (loaded from these at its first
-- batch, reloaded when another connection has committed).
--
-- As B-trees keyed by hash, every LSH bucket, quote fingerprint and quote key row landed
-- on a random page, so each batch dirtied most pages of those tables and its commit
-- wrote them all to the WAL: at 100k articles the commit cost ~1.9 ms per article.

-- One row per article (its 16 band buckets as little-endian i64s), appended as articles
-- are. Filled from the stored signatures by the migration's Rust step.
CREATE TABLE lsh_bands (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    buckets    BLOB NOT NULL
);
DROP TABLE lsh_buckets;

-- One row per quote (its winnowed fingerprints as little-endian i64s), appended as quotes
-- are. Filled from the quotes' normal forms by the migration's Rust step.
DROP TABLE quote_prints;
CREATE TABLE quote_prints (
    quote_id INTEGER PRIMARY KEY REFERENCES quotes(id) ON DELETE CASCADE,
    prints   BLOB NOT NULL
);

-- Clustered by quote: a new quote's key is appended; re-pointing a merged quote's keys
-- and deleting a dropped quote's keys use the primary key's prefix.
CREATE TABLE quote_keys_v3 (
    quote_id INTEGER NOT NULL REFERENCES quotes(id) ON DELETE CASCADE,
    hash     INTEGER NOT NULL,     -- xxh3-64 of a normalised form seen
    PRIMARY KEY (quote_id, hash)
) WITHOUT ROWID;
INSERT INTO quote_keys_v3 (quote_id, hash) SELECT quote_id, hash FROM quote_keys;
DROP TABLE quote_keys;
ALTER TABLE quote_keys_v3 RENAME TO quote_keys;
