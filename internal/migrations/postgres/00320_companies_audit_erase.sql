-- +goose Up
-- The audit log records LGPD erasures of a company's contact as their own
-- action.
ALTER TABLE companies_audit DROP CONSTRAINT companies_audit_action_check,
    ADD CONSTRAINT companies_audit_action_check CHECK (action IN ('create', 'update', 'delete', 'erase'));

-- +goose Down
-- An erasure was an update of the contact fields.
UPDATE companies_audit SET action = 'update' WHERE action = 'erase';
ALTER TABLE companies_audit DROP CONSTRAINT companies_audit_action_check,
    ADD CONSTRAINT companies_audit_action_check CHECK (action IN ('create', 'update', 'delete'));
