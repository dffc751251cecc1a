-- +goose Up
-- The audit log records LGPD erasures of a company's contact as their own
-- action. SQLite cannot change a CHECK, so the table is rebuilt (no other
-- table references it); ids are kept.
CREATE TABLE companies_audit_rebuilt (
    id         INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    user_email TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'erase')),
    changes    TEXT NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO companies_audit_rebuilt SELECT id, company_id, user_id, user_email, action, changes, created_at FROM companies_audit;
DROP TABLE companies_audit;
ALTER TABLE companies_audit_rebuilt RENAME TO companies_audit;
CREATE INDEX companies_audit_company ON companies_audit (company_id, id);

-- +goose Down
CREATE TABLE companies_audit_rebuilt (
    id         INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    user_email TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    changes    TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- An erasure was an update of the contact fields.
INSERT INTO companies_audit_rebuilt SELECT id, company_id, user_id, user_email,
    CASE action WHEN 'erase' THEN 'update' ELSE action END, changes, created_at FROM companies_audit;
DROP TABLE companies_audit;
ALTER TABLE companies_audit_rebuilt RENAME TO companies_audit;
CREATE INDEX companies_audit_company ON companies_audit (company_id, id);
