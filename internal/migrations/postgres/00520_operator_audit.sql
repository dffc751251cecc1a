-- +goose Up
-- The operator console's audit trail (internal/audit): one row per change,
-- inserted in the change's own transaction; changes is a JSON list of
-- {Field, Before, After}, never a secret.
CREATE TABLE operator_audit (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      TIMESTAMPTZ NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT NOT NULL,
    changes TEXT NOT NULL
);

-- +goose Down
DROP TABLE operator_audit;
