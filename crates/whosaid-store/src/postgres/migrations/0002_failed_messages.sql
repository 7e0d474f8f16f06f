-- Scale-out bookkeeping (no SQLite counterpart): messages a worker gave up on after the
-- stream's max_deliver, kept with their payload so `whosaid failed --retry ID` can
-- resubmit them.
CREATE TABLE failed_messages (
    id          BIGSERIAL PRIMARY KEY,
    msg_id      TEXT,              -- Nats-Msg-Id (the article's identity), if any
    subject     TEXT NOT NULL,
    payload     BYTEA NOT NULL,
    error       TEXT NOT NULL,
    deliveries  BIGINT NOT NULL,
    failed_at   TEXT NOT NULL,
    retried_at  TEXT
);
CREATE INDEX failed_messages_open ON failed_messages(retried_at, id);
