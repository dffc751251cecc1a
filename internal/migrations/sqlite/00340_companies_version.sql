-- +goose Up
-- Each account counts the changes to its companies, so a company list can
-- keep the exact total it counted for as long as the account's version
-- stays the same (storesql.CompanyTotals): a search most names match read
-- every company of the account to count them, on every request. Triggers
-- bump it, so no write path can forget to. Accounts are never deleted, so
-- an (account, version) pair never names two states.
ALTER TABLE companies_accounts ADD COLUMN companies_version INTEGER NOT NULL DEFAULT 0;

-- +goose StatementBegin
CREATE TRIGGER companies_version_insert AFTER INSERT ON companies BEGIN
    UPDATE companies_accounts SET companies_version = companies_version + 1 WHERE id = new.account_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER companies_version_update AFTER UPDATE ON companies BEGIN
    UPDATE companies_accounts SET companies_version = companies_version + 1 WHERE id IN (old.account_id, new.account_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER companies_version_delete AFTER DELETE ON companies BEGIN
    UPDATE companies_accounts SET companies_version = companies_version + 1 WHERE id = old.account_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER companies_version_delete;
DROP TRIGGER companies_version_update;
DROP TRIGGER companies_version_insert;
ALTER TABLE companies_accounts DROP COLUMN companies_version;
