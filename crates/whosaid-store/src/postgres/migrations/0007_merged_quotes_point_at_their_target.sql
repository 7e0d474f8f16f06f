-- An excerpt stored before its full quote, once merged into it, stays as a row pointing
-- at the quote (merged_into, always the live one: merging a quote re-points the rows
-- merged into it) instead of having every one of its statements moved and being deleted.
-- Moving them was 14 % of the server's time on the write path in scale_bench (non-HOT
-- updates of each statement of a stored excerpt, ~27,000 per 10,000 articles). Reads
-- resolve a statement's quote as COALESCE(merged_into, quote_id); stats count live quotes.
-- Not additive for writers: a schema-6 worker would move statements and delete quotes
-- without knowing the pointers, so stop the old workers before the first new one starts.
ALTER TABLE quotes ADD COLUMN merged_into BIGINT;
CREATE INDEX quotes_merged_into ON quotes (merged_into) WHERE merged_into IS NOT NULL;
