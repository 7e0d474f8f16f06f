-- Cheaper statement and article inserts (docs/scale-out.md, "Capacity model"). Safe with
-- older workers running: no query names an index, and both changes keep every plan the
-- reads use.
--
-- lower(speaker_name) is only searched for statements without a resolved speaker
-- (`speaker_id IS NULL AND lower(speaker_name) = …`, a BitmapOr arm beside
-- statements_speaker): a partial index serves that and costs nothing for the statements
-- that have a speaker (~99 % of them), where the full index was one more B-tree entry per
-- statement (~8 % of the statements INSERT).
CREATE INDEX statements_unresolved_name ON statements (lower(speaker_name))
    WHERE speaker_id IS NULL;
DROP INDEX statements_speaker_name;
-- Nothing looks articles up by text hash (identity is `key`; the hash is only compared
-- once the row is found by key).
DROP INDEX articles_text_hash;
