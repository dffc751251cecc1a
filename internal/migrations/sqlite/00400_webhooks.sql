-- +goose Up
-- Webhooks: a transactional outbox. webhook_events rows are inserted in the
-- same transaction as the change they announce; the dispatcher fans each
-- one out into webhook_deliveries (one per matching endpoint of the same
-- owner) and sends them, claiming due deliveries with FOR UPDATE SKIP
-- LOCKED and a lease on PostgreSQL, so several replicas send each delivery
-- once; SQLite has one process and one writer. Times are TEXT in
-- storesql.TimeLayout (fixed-width UTC, so text order is time order).
-- An owner is a surface and an id there: (energy, partner id), (storefront,
-- provider id), (companies, account id).
CREATE TABLE webhook_endpoints (
    id                    TEXT PRIMARY KEY,
    surface               TEXT NOT NULL CHECK (surface IN ('energy', 'storefront', 'companies')),
    owner_id              TEXT NOT NULL,
    url                   TEXT NOT NULL,
    description           TEXT NOT NULL DEFAULT '',
    -- space-separated event types; '' means every event of the owner
    events                TEXT NOT NULL DEFAULT '',
    -- the signing secrets, sealed (secretbox); the previous one signs too
    -- until previous_secret_until
    secret                BLOB NOT NULL,
    previous_secret       BLOB,
    previous_secret_until TEXT,
    -- the first failed attempt since the last success; NULL when healthy
    failing_since         TEXT,
    disabled_at           TEXT,
    disabled_reason       TEXT NOT NULL DEFAULT '',
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE INDEX webhook_endpoints_owner ON webhook_endpoints (surface, owner_id, created_at);

CREATE TABLE webhook_events (
    id            TEXT PRIMARY KEY, -- msg_<UUIDv7>: the webhook-id header
    surface       TEXT NOT NULL,
    owner_id      TEXT NOT NULL,
    type          TEXT NOT NULL,
    data          TEXT NOT NULL, -- the resource's JSON, as its GET answers it
    created_at    TEXT NOT NULL,
    dispatched_at TEXT
);
CREATE INDEX webhook_events_undispatched ON webhook_events (id) WHERE dispatched_at IS NULL;

CREATE TABLE webhook_deliveries (
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
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_events;
DROP TABLE webhook_endpoints;
