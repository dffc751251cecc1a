-- +goose Up
-- A signature belongs to one contract version, named by its document's
-- SHA-256: the same representative may sign a later contract of the same
-- lead.
ALTER TABLE energy_lead_signatures DROP CONSTRAINT energy_lead_signatures_pkey;
ALTER TABLE energy_lead_signatures ADD PRIMARY KEY (lead_id, contract_sha256, signer_cpf);


-- +goose Down
-- Only the latest signature of each signer fits the old key.
DELETE FROM energy_lead_signatures s USING energy_lead_signatures t
    WHERE s.lead_id = t.lead_id AND s.signer_cpf = t.signer_cpf AND s.signed_at < t.signed_at;
ALTER TABLE energy_lead_signatures DROP CONSTRAINT energy_lead_signatures_pkey;
ALTER TABLE energy_lead_signatures ADD PRIMARY KEY (lead_id, signer_cpf);
