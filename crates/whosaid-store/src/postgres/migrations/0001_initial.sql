-- whosaid-store PostgreSQL schema, version 1: the same logical schema as the SQLite
-- backend's migrations/0001_initial.sql (same tables, columns and meanings), with
-- PostgreSQL types. Dates stay ISO-8601 TEXT ('YYYY-MM-DD') and timestamps RFC 3339 TEXT
-- so both backends sort and compare them the same way. Case-insensitive columns
-- (SQLite's NOCASE) are compared through lower() with expression indexes. Full text:
-- generated tsvector columns ('simple' configuration: no stemming, no stop words, like
-- FTS5's unicode61) with GIN indexes, instead of FTS5 tables.

CREATE TABLE syndication_groups (
    id              BIGSERIAL PRIMARY KEY,
    credit          TEXT,
    first_article   BIGINT,
    first_published TEXT COLLATE "C",
    size            BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE articles (
    id                BIGSERIAL PRIMARY KEY,
    key               TEXT NOT NULL UNIQUE,
    ext_id            TEXT NOT NULL,
    url               TEXT,
    canonical_url     TEXT,
    source            TEXT,
    outlet            TEXT,
    title             TEXT,
    published         TEXT COLLATE "C",
    credit            TEXT,
    text              TEXT NOT NULL,
    text_hash         TEXT NOT NULL,
    minhash           BYTEA,
    syndication_group BIGINT REFERENCES syndication_groups(id) ON DELETE SET NULL,
    ingested_at       TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    tsv               tsvector GENERATED ALWAYS AS
                        (to_tsvector('simple', coalesce(title, '') || ' ' || text)) STORED
);
CREATE INDEX articles_ext_id ON articles(ext_id);
CREATE INDEX articles_text_hash ON articles(text_hash);
CREATE INDEX articles_group ON articles(syndication_group);
CREATE INDEX articles_outlet ON articles(lower(outlet));
CREATE INDEX articles_tsv ON articles USING GIN (tsv);

CREATE TABLE lsh_buckets (
    bucket     BIGINT NOT NULL,
    article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (bucket, article_id)
);
CREATE INDEX lsh_buckets_article ON lsh_buckets(article_id);

CREATE TABLE speakers (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    given      TEXT,
    surname    TEXT NOT NULL,
    surname3   TEXT NOT NULL,
    first_seen TEXT COLLATE "C",
    last_seen  TEXT COLLATE "C"
);
CREATE INDEX speakers_surname ON speakers(kind, surname);
CREATE INDEX speakers_surname3 ON speakers(kind, surname3);
CREATE INDEX speakers_name ON speakers(lower(name));

CREATE TABLE speaker_aliases (
    speaker_id BIGINT NOT NULL REFERENCES speakers(id) ON DELETE CASCADE,
    alias      TEXT NOT NULL,
    count      BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX speaker_aliases_pk ON speaker_aliases(speaker_id, lower(alias));
CREATE INDEX speaker_aliases_alias ON speaker_aliases(lower(alias));

CREATE TABLE speaker_roles (
    speaker_id BIGINT NOT NULL REFERENCES speakers(id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    first_seen TEXT COLLATE "C",
    last_seen  TEXT COLLATE "C",
    count      BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX speaker_roles_pk ON speaker_roles(speaker_id, lower(role));

CREATE TABLE quotes (
    id         BIGSERIAL PRIMARY KEY,
    norm       TEXT NOT NULL,
    text       TEXT NOT NULL,
    first_seen TEXT COLLATE "C"
);
CREATE TABLE quote_keys (
    hash     BIGINT PRIMARY KEY,
    quote_id BIGINT NOT NULL REFERENCES quotes(id) ON DELETE CASCADE
);
CREATE INDEX quote_keys_quote ON quote_keys(quote_id);
CREATE TABLE quote_prints (
    print    BIGINT NOT NULL,
    quote_id BIGINT NOT NULL REFERENCES quotes(id) ON DELETE CASCADE,
    PRIMARY KEY (print, quote_id)
);
CREATE INDEX quote_prints_quote ON quote_prints(quote_id);

CREATE TABLE statements (
    id             BIGSERIAL PRIMARY KEY,
    article_id     BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx            BIGINT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('direct', 'indirect', 'mixed')),
    text           TEXT NOT NULL,
    start          BIGINT NOT NULL,
    "end"          BIGINT NOT NULL,
    cue_text       TEXT,
    cue_start      BIGINT,
    cue_end        BIGINT,
    speaker_name   TEXT,
    speaker_kind   TEXT,
    speaker_role   TEXT,
    speaker_id     BIGINT REFERENCES speakers(id) ON DELETE SET NULL,
    speaker_start  BIGINT,
    speaker_end    BIGINT,
    entity_idx     BIGINT,
    said_on        TEXT COLLATE "C",
    sort_date      TEXT COLLATE "C" NOT NULL,
    confidence     REAL NOT NULL,
    quote_id       BIGINT REFERENCES quotes(id) ON DELETE SET NULL,
    tsv            tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED
);
CREATE INDEX statements_article ON statements(article_id);
CREATE INDEX statements_sort ON statements(sort_date, id);
CREATE INDEX statements_speaker ON statements(speaker_id, sort_date);
CREATE INDEX statements_quote ON statements(quote_id);
CREATE INDEX statements_speaker_name ON statements(lower(speaker_name));
CREATE INDEX statements_tsv ON statements USING GIN (tsv);

CREATE TABLE entities (
    id         BIGSERIAL PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx        BIGINT NOT NULL,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    roles      TEXT NOT NULL,
    mentions   TEXT NOT NULL,
    speaker_id BIGINT REFERENCES speakers(id) ON DELETE SET NULL
);
CREATE INDEX entities_article ON entities(article_id);

CREATE TABLE feeds (
    url           TEXT PRIMARY KEY,
    etag          TEXT,
    last_modified TEXT,
    checked_at    TEXT
);
