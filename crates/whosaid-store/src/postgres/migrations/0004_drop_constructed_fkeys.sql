-- Cheaper statement, entity and bucket inserts (docs/scale-out.md, "Capacity model").
-- These foreign keys were checked once per inserted row (an index probe and a row lock
-- on the parent: ~30 % of the statements INSERT, ~20 % of the articles-and-buckets one)
-- and are satisfied by construction in every writer of this schema: the rows are written
-- in the transaction that inserts or keeps their article, speakers are never deleted,
-- and articles are never deleted either (a replaced article keeps its id and has its
-- statements, entities and buckets deleted explicitly first). Their ON DELETE actions
-- therefore never fire. statements.quote_id keeps its key: quotes are deleted (merged
-- excerpts, quotes left without statements by a replacement) while another writer may be
-- pointing a new statement at one, and the check turns that race into a retried batch.
-- Safe with older workers running: they never rely on these checks failing.
ALTER TABLE statements DROP CONSTRAINT IF EXISTS statements_article_id_fkey;
ALTER TABLE statements DROP CONSTRAINT IF EXISTS statements_speaker_id_fkey;
ALTER TABLE entities DROP CONSTRAINT IF EXISTS entities_article_id_fkey;
ALTER TABLE entities DROP CONSTRAINT IF EXISTS entities_speaker_id_fkey;
ALTER TABLE lsh_buckets DROP CONSTRAINT IF EXISTS lsh_buckets_article_id_fkey;
