-- Full-text vectors are computed by the writer (src/postgres/fts.rs) with the SQLite
-- backend's tokens (unicode61, diacritics removed) instead of by a generated column
-- calling to_tsvector('simple', …), which was ~18 % of the server's CPU on the write
-- path. The columns keep their name, type and GIN indexes; the rows stored before this
-- migration are re-tokenised by the migrating process in the same transaction
-- (migrate.rs). Not additive: a writer of schema 4 would leave tsv NULL, so stop the old
-- workers before the first new one starts (docs/scale-out.md, "Schema upgrades").
ALTER TABLE articles ALTER COLUMN tsv DROP EXPRESSION;
ALTER TABLE statements ALTER COLUMN tsv DROP EXPRESSION;
