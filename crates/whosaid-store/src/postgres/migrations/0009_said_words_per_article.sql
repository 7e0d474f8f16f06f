-- Cheaper statement inserts (docs/scale-out.md, "Capacity model"). The GIN index on the
-- statements' vectors took one entry per distinct word of every statement, and with 2
-- workers it was ~20 % of the server's CPU (scale_bench, 10,000 articles: 7.4 s → 6.0 s
-- without it). Each article now carries the distinct words of all its statements
-- (`said_tsv`, no positions: written by the writer, postgres/fts.rs), with one GIN entry
-- per word and article: 58 % of the statements' entries on news text, 27 % on the
-- generated corpus. A statement search finds the articles through it with a relaxed
-- query (the same words, no order, no exclusions: postgres/tsquery.rs) and tests the
-- statements' own vectors, which stay, on those articles' rows only.
--
-- Not additive: a writer of schema 8 would leave `said_tsv` empty, so its statements
-- could not be found. Workers of schema 8 stop themselves at their next batch once
-- this is applied (they read the version under the lock the migration holds); older
-- ones must be stopped by hand first (docs/scale-out.md, "Schema upgrades").
ALTER TABLE articles ADD COLUMN said_tsv tsvector NOT NULL DEFAULT ''::tsvector;
UPDATE articles a SET said_tsv = w.v
FROM (SELECT s.article_id, array_to_tsvector(array_agg(DISTINCT l.word)) AS v
      FROM statements s, unnest(tsvector_to_array(s.tsv)) AS l(word)
      GROUP BY s.article_id) AS w
WHERE a.id = w.article_id;
CREATE INDEX articles_said_tsv ON articles USING GIN (said_tsv);
DROP INDEX statements_tsv;
DO $$
BEGIN
    IF 'lz4' = ANY (SELECT unnest(enumvals) FROM pg_settings
                    WHERE name = 'default_toast_compression') THEN
        ALTER TABLE articles ALTER COLUMN said_tsv SET COMPRESSION lz4;
    END IF;
END
$$;
