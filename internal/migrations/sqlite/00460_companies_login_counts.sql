-- +goose Up
-- The companies login limiter's counts, shared by every replica on the
-- database (companies.SharedLoginAttempts). Times are Unix nanoseconds, the
-- same on both engines; rows idle for two windows are purged.
CREATE TABLE companies_login_counts (
    login_key TEXT PRIMARY KEY,
    n         INTEGER NOT NULL,
    pending   INTEGER NOT NULL,
    since_ns  INTEGER NOT NULL,
    last_ns   INTEGER NOT NULL
);
CREATE INDEX companies_login_counts_last ON companies_login_counts (last_ns);

-- +goose Down
DROP TABLE companies_login_counts;
