-- +goose Up
CREATE TABLE states (
    ibge_code INTEGER PRIMARY KEY,
    uf        TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL
);

CREATE TABLE municipalities (
    ibge_code INTEGER PRIMARY KEY,
    name      TEXT NOT NULL,
    uf        TEXT NOT NULL REFERENCES states (uf),
    lat       REAL NOT NULL,
    lon       REAL NOT NULL
);
CREATE INDEX municipalities_uf ON municipalities (uf);

-- State-level ranges have no municipality.
CREATE TABLE cep_ranges (
    id        INTEGER PRIMARY KEY,
    uf        TEXT NOT NULL REFERENCES states (uf),
    ibge_code INTEGER REFERENCES municipalities (ibge_code),
    cep_start INTEGER NOT NULL,
    cep_end   INTEGER NOT NULL,
    CHECK (cep_start <= cep_end)
);
CREATE INDEX cep_ranges_start ON cep_ranges (cep_start);

-- +goose Down
DROP TABLE cep_ranges;
DROP TABLE municipalities;
DROP TABLE states;
