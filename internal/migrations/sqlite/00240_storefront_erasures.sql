-- +goose Up
-- One row per LGPD erasure of a subscription's data subject: who asked
-- (the admin token, named by a prefix of its hash), when, and which fields
-- went (a JSON array of the API's attribute names). It holds no personal
-- data itself, and goes with the subscription.
CREATE TABLE storefront_subscription_erasures (
    id INTEGER PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES storefront_subscriptions (id) ON DELETE CASCADE,
    erased_at       TEXT NOT NULL,
    erased_by       TEXT NOT NULL,
    fields          TEXT NOT NULL
);
CREATE INDEX storefront_subscription_erasures_subscription ON storefront_subscription_erasures (subscription_id, erased_at);

-- +goose Down
DROP TABLE storefront_subscription_erasures;
