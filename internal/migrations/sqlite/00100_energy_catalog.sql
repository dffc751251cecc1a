-- +goose Up
CREATE TABLE partners (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- Only the SHA-256 of a key is kept; the prefix names it for revocation.
CREATE TABLE partner_api_keys (
    id          TEXT PRIMARY KEY,
    partner_id  TEXT NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    prefix      TEXT NOT NULL UNIQUE,
    key_hash    TEXT NOT NULL UNIQUE,
    seller_name TEXT NOT NULL DEFAULT '',
    admin       INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);

CREATE TABLE energy_utilities (
    public_id              TEXT PRIMARY KEY,
    name                   TEXT NOT NULL UNIQUE,
    uf                     TEXT NOT NULL REFERENCES states (uf),
    qualified              INTEGER NOT NULL DEFAULT 0 CHECK (qualified IN (0, 1)),
    gd_min_natural_cents   INTEGER NOT NULL DEFAULT 0,
    gd_min_juridical_cents INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE energy_operation_areas (
    utility_id TEXT NOT NULL REFERENCES energy_utilities (public_id) ON DELETE CASCADE,
    ibge_code  INTEGER NOT NULL REFERENCES municipalities (ibge_code),
    PRIMARY KEY (utility_id, ibge_code)
);
CREATE INDEX energy_operation_areas_ibge ON energy_operation_areas (ibge_code);

-- benefits: a JSON array of descriptions.
CREATE TABLE energy_plans (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    utility_id      TEXT NOT NULL REFERENCES energy_utilities (public_id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    fidelity_months INTEGER NOT NULL,
    discount        TEXT NOT NULL,
    benefits        TEXT NOT NULL DEFAULT '[]',
    UNIQUE (utility_id, name)
);

CREATE TABLE energy_thresholds (
    id                    INTEGER PRIMARY KEY CHECK (id = 1),
    free_market_min_cents INTEGER NOT NULL DEFAULT 0
);
INSERT INTO energy_thresholds (id) VALUES (1);

-- +goose Down
DROP TABLE energy_thresholds;
DROP TABLE energy_plans;
DROP TABLE energy_operation_areas;
DROP TABLE energy_utilities;
DROP TABLE partner_api_keys;
DROP TABLE partners;
