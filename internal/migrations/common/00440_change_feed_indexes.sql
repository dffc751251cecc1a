-- +goose Up
-- The change feeds (?updated_since=) read each owner's rows in update
-- order from a point in time: one range scan per feed.
CREATE INDEX energy_leads_partner_updated ON energy_leads (partner_id, updated_at, id);
CREATE INDEX storefront_subscriptions_provider_updated ON storefront_subscriptions (provider_id, updated_at, id);
CREATE INDEX companies_account_updated ON companies (account_id, updated_at, id);

-- +goose Down
DROP INDEX companies_account_updated;
DROP INDEX storefront_subscriptions_provider_updated;
DROP INDEX energy_leads_partner_updated;
