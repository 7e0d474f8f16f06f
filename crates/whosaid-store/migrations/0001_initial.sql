-- whosaid-store schema, version 1. Dates are ISO-8601 TEXT ('YYYY-MM-DD'); timestamps are
-- RFC 3339 TEXT in UTC. Offsets (start/end) count Unicode code points into articles.text.

CREATE TABLE syndication_groups (
    id              INTEGER PRIMARY KEY,
    credit          TEXT,             -- wire service credited by any member ("Reuters")
    first_article   INTEGER,          -- earliest member (by published, then id)
    first_published TEXT,
    size            INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE articles (
    id                INTEGER PRIMARY KEY,
    key               TEXT NOT NULL UNIQUE,  -- 'url:' || canonical URL, else 'text:' || text_hash
    ext_id            TEXT NOT NULL,         -- Article::id as the source gave it
    url               TEXT,
    canonical_url     TEXT,
    source            TEXT,
    outlet            TEXT,                  -- source, else the URL's host
    title             TEXT,
    published         TEXT,
    credit            TEXT,
    text              TEXT NOT NULL,
    text_hash         TEXT NOT NULL,         -- blake3 of the normalised text, hex
    minhash           BLOB,                  -- MinHash signature (little-endian u32s)
    syndication_group INTEGER REFERENCES syndication_groups(id) ON DELETE SET NULL,
    ingested_at       TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX articles_ext_id ON articles(ext_id);
CREATE INDEX articles_text_hash ON articles(text_hash);
CREATE INDEX articles_group ON articles(syndication_group);
CREATE INDEX articles_outlet ON articles(outlet COLLATE NOCASE);

-- LSH buckets of each article's MinHash signature: one row per band.
CREATE TABLE lsh_buckets (
    bucket     INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (bucket, article_id)
) WITHOUT ROWID;
CREATE INDEX lsh_buckets_article ON lsh_buckets(article_id);

-- Corpus-level speakers: one row per person or organisation, merged across articles.
CREATE TABLE speakers (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,      -- display name, titles removed
    kind       TEXT NOT NULL,      -- person | organization | unknown
    given      TEXT,               -- normalised first name; NULL for a surname-only speaker
    surname    TEXT NOT NULL,      -- normalised surname (persons) or whole name (organisations)
    surname3   TEXT NOT NULL,      -- first three letters of surname, for fuzzy candidates
    first_seen TEXT,
    last_seen  TEXT
);
CREATE INDEX speakers_surname ON speakers(kind, surname);
CREATE INDEX speakers_surname3 ON speakers(kind, surname3);

CREATE TABLE speaker_aliases (
    speaker_id INTEGER NOT NULL REFERENCES speakers(id) ON DELETE CASCADE,
    alias      TEXT NOT NULL COLLATE NOCASE,
    count      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (speaker_id, alias)
) WITHOUT ROWID;
CREATE INDEX speaker_aliases_alias ON speaker_aliases(alias COLLATE NOCASE);

CREATE TABLE speaker_roles (
    speaker_id INTEGER NOT NULL REFERENCES speakers(id) ON DELETE CASCADE,
    role       TEXT NOT NULL COLLATE NOCASE,
    first_seen TEXT,
    last_seen  TEXT,
    count      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (speaker_id, role)
) WITHOUT ROWID;

-- Repeated quotes: one row per quote; statements point at it (occurrences).
CREATE TABLE quotes (
    id         INTEGER PRIMARY KEY,
    norm       TEXT NOT NULL,      -- normalised text of the longest form seen
    text       TEXT NOT NULL,      -- that form as written
    first_seen TEXT
);
-- Every normalised form seen (the quote itself and its excerpts) → its quote.
CREATE TABLE quote_keys (
    hash     INTEGER PRIMARY KEY,  -- xxh3-64 of the normalised form
    quote_id INTEGER NOT NULL REFERENCES quotes(id) ON DELETE CASCADE
);
CREATE INDEX quote_keys_quote ON quote_keys(quote_id);
-- Winnowed word-shingle fingerprints, to find excerpts contained in longer quotes.
CREATE TABLE quote_prints (
    print    INTEGER NOT NULL,
    quote_id INTEGER NOT NULL REFERENCES quotes(id) ON DELETE CASCADE,
    PRIMARY KEY (print, quote_id)
) WITHOUT ROWID;
CREATE INDEX quote_prints_quote ON quote_prints(quote_id);

CREATE TABLE statements (
    id             INTEGER PRIMARY KEY,
    article_id     INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx            INTEGER NOT NULL,            -- position in Extraction::statements
    kind           TEXT NOT NULL CHECK (kind IN ('direct', 'indirect', 'mixed')),
    text           TEXT NOT NULL,
    start          INTEGER NOT NULL,
    "end"          INTEGER NOT NULL,
    cue_text       TEXT,
    cue_start      INTEGER,
    cue_end        INTEGER,
    speaker_name   TEXT,                        -- as the extractor named the speaker
    speaker_kind   TEXT,
    speaker_role   TEXT,
    speaker_id     INTEGER REFERENCES speakers(id) ON DELETE SET NULL,  -- NULL: unresolved
    speaker_start  INTEGER,                     -- the mention this attribution used
    speaker_end    INTEGER,
    entity_idx     INTEGER,                     -- index into the article's entities
    said_on        TEXT,
    sort_date      TEXT NOT NULL,               -- said_on, else article published, else ''
    confidence     REAL NOT NULL,
    quote_id       INTEGER REFERENCES quotes(id) ON DELETE SET NULL
);
CREATE INDEX statements_article ON statements(article_id);
CREATE INDEX statements_sort ON statements(sort_date, id);
CREATE INDEX statements_speaker ON statements(speaker_id, sort_date);
CREATE INDEX statements_quote ON statements(quote_id);
CREATE INDEX statements_speaker_name ON statements(speaker_name COLLATE NOCASE);

-- Entities of each article (the core's in-article merge), mentions as JSON [[start,end],…].
CREATE TABLE entities (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx        INTEGER NOT NULL,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    roles      TEXT NOT NULL,      -- JSON array of strings
    mentions   TEXT NOT NULL,      -- JSON array of [start, end]
    speaker_id INTEGER REFERENCES speakers(id) ON DELETE SET NULL
);
CREATE INDEX entities_article ON entities(article_id);

-- Conditional-GET state per feed URL.
CREATE TABLE feeds (
    url           TEXT PRIMARY KEY,
    etag          TEXT,
    last_modified TEXT,
    checked_at    TEXT
);

-- Full-text indexes over external content. The store writes them explicitly (not by
-- triggers): each row is added at the end of its batch's transaction, and removed with
-- FTS5's 'delete' command before its content row is deleted. Triggers would make every
-- later statement in the transaction flush FTS5's pending index (a savepoint each),
-- which made ingest ~10× slower.
CREATE VIRTUAL TABLE statements_fts USING fts5(
    text, content='statements', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, content='articles', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
