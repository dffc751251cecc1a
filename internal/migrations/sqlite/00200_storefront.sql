-- +goose Up
-- ISP storefront. Ids are integers where the seed shows integers (providers,
-- categories, plans, payment methods, coupons) and UUIDs for subscriptions.
-- Child tables carry provider_id and reference their parents by (id,
-- provider_id), so a row can never point at another provider's data.
CREATE TABLE storefront_providers (
    id                     INTEGER PRIMARY KEY,
    name                   TEXT NOT NULL,
    plans_background_color TEXT NOT NULL DEFAULT '',
    intro_font_color       TEXT NOT NULL DEFAULT '',
    footer_color           TEXT NOT NULL DEFAULT '',
    footer_font_color      TEXT NOT NULL DEFAULT '',
    navbar_color           TEXT NOT NULL DEFAULT '',
    wallpaper              TEXT NOT NULL DEFAULT '',
    logo                   TEXT NOT NULL DEFAULT '',
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);

-- origin is normalized: lower-case "scheme://host[:port]", default port dropped.
CREATE TABLE storefront_origins (
    id          INTEGER PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES storefront_providers (id) ON DELETE CASCADE,
    origin      TEXT NOT NULL UNIQUE
);
CREATE INDEX storefront_origins_provider ON storefront_origins (provider_id);

-- Admin tokens are stored as their SHA-256 only.
CREATE TABLE storefront_tokens (
    token_hash  BLOB PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES storefront_providers (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL
);
CREATE INDEX storefront_tokens_provider ON storefront_tokens (provider_id);

CREATE TABLE storefront_due_days (
    provider_id INTEGER NOT NULL REFERENCES storefront_providers (id) ON DELETE CASCADE,
    day         INTEGER NOT NULL CHECK (day BETWEEN 1 AND 31),
    PRIMARY KEY (provider_id, day)
);

CREATE TABLE storefront_categories (
    id          INTEGER PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES storefront_providers (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    sort_order  INTEGER,
    UNIQUE (id, provider_id)
);
CREATE INDEX storefront_categories_provider ON storefront_categories (provider_id);

CREATE TABLE storefront_payment_methods (
    id          INTEGER PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES storefront_providers (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    sort_order  INTEGER,
    UNIQUE (id, provider_id)
);
CREATE INDEX storefront_payment_methods_provider ON storefront_payment_methods (provider_id);

CREATE TABLE storefront_services (
    id          INTEGER PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES storefront_providers (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    sort_order  INTEGER,
    UNIQUE (id, provider_id)
);
CREATE INDEX storefront_services_provider ON storefront_services (provider_id);

-- Free-text fields are '' when unset; the API shows '' as null. The
-- installation fees are free text because the seed shows "2x R$ 60,00".
CREATE TABLE storefront_plans (
    id                            INTEGER PRIMARY KEY,
    provider_id                   INTEGER NOT NULL REFERENCES storefront_providers (id) ON DELETE CASCADE,
    name                          TEXT NOT NULL,
    sort_order                    INTEGER,
    monthly_price_cents           INTEGER NOT NULL CHECK (monthly_price_cents >= 0),
    installation_fee_upfront      TEXT NOT NULL DEFAULT '',
    installation_fee_installments TEXT NOT NULL DEFAULT '',
    upload_speed                  INTEGER NOT NULL DEFAULT 0,
    download_speed                INTEGER NOT NULL DEFAULT 0,
    price_note                    TEXT NOT NULL DEFAULT '',
    detail_line1                  TEXT NOT NULL DEFAULT '',
    detail_line2                  TEXT NOT NULL DEFAULT '',
    detail_line3                  TEXT NOT NULL DEFAULT '',
    primary_color                 TEXT NOT NULL DEFAULT '',
    secondary_color               TEXT NOT NULL DEFAULT '',
    title                         TEXT NOT NULL DEFAULT '',
    html                          TEXT NOT NULL DEFAULT '',
    UNIQUE (id, provider_id)
);
CREATE INDEX storefront_plans_provider ON storefront_plans (provider_id);

CREATE TABLE storefront_plan_categories (
    provider_id INTEGER NOT NULL,
    plan_id     INTEGER NOT NULL,
    category_id INTEGER NOT NULL,
    PRIMARY KEY (plan_id, category_id),
    FOREIGN KEY (plan_id, provider_id) REFERENCES storefront_plans (id, provider_id) ON DELETE CASCADE,
    FOREIGN KEY (category_id, provider_id) REFERENCES storefront_categories (id, provider_id) ON DELETE CASCADE
);
CREATE INDEX storefront_plan_categories_category ON storefront_plan_categories (category_id, provider_id);

CREATE TABLE storefront_plan_payment_methods (
    provider_id       INTEGER NOT NULL,
    plan_id           INTEGER NOT NULL,
    payment_method_id INTEGER NOT NULL,
    PRIMARY KEY (plan_id, payment_method_id),
    FOREIGN KEY (plan_id, provider_id) REFERENCES storefront_plans (id, provider_id) ON DELETE CASCADE,
    FOREIGN KEY (payment_method_id, provider_id) REFERENCES storefront_payment_methods (id, provider_id) ON DELETE CASCADE
);
CREATE INDEX storefront_plan_payment_methods_pm ON storefront_plan_payment_methods (payment_method_id, provider_id);

CREATE TABLE storefront_plan_services (
    provider_id INTEGER NOT NULL,
    plan_id     INTEGER NOT NULL,
    service_id  INTEGER NOT NULL,
    PRIMARY KEY (plan_id, service_id),
    FOREIGN KEY (plan_id, provider_id) REFERENCES storefront_plans (id, provider_id) ON DELETE CASCADE,
    FOREIGN KEY (service_id, provider_id) REFERENCES storefront_services (id, provider_id) ON DELETE CASCADE
);
CREATE INDEX storefront_plan_services_service ON storefront_plan_services (service_id, provider_id);

-- name_key is the case-folded name: coupon names are unique per provider
-- without regard to case.
CREATE TABLE storefront_coupons (
    id              INTEGER PRIMARY KEY,
    provider_id     INTEGER NOT NULL REFERENCES storefront_providers (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    name_key        TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    valid_from      TEXT,
    valid_until     TEXT,
    max_redemptions INTEGER CHECK (max_redemptions IS NULL OR max_redemptions >= 0),
    redemptions     INTEGER NOT NULL DEFAULT 0 CHECK (redemptions >= 0),
    UNIQUE (provider_id, name_key),
    UNIQUE (id, provider_id)
);

-- A coupon with no rows here applies to every plan of its provider.
CREATE TABLE storefront_coupon_plans (
    provider_id INTEGER NOT NULL,
    coupon_id   INTEGER NOT NULL,
    plan_id     INTEGER NOT NULL,
    PRIMARY KEY (coupon_id, plan_id),
    FOREIGN KEY (coupon_id, provider_id) REFERENCES storefront_coupons (id, provider_id) ON DELETE CASCADE,
    FOREIGN KEY (plan_id, provider_id) REFERENCES storefront_plans (id, provider_id) ON DELETE CASCADE
);
CREATE INDEX storefront_coupon_plans_plan ON storefront_coupon_plans (plan_id, provider_id);

-- An area is either a GeoJSON Polygon/MultiPolygon or an inclusive CEP range
-- (8-digit CEPs as integers). plan_id NULL: the area serves every plan.
CREATE TABLE storefront_coverage_areas (
    id          INTEGER PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES storefront_providers (id) ON DELETE CASCADE,
    plan_id     INTEGER,
    name        TEXT NOT NULL DEFAULT '',
    geometry    TEXT,
    cep_start   INTEGER,
    cep_end     INTEGER,
    CHECK ((geometry IS NOT NULL AND cep_start IS NULL AND cep_end IS NULL)
        OR (geometry IS NULL AND cep_start IS NOT NULL AND cep_end IS NOT NULL AND cep_start <= cep_end)),
    FOREIGN KEY (plan_id, provider_id) REFERENCES storefront_plans (id, provider_id) ON DELETE CASCADE
);
CREATE INDEX storefront_coverage_areas_provider ON storefront_coverage_areas (provider_id);
CREATE INDEX storefront_coverage_areas_plan ON storefront_coverage_areas (plan_id, provider_id);

-- Plans, coupons and payment methods a subscription refers to cannot be
-- deleted (NO ACTION): the subscription is a record of what was chosen.
CREATE TABLE storefront_subscriptions (
    id                   TEXT PRIMARY KEY,
    provider_id          INTEGER NOT NULL REFERENCES storefront_providers (id) ON DELETE CASCADE,
    plan_id              INTEGER,
    coupon_id            INTEGER,
    payment_method_id    INTEGER,
    cold_lead            INTEGER NOT NULL,
    coverage             INTEGER NOT NULL,
    name                 TEXT NOT NULL DEFAULT '',
    email                TEXT NOT NULL DEFAULT '',
    mobile_phone         TEXT NOT NULL DEFAULT '',
    document             TEXT NOT NULL DEFAULT '',
    id_document          TEXT NOT NULL DEFAULT '',
    birth_date           TEXT,
    due_day              INTEGER,
    upfront_installation INTEGER,
    installation_fee     TEXT NOT NULL DEFAULT '',
    street               TEXT NOT NULL DEFAULT '',
    number               TEXT NOT NULL DEFAULT '',
    complement           TEXT NOT NULL DEFAULT '',
    district             TEXT NOT NULL DEFAULT '',
    city                 TEXT NOT NULL DEFAULT '',
    cep                  TEXT NOT NULL DEFAULT '',
    current_provider     TEXT NOT NULL DEFAULT '',
    latitude             REAL,
    longitude            REAL,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    FOREIGN KEY (plan_id, provider_id) REFERENCES storefront_plans (id, provider_id),
    FOREIGN KEY (coupon_id, provider_id) REFERENCES storefront_coupons (id, provider_id),
    FOREIGN KEY (payment_method_id, provider_id) REFERENCES storefront_payment_methods (id, provider_id)
);
CREATE INDEX storefront_subscriptions_provider ON storefront_subscriptions (provider_id, created_at, id);
CREATE INDEX storefront_subscriptions_plan ON storefront_subscriptions (plan_id, provider_id);
CREATE INDEX storefront_subscriptions_coupon ON storefront_subscriptions (coupon_id, provider_id);
CREATE INDEX storefront_subscriptions_payment_method ON storefront_subscriptions (payment_method_id, provider_id);

CREATE TABLE storefront_subscription_files (
    subscription_id TEXT NOT NULL REFERENCES storefront_subscriptions (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('comprovante_res', 'comprovante_rg', 'selfie')),
    blob_key        TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size            INTEGER NOT NULL,
    sha256          TEXT NOT NULL,
    uploaded_at     TEXT NOT NULL,
    PRIMARY KEY (subscription_id, kind)
);

-- +goose Down
DROP TABLE storefront_subscription_files;
DROP TABLE storefront_subscriptions;
DROP TABLE storefront_coverage_areas;
DROP TABLE storefront_coupon_plans;
DROP TABLE storefront_coupons;
DROP TABLE storefront_plan_services;
DROP TABLE storefront_plan_payment_methods;
DROP TABLE storefront_plan_categories;
DROP TABLE storefront_plans;
DROP TABLE storefront_services;
DROP TABLE storefront_payment_methods;
DROP TABLE storefront_categories;
DROP TABLE storefront_due_days;
DROP TABLE storefront_tokens;
DROP TABLE storefront_origins;
DROP TABLE storefront_providers;
