-- +goose Up
-- Companies API (seed 004): integer ids, as the seed shows. Absent text
-- values are stored as '' (the API shows them as null).
CREATE TABLE companies_accounts (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    type       TEXT NOT NULL CHECK (type IN ('cliente', 'gestao')),
    manager_id INTEGER REFERENCES companies_accounts (id),
    created_at TEXT NOT NULL
);
CREATE INDEX companies_accounts_manager ON companies_accounts (manager_id);

-- A super admin has no account; every other user has one.
CREATE TABLE companies_users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    account_id    INTEGER REFERENCES companies_accounts (id),
    super_admin   INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    CHECK ((super_admin = 1) = (account_id IS NULL))
);

-- Only the SHA-256 of a token is kept.
CREATE TABLE companies_tokens (
    token_hash BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES companies_users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX companies_tokens_user ON companies_tokens (user_id);

CREATE TABLE companies (
    id                      INTEGER PRIMARY KEY,
    account_id              INTEGER NOT NULL REFERENCES companies_accounts (id),
    parent_id               INTEGER REFERENCES companies (id),
    name                    TEXT NOT NULL,
    name_folded             TEXT NOT NULL,
    external_id             TEXT NOT NULL DEFAULT '',
    unit_code               TEXT NOT NULL DEFAULT '',
    cnpj                    TEXT NOT NULL DEFAULT '',
    corporate_name          TEXT NOT NULL DEFAULT '',
    address                 TEXT NOT NULL DEFAULT '',
    number                  TEXT NOT NULL DEFAULT '',
    complement              TEXT NOT NULL DEFAULT '',
    district                TEXT NOT NULL DEFAULT '',
    zip_code                TEXT NOT NULL DEFAULT '',
    cnae                    TEXT NOT NULL DEFAULT '',
    city_id                 INTEGER NOT NULL REFERENCES municipalities (ibge_code),
    state_id                INTEGER NOT NULL REFERENCES states (ibge_code),
    contact_name            TEXT NOT NULL DEFAULT '',
    contact_telephone       TEXT NOT NULL DEFAULT '',
    contact_cellphone       TEXT NOT NULL DEFAULT '',
    contact_email           TEXT NOT NULL DEFAULT '',
    code_ibge               INTEGER,
    energy_demands_peak     TEXT NOT NULL DEFAULT '[]',
    energy_demands_off_peak TEXT NOT NULL DEFAULT '[]',
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL
);
-- Lists are always scoped by account (except a super admin's) and sorted
-- by id or folded name.
CREATE INDEX companies_account_id ON companies (account_id, id);
CREATE INDEX companies_account_name ON companies (account_id, name_folded, id);
CREATE INDEX companies_name ON companies (name_folded, id);
CREATE INDEX companies_parent ON companies (parent_id);
CREATE INDEX companies_external ON companies (external_id, account_id);

-- No foreign key to companies: the log outlives the companies it is about.
CREATE TABLE companies_audit (
    id         INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    user_email TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    changes    TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX companies_audit_company ON companies_audit (company_id, id);

-- +goose Down
DROP TABLE companies_audit;
DROP TABLE companies;
DROP TABLE companies_tokens;
DROP TABLE companies_users;
DROP TABLE companies_accounts;
