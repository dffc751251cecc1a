-- +goose Up
-- Each account counts the changes to its companies, so a company list can
-- keep the exact total it counted for as long as the account's version
-- stays the same (storesql.CompanyTotals): a search most names match read
-- every company of the account to count them, on every request. Triggers
-- bump it, so no write path can forget to; they run once per statement,
-- so a bulk insert updates each account once. The account's row is locked
-- by every change of its companies already (UpdateCompanies), so the
-- update adds no wait. Accounts are never deleted, so an (account,
-- version) pair never names two states.
ALTER TABLE companies_accounts ADD COLUMN companies_version bigint NOT NULL DEFAULT 0;

-- +goose StatementBegin
CREATE FUNCTION companies_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE companies_accounts SET companies_version = companies_version + 1
            WHERE id IN (SELECT account_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE companies_accounts SET companies_version = companies_version + 1
            WHERE id IN (SELECT account_id FROM old_rows);
    ELSE
        UPDATE companies_accounts SET companies_version = companies_version + 1
            WHERE id IN (SELECT account_id FROM old_rows UNION SELECT account_id FROM new_rows);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER companies_version_insert AFTER INSERT ON companies
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION companies_version_bump();
CREATE TRIGGER companies_version_update AFTER UPDATE ON companies
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION companies_version_bump();
CREATE TRIGGER companies_version_delete AFTER DELETE ON companies
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION companies_version_bump();

-- +goose Down
DROP TRIGGER companies_version_delete ON companies;
DROP TRIGGER companies_version_update ON companies;
DROP TRIGGER companies_version_insert ON companies;
DROP FUNCTION companies_version_bump();
ALTER TABLE companies_accounts DROP COLUMN companies_version;
