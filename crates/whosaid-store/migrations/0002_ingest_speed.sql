-- whosaid-store schema, version 2: fewer index writes per ingested article.
--
-- Every row of a hash-keyed table (LSH buckets, quote fingerprints) lands on a random
-- page, so each secondary index on such a table costs a random page write per row. The
-- indexes dropped here served only the rare paths (re-ingesting a changed article,
-- merging quotes), which now recompute the keys to delete from what is stored (the
-- article's MinHash signature, the quote's normal form).

-- Buckets of a replaced article are deleted by (bucket, article_id), recomputed from its
-- stored signature. Articles are never deleted, so the foreign key needs no index.
DROP INDEX lsh_buckets_article;

-- Nothing looks articles up by text hash (identity is `key`).
DROP INDEX articles_text_hash;

-- Fingerprints of a dropped or merged quote are deleted by (print, quote_id), recomputed
-- from the quote's normal form; without the foreign key (whose ON DELETE CASCADE would
-- scan the table for every deleted quote without an index on quote_id).
CREATE TABLE quote_prints_v2 (
    print    INTEGER NOT NULL,
    quote_id INTEGER NOT NULL,   -- quotes(id); rows are removed with their quote
    PRIMARY KEY (print, quote_id)
) WITHOUT ROWID;
INSERT INTO quote_prints_v2 (print, quote_id) SELECT print, quote_id FROM quote_prints;
DROP TABLE quote_prints;
ALTER TABLE quote_prints_v2 RENAME TO quote_prints;
