-- +goose Up
-- Idempotency-Key records (internal/idempotency): one per credential and
-- key, inserted in the transaction of the change it guards; status is NULL
-- until the first answer is stored right after. Times are fixed-width UTC
-- text, so the sweep's range scan on expires_at is time order.
CREATE TABLE idempotency_keys (
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
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
