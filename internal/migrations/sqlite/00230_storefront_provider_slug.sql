-- +goose Up
-- A provider's storefront pages live at /loja/{slug} (issue 15). NULL: no
-- pages yet; the unique index keeps two providers from sharing one.
ALTER TABLE storefront_providers ADD COLUMN slug TEXT;
CREATE UNIQUE INDEX storefront_providers_slug ON storefront_providers (slug);

-- +goose Down
DROP INDEX storefront_providers_slug;
ALTER TABLE storefront_providers DROP COLUMN slug;
