-- The statements of a batch are written before its speaker and quote decisions are final
-- (src/postgres/write.rs, "two passes"): the first pass links them to the quotes it
-- decided without the stripes, which may be quotes not yet written (reserved ids) or
-- since merged away, and the second pass corrects them under the stripes. A foreign key
-- checked per row at insert would refuse those links (and cost ~3.5 µs a row), so the
-- writer checks instead, once per batch under the stripes: every quote its statements
-- finally point at exists, and is key-share locked until commit, as the key's check did.
-- Safe with older workers running: they never rely on this key failing.
ALTER TABLE statements DROP CONSTRAINT IF EXISTS statements_quote_id_fkey;
