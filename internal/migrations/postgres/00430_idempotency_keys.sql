-- +goose Up
-- Idempotency-Key records (internal/idempotency): one per credential and
-- key, inserted in the transaction of the change it guards; status is NULL
-- until the first answer is stored right after.
CREATE TABLE idempotency_keys (
    owner        text NOT NULL,
    idem_key     text NOT NULL,
    fingerprint  text NOT NULL,
    resource     text NOT NULL DEFAULT '',
    status       integer,
    content_type text NOT NULL DEFAULT '',
    location     text NOT NULL DEFAULT '',
    body         bytea,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (owner, idem_key)
);
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
