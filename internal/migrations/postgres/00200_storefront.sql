-- +goose Up
-- ISP storefront. Ids are integers where the seed shows integers (providers,
-- categories, plans, payment methods, coupons) and UUIDs for subscriptions.
-- Child tables carry provider_id and reference their parents by (id,
-- provider_id), so a row can never point at another provider's data.
CREATE TABLE storefront_providers (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                   text NOT NULL,
    plans_background_color text NOT NULL DEFAULT '',
    intro_font_color       text NOT NULL DEFAULT '',
    footer_color           text NOT NULL DEFAULT '',
    footer_font_color      text NOT NULL DEFAULT '',
    navbar_color           text NOT NULL DEFAULT '',
    wallpaper              text NOT NULL DEFAULT '',
    logo                   text NOT NULL DEFAULT '',
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL
);

-- origin is normalized: lower-case "scheme://host[:port]", default port dropped.
CREATE TABLE storefront_origins (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id bigint NOT NULL REFERENCES storefront_providers (id) ON DELETE CASCADE,
    origin      text NOT NULL UNIQUE
);
CREATE INDEX storefront_origins_provider ON storefront_origins (provider_id);

-- Admin tokens are stored as their SHA-256 only.
CREATE TABLE storefront_tokens (
    token_hash  bytea PRIMARY KEY,
    provider_id bigint NOT NULL REFERENCES storefront_providers (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL
);
CREATE INDEX storefront_tokens_provider ON storefront_tokens (provider_id);

CREATE TABLE storefront_due_days (
    provider_id bigint NOT NULL REFERENCES storefront_providers (id) ON DELETE CASCADE,
    day         integer NOT NULL CHECK (day BETWEEN 1 AND 31),
    PRIMARY KEY (provider_id, day)
);

CREATE TABLE storefront_categories (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id bigint NOT NULL REFERENCES storefront_providers (id) ON DELETE CASCADE,
    name        text NOT NULL,
    sort_order  integer,
    UNIQUE (id, provider_id)
);
CREATE INDEX storefront_categories_provider ON storefront_categories (provider_id);

CREATE TABLE storefront_payment_methods (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id bigint NOT NULL REFERENCES storefront_providers (id) ON DELETE CASCADE,
    name        text NOT NULL,
    sort_order  integer,
    UNIQUE (id, provider_id)
);
CREATE INDEX storefront_payment_methods_provider ON storefront_payment_methods (provider_id);

CREATE TABLE storefront_services (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id bigint NOT NULL REFERENCES storefront_providers (id) ON DELETE CASCADE,
    name        text NOT NULL,
    sort_order  integer,
    UNIQUE (id, provider_id)
);
CREATE INDEX storefront_services_provider ON storefront_services (provider_id);

-- Free-text fields are '' when unset; the API shows '' as null. The
-- installation fees are free text because the seed shows "2x R$ 60,00".
CREATE TABLE storefront_plans (
    id                            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id                   bigint NOT NULL REFERENCES storefront_providers (id) ON DELETE CASCADE,
    name                          text NOT NULL,
    sort_order                    integer,
    monthly_price_cents           bigint NOT NULL CHECK (monthly_price_cents >= 0),
    installation_fee_upfront      text NOT NULL DEFAULT '',
    installation_fee_installments text NOT NULL DEFAULT '',
    upload_speed                  integer NOT NULL DEFAULT 0,
    download_speed                integer NOT NULL DEFAULT 0,
    price_note                    text NOT NULL DEFAULT '',
    detail_line1                  text NOT NULL DEFAULT '',
    detail_line2                  text NOT NULL DEFAULT '',
    detail_line3                  text NOT NULL DEFAULT '',
    primary_color                 text NOT NULL DEFAULT '',
    secondary_color               text NOT NULL DEFAULT '',
    title                         text NOT NULL DEFAULT '',
    html                          text NOT NULL DEFAULT '',
    UNIQUE (id, provider_id)
);
CREATE INDEX storefront_plans_provider ON storefront_plans (provider_id);

CREATE TABLE storefront_plan_categories (
    provider_id bigint NOT NULL,
    plan_id     bigint NOT NULL,
    category_id bigint NOT NULL,
    PRIMARY KEY (plan_id, category_id),
    FOREIGN KEY (plan_id, provider_id) REFERENCES storefront_plans (id, provider_id) ON DELETE CASCADE,
    FOREIGN KEY (category_id, provider_id) REFERENCES storefront_categories (id, provider_id) ON DELETE CASCADE
);
CREATE INDEX storefront_plan_categories_category ON storefront_plan_categories (category_id, provider_id);

CREATE TABLE storefront_plan_payment_methods (
    provider_id       bigint NOT NULL,
    plan_id           bigint NOT NULL,
    payment_method_id bigint NOT NULL,
    PRIMARY KEY (plan_id, payment_method_id),
    FOREIGN KEY (plan_id, provider_id) REFERENCES storefront_plans (id, provider_id) ON DELETE CASCADE,
    FOREIGN KEY (payment_method_id, provider_id) REFERENCES storefront_payment_methods (id, provider_id) ON DELETE CASCADE
);
CREATE INDEX storefront_plan_payment_methods_pm ON storefront_plan_payment_methods (payment_method_id, provider_id);

CREATE TABLE storefront_plan_services (
    provider_id bigint NOT NULL,
    plan_id     bigint NOT NULL,
    service_id  bigint NOT NULL,
    PRIMARY KEY (plan_id, service_id),
    FOREIGN KEY (plan_id, provider_id) REFERENCES storefront_plans (id, provider_id) ON DELETE CASCADE,
    FOREIGN KEY (service_id, provider_id) REFERENCES storefront_services (id, provider_id) ON DELETE CASCADE
);
CREATE INDEX storefront_plan_services_service ON storefront_plan_services (service_id, provider_id);

-- name_key is the case-folded name: coupon names are unique per provider
-- without regard to case.
CREATE TABLE storefront_coupons (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id     bigint NOT NULL REFERENCES storefront_providers (id) ON DELETE CASCADE,
    name            text NOT NULL,
    name_key        text NOT NULL,
    description     text NOT NULL DEFAULT '',
    valid_from      timestamptz,
    valid_until     timestamptz,
    max_redemptions integer CHECK (max_redemptions IS NULL OR max_redemptions >= 0),
    redemptions     integer NOT NULL DEFAULT 0 CHECK (redemptions >= 0),
    UNIQUE (provider_id, name_key),
    UNIQUE (id, provider_id)
);

-- A coupon with no rows here applies to every plan of its provider.
CREATE TABLE storefront_coupon_plans (
    provider_id bigint NOT NULL,
    coupon_id   bigint NOT NULL,
    plan_id     bigint NOT NULL,
    PRIMARY KEY (coupon_id, plan_id),
    FOREIGN KEY (coupon_id, provider_id) REFERENCES storefront_coupons (id, provider_id) ON DELETE CASCADE,
    FOREIGN KEY (plan_id, provider_id) REFERENCES storefront_plans (id, provider_id) ON DELETE CASCADE
);
CREATE INDEX storefront_coupon_plans_plan ON storefront_coupon_plans (plan_id, provider_id);

-- An area is either a GeoJSON Polygon/MultiPolygon or an inclusive CEP range
-- (8-digit CEPs as integers). plan_id NULL: the area serves every plan.
CREATE TABLE storefront_coverage_areas (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id bigint NOT NULL REFERENCES storefront_providers (id) ON DELETE CASCADE,
    plan_id     bigint,
    name        text NOT NULL DEFAULT '',
    geometry    text,
    cep_start   integer,
    cep_end     integer,
    CHECK ((geometry IS NOT NULL AND cep_start IS NULL AND cep_end IS NULL)
        OR (geometry IS NULL AND cep_start IS NOT NULL AND cep_end IS NOT NULL AND cep_start <= cep_end)),
    FOREIGN KEY (plan_id, provider_id) REFERENCES storefront_plans (id, provider_id) ON DELETE CASCADE
);
CREATE INDEX storefront_coverage_areas_provider ON storefront_coverage_areas (provider_id);
CREATE INDEX storefront_coverage_areas_plan ON storefront_coverage_areas (plan_id, provider_id);

-- Plans, coupons and payment methods a subscription refers to cannot be
-- deleted (NO ACTION): the subscription is a record of what was chosen.
CREATE TABLE storefront_subscriptions (
    id                   uuid PRIMARY KEY,
    provider_id          bigint NOT NULL REFERENCES storefront_providers (id) ON DELETE CASCADE,
    plan_id              bigint,
    coupon_id            bigint,
    payment_method_id    bigint,
    cold_lead            boolean NOT NULL,
    coverage             boolean NOT NULL,
    name                 text NOT NULL DEFAULT '',
    email                text NOT NULL DEFAULT '',
    mobile_phone         text NOT NULL DEFAULT '',
    document             text NOT NULL DEFAULT '',
    id_document          text NOT NULL DEFAULT '',
    birth_date           date,
    due_day              integer,
    upfront_installation boolean,
    installation_fee     text NOT NULL DEFAULT '',
    street               text NOT NULL DEFAULT '',
    number               text NOT NULL DEFAULT '',
    complement           text NOT NULL DEFAULT '',
    district             text NOT NULL DEFAULT '',
    city                 text NOT NULL DEFAULT '',
    cep                  text NOT NULL DEFAULT '',
    current_provider     text NOT NULL DEFAULT '',
    latitude             double precision,
    longitude            double precision,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    FOREIGN KEY (plan_id, provider_id) REFERENCES storefront_plans (id, provider_id),
    FOREIGN KEY (coupon_id, provider_id) REFERENCES storefront_coupons (id, provider_id),
    FOREIGN KEY (payment_method_id, provider_id) REFERENCES storefront_payment_methods (id, provider_id)
);
CREATE INDEX storefront_subscriptions_provider ON storefront_subscriptions (provider_id, created_at, id);
CREATE INDEX storefront_subscriptions_plan ON storefront_subscriptions (plan_id, provider_id);
CREATE INDEX storefront_subscriptions_coupon ON storefront_subscriptions (coupon_id, provider_id);
CREATE INDEX storefront_subscriptions_payment_method ON storefront_subscriptions (payment_method_id, provider_id);

CREATE TABLE storefront_subscription_files (
    subscription_id uuid NOT NULL REFERENCES storefront_subscriptions (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('comprovante_res', 'comprovante_rg', 'selfie')),
    blob_key        text NOT NULL,
    file_name       text NOT NULL,
    content_type    text NOT NULL,
    size            bigint NOT NULL,
    sha256          text NOT NULL,
    uploaded_at     timestamptz NOT NULL,
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
