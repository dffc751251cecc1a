-- +goose Up
-- The SQLite migration of this version makes company ids never reused
-- after a delete; PostgreSQL's identity sequence never reuses them
-- already. Kept so both engines list the same versions.
SELECT 1;

-- +goose Down
SELECT 1;
