-- +goose Up
-- A signature belongs to one contract version, named by its document's
-- SHA-256: the same representative may sign a later contract of the same
-- lead. SQLite cannot change a primary key, so the table is rebuilt (no
-- other table references it).
CREATE TABLE energy_lead_signatures_rebuilt (
    lead_id         TEXT NOT NULL REFERENCES energy_leads (id) ON DELETE CASCADE,
    signer_cpf      TEXT NOT NULL,
    signer_name     TEXT NOT NULL,
    signed_at       TEXT NOT NULL,
    ip              TEXT NOT NULL,
    forwarded_for   TEXT NOT NULL,
    user_agent      TEXT NOT NULL,
    contract_sha256 TEXT NOT NULL,
    sign_reference  TEXT NOT NULL,
    PRIMARY KEY (lead_id, contract_sha256, signer_cpf)
);
INSERT INTO energy_lead_signatures_rebuilt
    SELECT lead_id, signer_cpf, signer_name, signed_at, ip, forwarded_for, user_agent, contract_sha256, sign_reference
    FROM energy_lead_signatures;
DROP TABLE energy_lead_signatures;
ALTER TABLE energy_lead_signatures_rebuilt RENAME TO energy_lead_signatures;


-- +goose Down
CREATE TABLE energy_lead_signatures_rebuilt (
    lead_id         TEXT NOT NULL REFERENCES energy_leads (id) ON DELETE CASCADE,
    signer_cpf      TEXT NOT NULL,
    signer_name     TEXT NOT NULL,
    signed_at       TEXT NOT NULL,
    ip              TEXT NOT NULL,
    forwarded_for   TEXT NOT NULL,
    user_agent      TEXT NOT NULL,
    contract_sha256 TEXT NOT NULL,
    sign_reference  TEXT NOT NULL,
    PRIMARY KEY (lead_id, signer_cpf)
);
-- Only the latest signature of each signer fits the old key.
INSERT OR REPLACE INTO energy_lead_signatures_rebuilt
    SELECT lead_id, signer_cpf, signer_name, signed_at, ip, forwarded_for, user_agent, contract_sha256, sign_reference
    FROM energy_lead_signatures ORDER BY signed_at;
DROP TABLE energy_lead_signatures;
ALTER TABLE energy_lead_signatures_rebuilt RENAME TO energy_lead_signatures;
