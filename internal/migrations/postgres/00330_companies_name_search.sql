-- +goose Up
-- The companies' _q search (a fragment of the folded name) through a
-- trigram index: pg_trgm's GIN operator class serves LIKE '%…%' on
-- name_folded, which read every company. pg_trgm is a trusted extension:
-- the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX companies_name_trigrams ON companies USING gin (name_folded gin_trgm_ops);

-- +goose Down
DROP INDEX companies_name_trigrams;
