-- +goose Up
-- Provider admin tokens expire and can be revoked (issue 10 #7). Tokens
-- issued before keep no expiry: revoke them to end them.
ALTER TABLE storefront_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE storefront_tokens ADD COLUMN revoked_at TEXT;

-- +goose Down
ALTER TABLE storefront_tokens DROP COLUMN revoked_at;
ALTER TABLE storefront_tokens DROP COLUMN expires_at;
