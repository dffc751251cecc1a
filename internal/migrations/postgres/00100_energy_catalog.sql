-- +goose Up
CREATE TABLE partners (
    id         text PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL
);

-- Only the SHA-256 of a key is kept; the prefix names it for revocation.
CREATE TABLE partner_api_keys (
    id          text PRIMARY KEY,
    partner_id  text NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    prefix      text NOT NULL UNIQUE,
    key_hash    text NOT NULL UNIQUE,
    seller_name text NOT NULL DEFAULT '',
    admin       boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);

CREATE TABLE energy_utilities (
    public_id              text PRIMARY KEY,
    name                   text NOT NULL UNIQUE,
    uf                     text NOT NULL REFERENCES states (uf),
    qualified              boolean NOT NULL DEFAULT false,
    gd_min_natural_cents   bigint NOT NULL DEFAULT 0,
    gd_min_juridical_cents bigint NOT NULL DEFAULT 0
);

CREATE TABLE energy_operation_areas (
    utility_id text NOT NULL REFERENCES energy_utilities (public_id) ON DELETE CASCADE,
    ibge_code  integer NOT NULL REFERENCES municipalities (ibge_code),
    PRIMARY KEY (utility_id, ibge_code)
);
CREATE INDEX energy_operation_areas_ibge ON energy_operation_areas (ibge_code);

-- benefits: a JSON array of descriptions.
CREATE TABLE energy_plans (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    utility_id      text NOT NULL REFERENCES energy_utilities (public_id) ON DELETE CASCADE,
    name            text NOT NULL,
    fidelity_months integer NOT NULL,
    discount        text NOT NULL,
    benefits        text NOT NULL DEFAULT '[]',
    UNIQUE (utility_id, name)
);

CREATE TABLE energy_thresholds (
    id                    integer PRIMARY KEY CHECK (id = 1),
    free_market_min_cents bigint NOT NULL DEFAULT 0
);
INSERT INTO energy_thresholds (id) VALUES (1);

-- +goose Down
DROP TABLE energy_thresholds;
DROP TABLE energy_plans;
DROP TABLE energy_operation_areas;
DROP TABLE energy_utilities;
DROP TABLE partner_api_keys;
DROP TABLE partners;
