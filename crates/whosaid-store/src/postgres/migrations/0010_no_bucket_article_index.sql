-- Cheaper bucket inserts (docs/scale-out.md, "Capacity model"). lsh_buckets(article_id)
-- served one statement: removing a replaced article's buckets. The writer now removes
-- them by the buckets of the article's stored signature, through the primary key
-- (bucket, article_id), and the index, a third of the cost of inserting each of an
-- article's 16 buckets (160,000 rows: 0.55-0.60 s without it, 0.86-0.92 s with it),
-- goes. A schema-9 writer would still delete by article_id, correctly but by a scan of
-- the whole table; schema-9 workers stop themselves when this is applied.
DROP INDEX lsh_buckets_article;
