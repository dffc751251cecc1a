-- +goose Up
-- The version (a hash) of each embedded reference data set last copied
-- into this database: when the binary's differs, the next start updates the
-- reference rows (migrations.syncReference); when equal, it does nothing.
CREATE TABLE reference_data (
    dataset    text PRIMARY KEY,
    version    text NOT NULL,
    updated_at text NOT NULL
);

-- +goose Down
DROP TABLE reference_data;
