-- Cheaper article inserts (docs/scale-out.md, "Capacity model"). An article row with its
-- text and full-text vector is ~2.8 kB on the generated corpus, over the 2 kB TOAST
-- threshold, so both columns were compressed with pglz at every insert: a third of the
-- cost of writing the articles (scale_bench's rows re-copied: 0.83 s per 10,000 with
-- pglz, 0.55 s with lz4). lz4 compresses several times faster for about the same space.
-- Only new values use it; stored ones stay readable as they are. Servers built without
-- lz4 keep pglz. Additive: older workers write through the same columns.
DO $$
BEGIN
    IF 'lz4' = ANY (SELECT unnest(enumvals) FROM pg_settings
                    WHERE name = 'default_toast_compression') THEN
        ALTER TABLE articles ALTER COLUMN text SET COMPRESSION lz4;
        ALTER TABLE articles ALTER COLUMN tsv SET COMPRESSION lz4;
        ALTER TABLE statements ALTER COLUMN tsv SET COMPRESSION lz4;
    END IF;
END
$$;
