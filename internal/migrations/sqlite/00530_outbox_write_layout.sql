-- +goose Up
-- Fewer and smaller pages per keyed, announced change (issue 12: a create
-- with webhooks and an Idempotency-Key costs at most a fifth more than one
-- without).
--
-- An idempotency key's record holds the first answer (a lead's is about
-- 1.2 KiB). In a WITHOUT ROWID table a row past about 1,000 bytes of a
-- 4 KiB page spills into an overflow page of its own, so every key wrote a
-- fresh page: 17,057 keys took 19,401 pages, 17,057 of them overflow. In a
-- rowid table the record stays in its leaf (three to a page), and the
-- (owner, idem_key) lookup moves to a small unique index.
CREATE TABLE idempotency_keys_rebuilt (
    owner        TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    resource     TEXT NOT NULL DEFAULT '',
    status       INTEGER,
    content_type TEXT NOT NULL DEFAULT '',
    location     TEXT NOT NULL DEFAULT '',
    body         BLOB,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    UNIQUE (owner, idem_key)
);
INSERT INTO idempotency_keys_rebuilt
    SELECT owner, idem_key, fingerprint, resource, status, content_type, location, body, created_at, expires_at
    FROM idempotency_keys;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_rebuilt RENAME TO idempotency_keys;
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);

-- A delivery's uniqueness is keyed by event first, so the same index
-- serves the cascade from a pruned event, and webhook_deliveries_event (a
-- sixth b-tree written by every delivery) goes. SQLite cannot change a
-- table's constraints, so the table is rebuilt (no table references it).
CREATE TABLE webhook_deliveries_rebuilt (
    id              TEXT PRIMARY KEY,
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    lease_until     TEXT,
    last_attempt_at TEXT,
    last_status     INTEGER NOT NULL DEFAULT 0, -- HTTP status of the last answer; 0: none
    last_error      TEXT NOT NULL DEFAULT '',
    last_response   TEXT NOT NULL DEFAULT '', -- the first 4 KiB of the last answer's body
    created_at      TEXT NOT NULL,
    UNIQUE (event_id, endpoint_id)
);
INSERT INTO webhook_deliveries_rebuilt
    SELECT id, endpoint_id, event_id, state, attempts, next_attempt_at, lease_until, last_attempt_at,
        last_status, last_error, last_response, created_at
    FROM webhook_deliveries;
DROP TABLE webhook_deliveries;
ALTER TABLE webhook_deliveries_rebuilt RENAME TO webhook_deliveries;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);

-- +goose Down
CREATE TABLE webhook_deliveries_rebuilt (
    id              TEXT PRIMARY KEY,
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    lease_until     TEXT,
    last_attempt_at TEXT,
    last_status     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    last_response   TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    UNIQUE (endpoint_id, event_id)
);
INSERT INTO webhook_deliveries_rebuilt
    SELECT id, endpoint_id, event_id, state, attempts, next_attempt_at, lease_until, last_attempt_at,
        last_status, last_error, last_response, created_at
    FROM webhook_deliveries;
DROP TABLE webhook_deliveries;
ALTER TABLE webhook_deliveries_rebuilt RENAME TO webhook_deliveries;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);

CREATE TABLE idempotency_keys_rebuilt (
    owner        TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    resource     TEXT NOT NULL DEFAULT '',
    status       INTEGER,
    content_type TEXT NOT NULL DEFAULT '',
    location     TEXT NOT NULL DEFAULT '',
    body         BLOB,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    PRIMARY KEY (owner, idem_key)
) WITHOUT ROWID;
INSERT INTO idempotency_keys_rebuilt
    SELECT owner, idem_key, fingerprint, resource, status, content_type, location, body, created_at, expires_at
    FROM idempotency_keys;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_rebuilt RENAME TO idempotency_keys;
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);
