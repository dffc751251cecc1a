-- +goose Up
-- The orphan-file sweep asks which stored files no record names.
CREATE INDEX storefront_subscription_files_blob ON storefront_subscription_files (blob_key);

-- +goose Down
DROP INDEX storefront_subscription_files_blob;
