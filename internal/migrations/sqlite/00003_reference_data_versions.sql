-- +goose Up
-- The version (a hash) of each embedded reference data set last copied
-- into this database: when the binary's differs, the next start updates the
-- reference rows (migrations.syncReference); when equal, it does nothing.
CREATE TABLE reference_data (
    dataset    TEXT PRIMARY KEY,
    version    TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- +goose Down
DROP TABLE reference_data;
