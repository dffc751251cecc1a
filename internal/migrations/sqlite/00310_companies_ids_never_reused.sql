-- +goose NO TRANSACTION
-- +goose Up
-- A company id, once given, is never given again: the audit log is keyed by
-- it. INTEGER PRIMARY KEY alone reuses the highest id after a delete;
-- AUTOINCREMENT does not. SQLite cannot add AUTOINCREMENT to a table, so
-- the table is rebuilt (SQLite's documented procedure, foreign keys off
-- while the old table is dropped), keeping every id, and the sequence
-- starts past every id the audit log has seen, deleted companies included.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE companies_rebuilt (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO companies_rebuilt SELECT * FROM companies;
DROP TABLE companies;
ALTER TABLE companies_rebuilt RENAME TO companies;
CREATE INDEX companies_account_id ON companies (account_id, id);
CREATE INDEX companies_account_name ON companies (account_id, name_folded, id);
CREATE INDEX companies_name ON companies (name_folded, id);
CREATE INDEX companies_parent ON companies (parent_id);
CREATE INDEX companies_external ON companies (external_id, account_id);
-- Copying the rows made the sequence row (at the highest live id) unless
-- the table was empty.
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'companies', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'companies');
UPDATE sqlite_sequence
    SET seq = max(seq, coalesce((SELECT max(company_id) FROM companies_audit), 0))
    WHERE name = 'companies';
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
-- No way back: ids given must stay given.
SELECT 1;
