-- +goose Up
-- The signers' one-time codes for the current contract, a JSON array of
-- {cpf, mac, expiresAt, sentAt, sends, failures}: the code itself is never
-- stored, only its HMAC under the service's secret key. Replaced with the
-- contract, read and written only with its lead.
ALTER TABLE energy_leads ADD COLUMN sign_codes TEXT NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE energy_leads DROP COLUMN sign_codes;
