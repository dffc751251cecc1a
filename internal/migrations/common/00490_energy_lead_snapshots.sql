-- +goose Up
-- A lead's GET answer, stored with the lead by the write that made it
-- (issue 13: the lead GET reads one column instead of the lead's 45 and
-- its children, and encodes nothing). NULL where no answer is stored: leads
-- written before this column, and leads holding a contract, whose answer
-- carries links made from the service's public URL and the signer's token.
ALTER TABLE energy_leads ADD COLUMN snapshot TEXT;

-- +goose Down
ALTER TABLE energy_leads DROP COLUMN snapshot;
