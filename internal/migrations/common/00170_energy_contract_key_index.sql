-- +goose Up
-- The orphan-file sweep asks which stored files no record names; contract
-- PDFs are named by energy_leads.contract_key.
CREATE INDEX energy_leads_contract_key ON energy_leads (contract_key) WHERE contract_key IS NOT NULL;

-- +goose Down
DROP INDEX energy_leads_contract_key;
